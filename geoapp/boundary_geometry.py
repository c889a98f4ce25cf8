"""Make each boundary feature's geometry a valid 2-D (multi)polygon in EPSG:4326 inside Vietnam.

:func:`wgs84_geometries` cleans every feature of a layer (recording what it repaired or
refused) and transforms the kept ones to WGS 84; :func:`check_extent` then checks they lie in
Vietnam's extent.

Trip-wires:

* an invalid polygon (bow-tie) is repaired with ``make_valid(method="structure")`` keeping only
  polygonal parts, and reported; an empty result is an error;
* Z coordinates are dropped, and a GeometryCollection keeps only its polygonal parts;
* when *no* feature lands in Vietnam the CRS is wrong, not the features: the whole layer is
  refused with CRS candidates (:func:`geoapp.boundary_layers.crs_error`); when only some do,
  each stray feature is an error.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import crs as vncrs
from .boundary_layers import crs_error
from .errors import Problem
from .sources import Layer


def wgs84_geometries(label: str, frame: gpd.GeoDataFrame, codes: pd.Series,
                     problems: list[Problem]) -> tuple[np.ndarray, np.ndarray]:
    """Clean each feature's geometry and transform it to WGS 84.

    Returns ``(geometries, keep)``: an object array (``None`` where a feature was refused) and
    the boolean mask of the features kept.
    """
    transformer = vncrs.to_wgs84(frame.crs)
    unbuildable = frame.attrs.get("unbuildable", {})
    cleaned = []
    for i, geom in enumerate(frame.geometry.values):
        where = f"{label} feature {i + 1} (code {codes[i]})"
        if i in unbuildable:
            problems.append(_unbuildable_problem(unbuildable[i], where))
            cleaned.append(None)
        else:
            cleaned.append(_clean_geometry(geom, where, problems))
    keep = np.array([g is not None for g in cleaned])
    arr = np.empty(len(cleaned), dtype=object)
    arr[:] = cleaned
    if keep.any():
        arr[keep] = shapely.transform(arr[keep], lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    return arr, keep


def _unbuildable_problem(reason: str, where: str) -> Problem:
    if "closed" in reason:
        return Problem("error", f"a ring is not closed ({reason}); every ring must end at its first point",
                       where, "có vòng không khép kín; mỗi vòng phải kết thúc tại điểm đầu")
    return Problem("error", f"the geometry cannot be built ({reason})", where,
                   f"không dựng được hình học ({reason})")


def _clean_geometry(geom, where: str, problems: list[Problem]):
    if geom is None or shapely.is_empty(geom):
        problems.append(Problem("error", "empty or missing geometry", where, "thiếu hình học"))
        return None
    if shapely.get_coordinate_dimension(geom) > 2:
        geom = shapely.force_2d(geom)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        if geom.geom_type == "GeometryCollection":
            polys = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
            if polys:
                geom = shapely.union_all(polys)
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(Problem("error", f"{geom.geom_type} is not a polygon; communes must be areas",
                                    where, f"{geom.geom_type} không phải vùng (polygon)"))
            return None
    if not shapely.is_valid(geom):
        reason = shapely.is_valid_reason(geom)
        fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
        if fixed.geom_type == "GeometryCollection":
            fixed = shapely.union_all([g for g in fixed.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
        if fixed.is_empty or fixed.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(Problem("error", f"invalid geometry ({reason}) that cannot be repaired",
                                    where, f"hình học lỗi ({reason}) không sửa được"))
            return None
        problems.append(Problem("repaired", f"invalid geometry repaired ({reason})", where,
                                f"đã sửa hình học lỗi ({reason})"))
        geom = fixed
    return geom


def check_extent(layer: Layer, original: gpd.GeoDataFrame, units: gpd.GeoDataFrame,
                 problems: list[Problem]) -> None:
    """Record each unit outside Vietnam's extent; raise a CRS error when none is inside."""
    if not len(units):
        return
    bounds = shapely.bounds(units.geometry.values)
    finite = np.isfinite(bounds).all(axis=1)
    lo_x, lo_y, hi_x, hi_y = vncrs.VIETNAM_BOUNDS
    inside = finite & (bounds[:, 0] >= lo_x) & (bounds[:, 2] <= hi_x) & (bounds[:, 1] >= lo_y) & (bounds[:, 3] <= hi_y)
    if inside.all():
        return
    if not inside.any():
        # nothing lands in Vietnam: the CRS is wrong, not the features
        raise crs_error(layer, original, said=vncrs.describe(original.crs))
    for code, b in zip(units["code"][~inside], bounds[~inside]):
        problems.append(Problem("error", f"outside Vietnam's extent (bounds {np.round(b, 3).tolist()})",
                                f"{layer.label} code {code}", "nằm ngoài phạm vi lãnh thổ Việt Nam"))
