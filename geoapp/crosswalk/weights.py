"""Weigh every (old commune, new unit) pair of the crosswalk: by polygon overlay where possible, else 1/n.

``weight`` = share of the old commune that lies in the new unit; the weights of one old commune
sum to 1. Where both editions have polygons, they come from overlaying the two in
:data:`geoapp.crs.EQUAL_AREA` (``method = "area"``); elsewhere from the crosswalk alone: 1/n for
a commune split in n, 1 otherwise (``method = "crosswalk"``). The pre-2025 polygons are
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

Trip-wire: in the four provinces with old polygons (old codes 10, 12, 14, 68) no commune was
split, so every area weight is 1 there; the overlay still checks each pair and reports
``coverage``. Pure: frames in, frames out; storing the weights is :mod:`geoapp.crosswalk.service`.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import EQUAL_AREA

#: below this share of the old polygon inside its listed targets, area weights fall back to the crosswalk
MIN_COVERAGE = 0.10
#: a listed target of a split commune keeps at least this raw share before renormalising
FLOOR_SHARE = 0.02


def crosswalk_weights(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with the crosswalk-only weights: 1/n for a commune split in n, 1 otherwise."""
    n = rows.groupby("old_code")["new_code"].transform("size")
    return rows.assign(weight=1.0 / n, method="crosswalk", raw_share=np.nan, coverage=np.nan)


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
    old_geom, new_geom = _metric_geometries(old), _metric_geometries(new)
    have = out["old_code"].isin(old_geom) & out["new_code"].isin(new_geom)
    raw = _raw_shares(out, have, old_geom, new_geom)
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
    dropped, major = _unlisted_overlaps(out, old_geom, new_geom)
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


def _metric_geometries(frame: gpd.GeoDataFrame) -> dict:
    """``code`` → valid geometry in the equal-area CRS."""
    metric = frame[["code", "geometry"]].to_crs(EQUAL_AREA) if len(frame) else frame
    return dict(zip(metric["code"], shapely.make_valid(np.asarray(metric.geometry.values, dtype=object))))


def _raw_shares(out: pd.DataFrame, have: pd.Series, old_geom: dict, new_geom: dict) -> np.ndarray:
    """Share of each old polygon inside its listed new unit (NaN where either has no geometry)."""
    raw = np.full(len(out), np.nan)
    if have.any():
        a = np.array([old_geom[c] for c in out.loc[have, "old_code"]], dtype=object)
        b = np.array([new_geom[c] for c in out.loc[have, "new_code"]], dtype=object)
        raw[have.to_numpy()] = shapely.area(shapely.intersection(a, b)) / shapely.area(a)
    return raw


def _unlisted_overlaps(out: pd.DataFrame, old_geom: dict, new_geom: dict) -> tuple[int, list[dict]]:
    """Overlaps with units the crosswalk does not list: counted, never turned into pairs.

    Returns how many have a positive area, and those covering at least half the old polygon
    (largest first).
    """
    if not (old_geom and new_geom):
        return 0, []
    listed = set(zip(out["old_code"], out["new_code"]))
    new_codes = list(new_geom)
    tree = shapely.STRtree(np.array([new_geom[c] for c in new_codes], dtype=object))
    old_codes = list(old_geom)
    old_arr = np.array([old_geom[c] for c in old_codes], dtype=object)
    i_old, i_new = tree.query(old_arr, predicate="intersects")
    wanted = set(out["old_code"])
    keep = [k for k in range(len(i_old)) if (old_codes[i_old[k]], new_codes[i_new[k]]) not in listed
            and old_codes[i_old[k]] in wanted]
    if not keep:
        return 0, []
    a = old_arr[i_old[keep]]
    share = shapely.area(shapely.intersection(a, tree.geometries[i_new[keep]])) / shapely.area(a)
    big = np.argsort(-share)
    major = [{"old_code": old_codes[i_old[keep[j]]], "new_code": new_codes[i_new[keep[j]]],
              "share": round(float(share[j]), 3)} for j in big if share[j] >= 0.5]
    return int((share > 0).sum()), major
