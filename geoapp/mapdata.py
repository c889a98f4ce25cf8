"""What a map needs, as plain data: compact GeoJSON, status colours, indicator classes.

Trip-wires:

* coordinates are rounded (5 decimals ≈ 1 m) by a plain per-vertex rounding, so a vertex shared
  by two communes is rounded identically in both and borders stay shared;
* indicator classes are computed on the values of **all periods together**, so the same colour
  means the same range in every year;
* "no data" is its own class and never painted as a value.
"""
from __future__ import annotations

import json

import mapclassify
import numpy as np
import pandas as pd
import shapely

from .errors import InputError
from .schemes import Scheme

NO_DATA_COLOUR = "#ffffff"
NONE_COLOUR = "#e0e0e0"
#: sequential palettes (ColorBrewer) by number of classes; reversed for "higher is better"
REDS = {3: ["#fee0d2", "#fc9272", "#de2d26"], 4: ["#fee5d9", "#fcae91", "#fb6a4a", "#cb181d"],
        5: ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"],
        6: ["#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"],
        7: ["#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#99000d"]}
BLUES = {3: ["#deebf7", "#9ecae1", "#3182bd"], 4: ["#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"],
         5: ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
         6: ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"],
         7: ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"]}
METHODS = {"quantiles": mapclassify.Quantiles, "fisher_jenks": mapclassify.FisherJenks,
           "equal_interval": mapclassify.EqualInterval}


def units_geojson(frame, precision: int = 5) -> bytes:
    """GeoJSON FeatureCollection of units with a few properties, coordinates rounded."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    if len(geoms):
        geoms = shapely.transform(geoms, lambda xy: np.round(xy, precision))
    features = []
    for (code, name, full, district), geom in zip(
            frame[["code", "name", "full_name", "district_name"]].itertuples(index=False, name=None), geoms):
        features.append({"type": "Feature", "id": code,
                         "properties": {"code": code, "name": full or name, "district": district},
                         "geometry": json.loads(shapely.to_geojson(geom))})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def status_layer(current: pd.DataFrame, scheme: Scheme, lang: str = "vi") -> dict:
    """``{code: {status, label, colour, since, until, decision, decision_date, note, demo}}``."""
    out = {}
    colours = {s.code: s for s in scheme.statuses}
    sub = current[current["scheme"] == scheme.code] if not current.empty else current
    for r in sub.itertuples(index=False):
        st = colours.get(r.status)
        if st is None:
            continue
        out[r.code] = {"status": r.status, "label": st.label(lang), "colour": st.colour,
                       "since": r.valid_from, "until": r.valid_to if isinstance(r.valid_to, str) else None,
                       "decision": r.decision_no or "", "decision_date": r.decision_date if isinstance(r.decision_date, str) else None,
                       "note": r.note or "", "demo": bool(r.is_demo)}
    return out


def legend(scheme: Scheme, counts: pd.DataFrame, lang: str = "vi") -> list[dict]:
    rows = []
    for r in counts.itertuples(index=False):
        label = r.label_en if lang == "en" else r.label_vi
        rows.append({"status": r.status, "label": label, "colour": r.colour if r.status else NONE_COLOUR,
                     "units": int(r.units)})
    return rows


def class_breaks(values: np.ndarray, method: str = "quantiles", k: int = 5,
                 user_breaks: list[float] | None = None) -> list[float]:
    """Upper bounds of classes for ``values`` (NaN ignored) by a mapclassify method or user breaks."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if user_breaks:
        b = sorted(float(x) for x in user_breaks)
        if finite.size and b[-1] < finite.max():
            b.append(float(finite.max()))
        return b
    if method not in METHODS:
        raise InputError(f"unknown classification {method!r}; use {', '.join(METHODS)} or breaks=")
    if finite.size == 0:
        return []
    unique = np.unique(finite)
    k = max(2, min(k, len(unique), 7))
    if len(unique) <= k:
        return [float(v) for v in unique]
    bins = METHODS[method](finite, k=k).bins
    return [float(b) for b in np.unique(bins)]


def classify(values: pd.Series, breaks: list[float], higher_is_worse: bool = True) -> tuple[dict, list[dict]]:
    """``({code: {value, class, colour}}, legend rows)``; missing values get the no-data class."""
    k = len(breaks)
    family = REDS if higher_is_worse else BLUES
    palette = family[max(3, min(k, 7))][-k:] if k else []
    out = {}
    counts = [0] * k
    nodata = 0
    for code, v in values.items():
        if v is None or not np.isfinite(v):
            out[code] = {"value": None, "class": -1, "colour": NO_DATA_COLOUR}
            nodata += 1
            continue
        idx = int(np.searchsorted(breaks, v, side="left")) if k else 0
        idx = min(idx, k - 1)
        counts[idx] += 1
        out[code] = {"value": float(v), "class": idx, "colour": palette[idx]}
    rows = []
    low = None
    for i, upper in enumerate(breaks):
        label = f"≤ {upper:,.4g}" if low is None else f"{low:,.4g} – {upper:,.4g}"
        rows.append({"class": i, "label": label, "colour": palette[i], "units": counts[i]})
        low = upper
    rows.append({"class": -1, "label": "no data", "colour": NO_DATA_COLOUR, "units": nodata})
    return out, rows


def dissolve(frame, by: str) -> list[tuple[str, object]]:
    """Dissolve a coverage of units by a column (``province_code``, ``district_code``).

    ``coverage_union_all`` is exact and fast on a valid coverage, which the simplified levels are.
    """
    out = []
    for code, group in frame.groupby(by):
        if not code:
            continue
        geoms = np.asarray(group.geometry.values, dtype=object)
        try:
            merged = shapely.coverage_union_all(geoms)
        except shapely.errors.GEOSException:
            merged = shapely.union_all(geoms)
        out.append((code, _without_holes(merged)))
    return out


def _without_holes(geom):
    """Exterior rings only: gaps between approximate polygons would otherwise draw as specks, and an
    enclave's border is drawn by the enclave's own outline anyway."""
    parts = getattr(geom, "geoms", [geom])
    polys = [shapely.Polygon(p.exterior) for p in parts if p.geom_type == "Polygon"]
    return shapely.MultiPolygon(polys) if len(polys) > 1 else (polys[0] if polys else geom)


def outlines_geojson(outlines, names: dict[str, str], precision: int = 5) -> bytes:
    """Outline polygons (from :func:`dissolve`) as GeoJSON with ``code`` and ``name``."""
    features = [{"type": "Feature", "id": code, "properties": {"code": code, "name": names.get(code, code)},
                 "geometry": json.loads(shapely.to_geojson(shapely.transform(g, lambda xy: np.round(xy, precision))))}
                for code, g in outlines]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def province_outlines(frame) -> list[tuple[str, object]]:
    """Province polygons of a coverage of units."""
    return dissolve(frame, "province_code")


def provinces_geojson(outlines, provinces: pd.DataFrame, summary: dict, precision: int = 4) -> bytes:
    """Province polygons with name, unit counts and the per-province ``summary`` dict."""
    names = provinces.set_index("code")
    features = []
    for code, geom in outlines:
        rounded = shapely.transform(geom, lambda xy: np.round(xy, precision))
        props = {"code": code, "name": str(names.at[code, "name"]) if code in names.index else code,
                 "units": int(names.at[code, "units"]) if code in names.index else 0, **summary.get(code, {})}
        features.append({"type": "Feature", "id": code, "properties": props,
                         "geometry": json.loads(shapely.to_geojson(rounded))})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")
