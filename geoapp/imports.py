"""Status and indicator spreadsheets → validated records, with every problem found.

:func:`validate_status` and :func:`validate_indicators` take a :class:`~geoapp.tables.Table`,
the units of the edition (and of the other edition, for better messages), the records already
stored, and return the records to write — or raise :class:`~geoapp.errors.ValidationError`
listing **every** bad row (row number, column, English and Vietnamese message).

Trip-wires:

* a unit is found by code, or by name with district/province context. A name that fits two
  units is *ambiguous* — reported with the candidates, never guessed;
* names are compared tone-aware first ("Tân Thành" ≠ "Tân Thạnh"), and only then with
  diacritics folded away;
* a code that exists only in the other edition is reported as such (codes are reused across
  the 2025 reform: 03388 is a different place in each edition).
"""
from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from .errors import Problem, ValidationError
from .names import district_key, fold, province_key, unit_name_variants
from .schemes import Catalogue
from .tables import Table

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
_STATUS_DATA = ("scheme", "status", "valid_from", "valid_to", "decision_no", "decision_date", "note")
_DATE_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})|[Qq]([1-4])))?$")
_CODE = re.compile(r"^\d{1,5}(\.0+)?$")


def _hkey(header: str) -> str:
    """Comparison key of a header or a vocabulary value: folded, punctuation and "_" as spaces."""
    return re.sub(r"[^a-z0-9]+", " ", fold(header)).strip()


def map_headers(headers: list[str], wanted: dict[str, tuple[str, ...]]) -> tuple[dict[str, int], list[str]]:
    """{canonical: column index} and the headers nobody claimed."""
    by_key = {_hkey(a): canon for canon, aliases in wanted.items() for a in aliases}
    found, unused = {}, []
    for i, h in enumerate(headers):
        canon = by_key.get(_hkey(h))
        if canon and canon not in found:
            found[canon] = i
        elif h:
            unused.append(h)
    return found, unused


def parse_date(text: str) -> str | None:
    """ISO or dd/mm/yyyy (also d.m.yyyy, dd-mm-yyyy) → ISO date; None if not a date."""
    text = text.strip()
    m = _DATE_ISO.match(text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        m = _DATE_DMY.match(text)
        if m:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    except ValueError:
        return None
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


@dataclass
class Collector:
    """Problems of one file; every message in English and Vietnamese."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, row: int | None, column: str, en: str, vi: str, level: str = "error"):
        where = f"row {row}" + (f", {column}" if column else "") if row else column
        self.problems.append(Problem(level, en, where, vi))

    @property
    def errors(self) -> int:
        return sum(p.level == "error" for p in self.problems)


class UnitResolver:
    """Find the unit a row means, by code or by name with district/province context."""

    def __init__(self, units: pd.DataFrame, edition: str, other_units: pd.DataFrame | None = None,
                 other_edition: str = ""):
        self.edition = edition
        self.units = units.set_index("code", drop=False)
        self.other = set(other_units["code"]) if other_units is not None else set()
        self.other_edition = other_edition
        self.by_tone: dict[str, set[str]] = defaultdict(set)
        self.by_fold: dict[str, set[str]] = defaultdict(set)
        for code, name, full in zip(units["code"], units["name"], units["full_name"]):
            for text in (name, full):
                if text:
                    for tone, folded in unit_name_variants(text):
                        self.by_tone[tone].add(code)
                        self.by_fold[folded].add(code)
        self.province_keys = {c: province_key(n) for c, n in zip(units["code"], units["province_name"])}
        self.district_keys = {c: district_key(n) for c, n in zip(units["code"], units["district_name"])}

    def describe(self, code: str) -> str:
        u = self.units.loc[code]
        where = ", ".join(x for x in (u["district_name"], u["province_name"]) if x)
        return f"{code} {u['full_name'] or u['name']}" + (f" ({where})" if where else "")

    def _in_context(self, codes, province: str, district: str, fixed_province: str | None):
        out = set(codes)
        if fixed_province:
            out = {c for c in out if self.units.at[c, "province_code"] == fixed_province}
        if province:
            pk = province_key(province)
            out = {c for c in out if self.province_keys[c] == pk or self.units.at[c, "province_code"] == province.zfill(2)}
        if district:
            dk = district_key(district)
            out = {c for c in out if self.district_keys[c] == dk or self.units.at[c, "district_code"] == district.zfill(3)}
        return out

    def resolve(self, row: int, code: str, name: str, district: str, province: str,
                fixed_province: str | None, out: Collector) -> str | None:
        """The unit's code, or None after adding the reason to ``out``."""
        if code:
            if not _CODE.match(code):
                out.add(row, "code", f"{code!r} is not a commune code (up to 5 digits)",
                        f"{code!r} không phải mã xã (tối đa 5 chữ số)")
                return None
            padded = str(int(float(code))).zfill(5)
            if padded not in self.units.index:
                if padded in self.other:
                    out.add(row, "code", f"code {padded} does not exist in edition {self.edition}; it is a code "
                            f"of edition {self.other_edition} (codes were reused by the 2025 reform, so it may "
                            "name another place) — check --edition",
                            f"mã {padded} không có trong phiên bản {self.edition}, chỉ có trong phiên bản "
                            f"{self.other_edition} (mã được dùng lại sau sắp xếp 2025) — kiểm tra --edition")
                else:
                    out.add(row, "code", f"unknown commune code {padded} in edition {self.edition}",
                            f"không có mã xã {padded} trong phiên bản {self.edition}")
                return None
            if fixed_province and self.units.at[padded, "province_code"] != fixed_province:
                out.add(row, "code", f"{self.describe(padded)} is not in province {fixed_province} (--province)",
                        f"{self.describe(padded)} không thuộc tỉnh {fixed_province}")
                return None
            if name and not self._name_fits(padded, name):
                out.add(row, "name", f"code {padded} is {self.describe(padded)}, but the row names {name!r}",
                        f"mã {padded} là {self.describe(padded)}, nhưng dòng ghi tên {name!r}")
                return None
            return padded
        if not name:
            out.add(row, "code", "neither a code nor a name identifies the unit",
                    "thiếu cả mã và tên đơn vị")
            return None
        for index, keyfn in ((self.by_tone, 0), (self.by_fold, 1)):
            for variant in unit_name_variants(name):
                found = self._in_context(index.get(variant[keyfn], ()), province, district, fixed_province)
                if len(found) == 1:
                    return found.pop()
                if len(found) > 1:
                    shown = sorted(found)[:8]
                    cands = "; ".join(self.describe(c) for c in shown)
                    if len(found) > len(shown):
                        cands += f"; … {len(found) - len(shown)} more"
                    out.add(row, "name", f"{name!r} fits {len(found)} units: {cands} — add the code or the district",
                            f"{name!r} khớp {len(found)} đơn vị: {cands} — hãy ghi mã hoặc huyện")
                    return None
        pool = self._in_context(self.units.index, province, district, fixed_province)
        names = {fold(self.units.at[c, "name"]): c for c in pool}
        target = unit_name_variants(name)[-1][1]
        hint = [self.describe(names[k]) for k in difflib.get_close_matches(target, list(names), n=3, cutoff=0.7)]
        extra = f"; did you mean {'; '.join(hint)}?" if hint else ""
        out.add(row, "name", f"no unit named {name!r}" + (f" in {district or province}" if district or province else "")
                + extra, f"không tìm thấy đơn vị {name!r}" + (f"; có phải {'; '.join(hint)}?" if hint else ""))
        return None

    def _name_fits(self, code: str, name: str) -> bool:
        u = self.units.loc[code]
        mine = {k for text in (u["name"], u["full_name"]) if text for _, k in unit_name_variants(text)}
        return any(f in mine for _, f in unit_name_variants(name))


class StatusVocabulary:
    """Status values as codes or labels (Vietnamese/English, any case or diacritics) → (scheme, code)."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self.lookup: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.scheme_lookup: dict[str, str] = {}
        for scheme in catalogue.schemes.values():
            for key in (scheme.code, scheme.label_vi, scheme.label_en):
                self.scheme_lookup[_hkey(key)] = scheme.code
            for st in scheme.statuses:
                for key in (st.code, st.label_vi, st.label_en):
                    self.lookup[_hkey(key)].add((scheme.code, st.code))

    def scheme(self, text: str) -> str | None:
        return self.scheme_lookup.get(_hkey(text))

    def status(self, text: str, scheme: str | None) -> set[tuple[str, str]]:
        found = self.lookup.get(_hkey(text), set())
        return {f for f in found if scheme is None or f[0] == scheme}

    def suggest(self, text: str, scheme: str | None) -> str:
        choices = {k: v for k, v in self.lookup.items() if scheme is None or any(s == scheme for s, _ in v)}
        close = difflib.get_close_matches(_hkey(text), list(choices), n=1, cutoff=0.4)
        if not close:
            return ""
        scheme_code, status = sorted(choices[close[0]])[0]
        return f"{status} ({self.catalogue.scheme(scheme_code).status(status).label_vi})"


def _cells(table: Table, cols: dict[str, int]):
    for number, row in zip(table.row_numbers, table.rows):
        yield number, {c: (row[i] if i < len(row) else "").strip() for c, i in cols.items()}


def _require(cols, needed, headers, out: Collector, kind: str):
    missing = [n for n in needed if n not in cols]
    if missing:
        out.add(None, "header", f"missing column(s) {', '.join(missing)} for a {kind} file; headers found: "
                f"{', '.join(headers)}", f"thiếu cột {', '.join(missing)}; các cột có: {', '.join(headers)}")


def validate_status(table: Table, resolver: UnitResolver, catalogue: Catalogue, stored: pd.DataFrame,
                    *, fixed_province: str | None = None, source: str = "") -> pd.DataFrame:
    """Validate a status table; return records to store or raise :class:`ValidationError`."""
    out = Collector()
    cols, _unused = map_headers(table.headers, STATUS_HEADERS)
    _require(cols, ["status", "valid_from"], table.headers, out, "status")
    if "code" not in cols and "name" not in cols:
        out.add(None, "header", "the file needs a code column (ma_xa) or a name column (ten_xa)",
                "tệp cần cột mã xã (ma_xa) hoặc tên xã (ten_xa)")
    if out.errors:
        raise ValidationError("refused: the file's columns are not usable; nothing was imported", out.problems)
    vocab = StatusVocabulary(catalogue)
    records, seen = [], {}
    for number, c in _cells(table, cols):
        if not any(c.get(k) for k in _STATUS_DATA):
            continue   # an untouched row of a template: identification only, nothing to record
        before = out.errors
        code = resolver.resolve(number, c.get("code", ""), c.get("name", ""), c.get("district", ""),
                                c.get("province", ""), fixed_province, out)
        scheme = None
        if c.get("scheme"):
            scheme = vocab.scheme(c["scheme"])
            if scheme is None:
                out.add(number, "scheme", f"unknown scheme {c['scheme']!r}; use one of {', '.join(catalogue.schemes)}",
                        f"không có chế độ {c['scheme']!r}; dùng {', '.join(catalogue.schemes)}")
        found = vocab.status(c.get("status", ""), scheme) if c.get("status") else set()
        status = None
        if not c.get("status"):
            out.add(number, "status", "empty status", "trạng thái trống")
        elif len(found) == 1:
            scheme, status = next(iter(found))
        elif len(found) > 1:
            out.add(number, "status", f"{c['status']!r} belongs to several schemes; fill the scheme column",
                    f"{c['status']!r} thuộc nhiều chế độ; hãy điền cột chế độ")
        else:
            hint = vocab.suggest(c["status"], scheme)
            out.add(number, "status", f"unknown status {c['status']!r}" + (f"; nearest: {hint}" if hint else ""),
                    f"trạng thái không hợp lệ {c['status']!r}" + (f"; gần nhất: {hint}" if hint else ""))
        valid_from = parse_date(c.get("valid_from", ""))
        if not valid_from:
            out.add(number, "valid_from", f"{c.get('valid_from', '')!r} is not a date (use 2024-03-01 or 01/03/2024)",
                    f"{c.get('valid_from', '')!r} không phải ngày (dùng 2024-03-01 hoặc 01/03/2024)")
        valid_to = None
        if c.get("valid_to"):
            valid_to = parse_date(c["valid_to"])
            if not valid_to:
                out.add(number, "valid_to", f"{c['valid_to']!r} is not a date", f"{c['valid_to']!r} không phải ngày")
            elif valid_from and valid_to < valid_from:
                out.add(number, "valid_to", f"valid_to {valid_to} is before valid_from {valid_from}",
                        f"đến ngày {valid_to} trước từ ngày {valid_from}")
        decision_date = None
        if c.get("decision_date"):
            decision_date = parse_date(c["decision_date"])
            if not decision_date:
                out.add(number, "decision_date", f"{c['decision_date']!r} is not a date",
                        f"{c['decision_date']!r} không phải ngày")
        if out.errors > before:
            continue
        key = (code, scheme, status, valid_from, valid_to)
        if key in seen:
            out.add(number, "", f"duplicate of row {seen[key]}", f"trùng với dòng {seen[key]}")
            continue
        seen[key] = number
        records.append({"code": code, "scheme": scheme, "status": status, "valid_from": valid_from,
                        "valid_to": valid_to, "decision_no": c.get("decision_no", ""),
                        "decision_date": decision_date, "source": c.get("source") or source,
                        "note": c.get("note", ""), "row_number": number})
    frame = pd.DataFrame(records, columns=["code", "scheme", "status", "valid_from", "valid_to", "decision_no",
                                           "decision_date", "source", "note", "row_number"])
    _check_intervals(frame, stored, resolver, out)
    if out.errors:
        raise ValidationError(f"refused: {out.errors} problem(s) in {len(table.rows)} rows; nothing was imported",
                              out.problems, message_vi=f"từ chối: {out.errors} lỗi trong {len(table.rows)} dòng; chưa nhập gì")
    return frame


def _overlaps(f1, t1, f2, t2) -> bool:
    """Do [f1, t1] and [f2, t2] overlap, where an open end means "until superseded"?

    Open intervals are ended by the next record, so only a *closed* interval reaching past the
    start of another record is an overlap; equal starts always are.
    """
    if f1 == f2:
        return True
    first_to, second_from = (t1, f2) if f1 < f2 else (t2, f1)
    return first_to is not None and isinstance(first_to, str) and first_to >= second_from


def _check_intervals(frame: pd.DataFrame, stored: pd.DataFrame, resolver: UnitResolver, out: Collector):
    """Overlaps inside the file and against stored records (vectorised: files have 10,000s of rows)."""
    if frame.empty:
        return
    ordered = frame.sort_values(["code", "scheme", "valid_from"]).reset_index(drop=True)
    prev = ordered.shift(1)
    same = (ordered["code"] == prev["code"]) & (ordered["scheme"] == prev["scheme"])
    for i in ordered.index[same]:
        a, b = prev.loc[i], ordered.loc[i]
        if _overlaps(a["valid_from"], a["valid_to"], b["valid_from"], b["valid_to"]):
            out.add(int(b["row_number"]), "valid_from",
                    f"{resolver.describe(b['code'])}, {b['scheme']}: interval from {b['valid_from']} overlaps row "
                    f"{int(a['row_number'])} ({a['valid_from']} – {a['valid_to'] or '…'})",
                    f"{resolver.describe(b['code'])}, {b['scheme']}: khoảng từ {b['valid_from']} chồng lấn dòng "
                    f"{int(a['row_number'])}")
    if stored is None or stored.empty:
        return
    pairs = frame.merge(stored[["code", "scheme", "status", "valid_from", "valid_to", "batch_id"]],
                        on=["code", "scheme"], suffixes=("", "_old"))
    reported = set()
    for rec in pairs.itertuples(index=False):
        if rec.row_number in reported:
            continue
        old_to = rec.valid_to_old if isinstance(rec.valid_to_old, str) else None
        new_to = rec.valid_to if isinstance(rec.valid_to, str) else None
        if _overlaps(rec.valid_from_old, old_to, rec.valid_from, new_to):
            reported.add(rec.row_number)
            out.add(int(rec.row_number), "valid_from",
                    f"{resolver.describe(rec.code)}, {rec.scheme}: overlaps a stored record "
                    f"({rec.status_old} from {rec.valid_from_old}, batch {rec.batch_id}); roll that batch back "
                    "or correct the dates",
                    f"{resolver.describe(rec.code)}, {rec.scheme}: chồng lấn bản ghi đã lưu "
                    f"(lô {rec.batch_id}); hãy hoàn tác lô đó hoặc sửa ngày")


def validate_indicators(table: Table, resolver: UnitResolver, catalogue: Catalogue, stored: pd.DataFrame,
                        *, fixed_province: str | None = None, source: str = "") -> pd.DataFrame:
    """Validate an indicator table (one value per row); return values or raise :class:`ValidationError`."""
    out = Collector()
    cols, _unused = map_headers(table.headers, INDICATOR_HEADERS)
    _require(cols, ["period", "indicator", "value"], table.headers, out, "indicator")
    if "code" not in cols and "name" not in cols:
        out.add(None, "header", "the file needs a code column (ma_xa) or a name column (ten_xa)",
                "tệp cần cột mã xã (ma_xa) hoặc tên xã (ten_xa)")
    if out.errors:
        raise ValidationError("refused: the file's columns are not usable; nothing was imported", out.problems)
    by_label = {}
    for ind in catalogue.indicators.values():
        for key in (ind.code, ind.label_vi, ind.label_en):
            by_label[_hkey(key)] = ind.code
    stored_keys = {}
    if stored is not None and not stored.empty:
        stored_keys = {(c, i, p): b for c, i, p, b in zip(stored["code"], stored["indicator"], stored["period"],
                                                          stored["batch_id"])}
    records, seen = [], {}
    cache: dict[tuple, str | None] = {}
    for number, c in _cells(table, cols):
        if not any(c.get(k) for k in ("period", "indicator", "value")):
            continue   # an untouched template row
        before = out.errors
        ident = (c.get("code", ""), c.get("name", ""), c.get("district", ""), c.get("province", ""))
        if ident in cache and cache[ident] is not None:
            code = cache[ident]
        else:
            code = resolver.resolve(number, *ident, fixed_province, out)
            cache[ident] = code
        indicator = by_label.get(_hkey(c.get("indicator", "")))
        if not indicator:
            close = difflib.get_close_matches(_hkey(c.get("indicator", "")), list(by_label), n=1, cutoff=0.5)
            hint = f"; nearest: {by_label[close[0]]}" if close else ""
            out.add(number, "indicator", f"unknown indicator {c.get('indicator', '')!r}{hint}",
                    f"chỉ tiêu không hợp lệ {c.get('indicator', '')!r}{hint}")
        period = parse_period(c.get("period", ""))
        if not period:
            out.add(number, "period", f"{c.get('period', '')!r} is not a period (YYYY, YYYY-MM or YYYY-Qn)",
                    f"{c.get('period', '')!r} không phải kỳ (YYYY, YYYY-MM hoặc YYYY-Qn)")
        value = parse_number(c.get("value", ""))
        if value is None:
            out.add(number, "value", f"{c.get('value', '')!r} is not a number", f"{c.get('value', '')!r} không phải số")
        elif value < 0:
            out.add(number, "value", f"negative value {value:g}", f"giá trị âm {value:g}")
        if out.errors > before:
            continue
        key = (code, indicator, period[0])
        if key in seen:
            out.add(number, "", f"duplicate of row {seen[key]} (same unit, indicator and period)",
                    f"trùng với dòng {seen[key]} (cùng đơn vị, chỉ tiêu và kỳ)")
            continue
        if key in stored_keys:
            out.add(number, "", f"{resolver.describe(code)} already has {indicator} for {period[0]} "
                    f"(batch {stored_keys[key]}); roll that batch back to replace it",
                    f"{resolver.describe(code)} đã có {indicator} kỳ {period[0]} (lô {stored_keys[key]})")
            continue
        seen[key] = number
        records.append({"code": code, "indicator": indicator, "period": period[0], "period_start": period[1],
                        "period_end": period[2], "value": value, "source": c.get("source") or source,
                        "note": c.get("note", ""), "row_number": number})
    if out.errors:
        raise ValidationError(f"refused: {out.errors} problem(s) in {len(table.rows)} rows; nothing was imported",
                              out.problems, message_vi=f"từ chối: {out.errors} lỗi trong {len(table.rows)} dòng; chưa nhập gì")
    return pd.DataFrame(records, columns=["code", "indicator", "period", "period_start", "period_end", "value",
                                          "source", "note", "row_number"])
