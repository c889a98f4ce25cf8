"""Status and indicator spreadsheets → validated records, with every problem found.

:func:`validate_status` and :func:`validate_indicators` take a :class:`~geoapp.tables.Table`,
the units of the edition (and of the other edition, for better messages), the records already
stored, and return the records to write — or raise :class:`~geoapp.errors.ValidationError`
listing **every** bad row (row number, column, English and Vietnamese message).

Which column is which is :mod:`geoapp.columns`; which unit a row means is
:mod:`geoapp.resolver`. Trip-wires:

* status wording of official decisions ("Xã không ma túy") goes through the aliases that
  ``schemes.toml`` declares, never through code;
* a file without a scheme column takes the scheme the user gave (``default_scheme``); a file
  without a start date takes the date of each row's decision;
* official lists group communes under a row naming their district ("Huyện Sìn Hồ"): that row
  is no record, but gives its district to the rows under it.
"""
from __future__ import annotations

import difflib
import re
from collections import defaultdict

import pandas as pd

from .columns import (INDICATOR_HEADERS, STATUS_HEADERS, cell_date, indicator_header, map_headers, parse_date,
                      parse_number, parse_period, status_header)
from .errors import InputError, ValidationError
from .names import plain_key
from .resolver import Collector, UnitResolver
from .schemes import Catalogue
from .tables import Table

#: what other modules import from here (the readers moved to :mod:`geoapp.columns`)
__all__ = ["INDICATOR_HEADERS", "STATUS_HEADERS", "Collector", "StatusVocabulary", "UnitResolver", "cell_date",
           "check_scheme", "indicator_header", "map_headers", "parse_date", "parse_number", "parse_period",
           "status_header", "validate_indicators", "validate_status"]
_STATUS_DATA = ("scheme", "status", "valid_from", "valid_to", "decision_no", "decision_date", "note")
_INDICATOR_DATA = ("period", "indicator", "value")
#: "123/QĐ-UBND ngày 24/5/2023", "Số 123/QĐ-UBND, ngày 24/5/2023" — number and date in one cell
_DECISION = re.compile(r"^(?:số\s*:?\s*)?(?P<no>.+?)[\s,;]+ngày\s*:?\s*(?P<date>.+)$", re.IGNORECASE)


class StatusVocabulary:
    """Status values as codes, labels or declared aliases (any case or diacritics) → (scheme, code).

    A leading unit word is also tried without it: "Xã không ma túy", "Phường không ma túy" and
    "Xã, phường, thị trấn không ma túy" all read as "không ma túy".
    """

    _UNIT_WORDS = re.compile(r"^(?:(?:xa|phuong|thi tran|dac khu|dia ban|don vi)\s+)+")

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self.lookup: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.scheme_lookup: dict[str, str] = {}
        for scheme in catalogue.schemes.values():
            for key in (scheme.code, scheme.label_vi, scheme.label_en, *scheme.aliases):
                self.scheme_lookup[plain_key(key)] = scheme.code
            for st in scheme.statuses:
                for key in (st.code, st.label_vi, st.label_en, *st.aliases):
                    self.lookup[plain_key(key)].add((scheme.code, st.code))

    def scheme(self, text: str) -> str | None:
        return self.scheme_lookup.get(plain_key(text))

    def status(self, text: str, scheme: str | None) -> set[tuple[str, str]]:
        key = plain_key(text)
        found = self.lookup.get(key) or self.lookup.get(self._UNIT_WORDS.sub("", key), set())
        return {f for f in found if scheme is None or f[0] == scheme}

    def suggest(self, text: str, scheme: str | None) -> str:
        choices = {k: v for k, v in self.lookup.items() if scheme is None or any(s == scheme for s, _ in v)}
        close = difflib.get_close_matches(plain_key(text), list(choices), n=1, cutoff=0.4)
        if not close:
            return ""
        scheme_code, status = min(f for f in choices[close[0]] if scheme is None or f[0] == scheme)
        return f"{status} ({self.catalogue.scheme(scheme_code).status(status).label_vi})"


def _cells(table: Table, cols: dict[str, int], resolver: UnitResolver | None = None, data: tuple[str, ...] = ()):
    """(row number, {column: text}) of each row; a district group row ("Huyện Sìn Hồ" alone on
    its row) is not yielded but gives its district to the rows under it that name none."""
    group = ""
    for number, row in zip(table.row_numbers, table.rows):
        cells = {c: (row[i] if i < len(row) else "").strip() for c, i in cols.items()}
        if resolver is not None and not any(cells.get(k) for k in data):
            named = resolver.district_group(row)
            if named:
                group = named
                continue
        if group and not cells.get("district"):
            cells["district"] = group
        yield number, cells


def _where(table: Table) -> tuple[str, str]:
    """Where the header was read, for messages about columns."""
    names = ", ".join(h for h in table.headers if h)
    en = (f"the header was read on row {table.header_row} ({names}); if the column names are on another row, "
          "give it (--header-row N)")
    vi = f"tiêu đề đọc ở dòng {table.header_row} ({names}); nếu tên cột ở dòng khác, hãy chỉ rõ dòng đó (--header-row N)"
    return en, vi


def _require(cols, needed, table: Table, out: Collector, kind: str):
    missing = [n for n in needed if n not in cols]
    if missing:
        en, vi = _where(table)
        out.add(None, "header", f"missing column(s) {', '.join(missing)} for a {kind} file; {en}",
                f"thiếu cột {', '.join(missing)}; {vi}")
    if "code" not in cols and "name" not in cols:
        en, vi = _where(table)
        out.add(None, "header", f"the file needs a code column (ma_xa) or a name column (ten_xa); {en}",
                f"tệp cần cột mã xã (ma_xa) hoặc tên xã (ten_xa); {vi}")
    if out.errors:
        raise ValidationError("refused: the file's columns are not usable; nothing was imported", out.problems,
                              message_vi="từ chối: không dùng được các cột của tệp; chưa nhập gì")


def _refuse(out: Collector, table: Table):
    raise ValidationError(f"refused: {out.errors} problem(s) in {len(table.rows)} rows; nothing was imported",
                          out.problems, message_vi=f"từ chối: {out.errors} lỗi trong {len(table.rows)} dòng; chưa nhập gì")


def check_scheme(catalogue: Catalogue, scheme: str | None) -> str | None:
    """The scheme code a user gave (code or label, any case), or None; :class:`InputError` if unknown."""
    if not scheme:
        return None
    found = StatusVocabulary(catalogue).scheme(scheme)
    if found is None:
        raise InputError(f"unknown scheme {scheme!r}; use one of {', '.join(catalogue.schemes)}",
                         message_vi=f"không có chế độ {scheme!r}; dùng một trong {', '.join(catalogue.schemes)}")
    return found


def _row_status(number: int, c: dict, vocab: StatusVocabulary, default_scheme: str | None,
                out: Collector) -> tuple[str | None, str | None]:
    """(scheme, status) of a row, or Nones after adding the reason to ``out``."""
    catalogue = vocab.catalogue
    scheme = default_scheme
    if c.get("scheme"):
        scheme = vocab.scheme(c["scheme"])
        if scheme is None:
            out.add(number, "scheme", f"unknown scheme {c['scheme']!r}; use one of {', '.join(catalogue.schemes)}",
                    f"không có chế độ {c['scheme']!r}; dùng {', '.join(catalogue.schemes)}")
    if not c.get("status"):
        out.add(number, "status", "empty status", "trạng thái trống")
        return scheme, None
    found = vocab.status(c["status"], scheme)
    if len(found) == 1:
        return next(iter(found))
    if len(found) > 1:
        out.add(number, "status", f"{c['status']!r} belongs to several schemes; fill the scheme column "
                "(or give the file's scheme: --scheme)",
                f"{c['status']!r} thuộc nhiều chế độ; hãy điền cột chế độ (hoặc chọn chế độ của tệp: --scheme)")
        return scheme, None
    hint = vocab.suggest(c["status"], scheme)
    within = f" of scheme {scheme}" if scheme else ""
    out.add(number, "status", f"unknown status {c['status']!r}{within}" + (f"; nearest: {hint}" if hint else ""),
            f"trạng thái không hợp lệ {c['status']!r}" + (f" (chế độ {scheme})" if scheme else "")
            + (f"; gần nhất: {hint}" if hint else ""))
    return scheme, None


def _row_dates(number: int, c: dict, from_decision: bool, out: Collector) -> tuple[str | None, ...]:
    """(valid_from, valid_to, decision_date) of a row as ISO dates; problems go to ``out``.

    A decision cell may hold number and date ("123/QĐ-UBND ngày 24/5/2023"): they are split
    (``c`` is updated). With ``from_decision`` (no valid_from column) the decision date starts it.
    """
    decision = _DECISION.match(c.get("decision_no", ""))
    if decision and not c.get("decision_date") and cell_date(decision["date"]):
        c["decision_no"], c["decision_date"] = decision["no"].strip(), decision["date"].strip()
    if from_decision:
        c["valid_from"] = c.get("decision_date", "")
        if not c["valid_from"]:
            out.add(number, "valid_from", "no date: the file has no valid_from column and this row no decision "
                    "date", "thiếu ngày: tệp không có cột từ ngày và dòng này không có ngày quyết định")
    valid_from = cell_date(c.get("valid_from", ""))
    if not valid_from and c.get("valid_from"):
        out.add(number, "valid_from", f"{c['valid_from']!r} is not a date (use 2024-03-01 or 01/03/2024)",
                f"{c['valid_from']!r} không phải ngày (dùng 2024-03-01 hoặc 01/03/2024)")
    elif not valid_from and not from_decision:
        out.add(number, "valid_from", "empty valid_from: give the date the status starts (2024-03-01 or 01/03/2024)",
                "thiếu từ ngày: hãy ghi ngày trạng thái có hiệu lực (2024-03-01 hoặc 01/03/2024)")
    valid_to = None
    if c.get("valid_to"):
        valid_to = cell_date(c["valid_to"])
        if not valid_to:
            out.add(number, "valid_to", f"{c['valid_to']!r} is not a date", f"{c['valid_to']!r} không phải ngày")
        elif valid_from and valid_to < valid_from:
            out.add(number, "valid_to", f"valid_to {valid_to} is before valid_from {valid_from}",
                    f"đến ngày {valid_to} trước từ ngày {valid_from}")
    decision_date = None
    if c.get("decision_date"):
        decision_date = cell_date(c["decision_date"])
        if not decision_date:
            out.add(number, "decision_date", f"{c['decision_date']!r} is not a date",
                    f"{c['decision_date']!r} không phải ngày")
    return valid_from, valid_to, decision_date


def validate_status(table: Table, resolver: UnitResolver, catalogue: Catalogue, stored: pd.DataFrame,
                    *, fixed_province: str | None = None, source: str = "",
                    default_scheme: str | None = None) -> pd.DataFrame:
    """Validate a status table; return records to store or raise :class:`ValidationError`.

    ``default_scheme`` is the scheme of rows that name none (a file without a scheme column:
    ``--scheme`` on the command line, the scheme chosen on the upload form). A file without a
    ``valid_from`` column but with the decision's date takes that date as the start. Notices
    (accepted, but worth saying) are in ``frame.attrs["notices"]``.
    """
    out = Collector()
    default_scheme = check_scheme(catalogue, default_scheme)
    cols, _unused = map_headers(table.headers, STATUS_HEADERS)
    from_decision = "valid_from" not in cols and ("decision_date" in cols or "decision_no" in cols)
    if from_decision:
        out.add(None, "valid_from", "no valid_from column: each status starts on the date of its decision",
                "không có cột từ ngày: trạng thái có hiệu lực từ ngày của quyết định", level="warning")
    _require(cols, ["status"] if from_decision else ["status", "valid_from"], table, out, "status")
    vocab = StatusVocabulary(catalogue)
    records, seen = [], {}
    for number, c in _cells(table, cols, resolver, _STATUS_DATA):
        if not any(c.get(k) for k in _STATUS_DATA):
            continue   # an untouched row of a template: identification only, nothing to record
        before = out.errors
        code = resolver.resolve(number, c.get("code", ""), c.get("name", ""), c.get("district", ""),
                                c.get("province", ""), fixed_province, out)
        scheme, status = _row_status(number, c, vocab, default_scheme, out)
        valid_from, valid_to, decision_date = _row_dates(number, c, from_decision, out)
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
        _refuse(out, table)
    frame.attrs["notices"] = [p.to_dict() for p in out.problems]
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
    _require(cols, ["period", "indicator", "value"], table, out, "indicator")
    by_label = {}
    for ind in catalogue.indicators.values():
        for key in (ind.code, ind.label_vi, ind.label_en, *ind.aliases):
            by_label[plain_key(key)] = ind.code
    stored_keys = {}
    if stored is not None and not stored.empty:
        stored_keys = {(c, i, p): b for c, i, p, b in zip(stored["code"], stored["indicator"], stored["period"],
                                                          stored["batch_id"])}
    records, seen = [], {}
    cache: dict[tuple, str | None] = {}
    for number, c in _cells(table, cols, resolver, _INDICATOR_DATA):
        if not any(c.get(k) for k in _INDICATOR_DATA):
            continue   # an untouched template row
        before = out.errors
        ident = (c.get("code", ""), c.get("name", ""), c.get("district", ""), c.get("province", ""))
        if ident in cache and cache[ident] is not None:
            code = cache[ident]
        else:
            code = resolver.resolve(number, *ident, fixed_province, out)
            cache[ident] = code
        indicator = by_label.get(plain_key(c.get("indicator", "")))
        if not indicator:
            close = difflib.get_close_matches(plain_key(c.get("indicator", "")), list(by_label), n=1, cutoff=0.5)
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
        _refuse(out, table)
    return pd.DataFrame(records, columns=["code", "indicator", "period", "period_start", "period_end", "value",
                                          "source", "note", "row_number"])

