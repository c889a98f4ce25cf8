"""Across the 1 July 2025 reform: old communes → new units, area weights, projected statuses.

The crosswalk (``crosswalk/xa_truoc2025_sang_2025.csv`` of the reference data) says which old
(``pre2025``) communes each new (``2025``) unit was formed from; 471 old communes were split
between several new units. This module reads it, checks it against both editions in the store,
stores it, weighs every (old, new) pair, and projects statuses recorded on old communes onto the
new units — with the *composition* (which parts, what share, which status) always shown.

Weights (:func:`area_weights`)
    ``weight`` = share of the old commune that lies in the new unit; the weights of one old
    commune sum to 1. Where both editions have polygons, they come from overlaying the two in
    :data:`geoapp.crs.EQUAL_AREA` (``method = "area"``); elsewhere from the crosswalk alone: 1/n
    for a commune split in n, 1 otherwise (``method = "crosswalk"``). The pre-2025 polygons are
    approximate (2008 generalised shapes), hence these decisions:

    * only pairs **listed by the crosswalk** get a weight — an overlap with an unlisted unit is an
      artefact of the old polygon and never becomes a pair (it is counted in the report);
    * the overlay shares of the listed targets (``raw_share``) are **renormalised** to sum to 1;
      their sum before that is kept as ``coverage`` (0.16–1.0 on the real data, median 0.98);
    * a listed target of a split commune whose overlap is below :data:`FLOOR_SHARE` keeps that
      floor before renormalising: the crosswalk says a part went there, the polygon is too rough
      to say it is nothing;
    * when the listed targets cover less than :data:`MIN_COVERAGE` of the old polygon, the
      polygon says nothing useful and the commune falls back to ``method = "crosswalk"``.

    In the four provinces with old polygons (old codes 10, 12, 14, 68) no commune was split, so
    every area weight is 1 there; the overlay still checks each pair and reports ``coverage``.

Projection rules (:data:`DEFAULT_RULES`, :func:`load_rules`)
    ``strict`` — the *good* status (drug-free, safe) only if **every** part had it; otherwise the
    worst non-good status of the parts by severity (so "a key area if any part was"), or none.
    ``area_share`` — good if the parts that had it make up ≥ ``threshold`` of the new unit's area
    and no part was key; otherwise as ``strict``. ``any_key`` — key if any part was key (the worst
    one), else converted if any part was, else a problem status if any, else good only if all
    parts were, else none. Defaults (no setting needed): ``ma_tuy`` strict, ``antt`` any_key,
    any other scheme strict. A TOML file can override them (``[projection.ma_tuy]
    rule = "area_share"`` / ``threshold = 0.5``).

Trip-wire: never join the editions by code — codes were reused for other places (new Phường
Đoàn Kết, Lai Châu, is 03388, which was old Phường Quyết Tiến). :func:`refuse_cross_edition`
explains that to the user.
"""
from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import status as st
from .crs import EQUAL_AREA
from .editions import OTHER, REFORM_DATE
from .errors import ConfigError, InputError, NotFoundError, Problem, ValidationError
from .names import fold
from .schemes import Catalogue, Scheme
from .store.base import BatchInfo, Store
from .unitlists import _clean, _pad_codes, _read_csv

CROSSWALK_FILE = Path("crosswalk") / "xa_truoc2025_sang_2025.csv"
FROM_EDITION, TO_EDITION = "pre2025", "2025"
#: columns of a crosswalk pair as :func:`read_crosswalk_file` returns them
PAIR_COLUMNS = ("old_code", "new_code", "is_split", "old_name", "new_name", "old_province", "new_province")
#: below this share of the old polygon inside its listed targets, area weights fall back to the crosswalk
MIN_COVERAGE = 0.10
#: a listed target of a split commune keeps at least this raw share before renormalising
FLOOR_SHARE = 0.02
RULES = ("strict", "area_share", "any_key")
DEFAULT_THRESHOLD = 0.5
#: projection rule per scheme; schemes not named here use :data:`FALLBACK_RULE`
DEFAULT_RULES: dict[str, dict] = {"ma_tuy": {"rule": "strict", "threshold": DEFAULT_THRESHOLD},
                                  "antt": {"rule": "any_key"}}
FALLBACK_RULE = {"rule": "strict", "threshold": DEFAULT_THRESHOLD}
NO_STATUS = {"vi": "chưa xếp loại", "en": "no designation"}

_COLUMNS = {"provinceCode": "old_province", "wardCode": "old_code", "isDividedWard": "is_split",
            "ward": "old_name", "newWardCode": "new_code", "newWard": "new_name",
            "newProvinceCode": "new_province"}


# -- reading and checking ----------------------------------------------------------------------
@dataclass
class CrosswalkFile:
    """A crosswalk as read from its file.

    ``rows`` has :data:`PAIR_COLUMNS`, one row per (old, new) pair; ``no_old_commune`` lists the
    new units the file derives from a district that had no commune (island districts), which
    therefore have no old commune to project from.
    """

    path: Path
    sha256: str
    rows: pd.DataFrame
    no_old_commune: pd.DataFrame


def read_crosswalk_file(source) -> CrosswalkFile:
    """Read the old-commune → new-unit crosswalk with names and the split flag.

    Parameters
    ----------
    source : str or pathlib.Path
        The CSV, or a data folder laid out like ``shared/data`` holding it.

    Returns
    -------
    CrosswalkFile

    Raises
    ------
    InputError
        Missing file or columns, malformed codes, an unreadable split flag, repeated pairs.
    """
    path = Path(source)
    if path.is_dir():
        path = path / CROSSWALK_FILE
    raw = _read_csv(path, tuple(_COLUMNS))
    # ``wardCode`` is float-like text ("3386.0"); an empty one is a district without communes
    has_old = raw["wardCode"].notna()
    bare = raw[~has_old]
    no_old = pd.DataFrame({
        "new_code": _pad_codes(bare["newWardCode"], 5, path, "newWardCode"),
        "new_name": bare["newWard"].map(_clean),
        "new_province": _pad_codes(bare["newProvinceCode"], 2, path, "newProvinceCode"),
        "old_district": bare["district"].map(_clean) if "district" in bare else None,
    }).reset_index(drop=True)
    raw = raw[has_old]
    flag = raw["isDividedWard"].fillna("").str.strip().str.lower()
    bad = raw.loc[~flag.isin(["true", "false", "1", "0"]), "isDividedWard"]
    if len(bad):
        raise InputError(f"{path}: column 'isDividedWard' must be True or False; found "
                         + ", ".join(repr(v) for v in bad.head(5)),
                         message_vi=f"{path}: cột 'isDividedWard' phải là True hoặc False")
    rows = pd.DataFrame({
        "old_code": _pad_codes(raw["wardCode"], 5, path, "wardCode"),
        "new_code": _pad_codes(raw["newWardCode"], 5, path, "newWardCode"),
        "is_split": flag.isin(["true", "1"]).to_numpy(),
        "old_name": raw["ward"].map(_clean).fillna(""),
        "new_name": raw["newWard"].map(_clean).fillna(""),
        "old_province": _pad_codes(raw["provinceCode"], 2, path, "provinceCode"),
        "new_province": _pad_codes(raw["newProvinceCode"], 2, path, "newProvinceCode"),
    })
    dup = rows[rows.duplicated(["old_code", "new_code"], keep=False)]
    if len(dup):
        shown = ", ".join(sorted({f"{a}→{b}" for a, b in zip(dup["old_code"], dup["new_code"])})[:5])
        raise InputError(f"{path}: {len(dup)} rows repeat an (old, new) pair, e.g. {shown}",
                         message_vi=f"{path}: {len(dup)} dòng lặp lại cặp (cũ, mới), ví dụ {shown}")
    rows = rows.sort_values(["new_code", "old_code"]).reset_index(drop=True)
    return CrosswalkFile(path, hashlib.sha256(path.read_bytes()).hexdigest(), rows, no_old)


def crosswalk_weights(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with the crosswalk-only weights: 1/n for a commune split in n, 1 otherwise."""
    n = rows.groupby("old_code")["new_code"].transform("size")
    return rows.assign(weight=1.0 / n, method="crosswalk", raw_share=np.nan, coverage=np.nan)


def _listing(codes, names, limit=8) -> str:
    items = [f"{c} {n}".strip() for c, n in zip(codes, names)]
    return ", ".join(items[:limit]) + (f" … (+{len(items) - limit})" if len(items) > limit else "")


def check_crosswalk(rows: pd.DataFrame, store: Store, no_old_commune: pd.DataFrame | None = None) -> dict:
    """Check crosswalk pairs against the units of both editions held by ``store``.

    Every old commune of the ``pre2025`` list should map somewhere, every ``2025`` unit should be
    reached, the split flag should agree with the number of targets, and codes unknown to either
    edition are reported. Nothing is refused here: the file is the reference, the report says
    where it and the stored lists disagree.

    Returns
    -------
    dict
        Counts (``pairs``, ``old_communes``, ``new_units``, ``split_communes``, ``split_pairs``)
        and lists (``old_not_mapped``, ``new_not_reached``, ``old_unknown``, ``new_unknown``,
        ``split_flag_mismatch``, ``name_differs``, ``no_old_commune``), plus ``problems``
        (:class:`~geoapp.errors.Problem`, levels ``warning`` / ``info``).
    """
    problems: list[Problem] = []
    targets = rows.groupby("old_code")["new_code"].nunique()
    flagged = rows.groupby("old_code")["is_split"].any()
    mismatch = sorted(set(targets.index[(targets > 1) != flagged.reindex(targets.index)]))
    report = {"pairs": int(len(rows)), "old_communes": int(targets.size),
              "new_units": int(rows["new_code"].nunique()), "split_communes": int(flagged.sum()),
              "split_pairs": int(rows["is_split"].sum()), "split_flag_mismatch": mismatch,
              "no_old_commune": [], "old_not_mapped": [], "new_not_reached": [], "old_unknown": [],
              "new_unknown": [], "name_differs": []}
    if mismatch:
        problems.append(Problem("warning", f"{len(mismatch)} old communes have a split flag that disagrees with "
                                f"their number of new units: {', '.join(mismatch[:8])}", "isDividedWard",
                                f"{len(mismatch)} xã cũ có cờ chia tách không khớp số đơn vị mới"))
    if no_old_commune is not None and len(no_old_commune):
        report["no_old_commune"] = no_old_commune["new_code"].tolist()
        problems.append(Problem("info", "formed from a district without communes (no old commune to project "
                                "from): " + _listing(no_old_commune["new_code"], no_old_commune["new_name"]),
                                "crosswalk", "hình thành từ huyện không có xã: "
                                + _listing(no_old_commune["new_code"], no_old_commune["new_name"])))
    for edition, col, name_col, unmapped_key, unknown_key in (
            (FROM_EDITION, "old_code", "old_name", "old_not_mapped", "old_unknown"),
            (TO_EDITION, "new_code", "new_name", "new_not_reached", "new_unknown")):
        units = store.units(edition)
        if units.empty:
            problems.append(Problem("warning", f"edition {edition} has no units in the store, so the crosswalk "
                                    f"was not checked against it; run `geoapp units import-list --edition {edition}`",
                                    edition, f"phiên bản {edition} chưa có đơn vị; chưa đối chiếu được"))
            continue
        listed = set(rows[col])
        loose = units[~units["code"].isin(listed)]
        if edition == TO_EDITION:
            loose = loose[~loose["code"].isin(report["no_old_commune"])]
        unknown = rows[~rows[col].isin(set(units["code"]))].drop_duplicates(col)
        report[unmapped_key] = loose["code"].tolist()
        report[unknown_key] = unknown[col].tolist()
        verb = ("maps to no new unit" if edition == FROM_EDITION else "is reached by no old commune")
        if len(loose):
            problems.append(Problem("warning", f"{len(loose)} unit(s) of edition {edition} {verb}: "
                                    + _listing(loose["code"], loose["full_name"]), edition,
                                    f"{len(loose)} đơn vị của phiên bản {edition} không có trong bảng chuyển đổi"))
        if len(unknown):
            problems.append(Problem("warning", f"{len(unknown)} code(s) of the crosswalk are not units of edition "
                                    f"{edition}: " + _listing(unknown[col], unknown[name_col]), col,
                                    f"{len(unknown)} mã trong bảng chuyển đổi không có trong phiên bản {edition}"))
        # a name that differs is a hint that a list of the wrong edition (or date) is loaded
        full = units.set_index("code")["full_name"]
        known = rows[rows[col].isin(full.index)].drop_duplicates(col)
        differ = [c for c, n in zip(known[col], known[name_col]) if fold(n) != fold(full.get(c) or "")
                  and fold(full.get(c) or "") not in fold(n) and fold(n) not in fold(full.get(c) or "")]
        report["name_differs"] += [f"{edition}:{c}" for c in differ]
        if differ:
            problems.append(Problem("warning", f"{len(differ)} code(s) are named differently in the crosswalk and "
                                    f"the {edition} list, e.g. {differ[0]}", col,
                                    f"{len(differ)} mã có tên khác giữa bảng chuyển đổi và danh mục {edition}"))
    report["problems"] = problems
    return report


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


def _stored(store: Store) -> pd.DataFrame:
    pairs = store.crosswalk(FROM_EDITION, TO_EDITION)
    if pairs.empty:
        raise NotFoundError("no crosswalk is stored yet; run `geoapp crosswalk import` first",
                            message_vi="chưa có bảng chuyển đổi; hãy chạy `geoapp crosswalk import` trước")
    return pairs


def stored_check(store: Store) -> dict:
    """:func:`check_crosswalk` of the stored crosswalk, with its provenance and weight methods."""
    pairs = _stored(store)
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


# -- area weights ------------------------------------------------------------------------------
def area_weights(pairs: pd.DataFrame, old: gpd.GeoDataFrame, new: gpd.GeoDataFrame) -> tuple[pd.DataFrame, dict]:
    """Weigh crosswalk pairs by overlaying old and new polygons (see the module notes).

    Parameters
    ----------
    pairs : pandas.DataFrame
        ``old_code``, ``new_code`` (the crosswalk; every old commune with all its targets).
    old, new : geopandas.GeoDataFrame
        ``code`` and polygons of the old communes / new units that have geometry (any CRS).

    Returns
    -------
    (pandas.DataFrame, dict)
        ``pairs`` with ``weight``, ``method``, ``raw_share``, ``coverage``; and a report: pairs by
        method, coverage statistics, floored pairs, overlaps with unlisted units that were dropped.
    """
    out = pairs[["old_code", "new_code"]].copy().reset_index(drop=True)
    old_m = old[["code", "geometry"]].to_crs(EQUAL_AREA) if len(old) else old
    new_m = new[["code", "geometry"]].to_crs(EQUAL_AREA) if len(new) else new
    old_geom = dict(zip(old_m["code"], shapely.make_valid(np.asarray(old_m.geometry.values, dtype=object))))
    new_geom = dict(zip(new_m["code"], shapely.make_valid(np.asarray(new_m.geometry.values, dtype=object))))
    have = out["old_code"].isin(old_geom) & out["new_code"].isin(new_geom)
    raw = np.full(len(out), np.nan)
    if have.any():
        a = np.array([old_geom[c] for c in out.loc[have, "old_code"]], dtype=object)
        b = np.array([new_geom[c] for c in out.loc[have, "new_code"]], dtype=object)
        raw[have.to_numpy()] = shapely.area(shapely.intersection(a, b)) / shapely.area(a)
    out["raw_share"] = raw
    n = out.groupby("old_code")["new_code"].transform("size").to_numpy()
    # area method only when the old polygon and every listed target have geometry
    complete = out.assign(h=have).groupby("old_code")["h"].transform("all").to_numpy()
    coverage = out.assign(r=np.where(complete, raw, np.nan)).groupby("old_code")["r"].transform("sum", min_count=1)
    coverage = coverage.to_numpy()
    use_area = complete & (coverage >= MIN_COVERAGE)
    floored = np.where(n > 1, np.maximum(np.nan_to_num(raw), FLOOR_SHARE), 1.0)
    total = pd.Series(floored).groupby(out["old_code"]).transform("sum").to_numpy()
    out["weight"] = np.where(use_area, floored / total, 1.0 / n)
    out["method"] = np.where(use_area, "area", "crosswalk")
    out["coverage"] = np.where(complete, coverage, np.nan)

    # overlaps with units the crosswalk does not list: counted, never turned into pairs
    listed = set(zip(out["old_code"], out["new_code"]))
    dropped, major = 0, []
    if old_geom and new_geom:
        new_codes = list(new_geom)
        tree = shapely.STRtree(np.array([new_geom[c] for c in new_codes], dtype=object))
        old_codes = list(old_geom)
        old_arr = np.array([old_geom[c] for c in old_codes], dtype=object)
        i_old, i_new = tree.query(old_arr, predicate="intersects")
        wanted = set(out["old_code"])
        keep = [k for k in range(len(i_old)) if (old_codes[i_old[k]], new_codes[i_new[k]]) not in listed
                and old_codes[i_old[k]] in wanted]
        if keep:
            a = old_arr[i_old[keep]]
            share = shapely.area(shapely.intersection(a, tree.geometries[i_new[keep]])) / shapely.area(a)
            dropped = int((share > 0).sum())
            big = np.argsort(-share)
            major = [{"old_code": old_codes[i_old[keep[j]]], "new_code": new_codes[i_new[keep[j]]],
                      "share": round(float(share[j]), 3)} for j in big if share[j] >= 0.5]
    area_rows = out[out["method"] == "area"]
    cov = area_rows.drop_duplicates("old_code")["coverage"]
    report = {"pairs": int(len(out)), "by_method": out["method"].value_counts().to_dict(),
              "old_by_method": out.drop_duplicates("old_code")["method"].value_counts().to_dict(),
              "coverage": {"min": float(cov.min()), "median": float(cov.median()), "mean": float(cov.mean())}
              if len(cov) else {},
              "low_coverage": sorted(set(out.loc[complete & ~use_area, "old_code"])),
              "floored": int(((n > 1) & use_area & (np.nan_to_num(raw) < FLOOR_SHARE)).sum()),
              "unlisted_overlaps_dropped": dropped, "unlisted_major": major[:20],
              "min_coverage": MIN_COVERAGE, "floor_share": FLOOR_SHARE}
    return out, report


def update_area_weights(store: Store, *, lod: int = 1, user: str = "cli", origin: str = "") -> dict:
    """Compute :func:`area_weights` from the stored polygons (level ``lod``) and store them."""
    pairs = _stored(store)
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
def load_rules(source=None) -> dict[str, dict]:
    """Projection rules per scheme: :data:`DEFAULT_RULES` overridden by ``source``.

    ``source`` is ``None``, a dict ``{scheme: {"rule": ..., "threshold": ...}}`` or the path of a
    TOML file with ``[projection.<scheme>]`` tables. Unknown rules and thresholds outside (0, 1]
    raise :class:`~geoapp.errors.ConfigError`.
    """
    rules = {k: dict(v) for k, v in DEFAULT_RULES.items()}
    given = source
    if isinstance(source, (str, Path)):
        try:
            given = tomllib.loads(Path(source).read_text(encoding="utf-8")).get("projection", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"projection rules {source}: {exc}") from None
    for scheme, entry in (given or {}).items():
        entry = {"rule": entry} if isinstance(entry, str) else dict(entry)
        rule = entry.get("rule", FALLBACK_RULE["rule"])
        if rule not in RULES:
            raise ConfigError(f"projection rule {rule!r} for scheme {scheme!r}: use one of {', '.join(RULES)}")
        threshold = float(entry.get("threshold", DEFAULT_THRESHOLD))
        if not 0 < threshold <= 1:
            raise ConfigError(f"projection threshold {threshold} for scheme {scheme!r} must be in (0, 1]")
        rules[scheme] = {"rule": rule, "threshold": threshold}
    return rules


def combine(statuses: list[str], shares: list[float], scheme: Scheme, rule: dict) -> tuple[str, str]:
    """The projected status of one new unit from the statuses of its parts ("" = none).

    Parameters
    ----------
    statuses : list of str
        Status code of every part ("" when the part had none).
    shares : list of float
        Share of the new unit's area each part makes up (used by ``area_share``).
    scheme : Scheme
    rule : dict
        ``{"rule": "strict" | "area_share" | "any_key", "threshold": float}``.

    Returns
    -------
    (str, str)
        The status and the reason: ``all_good``, ``good_share``, ``any_key``, ``any_converted``,
        ``any_problem``, ``worst``, ``none``.
    """
    known = {s.code: s for s in scheme.statuses}
    parts = [known[s] for s in statuses if s in known]

    def worst(kinds):
        found = [p for p in parts if p.kind in kinds]
        return max(found, key=lambda p: p.severity).code if found else ""

    all_good = bool(statuses) and len(parts) == len(statuses) and all(p.kind == "good" for p in parts)
    name = rule.get("rule", "strict")
    if name == "any_key":
        for kind, reason in (("key", "any_key"), ("converted", "any_converted"), ("problem", "any_problem")):
            if worst({kind}):
                return worst({kind}), reason
        return (worst({"good"}), "all_good") if all_good else ("", "none")
    if all_good:
        return worst({"good"}), "all_good"
    if name == "area_share" and not worst({"key"}):
        good = sum(sh for s, sh in zip(statuses, shares) if s in known and known[s].kind == "good")
        if good >= float(rule.get("threshold", DEFAULT_THRESHOLD)) - 1e-12:
            return worst({"good"}), "good_share"
    bad = worst({"key", "problem", "converted"})
    return (bad, "worst") if bad else ("", "none")


def _label(scheme: Scheme, code: str, lang: str) -> str:
    if not code:
        return NO_STATUS[lang]
    text = scheme.status(code).label(lang)
    return text[:1].lower() + text[1:]


def _percent(w: float) -> str:
    pct = round(w * 100)
    return ">99 %" if pct >= 100 else ("<1 %" if pct < 1 else f"{pct} %")


def formed_from(parts: list[dict], lang: str) -> str:
    """ "formed from: Xã A — drug-free; part of Xã B (40 %) — key drug commune, type III" (or vi)."""
    if not parts:
        return "không hình thành từ xã cũ nào trong bảng chuyển đổi" if lang == "vi" else \
            "formed from no old commune of the crosswalk"
    head, part_of = ("hình thành từ: ", "một phần ") if lang == "vi" else ("formed from: ", "part of ")
    items = []
    for p in parts:
        name = p["old_name"] or p["old_code"]
        who = f"{part_of}{name} ({_percent(p['weight'])})" if p["weight"] < 1 - 1e-9 else name
        items.append(f"{who} — {p['label_' + lang]}")
    return head + "; ".join(items)


def _project(pairs: pd.DataFrame, current: pd.DataFrame, units_pre: pd.DataFrame, units_new: pd.DataFrame,
             catalogue: Catalogue, rules: dict, schemes: list[str]) -> list[dict]:
    """Project ``current`` (one status per old code and scheme) onto every unit of ``units_new``."""
    names = dict(zip(pairs["old_code"], pairs["old_name"]))
    names.update({c: n for c, n in zip(units_pre["code"], units_pre["full_name"]) if n})
    area = units_pre.set_index("code")["area_km2"].astype(float).to_dict()
    status = {(c, s): (v, bool(d)) for c, s, v, d in zip(current.get("code", []), current.get("scheme", []),
                                                         current.get("status", []), current.get("is_demo", []))}
    groups = {k: g for k, g in pairs.groupby("new_code", sort=False)}
    out = []
    for unit in units_new.itertuples(index=False):
        g = groups.get(unit.code)
        old_codes = [] if g is None else list(g["old_code"])
        weights = [] if g is None else [float(w) for w in g["weight"]]
        methods = set() if g is None else set(g["method"])
        sizes = [area.get(c, np.nan) for c in old_codes]
        # part areas: weight × old area; when an old area is unknown, parts count as equal-sized
        equal = any(not np.isfinite(a) or a <= 0 for a in sizes)
        mass = [w * (1.0 if equal else a) for w, a in zip(weights, sizes)]
        total = sum(mass) or 1.0
        for code in schemes:
            scheme = catalogue.scheme(code)
            rule = rules.get(code, FALLBACK_RULE)
            parts, demo = [], False
            for oc, w, m in zip(old_codes, weights, mass):
                value, is_demo = status.get((oc, code), ("", False))
                demo |= is_demo and bool(value)
                parts.append({"old_code": oc, "old_name": names.get(oc, ""),
                              "weight": round(w, 6), "share": round(m / total, 6), "status": value,
                              "label_vi": _label(scheme, value, "vi"), "label_en": _label(scheme, value, "en")})
            result, reason = combine([p["status"] for p in parts], [p["share"] for p in parts], scheme, rule)
            rule_name = rule["rule"] + (f"≥{rule.get('threshold', DEFAULT_THRESHOLD):g}" if rule["rule"] == "area_share" else "")
            out.append({"province_code": unit.province_code, "province_name": unit.province_name,
                        "code": unit.code, "full_name": unit.full_name, "scheme": code, "status": result,
                        "label_vi": scheme.status(result).label_vi if result else "",
                        "label_en": scheme.status(result).label_en if result else "",
                        "rule": rule_name, "reason": reason,
                        "method": "/".join(sorted(methods)) if methods else "",
                        "equal_size_parts": bool(equal and parts), "parts": len(parts),
                        "parts_with_status": sum(1 for p in parts if p["status"]), "composition": parts,
                        "formed_from_vi": formed_from(parts, "vi"), "formed_from_en": formed_from(parts, "en"),
                        "is_demo": demo})
    return out


PROJECTED_COLUMNS = ("as_of", "province_code", "province_name", "code", "full_name", "scheme", "status", "label_vi",
                     "label_en", "rule", "reason", "method", "equal_size_parts", "parts", "parts_with_status",
                     "composition", "formed_from_vi", "formed_from_en", "is_demo")


def _iso(on) -> str:
    return on.isoformat() if isinstance(on, date) else str(on)


def project_statuses(store: Store, catalogue: Catalogue, on, province_2025: str | None = None,
                     rules=None) -> pd.DataFrame:
    """Statuses of old communes on ``on``, projected onto the 2025 units through the crosswalk.

    Parameters
    ----------
    store : Store
    catalogue : Catalogue
    on : datetime.date or str
        The as-of date (:func:`geoapp.status.as_of` rule on the ``pre2025`` records).
    province_2025 : str, optional
        A 2025 province code; default every province.
    rules : dict or path, optional
        Overrides of :data:`DEFAULT_RULES` (see :func:`load_rules`).

    Returns
    -------
    pandas.DataFrame
        One row per 2025 unit and scheme (:data:`PROJECTED_COLUMNS`): the projected status and
        labels, the rule and reason, the weight method(s), and the composition — a list of parts
        (``old_code``, ``old_name``, ``weight`` = share of the old commune in this unit, ``share`` =
        share of this unit's area, ``status``, labels) — with ``formed_from_vi`` / ``_en`` strings.
    """
    day = _iso(on)
    rules = load_rules(rules)
    province = province_2025.zfill(2) if province_2025 else None
    units_new = store.units(TO_EDITION, province)
    if units_new.empty:
        raise NotFoundError(f"no units of edition {TO_EDITION}" + (f" in province {province}" if province else ""),
                            message_vi=f"không có đơn vị của phiên bản {TO_EDITION}")
    pairs = _stored(store)
    pairs = pairs[pairs["new_code"].isin(set(units_new["code"]))]
    old_codes = sorted(set(pairs["old_code"]))
    records = store.status_records(FROM_EDITION, codes=old_codes, until=day)
    current = st.as_of(records, day)
    rows = _project(pairs, current, store.units(FROM_EDITION), units_new, catalogue, rules, list(catalogue.schemes))
    frame = pd.DataFrame(rows, columns=[c for c in PROJECTED_COLUMNS if c != "as_of"])
    frame.insert(0, "as_of", day)
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
        default the stored ``pre2025`` records dated from :data:`REFORM_DATE`. Earlier records
        are ordinary pre-reform history and are left out.

    Returns
    -------
    pandas.DataFrame
        :data:`PROJECTED_COLUMNS` with ``as_of`` = the record date, plus ``from_old_codes``: the
        old communes whose post-reform records triggered the row.
    """
    rules_ = load_rules(rules)
    stored = store.status_records(FROM_EDITION)
    given = stored if records is None else records.copy()
    given = given[given["valid_from"].astype(str) >= REFORM_DATE]
    columns = list(PROJECTED_COLUMNS) + ["from_old_codes"]
    if given.empty:
        return pd.DataFrame(columns=columns)
    given = given.assign(code=given["code"].astype(str).str.strip().str.zfill(5))
    wrong = sorted({f"{s}:{v}" for s, v in zip(given["scheme"], given["status"])
                    if s not in catalogue.schemes or v not in catalogue.schemes[s].codes})
    if wrong:
        raise InputError(f"unknown scheme:status {', '.join(wrong[:10])}; known: "
                         + ", ".join(f"{s}:{c}" for s in catalogue.schemes.values() for c in s.codes),
                         message_vi=f"chế độ/trạng thái không hợp lệ: {', '.join(wrong[:10])}")
    pairs = _stored(store)
    unknown = sorted(set(given["code"]) - set(pairs["old_code"]))
    if unknown:
        raise InputError(f"old code(s) {', '.join(unknown[:10])} are not in the crosswalk; cannot project them",
                         message_vi=f"mã cũ {', '.join(unknown[:10])} không có trong bảng chuyển đổi")
    if records is not None:
        # records handed in win ties over stored ones of the same day (they are the newer word)
        start = int(stored["id"].max()) + 1 if len(stored) else 1
        extra = given.assign(id=np.arange(start, start + len(given)), is_demo=given.get("is_demo", 0),
                             valid_to=given.get("valid_to"))
        combined = pd.concat([stored, extra], ignore_index=True)
    else:
        combined = stored
    units_pre, units_new = store.units(FROM_EDITION), store.units(TO_EDITION)
    out = []
    for day, today in given.groupby(given["valid_from"].astype(str)):
        touched = pairs[pairs["old_code"].isin(set(today["code"]))]
        targets = units_new[units_new["code"].isin(set(touched["new_code"]))]
        sub = pairs[pairs["new_code"].isin(set(targets["code"]))]
        current = st.as_of(combined[combined["code"].isin(set(sub["old_code"]))], day)
        for row in _project(sub, current, units_pre, targets, catalogue, rules_, sorted(set(today["scheme"]))):
            codes = set(touched.loc[touched["new_code"] == row["code"], "old_code"])
            row["from_old_codes"] = sorted(codes & set(today.loc[today["scheme"] == row["scheme"], "code"]))
            if row["from_old_codes"]:
                out.append({"as_of": day, **row})
    return pd.DataFrame(out, columns=columns).sort_values(["as_of", "code", "scheme"]).reset_index(drop=True)


# -- the guard ---------------------------------------------------------------------------------
def explain_cross_edition(codes, edition: str, store: Store) -> list[Problem]:
    """One problem per code saying what it names in ``edition`` and in the other edition."""
    if edition not in OTHER:
        raise InputError(f"unknown edition {edition!r}; use {FROM_EDITION} or {TO_EDITION}")
    other = OTHER[edition]
    here = store.units(edition).set_index("code")
    there = store.units(other).set_index("code")
    pairs = store.crosswalk(FROM_EDITION, TO_EDITION)
    names = {FROM_EDITION: dict(zip(pairs["old_code"], pairs["old_name"])),
             TO_EDITION: dict(zip(pairs["new_code"], pairs["new_name"]))}

    def who(ed, units, code):
        if code in units.index:
            u = units.loc[code]
            return f"{u['full_name'] or u['name']} ({u['province_name']})"
        return names[ed].get(code, "")

    def links(ed, code):
        """pre2025: the new units the commune went to; 2025: the old communes the unit was formed from."""
        if ed == TO_EDITION:
            g = pairs[pairs["new_code"] == code]
            return "was formed from old " + _listing(g["old_code"], g["old_name"], 4) if len(g) else ""
        g = pairs[pairs["old_code"] == code]
        return ("became part of new " + _listing(g["new_code"], g["new_name"], 4)) if len(g) else ""

    problems = []
    for raw in codes:
        code = str(raw).strip().zfill(5)
        this, that = who(edition, here, code), who(other, there, code)
        first = f"{code} is {this or 'not a unit'} in edition {edition}"
        first += f", which {links(edition, code)}" if links(edition, code) else ""
        if that:
            second = f"in edition {other} the code {code} is {that}"
            second += f", which {links(other, code)}" if links(other, code) else ""
            same = fold(this.split(" (")[0]) == fold(that.split(" (")[0]) if this else False
            second += " — the same name, yet not the same unit" if same else " — another place"
        else:
            second = f"in edition {other} the code {code} names no unit"
        problems.append(Problem(
            "error", f"{first}; {second}. Codes were reused by the 1 July 2025 reform: go through the crosswalk "
            "(`geoapp crosswalk project`), never join the editions by code.", f"code {code}",
            f"mã {code} ở phiên bản {edition} là {this or 'không có'}; ở phiên bản {other} "
            f"là {that or 'không có đơn vị nào'}. Mã được dùng lại sau sắp xếp 1/7/2025: "
            "hãy đi qua bảng chuyển đổi, không ghép hai phiên bản theo mã."))
    return problems


def refuse_cross_edition(codes, edition: str, store: Store):
    """Refuse to join ``codes`` of ``edition`` to the other edition by code, explaining each code.

    Raises
    ------
    ValidationError
        Always; one problem per code (see :func:`explain_cross_edition`).
    """
    codes = list(codes)
    other = OTHER.get(edition, "?")
    raise ValidationError(
        f"refused: codes of edition {edition} cannot be joined to edition {other} by code ({len(codes)} code(s)); "
        "the reform reused codes for other places — use the crosswalk",
        explain_cross_edition(codes, edition, store),
        message_vi=f"từ chối: không ghép mã phiên bản {edition} sang phiên bản {other} theo mã; "
                   "mã đã được dùng lại cho nơi khác — hãy dùng bảng chuyển đổi")


def rule_text(scheme_code: str, rule: dict, lang: str = "vi") -> str:
    """The projection rule in words, to state on every projected map."""
    name = rule.get("rule")
    threshold = int(round(100 * float(rule.get("threshold", DEFAULT_THRESHOLD))))
    texts = {
        "strict": ("Quy tắc nghiêm ngặt: xã mới chỉ được coi là \"không ma túy\" khi mọi xã cũ hợp thành đều không "
                   "ma túy; nếu không, lấy tình trạng xấu nhất.",
                   "Strict rule: a new unit counts as drug-free only if every old commune it was formed from was; "
                   "otherwise it takes the worst status."),
        "area_share": (f"Quy tắc theo diện tích: xã mới \"không ma túy\" khi các phần không ma túy chiếm từ {threshold} % "
                       "diện tích trở lên và không phần nào là trọng điểm.",
                       f"Area rule: a new unit is drug-free when drug-free parts cover at least {threshold} % of its area "
                       "and no part is a key commune."),
        "any_key": ("Quy tắc: xã mới là trọng điểm nếu bất kỳ phần nào là trọng điểm; đã chuyển hóa nếu có phần đã "
                    "chuyển hóa và không phần nào là trọng điểm; đạt chuẩn an toàn khi mọi phần đều đạt.",
                    "Rule: a new unit is a key area if any part was; converted if a part was converted and none is "
                    "key; safe only if every part was."),
    }
    vi, en = texts.get(name, (str(name), str(name)))
    prefix = ("Trạng thái chiếu từ xã cũ lên đơn vị 2025. " if lang == "vi"
              else "Statuses projected from the old communes onto the 2025 units. ")
    return prefix + (en if lang == "en" else vi)
