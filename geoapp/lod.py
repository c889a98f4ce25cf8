"""Levels of detail: coverage-preserving simplification of a whole edition.

Why the whole edition at once: neighbouring communes must keep *exactly* the same border at
every level, across province lines too. Simplifying each polygon alone (``simplify``) opens
slivers and overlaps; simplifying each province alone makes the two provinces disagree on
their common border. So the coverage is cleaned (``shapely.coverage_clean``: the real data has
~7 km² of overlaps and mismatched vertices between communes) and simplified together
(``shapely.coverage_simplify``) in an equal-area projection where tolerances are metres.

Level 0 is the geometry as imported (never altered); levels ≥ 1 come from the cleaned coverage.
"""
from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer

from .crs import EQUAL_AREA, WGS84

#: lod → tolerance in metres (roughly √ of the triangle area removed); 0 is as imported,
#: 1 a commune zoomed in, 2 a province, 3 the country
LEVELS: dict[int, float] = {1: 30.0, 2: 150.0, 3: 600.0}
#: nodes closer than this (m) are snapped together when cleaning the coverage
SNAP_METRES = 0.5

_TO_M = Transformer.from_crs(WGS84, EQUAL_AREA, always_xy=True)
_TO_DEG = Transformer.from_crs(EQUAL_AREA, WGS84, always_xy=True)


def _apply(transformer, geoms):
    return shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def _polygonal(geoms, fallback):
    """Keep polygonal output; where cleaning lost a unit (tiny, fully overlapped), use ``fallback``."""
    out = np.array(geoms, dtype=object)
    for i, g in enumerate(out):
        if g is None or g.is_empty:
            out[i] = fallback[i]
        elif g.geom_type not in ("Polygon", "MultiPolygon"):
            parts = [p for p in getattr(g, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
            out[i] = shapely.union_all(parts) if parts else fallback[i]
    return out


def levels_of_detail(geoms_wgs84, levels: dict[int, float] | None = None, progress=None) -> dict[int, np.ndarray]:
    """Simplified versions of a coverage of polygons given in EPSG:4326.

    Parameters
    ----------
    geoms_wgs84 : array of shapely polygons
        All polygons of one edition (every province), in EPSG:4326.
    levels : dict, optional
        ``{lod: tolerance in metres}``; default :data:`LEVELS`.
    progress : callable, optional
        Called with a short label before each step.

    Returns
    -------
    dict
        ``{lod: array of geometries in EPSG:4326}`` aligned with the input.
    """
    levels = levels or LEVELS
    geoms = np.asarray(geoms_wgs84, dtype=object)
    if not len(geoms):
        return {lod: geoms.copy() for lod in levels}
    if progress:
        progress("cleaning the coverage")
    metres = _apply(_TO_M, geoms)
    cleaned = _polygonal(shapely.coverage_clean(metres, snapping_distance=SNAP_METRES), metres)
    out = {}
    for lod, tolerance in sorted(levels.items()):
        if progress:
            progress(f"level {lod} ({tolerance:g} m)")
        simple = _polygonal(shapely.coverage_simplify(cleaned, tolerance), cleaned)
        out[lod] = _apply(_TO_DEG, simple)
    return out
