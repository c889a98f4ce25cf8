"""The crosswalk use cases the CLI and the web call: import, check, weigh and project, on a store.

Each function reads what it needs from the store (or the crosswalk file), calls the pure parts
(:mod:`~geoapp.crosswalk.read`, :mod:`~geoapp.crosswalk.check`, :mod:`~geoapp.crosswalk.weights`,
:mod:`~geoapp.crosswalk.project`) and writes back in one transaction with an audit entry.

Trip-wires: a ``pre2025`` record dated on or after the reform is **not** re-coded — it stays a
record of the old commune, and :func:`project_old_records` says what it means for each new unit
it is part of; the weights of one old commune must sum to 1 (a failure there is a bug, raised
as ``ValueError``, never shown as a user error).
"""
from __future__ import annotations

import json
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import status as st
from ..editions import REFORM_DATE
from ..errors import InputError, NotFoundError
from ..schemes import Catalogue
from ..store.base import BatchInfo, Store
from .check import check_crosswalk
from .project import PROJECTED_COLUMNS, project_units
from .read import FROM_EDITION, TO_EDITION, read_crosswalk_file
from .rules import load_rules
from .weights import area_weights, crosswalk_weights


# -- the stored crosswalk ----------------------------------------------------------------------
def import_crosswalk(store: Store, source, *, user: str = "cli", origin: str = "") -> dict:
    """Read, check and store the crosswalk (replacing the stored one) as one batch.

    Weights start as crosswalk-only (1/n); :func:`update_area_weights` refines them where both
    editions have polygons. Returns the check report with ``batch``, ``source`` and ``sha256``.
    """
    read = read_crosswalk_file(source)
    report = check_crosswalk(read.rows, store, read.no_old_commune)
    rows = crosswalk_weights(read.rows)
    batch = BatchInfo(kind="crosswalk", edition=TO_EDITION, source=read.path.name, file_hash=read.sha256,
                      user=user, row_count=len(rows),
                      detail={"from_edition": FROM_EDITION, "to_edition": TO_EDITION, "pairs": report["pairs"],
                              "split_communes": report["split_communes"],
                              "no_old_commune": report["no_old_commune"]})
    with store.transaction() as tx:
        batch_id = store.add_batch(tx, batch)
        store.replace_crosswalk(tx, rows, batch_id, from_edition=FROM_EDITION, to_edition=TO_EDITION)
        store.audit(tx, user, "crosswalk.import", f"{FROM_EDITION}->{TO_EDITION}",
                    {"batch": batch_id, "pairs": len(rows), "sha256": read.sha256}, origin)
    report.update(batch=batch_id, source=read.path.name, sha256=read.sha256)
    return report


def stored_pairs(store: Store) -> pd.DataFrame:
    """The stored crosswalk pairs; :class:`NotFoundError` when none was imported yet."""
    pairs = store.crosswalk(FROM_EDITION, TO_EDITION)
    if pairs.empty:
        raise NotFoundError("no crosswalk is stored yet; run `geoapp crosswalk import` first",
                            message_vi="chưa có bảng chuyển đổi; hãy chạy `geoapp crosswalk import` trước")
    return pairs


def stored_check(store: Store) -> dict:
    """:func:`check_crosswalk` of the stored crosswalk, with its provenance and weight methods."""
    pairs = stored_pairs(store)
    batch = store.batch(int(pairs["batch_id"].iloc[0]))
    detail = json.loads(batch.get("detail") or "{}")
    no_old = pd.DataFrame({"new_code": detail.get("no_old_commune", [])})
    if len(no_old):
        names = store.units(TO_EDITION).set_index("code")["full_name"]
        no_old["new_name"] = [names.get(c, "") for c in no_old["new_code"]]
    report = check_crosswalk(pairs, store, no_old)
    report.update(source=pairs["source"].iloc[0], sha256=pairs["source_sha256"].iloc[0],
                  batch=int(pairs["batch_id"].iloc[0]),
                  methods=pairs["method"].value_counts().to_dict())
    return report


def update_area_weights(store: Store, *, lod: int = 1, user: str = "cli", origin: str = "") -> dict:
    """Compute :func:`~geoapp.crosswalk.weights.area_weights` from the stored polygons (level ``lod``) and store them."""
    pairs = stored_pairs(store)
    old = store.geometries(FROM_EDITION, lod=lod)
    provinces = sorted(set(pairs.loc[pairs["old_code"].isin(set(old["code"])), "new_province"]))
    frames = [store.geometries(TO_EDITION, p, lod=lod) for p in provinces]
    frames = [f for f in frames if len(f)]
    new = pd.concat(frames, ignore_index=True) if frames else gpd.GeoDataFrame(
        {"code": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    new = gpd.GeoDataFrame(new, geometry="geometry", crs="EPSG:4326")
    weights, report = area_weights(pairs, old, new)
    sums = weights.groupby("old_code")["weight"].sum()
    if (sums - 1).abs().max() > 1e-9:
        raise ValueError("weights of an old commune do not sum to 1")   # a bug, never user input
    with store.transaction() as tx:
        changed = store.set_crosswalk_weights(tx, weights, FROM_EDITION, TO_EDITION)
        store.audit(tx, user, "crosswalk.weights", f"{FROM_EDITION}->{TO_EDITION}",
                    {"lod": lod, "by_method": report["by_method"]}, origin)
    report.update(lod=lod, updated=changed)
    return report


# -- projection --------------------------------------------------------------------------------
def _iso(as_of) -> str:
    return as_of.isoformat() if isinstance(as_of, date) else str(as_of)


def project_statuses(store: Store, catalogue: Catalogue, as_of, province: str | None = None,
                     rules=None) -> pd.DataFrame:
    """Statuses of old communes on ``as_of``, projected onto the 2025 units through the crosswalk.

    Parameters
    ----------
    store : Store
    catalogue : Catalogue
    as_of : datetime.date or str
        The as-of date (:func:`geoapp.status.as_of` rule on the ``pre2025`` records).
    province : str, optional
        A 2025 province code; default every province.
    rules : dict or path, optional
        Overrides of :data:`~geoapp.crosswalk.rules.DEFAULT_RULES` (see
        :func:`~geoapp.crosswalk.rules.load_rules`).

    Returns
    -------
    pandas.DataFrame
        One row per 2025 unit and scheme (:data:`~geoapp.crosswalk.project.PROJECTED_COLUMNS`):
        the projected status and labels, the rule and reason, the weight method(s), and the
        composition — a list of parts (``old_code``, ``old_name``, ``weight`` = share of the old
        commune in this unit, ``share`` = share of this unit's area, ``status``, labels) — with
        ``formed_from_vi`` / ``_en`` strings.
    """
    as_of = _iso(as_of)
    rules = load_rules(rules)
    province = province.zfill(2) if province else None
    units_new = store.units(TO_EDITION, province)
    if units_new.empty:
        raise NotFoundError(f"no units of edition {TO_EDITION}" + (f" in province {province}" if province else ""),
                            message_vi=f"không có đơn vị của phiên bản {TO_EDITION}")
    pairs = stored_pairs(store)
    pairs = pairs[pairs["new_code"].isin(set(units_new["code"]))]
    old_codes = sorted(set(pairs["old_code"]))
    records = store.status_records(FROM_EDITION, codes=old_codes, as_of=as_of)
    current = st.as_of(records, as_of)
    rows = project_units(pairs, current, store.units(FROM_EDITION), units_new, catalogue, rules,
                         list(catalogue.schemes))
    frame = pd.DataFrame(rows, columns=[c for c in PROJECTED_COLUMNS if c != "as_of"])
    frame.insert(0, "as_of", as_of)
    return frame.sort_values(["code", "scheme"]).reset_index(drop=True)


def project_old_records(store: Store, catalogue: Catalogue, records: pd.DataFrame | None = None,
                        rules=None) -> pd.DataFrame:
    """Turn ``pre2025`` status records dated on or after 1 July 2025 into projected 2025 statuses.

    Such a record names an old commune after the old map ended (a report still using old codes).
    It is **not** re-coded: it stays a record of the old commune, and this function says what it
    means for each new unit that commune is part of, on the record's date — together with the
    other parts' statuses on that date (stored ``pre2025`` records, plus ``records``).

    Parameters
    ----------
    records : pandas.DataFrame, optional
        ``code`` (old), ``scheme``, ``status``, ``valid_from`` [, ``valid_to``, ``is_demo``];
        default the stored ``pre2025`` records dated from :data:`~geoapp.editions.REFORM_DATE`.
        Earlier records are ordinary pre-reform history and are left out.

    Returns
    -------
    pandas.DataFrame
        :data:`~geoapp.crosswalk.project.PROJECTED_COLUMNS` with ``as_of`` = the record date,
        plus ``from_old_codes``: the old communes whose post-reform records triggered the row.
    """
    rules_ = load_rules(rules)
    stored = store.status_records(FROM_EDITION)
    given = stored if records is None else records.copy()
    given = given[given["valid_from"].astype(str) >= REFORM_DATE]
    columns = list(PROJECTED_COLUMNS) + ["from_old_codes"]
    if given.empty:
        return pd.DataFrame(columns=columns)
    given = given.assign(code=given["code"].astype(str).str.strip().str.zfill(5))
    _refuse_unknown_statuses(given, catalogue)
    pairs = stored_pairs(store)
    _refuse_unlisted_codes(given, pairs)
    combined = stored if records is None else _with_given(stored, given)
    units_pre, units_new = store.units(FROM_EDITION), store.units(TO_EDITION)
    out = []
    for as_of, that_day in given.groupby(given["valid_from"].astype(str)):
        touched = pairs[pairs["old_code"].isin(set(that_day["code"]))]
        targets = units_new[units_new["code"].isin(set(touched["new_code"]))]
        sub = pairs[pairs["new_code"].isin(set(targets["code"]))]
        current = st.as_of(combined[combined["code"].isin(set(sub["old_code"]))], as_of)
        for row in project_units(sub, current, units_pre, targets, catalogue, rules_, sorted(set(that_day["scheme"]))):
            codes = set(touched.loc[touched["new_code"] == row["code"], "old_code"])
            row["from_old_codes"] = sorted(codes & set(that_day.loc[that_day["scheme"] == row["scheme"], "code"]))
            if row["from_old_codes"]:
                out.append({"as_of": as_of, **row})
    return pd.DataFrame(out, columns=columns).sort_values(["as_of", "code", "scheme"]).reset_index(drop=True)


def _refuse_unknown_statuses(given: pd.DataFrame, catalogue: Catalogue) -> None:
    wrong = sorted({f"{s}:{v}" for s, v in zip(given["scheme"], given["status"])
                    if s not in catalogue.schemes or v not in catalogue.schemes[s].codes})
    if wrong:
        raise InputError(f"unknown scheme:status {', '.join(wrong[:10])}; known: "
                         + ", ".join(f"{s}:{c}" for s in catalogue.schemes.values() for c in s.codes),
                         message_vi=f"chế độ/trạng thái không hợp lệ: {', '.join(wrong[:10])}")


def _refuse_unlisted_codes(given: pd.DataFrame, pairs: pd.DataFrame) -> None:
    unknown = sorted(set(given["code"]) - set(pairs["old_code"]))
    if unknown:
        raise InputError(f"old code(s) {', '.join(unknown[:10])} are not in the crosswalk; cannot project them",
                         message_vi=f"mã cũ {', '.join(unknown[:10])} không có trong bảng chuyển đổi")


def _with_given(stored: pd.DataFrame, given: pd.DataFrame) -> pd.DataFrame:
    """Stored records plus the ones handed in, which win ties over stored ones of the same day
    (they are the newer word: their ids come after every stored id)."""
    start = int(stored["id"].max()) + 1 if len(stored) else 1
    extra = given.assign(id=np.arange(start, start + len(given)), is_demo=given.get("is_demo", 0),
                         valid_to=given.get("valid_to"))
    return pd.concat([stored, extra], ignore_index=True)
