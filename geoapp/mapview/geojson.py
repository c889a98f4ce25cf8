"""GeoJSON of a map at a level of detail: units, dissolved outlines, provinces with a summary.

Trip-wires:

* coordinates are rounded (5 decimals ≈ 1 m) by a plain per-vertex rounding, so a vertex shared
  by two communes is rounded identically in both and borders stay shared;
* outlines drop their holes (:func:`dissolve`): gaps between approximate polygons would draw as specks;
* every function returns compact UTF-8 bytes, ready to serve and to cache.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import shapely


def _rounded(geom, precision: int):
    return shapely.transform(geom, lambda xy: np.round(xy, precision))


def _feature(code: str, properties: dict, geom) -> dict:
    return {"type": "Feature", "id": code, "properties": properties, "geometry": json.loads(shapely.to_geojson(geom))}


def _collection(features: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


#: decimals kept per level of detail: well under each level's simplification (lod 2: 150 m, lod 3:
#: 600 m), so rounding never shows, and the whole country's GeoJSON is a fifth lighter at lod 3
PRECISION = {0: 6, 1: 5, 2: 4, 3: 3}


def precision_for(lod: int) -> int:
    """Decimals of a unit layer served at ``lod`` (:data:`PRECISION`; 0.001° ≈ 110 m)."""
    return PRECISION.get(lod, 5)


def units_geojson(frame, precision: int = 5, *, province: bool = False) -> bytes:
    """GeoJSON FeatureCollection of units with a few properties, coordinates rounded; with ``province``
    each unit also names its province (the whole edition's map says where a hovered commune is).
    Properties that are empty (``district`` on 2025 units) are left out."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    if len(geoms):
        geoms = _rounded(geoms, precision)
    rows = frame[["code", "name", "full_name", "district_name", "province_name"]].itertuples(index=False, name=None)
    features = []
    for (code, name, full, district, province_name), geom in zip(rows, geoms):
        props = {"code": code, "name": full or name}
        if district:
            props["district"] = district
        if province and province_name:
            props["province"] = province_name
        features.append(_feature(code, props, geom))
    return _collection(features)


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
    return _collection([_feature(code, {"code": code, "name": names.get(code, code)}, _rounded(g, precision))
                        for code, g in outlines])


def province_outlines(frame) -> list[tuple[str, object]]:
    """Province polygons of a coverage of units."""
    return dissolve(frame, "province_code")


def provinces_geojson(outlines, provinces: pd.DataFrame, summary: dict, precision: int = 4) -> bytes:
    """Province polygons with name, unit counts and the per-province ``summary`` dict."""
    names = provinces.set_index("code")
    features = []
    for code, geom in outlines:
        props = {"code": code, "name": str(names.at[code, "name"]) if code in names.index else code,
                 "units": int(names.at[code, "units"]) if code in names.index else 0, **summary.get(code, {})}
        features.append(_feature(code, props, _rounded(geom, precision)))
    return _collection(features)
