"""Use cases for status and indicator records, shared by the CLI and the web layer:
import (all-or-nothing), batches and roll-back, export as of a date, history, templates.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from . import status as st
from . import status_timeline
from .briefing.tabular import append_row, csv_bytes, set_cell, table_bytes, workbook, workbook_bytes
from .editions import OTHER
from .errors import InputError, NotFoundError
from .imports import (UnitResolver, check_scheme, indicator_header, status_header, validate_indicators,
                      validate_status)
from .editions import check_edition
from .ingest import files_hash
from .schemes import Catalogue
from .store.base import BatchInfo, Store
from .store.snapshot import snapshot
from .tables import read_table

DEMO_MARK = "DỮ LIỆU MINH HỌA — demo data"


def _resolver(store: Store, edition: str) -> UnitResolver:
    units = store.units(edition)
    if units.empty:
        raise InputError(f"edition {edition} has no units yet; import boundaries or the unit list first "
                         "(geoapp units import-list / geoapp demo)",
                         message_vi=f"phiên bản {edition} chưa có đơn vị nào; hãy nhập ranh giới hoặc danh mục trước")
    return UnitResolver(units, edition, store.units(OTHER[edition]), OTHER[edition])


def _province(store: Store, edition: str, province: str | None) -> str | None:
    if not province:
        return None
    code = province.zfill(2)
    if code not in snapshot(store).province_codes(edition):
        raise NotFoundError(f"no province {province} in edition {edition}",
                            message_vi=f"không có tỉnh {province} trong phiên bản {edition}")
    return code


#: what differs between the two kinds of record file
_KINDS = {
    "status": dict(read=lambda st, e, p: st.status_records(e, province=p), validate=validate_status,
                   header=status_header,
                   write=lambda st, tx, e, frame, b, u, demo: st.add_status_records(tx, e, frame, b, u, is_demo=demo),
                   group=["scheme", "status"], key="by_status"),
    "indicators": dict(read=lambda st, e, p: st.indicator_values(e, province=p), validate=validate_indicators,
                       header=indicator_header,
                       write=lambda st, tx, e, frame, b, u, demo: st.add_indicator_values(tx, e, frame, b, u, is_demo=demo),
                       group=["indicator"], key="by_indicator"),
}


def _import_records(kind: str, store: Store, path, edition: str, catalogue: Catalogue, *, province: str | None,
                    dry_run: bool, user: str, origin: str, is_demo: bool, header_row: int | None = None,
                    scheme: str | None = None) -> dict:
    how = _KINDS[kind]
    check_edition(edition)
    path = Path(path)
    fixed = _province(store, edition, province)
    extra = {}
    if kind == "status":
        extra["default_scheme"] = check_scheme(catalogue, scheme)
    elif scheme:
        raise InputError("an indicator file has no scheme; give a scheme only with a status file",
                         message_vi="tệp chỉ tiêu không có chế độ; chỉ chọn chế độ cho tệp trạng thái")
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1):
        raise InputError(f"header row {header_row!r} is not a row number (1 = the first row)",
                         message_vi=f"dòng tiêu đề {header_row!r} không phải số dòng (1 = dòng đầu)")
    table = read_table(path, header_row=header_row, recognise=how["header"])
    resolver = _resolver(store, edition)
    stored = how["read"](store, edition, fixed)
    frame = how["validate"](table, resolver, catalogue, stored, fixed_province=fixed, source=path.name, **extra)
    report = {"file": path.name, "edition": edition, "rows": len(table.rows), "records": len(frame),
              "dry_run": dry_run, "batch": None, "header_row": table.header_row,
              "skipped": [s.to_dict() for s in table.skipped], "notices": frame.attrs.get("notices", []),
              how["key"]: frame.groupby(how["group"]).size().rename("n").reset_index().to_dict("records")}
    if dry_run:
        return report
    with store.transaction() as tx:
        batch = store.add_batch(tx, BatchInfo(kind, edition, path.name, files_hash([path]), user, len(frame),
                                              {"province": fixed}, is_demo=is_demo))
        how["write"](store, tx, edition, frame, batch, user, is_demo)
        store.audit(tx, user, f"{kind}.import", f"{edition}:{path.name}", {"batch": batch, "records": len(frame)},
                    origin)
    report["batch"] = batch
    return report


def import_status_file(store: Store, path, edition: str, catalogue: Catalogue, *, province: str | None = None,
                       dry_run: bool = False, user: str = "cli", origin: str = "", is_demo: bool = False,
                       header_row: int | None = None, scheme: str | None = None) -> dict:
    """Validate a status file and store it as one batch (unless ``dry_run``). Raises when refused.

    ``header_row`` (1 = first row) names the row of column names when finding it automatically
    is not wanted; ``scheme`` (code or label) is the scheme of rows that name none, e.g. a
    province's list of drug-free communes without a scheme column. The report also says on
    which row the header was read (``header_row``), which rows were left out and why
    (``skipped``: column numbers, totals, the signature block) and any ``notices``.
    """
    return _import_records("status", store, path, edition, catalogue, province=province, dry_run=dry_run,
                           user=user, origin=origin, is_demo=is_demo, header_row=header_row, scheme=scheme)


def import_indicator_file(store: Store, path, edition: str, catalogue: Catalogue, *, province: str | None = None,
                          dry_run: bool = False, user: str = "cli", origin: str = "", is_demo: bool = False,
                          header_row: int | None = None, scheme: str | None = None) -> dict:
    """Validate an indicator file and store it as one batch (unless ``dry_run``). Raises when refused.

    ``header_row`` as for :func:`import_status_file`; ``scheme`` must stay None (indicators
    have no scheme; it is accepted only so both importers take the same options).
    """
    return _import_records("indicators", store, path, edition, catalogue, province=province, dry_run=dry_run,
                           user=user, origin=origin, is_demo=is_demo, header_row=header_row, scheme=scheme)


def rollback(store: Store, batch_id: int, *, user: str = "cli", origin: str = "") -> dict:
    """Roll a status/indicator batch back; the roll-back is itself audited. Nothing is deleted."""
    with store.transaction() as tx:
        info = store.rollback_batch(tx, batch_id, user)
        store.audit(tx, user, "batch.rollback", str(batch_id), info, origin)
    return store.batch(batch_id)


def current_statuses(store: Store, edition: str, catalogue: Catalogue, *, province: str | None = None,
                     as_of: str | None = None, scheme: str | None = None) -> pd.DataFrame:
    """One row per unit and scheme in force on ``as_of`` (default today), with labels and provenance.

    Answered from the in-memory timeline (:mod:`geoapp.status_timeline`), not a query per date."""
    check_edition(edition)
    fixed = _province(store, edition, province)
    day = as_of or date.today().isoformat()
    current = status_timeline.in_force(store, edition, day, province=fixed, scheme=scheme)
    units = snapshot(store).units(edition, fixed)[["code", "name", "full_name", "district_name", "province_code",
                                                   "province_name"]]
    frame = units.merge(current, on=["code", "province_code"], how="inner") if not current.empty else \
        units.iloc[0:0].assign(scheme="", status="")
    labels = {(s.code, x.code): (x.label_vi, x.label_en) for s in catalogue.schemes.values() for x in s.statuses}
    frame["label_vi"] = [labels.get((a, b), ("", ""))[0] for a, b in zip(frame["scheme"], frame["status"])]
    frame["label_en"] = [labels.get((a, b), ("", ""))[1] for a, b in zip(frame["scheme"], frame["status"])]
    frame.insert(0, "as_of", day)
    frame.insert(1, "edition", edition)
    keep = ["as_of", "edition", "province_code", "province_name", "code", "full_name", "district_name", "scheme",
            "status", "label_vi", "label_en", "valid_from", "valid_to", "decision_no", "decision_date", "source",
            "note", "batch_id", "recorded_by", "recorded_at", "is_demo"]
    return frame.reindex(columns=keep).sort_values(["code", "scheme"]).reset_index(drop=True)


def export_statuses(store: Store, edition: str, catalogue: Catalogue, fmt: str, *, province: str | None = None,
                    as_of: str | None = None) -> bytes:
    """What is valid on a date, one row per unit and scheme, as CSV, XLSX or JSON bytes."""
    from .editions import REFORM_DATE

    if edition == "2025" and as_of and as_of < REFORM_DATE:
        # before the reform the 2025 units had no records of their own: project the old communes'
        frame = status_timeline.projected(store, catalogue, as_of, province.zfill(2) if province else None)
        frame = frame[frame["status"] != ""].drop(columns=["composition"]).assign(edition="2025", projected=True)
    else:
        frame = current_statuses(store, edition, catalogue, province=province, as_of=as_of)
    demo = bool(frame["is_demo"].astype(bool).any()) if len(frame) else False
    if fmt == "csv":
        return csv_bytes(frame)        # RFC 4180: the header first; the demo flag is the is_demo column
    if fmt == "json":
        plain = frame.astype(object).where(frame.notna(), None)      # missing values are null, never NaN
        return json.dumps({"demo": demo, "mark": DEMO_MARK if demo else "", "records": plain.to_dict("records")},
                          ensure_ascii=False, default=str, indent=1, allow_nan=False).encode("utf-8")
    if fmt == "xlsx":
        return table_bytes(frame, "xlsx", [DEMO_MARK] if demo else [])
    raise InputError(f"unknown format {fmt!r}; use csv, xlsx or json")


def unit_history(store: Store, edition: str, code: str) -> pd.DataFrame:
    """Every record of one unit (rolled-back ones flagged), with when each really ended."""
    check_edition(edition)
    code = code.zfill(5)
    units = store.units(edition)
    if code not in set(units["code"]):
        other = OTHER[edition]
        hint = f"; {code} exists in edition {other}, which is another place" if code in set(store.units(other)["code"]) else ""
        raise NotFoundError(f"no unit {code} in edition {edition}{hint}")
    records = store.status_records(edition, codes=[code], include_rolled_back=True)
    active = st.history(records[records["batch_state"] == "active"])
    rolled = records[records["batch_state"] != "active"].assign(effective_to=None)
    return pd.concat([active, rolled], ignore_index=True)


def template(store: Store, edition: str, province: str, catalogue: Catalogue, fmt: str) -> bytes:
    """A file pre-filled with the province's units and (XLSX) drop-down lists of valid values."""
    check_edition(edition)
    fixed = _province(store, edition, province)
    units = store.units(edition, fixed)
    headers = ["ma_xa", "ten_xa", "huyen", "che_do", "trang_thai", "tu_ngay", "den_ngay", "so_quyet_dinh",
               "ngay_quyet_dinh", "ghi_chu"]
    rows = [[u.code, u.full_name or u.name, u.district_name] + [""] * 7 for u in units.itertuples()]
    if fmt == "csv":
        return csv_bytes(pd.DataFrame(rows, columns=headers))
    if fmt != "xlsx":
        raise InputError(f"unknown format {fmt!r}; use xlsx or csv")
    from openpyxl.worksheet.datavalidation import DataValidation

    book, sheet = workbook(headers)
    for r in rows:
        append_row(sheet, r)
    statuses = [(s.code, x.code, x.label_vi) for s in catalogue.schemes.values() for x in s.statuses]
    lists = book.create_sheet("lists")
    append_row(lists, ["che_do", "trang_thai", "nhan"])
    for scheme_code, status_code, label in statuses:
        append_row(lists, [scheme_code, status_code, label])
    schemes = list(catalogue.schemes)
    for i, code in enumerate(schemes, start=2):
        set_cell(lists, i, 5, code)
    lists.sheet_state = "hidden"
    n = len(rows) + 1
    status_dv = DataValidation(type="list", formula1=f"=lists!$B$2:$B${len(statuses) + 1}", allow_blank=True,
                               showErrorMessage=True, errorTitle="Trạng thái", error="Chọn trạng thái trong danh sách")
    scheme_dv = DataValidation(type="list", formula1=f"=lists!$E$2:$E${len(schemes) + 1}", allow_blank=True)
    date_dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
    sheet.add_data_validation(status_dv)
    sheet.add_data_validation(scheme_dv)
    sheet.add_data_validation(date_dv)
    status_dv.add(f"E2:E{n}")
    scheme_dv.add(f"D2:D{n}")
    date_dv.add(f"F2:G{n}")
    sheet.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJ", (8, 28, 22, 10, 28, 12, 12, 16, 14, 30)):
        sheet.column_dimensions[col].width = width
    return workbook_bytes(book)


def indicator_values(store: Store, edition: str, province: str | None, indicator: str, *,
                     rate: bool = False) -> pd.DataFrame:
    """Values of one indicator (every period); with ``rate``, per 1,000 people.

    The population of a value is the latest ``dan_so`` of the unit whose period starts no later
    than the value's period ends (population is counted yearly; crimes may be quarterly). Units
    without a population get NaN — "no data", never a rate computed on zero.
    """
    values = store.indicator_values(edition, province=province, indicator=indicator)
    if not rate or values.empty:
        return values
    pop = store.indicator_values(edition, province=province, indicator="dan_so")
    if pop.empty:
        return values.assign(value=np.nan)
    # merge_asof needs real dates as keys, not ISO strings
    pop = pd.DataFrame({"code": pop["code"].astype(object), "pop_from": pd.to_datetime(pop["period_start"]),
                        "pop": pop["value"].to_numpy()}).sort_values("pop_from")
    left = values.assign(code=values["code"].astype(object), _end=pd.to_datetime(values["period_end"]))
    merged = pd.merge_asof(left.sort_values("_end"), pop, left_on="_end", right_on="pop_from", by="code",
                           direction="backward")
    merged["value"] = np.where(merged["pop"] > 0, merged["value"] / merged["pop"] * 1000.0, np.nan)
    return merged.drop(columns=["_end", "pop_from", "pop"]).sort_values(["code", "period_start"]).reset_index(drop=True)


def pick_period(periods: list[str], wanted: str | None) -> str | None:
    """``wanted`` if it has data; else the latest period of the same or an earlier year; else the latest.

    Periods sort as text ("2023" < "2023-05" < "2023-Q2" < "2024"), which is what we need here.
    """
    if not periods:
        return None
    if wanted in periods:
        return wanted
    if wanted:
        earlier = [p for p in periods if p[:4] <= wanted[:4]]
        if earlier:
            return max(earlier)
    return max(periods)
