"""Which column is which, and what a cell says: the header vocabulary of status and indicator
files, and the readers of dates, periods and numbers as provinces write them.

Trip-wires:

* headers are matched by exact names first, then by how offices word them ("Tên xã, phường,
  thị trấn", "Ngày công nhận", "Quyết định công nhận / Số"): :data:`HEADER_RULES`, anchored at
  the start of the header so a letterhead line ("CỘNG HÒA XÃ HỘI …") names no column;
* a date arrives as ISO text (openpyxl's dates, see :mod:`geoapp.tables`), as "24/5/2023", as
  "ngày 24 tháng 5 năm 2023", or as the bare Excel day number of a cell that lost its date
  format (45070 = 2023-05-24);
* "1.234" is a thousand, "1,5" one and a half.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

import pandas as pd

from .names import fold, plain_key

#: canonical column → headers accepted (compared after folding: case, diacritics, _ and spaces)
STATUS_HEADERS = {
    "code": ("ma_xa", "code", "ma", "ma don vi", "unit code", "ma dvhc"),
    "name": ("ten_xa", "name", "ten", "ten don vi", "unit", "xa", "commune"),
    "district": ("huyen", "district", "quan huyen", "ten huyen"),
    "province": ("tinh", "province", "tinh thanh pho", "ten tinh"),
    "scheme": ("che_do", "scheme", "loai", "linh vuc"),
    "status": ("trang_thai", "status", "tinh trang", "xep loai"),
    "valid_from": ("tu_ngay", "valid_from", "from", "ngay hieu luc", "tu"),
    "valid_to": ("den_ngay", "valid_to", "to", "den"),
    "decision_no": ("so_quyet_dinh", "decision", "so qd", "quyet dinh", "decision no"),
    "decision_date": ("ngay_quyet_dinh", "decision_date", "ngay qd"),
    "source": ("nguon", "source"),
    "note": ("ghi_chu", "note", "notes", "ghi chu"),
}
INDICATOR_HEADERS = {
    "code": STATUS_HEADERS["code"], "name": STATUS_HEADERS["name"],
    "district": STATUS_HEADERS["district"], "province": STATUS_HEADERS["province"],
    "period": ("ky", "period", "nam", "year", "ky bao cao"),
    "indicator": ("chi_tieu", "indicator", "chi so"),
    "value": ("gia_tri", "value", "so lieu", "so luong"),
    "source": STATUS_HEADERS["source"], "note": STATUS_HEADERS["note"],
}
#: the row-number column of official forms: recognised (it helps find the header), never read
SKIP = "_skip"
#: headers as offices word them, tried (in this order, first match wins) when no exact name fits.
#: Each is a regular expression over the header's plain key (folded, punctuation as spaces), and
#: anchored at its start, so a letterhead line ("CỘNG HÒA XÃ HỘI …", "CÔNG AN TỈNH …") names nothing.
HEADER_RULES: tuple[tuple[str, str], ...] = (
    (SKIP, r"^(stt|tt|so tt|so thu tu|thu tu)$"),
    # one column for both: "Số, ngày quyết định" holding "123/QĐ-UBND ngày 24/5/2023"
    ("decision_no", r"^(so ngay|so va ngay|so ngay thang( nam)?) (quyet dinh|qd|van ban)\b"),
    ("decision_no", r"^(quyet dinh|qd|van ban)( cong nhan)? so ngay( thang( nam)?)?$"),
    ("decision_date", r"^(ngay|ngay thang nam)( ban hanh| ky)? (quyet dinh|qd)\b"),
    ("decision_date", r"^(quyet dinh|qd)\b.*\b(ngay|ngay ky|ngay ban hanh|ngay thang nam)$"),
    ("decision_no", r"^(so|so hieu|so ky hieu) (quyet dinh|qd|van ban)\b"),
    ("decision_no", r"^(quyet dinh|qd|van ban)\b"),
    ("valid_to", r"^(den ngay|ngay ket thuc|ngay het hieu luc|het hieu luc|hieu luc den)\b"),
    ("valid_from", (r"^(tu ngay|ngay cong nhan|ngay hieu luc|ngay co hieu luc|hieu luc tu|ngay bat dau|ngay xep loai"
                    r"|ngay phan loai|thoi diem cong nhan|thoi gian cong nhan|thoi diem|nam cong nhan)\b")),
    ("status", r"^(trang thai|tinh trang|xep loai|phan loai|ket qua|danh gia|muc do|loai dia ban|loai xa)\b"),
    ("district", r"^(ma |ten )?(huyen|quan huyen|quan|thi xa|don vi cap huyen|cap huyen)\b"),
    ("province", r"^(ma |ten )?(tinh|tinh thanh pho|tinh tp)\b"),
    ("code", r"^ma( so)?( xa| don vi| dvhc| dv| don vi hanh chinh| hanh chinh| xa phuong)?( thi tran)?$"),
    ("scheme", r"^(linh vuc|che do|chuyen de)\b"),
    ("note", r"^ghi chu\b"),
    ("source", r"^nguon\b"),
    ("name", r"^(ten|don vi|xa|dia ban|phuong)\b"),
    ("period", r"^(ky|ky bao cao|nam|thang|quy|thoi gian|giai doan)\b"),
    ("indicator", r"^(chi tieu|chi so|noi dung)\b"),
    ("value", r"^(gia tri|so lieu|so luong|tong so)\b"),
)
_RULES = tuple((canon, re.compile(pattern)) for canon, pattern in HEADER_RULES)
_DATE_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T].*)?$")
_DATE_WORDS = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})$")
_EXCEL_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})|[Qq]([1-4])))?$")


def _hkey(header: str) -> str:
    """Comparison key of a header or a vocabulary value: folded, punctuation and "_" as spaces."""
    return plain_key(header)


@lru_cache(maxsize=8)
def _exact_names(wanted: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    return {_hkey(a): canon for canon, aliases in wanted for a in aliases}


def recognise_header(header: str, wanted: dict[str, tuple[str, ...]]) -> str | None:
    """The canonical column ``header`` names among ``wanted`` (or :data:`SKIP`), else None."""
    key = _hkey(header)
    if not key:
        return None
    canon = _exact_names(tuple(wanted.items())).get(key)
    if canon:
        return canon
    for canon, pattern in _RULES:
        if (canon == SKIP or canon in wanted) and pattern.search(key):
            return canon
    return None


def status_header(header: str) -> str | None:
    """The column a status-file header names (for :func:`geoapp.tables.read_table`)."""
    return recognise_header(header, STATUS_HEADERS)


def indicator_header(header: str) -> str | None:
    """The column an indicator-file header names (for :func:`geoapp.tables.read_table`)."""
    return recognise_header(header, INDICATOR_HEADERS)


def map_headers(headers: list[str], wanted: dict[str, tuple[str, ...]]) -> tuple[dict[str, int], list[str]]:
    """{canonical: column index} and the headers nobody claimed.

    Exact names claim their columns first, then the office wordings of :data:`HEADER_RULES`;
    the first column wins when two name the same thing.
    """
    exact = _exact_names(tuple(wanted.items()))
    found: dict[str, int] = {}
    claimed: set[int] = set()
    for exact_pass in (True, False):
        for i, h in enumerate(headers):
            if i in claimed or not _hkey(h):
                continue
            canon = exact.get(_hkey(h)) if exact_pass else recognise_header(h, wanted)
            if canon == SKIP:
                claimed.add(i)
            elif canon and canon not in found:
                found[canon] = i
                claimed.add(i)
    unused = [h for i, h in enumerate(headers) if h and i not in claimed]
    return found, unused


def parse_date(text: str) -> str | None:
    """ISO or dd/mm/yyyy (also d.m.yyyy, dd-mm-yyyy, "24/5/2023", "ngày 24 tháng 5 năm 2023") → ISO
    date; None if not a date."""
    text = str(text).strip()
    try:
        m = _DATE_ISO.match(text)
        if m:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        m = _DATE_DMY.match(text) or _DATE_WORDS.match(fold(text))
        if m:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    except ValueError:
        return None
    return None


def cell_date(text: str) -> str | None:
    """A date as a spreadsheet cell holds it: text (see :func:`parse_date`) or an Excel serial day
    number (45070 = 2023-05-24), which is what a date cell shows when it lost its date format."""
    found = parse_date(text)
    if found:
        return found
    m = _EXCEL_SERIAL.match(str(text).strip())
    if m and 20_000 <= int(m[1]) <= 80_000:          # 1954 … 2119: nothing else in a date column
        return (date(1899, 12, 30) + timedelta(days=int(m[1]))).isoformat()
    return None


def parse_period(text: str) -> tuple[str, str, str] | None:
    """"2023", "2023-05", "2023-Q2" → (period, first day, last day)."""
    m = _PERIOD.match(text.strip())
    if not m:
        return None
    year = int(m[1])
    if m[2]:
        month = int(m[2])
        if not 1 <= month <= 12:
            return None
        end = (date(year + (month == 12), month % 12 + 1, 1) - pd.Timedelta(days=1).to_pytimedelta())
        return f"{year}-{month:02d}", date(year, month, 1).isoformat(), end.isoformat()
    if m[3]:
        q = int(m[3])
        start = date(year, 3 * q - 2, 1)
        end = date(year + (q == 4), (3 * q) % 12 + 1, 1) - pd.Timedelta(days=1).to_pytimedelta()
        return f"{year}-Q{q}", start.isoformat(), end.isoformat()
    return str(year), f"{year}-01-01", f"{year}-12-31"


def parse_number(text: str) -> float | None:
    """"1234", "1.234" (thousands), "1,5" (decimal comma), "1.5" → float."""
    t = text.strip().replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", t):
        t = t.replace(".", "")
    elif re.fullmatch(r"-?\d{1,3}(,\d{3})+", t):
        t = t.replace(",", "")
    elif re.fullmatch(r"-?\d+,\d+", t):
        t = t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None
