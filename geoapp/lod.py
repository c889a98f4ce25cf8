"""Levels of detail: coverage-preserving simplification of a whole edition.

Why the whole edition at once: neighbouring communes must keep *exactly* the same border at
every level, across province lines too. Simplifying each polygon alone (``simplify``) opens
slivers and overlaps; simplifying each province alone makes the two provinces disagree on
their common border. So the coverage is cleaned (``shapely.coverage_clean``: the real data has
~7 km² of overlaps and mismatched vertices between communes) and simplified together
(``shapely.coverage_simplify``) in an equal-area projection where tolerances are metres.

Level 0 is the geometry as imported (never altered); levels ≥ 1 come from the cleaned coverage,
cleaned **once**. Where the time goes (whole 2025 edition, 7.1 M vertices, one core): the clean
~22 s, a simplification ~1.5 µs per *input* vertex. So by default each level is simplified from
the level before it (``chained``): level 1 from the clean (7 M vertices, ~11 s), level 2 from
level 1 (1.2 M, ~1.4 s), level 3 from level 2 (0.3 M, ~0.4 s) — against ~11 s each when every
level starts from the clean. The chained levels stay valid coverages with shared borders; they
differ from direct ones only where a vertex removed at a finer level would have been kept at a
coarser one (same vertex counts within 0.1 %). ``chained=False`` computes each level from the
clean, in ``workers`` processes at once (bench/bench_import.py compares both).

Results are cached by the checksum of their inputs (:mod:`geoapp.lod_cache`): pass ``cache``.
The computation runs on the inputs sorted by WKB, so the same polygons give the same levels
whatever order they come in.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np
import shapely
from pyproj import Transformer

from .crs import EQUAL_AREA, WGS84
from .lod_cache import LodCache, cache_key, canonical_wkb
from .progress import as_reporter

#: lod → tolerance in metres (roughly √ of the triangle area removed); 0 is as imported,
#: 1 a commune zoomed in, 2 a province, 3 the country
LEVELS: dict[int, float] = {1: 30.0, 2: 150.0, 3: 600.0}
#: nodes closer than this (m) are snapped together when cleaning the coverage
SNAP_METRES = 0.5
#: change when the way levels are computed changes: cached levels of another version are not reused
ALGORITHM = "clean-once/chained/v2"
#: seconds per input vertex on a 2-core machine, for the estimated ETA of the GEOS calls (never exact)
CLEAN_S_PER_VERTEX = 3.2e-6
SIMPLIFY_S_PER_VERTEX = 1.6e-6

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


def parameters(levels: dict[int, float], chained: bool) -> dict:
    """Everything besides the polygons that decides the levels (part of the cache key)."""
    return {"algorithm": ALGORITHM, "chained": bool(chained), "levels": {str(k): v for k, v in sorted(levels.items())},
            "snap_m": SNAP_METRES, "equal_area": EQUAL_AREA, "geos": shapely.geos_version_string,
            "shapely": shapely.__version__}


def levels_of_detail(geoms_wgs84, levels: dict[int, float] | None = None, progress=None, *,
                     cache: LodCache | None = None, chained: bool = True, workers: int = 1) -> dict[int, np.ndarray]:
    """Simplified versions of a coverage of polygons given in EPSG:4326.

    Parameters
    ----------
    geoms_wgs84 : array of shapely polygons
        All polygons of one edition (every province), in EPSG:4326.
    levels : dict, optional
        ``{lod: tolerance in metres}``; default :data:`LEVELS`.
    progress : Reporter or callable, optional
        See :func:`geoapp.progress.as_reporter`: the clean and each level show an estimated bar.
    cache : LodCache, optional
        Reuse levels computed before from the same inputs (checked), and keep new ones.
    chained : bool
        Simplify each level from the one before (default: the levels cost a third) or each from the clean.
    workers : int
        Processes for the levels when not ``chained`` (at most one per level).

    Returns
    -------
    dict
        ``{lod: array of geometries in EPSG:4326}`` aligned with the input.
    """
    levels = levels or LEVELS
    geoms = np.asarray(geoms_wgs84, dtype=object)
    if not len(geoms):
        return {lod: geoms.copy() for lod in levels}
    report = as_reporter(progress)
    wkb, order = canonical_wkb(geoms)
    inputs = geoms[order]
    key = cache_key(wkb[order], parameters(levels, chained)) if cache is not None and cache.enabled else None
    found = cache.load(key, inputs, levels, note=report.note) if key else None
    if found is not None:
        report.note(f"levels of detail: reused (cache entry {key[:12]}…, checksum verified)")
    else:
        found = compute_levels(inputs, levels, report, chained=chained, workers=workers)
        if key:
            cache.save(key, found, note=report.note)
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    return {lod: found[lod][back] for lod in sorted(found)}


def compute_levels(geoms: np.ndarray, levels: dict[int, float], report, *, chained: bool = True,
                   workers: int = 1) -> dict[int, np.ndarray]:
    """The levels of ``geoms`` (EPSG:4326), no cache: one clean, then chained or direct simplifications."""
    vertices = int(shapely.get_num_coordinates(geoms).sum())
    with report.estimate("cleaning the coverage", vertices * CLEAN_S_PER_VERTEX):
        metres = _apply(_TO_M, geoms)
        cleaned = _polygonal(shapely.coverage_clean(metres, snapping_distance=SNAP_METRES), metres)
    if not chained and workers > 1 and len(levels) > 1:
        return _direct_in_processes(cleaned, levels, report, workers)
    out, source = {}, cleaned
    for lod, tolerance in sorted(levels.items()):
        work = int(shapely.get_num_coordinates(source).sum()) * SIMPLIFY_S_PER_VERTEX
        with report.estimate(f"level {lod} ({tolerance:g} m)", work):
            simple = _polygonal(shapely.coverage_simplify(source, tolerance), source)
        out[lod] = _apply(_TO_DEG, simple)
        if chained:
            source = simple
    return out


def simplify_wkb(cleaned_wkb, tolerance: float) -> np.ndarray:
    """One level from the cleaned coverage (WKB in metres) → WKB in EPSG:4326; runs in a worker process."""
    cleaned = shapely.from_wkb(cleaned_wkb)
    simple = _polygonal(shapely.coverage_simplify(cleaned, tolerance), cleaned)
    return shapely.to_wkb(_apply(_TO_DEG, simple))


def _direct_in_processes(cleaned: np.ndarray, levels: dict[int, float], report, workers: int) -> dict:
    """Each level from the clean, ``workers`` at a time; WKB in and out (fresh interpreters: no fork
    of a threaded server). Each worker holds its own copy of the coverage: ~3 GB at its peak for the
    whole country, on top of the ~3 GB of the calling process."""
    blob = shapely.to_wkb(cleaned)
    out = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(levels)), mp_context=context) as pool, \
            report.task("levels of detail", len(levels), "levels") as step:
        futures = {pool.submit(simplify_wkb, blob, tol): lod for lod, tol in levels.items()}
        for future in as_completed(futures):
            out[futures[future]] = shapely.from_wkb(future.result())
            step.update()
    return out
