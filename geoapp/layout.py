"""Where the table is in a sheet: cells (as :mod:`geoapp.tables` reads them) → header, data rows
with their spreadsheet row numbers, and the rows left out.

Files as offices write them (issue 14): a letterhead and a title above the header, the header
merged over two rows, a row of column numbers ``(1) (2) (3)`` under it, ``Tổng cộng`` /
``Cộng`` totals rows, and a signature block under the table. So:

* the header row is the row that names the most known columns (the caller says which names
  it knows: ``recognise``), unless the caller gives ``header_row``;
* a merged range gives its value to every cell it covers in the header; in the body only
  ranges over several rows are spread (one decision number merged down a column of communes),
  never a range along one row (a group or totals label merged across the table);
* a second header row (merged cells reaching into it, or sub-headers under a merged group
  such as "Quyết định" → "Số" / "Ngày") is joined to the first, column by column;
* the column-number row, totals rows and everything from the signature block on are left out
  and listed in :attr:`Table.skipped`, so the report says what was not read and why.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

from .errors import InputError
from .names import fold, plain_key

MAX_ROWS = 500_000
#: how far down the header is looked for (letterhead, title and subtitle take 3–10 rows)
HEADER_SCAN = 40
#: a recogniser takes a header cell and returns the column it names, or None
Recognise = Callable[[str], "str | None"]


@dataclass
class Skipped:
    """A row of the sheet that is not data, and why (English and Vietnamese)."""

    row: int
    reason: str
    reason_vi: str

    def to_dict(self) -> dict:
        return {"row": self.row, "reason": self.reason, "reason_vi": self.reason_vi}


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]        # cells as text, "" for empty
    row_numbers: list[int]       # spreadsheet row number of each row
    encoding: str = ""
    delimiter: str = ""
    header_row: int = 1          # spreadsheet row of the header (its first row when it spans two)
    skipped: list[Skipped] = field(default_factory=list)



#: a row of column numbers under the header: "(1) (2) (3)", "1 2 3", "(A) (B)"
_NUMBER_CELL = re.compile(r"^\(\s*(\d{1,2}|[a-z])\s*\)$|^(\d{1,2})$", re.IGNORECASE)
#: a totals label (folded): "Tổng cộng …" anything; "Tổng", "Tổng số", "Cộng" alone or before a
#: number, a colon or a bracket, or before the words of a subtotal ("Cộng huyện …", "Tổng toàn
#: tỉnh"). "Cộng Hòa", "Tổng Cọt" (communes) are names, not totals.
_TOTALS = re.compile(r"^(?:tong cong\b.*|(?:tong so|tong|cong|total|grand total|subtotal|sum)"
                     r"(?:\s*$|\s*[:(\-=]|\s+\d|\s+(?:toan|ca|cac|chung|huyen|quan|thi xa|thanh pho|tinh)\b).*)$")
#: the first cell of a signature block or of the place-and-date line under the table
_FOOTER = re.compile(r"^(?:noi nhan|nguoi lap|lap bieu|nguoi ky|kt\.?|tm\.?|giam doc|pho giam doc|truong phong"
                     r"|pho truong phong|truong cong an|chu tich|pho chu tich|thu truong|chi huy truong|xac nhan"
                     r"|\(?ky,? ghi ro|\(?da ky|\(?ky ten|\(?ky va)(?=\W|$)"
                     r"|^[^0-9,]{1,40},\s*ngay\s*(?:\d{1,2}|[.…_ ]+)\s*thang\s*(?:\d{1,2}|[.…_ ]+)\s*nam\b")
#: a cell of data rather than of a header: a number, a code, a date
_DATE_OR_NUMBER = re.compile(r"^[\d\s.,/:\-]+$|^\d{4}-\d{2}-\d{2}")
#: what stands under a merged group of a two-row header ("Quyết định" → "Số" | "Ngày")
_SUBHEADERS = {"so", "ngay", "so hieu", "so ky hieu", "ngay ky", "ngay ban hanh", "ngay thang", "ngay thang nam",
               "tu ngay", "den ngay", "ma", "ten", "so qd", "ngay qd", "co quan ban hanh", "nam"}


def is_totals_label(text: str) -> bool:
    """Is ``text`` the label of a totals or subtotals row ("Tổng cộng", "Cộng huyện Sìn Hồ")?"""
    return bool(_TOTALS.match(fold(text)))


def is_footer_label(text: str) -> bool:
    """Does ``text`` begin a signature block ("Nơi nhận:", "KT. GIÁM ĐỐC", "Lai Châu, ngày …")?"""
    return bool(_FOOTER.match(fold(text)))


def _fill(rows: list[list[str]], merge: tuple[int, int, int, int]) -> None:
    """Give the value of a merged range (its top-left cell) to every cell it covers, in place."""
    c1, r1, c2, r2 = merge
    if r1 > len(rows):
        return
    value = rows[r1 - 1][c1 - 1] if c1 - 1 < len(rows[r1 - 1]) else ""
    if not value:
        return
    for r in range(r1, min(r2, len(rows)) + 1):
        row = rows[r - 1]
        if len(row) < c2:
            row.extend([""] * (c2 - len(row)))
        for c in range(c1, c2 + 1):
            row[c - 1] = value


def _header_cells(rows: list[list[str]], index: int, merges) -> list[str]:
    """Row ``index`` (0-based) with every merged range that touches it spread over it."""
    row = list(rows[index])
    probe = [row]
    for m in merges:
        if m[1] <= index + 1 <= m[3]:
            _fill(probe, (m[0], 1, m[2], 1))
    return [" ".join(c.replace("\ufeff", "").split()) for c in probe[0]]


def _score(cells: list[str], recognise: Recognise | None) -> int:
    if recognise is None:
        return 0
    return len({k for k in map(recognise, (c for c in cells if c)) if k})


def _is_number_row(cells: list[str]) -> bool:
    """Is this the row of column numbers that official forms put under the header?"""
    filled = [c for c in cells if c]
    if len(filled) < 2:
        return False
    matches = [_NUMBER_CELL.match(c) for c in filled]
    if not all(matches):
        return False
    bare = [int(m[2]) for m in matches if m[2]]
    return all(a < b for a, b in pairwise(bare))


def _find_header(rows: list[list[str]], merges, recognise: Recognise | None) -> int:
    first = next(i for i, r in enumerate(rows) if any(r))
    if recognise is None:
        return first
    best, best_score = first, 0
    for i in range(first, min(len(rows), first + HEADER_SCAN)):
        if not any(rows[i]):
            continue
        cells = _header_cells(rows, i, merges)
        # a row holding numbers or dates is data: it wins only by naming clearly more columns
        score = _score(cells, recognise) - any(_DATE_OR_NUMBER.match(c) for c in cells if c)
        if score > best_score:
            best, best_score = i, score
    return best


def _joined(upper: list[str], lower: list[str], recognise: Recognise | None) -> list[str]:
    """Two header rows as one: each column's name from the group above and the sub-header below."""
    width = max(len(upper), len(lower))
    upper, lower = upper + [""] * (width - len(upper)), lower + [""] * (width - len(lower))
    out, group = [], ""
    for up, lo in zip(upper, lower):
        if not up and lo and group:       # a group over several columns, its name only in the first (CSV)
            up = group
        group = up if up and lo and lo != up else ""
        if not lo or lo == up:
            out.append(up)
        elif not up:
            out.append(lo)
        else:
            both = f"{up} {lo}"
            known = [c for c in (both, lo, up) if recognise is not None and recognise(c)]
            out.append(known[0] if known else both)
    return out


def _second_header_row(rows, index: int, merges, recognise: Recognise | None, headers: list[str]) -> list[str] | None:
    """The joined header if the row under the header (0-based ``index``) continues it, else None."""
    below = index + 1
    if below >= len(rows) or not any(rows[below]) or _is_number_row(rows[below]):
        return None
    sheet_row = index + 1                 # spreadsheet row of the header
    lower = _header_cells(rows, below, merges)
    joined = _joined(headers, lower, recognise)
    if any(m[1] <= sheet_row < m[3] for m in merges):          # header cells merged down into the row below
        return joined
    # otherwise the row below must hold only sub-headers ("Số", "Ngày", or names of columns) —
    # never a row of data — and be a group's sub-headers or name more columns with the header
    padded = headers + [""] * (len(lower) - len(headers))
    new = [lo for lo, up in zip(lower, padded) if lo and lo != up]
    if not new or not all(plain_key(c) in _SUBHEADERS or (recognise is not None and recognise(c)) for c in new):
        return None
    grouped = any(m[1] == m[3] == sheet_row and m[2] > m[0] for m in merges)
    if grouped or _score(joined, recognise) > _score(headers, recognise):
        return joined
    return None


def build_table(grid: list[list[str]], name: str, encoding: str = "", delimiter: str = "", *,
                merges=(), header_row: int | None = None, recognise: Recognise | None = None) -> Table:
    """Header, body rows (with their spreadsheet row numbers) and skipped rows of a sheet's cells."""
    rows = [[str(c).strip() for c in r] for r in grid]
    filled = sum(1 for r in rows if any(r))
    if not filled:
        raise InputError(f"{name} is empty", message_vi=f"{name} không có dữ liệu")
    if filled > MAX_ROWS:
        raise InputError(f"{name}: more than {MAX_ROWS:,} rows", message_vi=f"{name}: nhiều hơn {MAX_ROWS:,} dòng")
    merges = [tuple(int(x) for x in m) for m in merges]
    for m in merges:                      # ranges down several rows hold one value for each of them
        if m[3] > m[1]:
            _fill(rows, m)
    if header_row is not None:
        if not 1 <= header_row <= len(rows) or not any(rows[header_row - 1]):
            raise InputError(f"{name}: row {header_row} is empty or past the end of the sheet; give the row that "
                             "holds the column names",
                             message_vi=f"{name}: dòng {header_row} trống hoặc vượt quá cuối bảng; hãy chỉ dòng "
                                        "có tên các cột")
        index = header_row - 1
    else:
        index = _find_header(rows, merges, recognise)
    headers = _header_cells(rows, index, merges)
    start = index + 1
    joined = _second_header_row(rows, index, merges, recognise, headers)
    if joined is not None:
        headers, start = joined, start + 1
    skipped: list[Skipped] = []
    while start < len(rows) and not any(rows[start]):
        start += 1
    if start < len(rows) and _is_number_row(rows[start]):
        skipped.append(Skipped(start + 1, "column numbers under the header", "dòng đánh số cột dưới tiêu đề"))
        start += 1
    width = len(headers)
    body, numbers = [], []
    for i in range(start, len(rows)):
        row = rows[i]
        labels = [c for c in row if c][:2]
        if not labels:
            continue
        if is_footer_label(labels[0]):
            skipped.append(Skipped(i + 1, f"end of the table: {labels[0]!r} and what follows (signatures, notes) "
                                   "is not read", f"hết bảng: {labels[0]!r} và các dòng sau (chữ ký, ghi chú) "
                                   "không được đọc"))
            break
        label = next((c for c in labels if is_totals_label(c)), None)
        if label is not None:
            skipped.append(Skipped(i + 1, f"totals row {label!r}, not a unit", f"dòng tổng {label!r}, không phải đơn vị"))
            continue
        body.append((row + [""] * width)[:max(width, len(row))])
        numbers.append(i + 1)
    return Table(headers, body, numbers, encoding, delimiter, index + 1, skipped)
