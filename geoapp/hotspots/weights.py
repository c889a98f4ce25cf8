"""Spatial weights between units: which commune is compared with which (libpysal ``W`` from geometries).

Trip-wires:

* **Neighbours on real data.** Neighbouring communes in the published boundaries do not
  always share vertices: there are slivers and gaps of a few metres between them. Pure
  vertex-matching contiguity misses those pairs. :func:`build_weights` therefore calls two
  units neighbours when their boundaries come within ``tolerance_m`` (10 m by default) of each
  other in :data:`geoapp.crs.EQUAL_AREA` — the same idea as
  :func:`libpysal.weights.fuzzy_contiguity` with a buffer, but without buffering 7 M vertices.
* **Islands.** The 2025 edition has 19 units with no land neighbour (island communes, special
  zones). They are kept in the weights and listed in the report (``islands``); the local
  statistics give them class ``"no_neighbours"`` and leave them out of the FDR family.
* **esda mutates weights** (``Moran_Local`` sets ``w.transform`` in place) and drops islands
  from some outputs: hand esda :func:`positional_copy`, never the W you keep.
"""
from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import connected_components

from ..crs import EQUAL_AREA
from ..errors import InputError

WEIGHT_KINDS = ("queen", "rook", "knn", "distance")


def build_weights(gdf: gpd.GeoDataFrame, kind: str = "queen", k: int = 6,
                  distance_km: float | None = None, tolerance_m: float = 10.0,
                  min_shared_m: float | None = None):
    """Spatial weights between the units of ``gdf``, and a report of what is unusual.

    Parameters
    ----------
    gdf : GeoDataFrame
        Units in EPSG:4326 (any CRS is accepted and projected) with a unique ``code`` column.
        For contiguity, pass the coverage-cleaned, simplified level (``lod=1`` from the store,
        or :func:`geoapp.lod.levels_of_detail`): it gives the same neighbours as the raw
        polygons (9,443 vs 9,441 pairs on the whole 2025 edition at ``tolerance_m=0``) and is
        ~8× faster to test. Raw (``lod=0``) geometry works too.
    kind : {"queen", "rook", "knn", "distance"}
        ``queen``: units whose boundaries touch (a corner is enough). ``rook``: units that share
        a border at least ``min_shared_m`` long. ``knn``: the ``k`` nearest centroids.
        ``distance``: all centroids within ``distance_km``.
    k : int
        Number of neighbours for ``knn``. kNN weights are **not symmetric** (A may be among B's
        6 nearest without B among A's); esda handles that, but join counts double-count less.
    distance_km : float
        Threshold for ``distance``. Too small a band leaves units without neighbours; they are
        reported as islands, not dropped.
    tolerance_m : float
        Contiguity tolerance in metres (EQUAL_AREA). The real boundaries have gaps and
        overlaps of a few metres between communes (``geoapp.lod`` snaps 0.5 m when it cleans
        them); on the whole 2025 edition, 10 m finds 14 more neighbour pairs than an exact test,
        all true neighbours separated by a sliver. A tolerance never bridges a real strait: the
        19 island units stay islands up to several hundred metres.
    min_shared_m : float, optional
        For ``rook``: the shortest shared border (m) that counts; default ``3 * tolerance_m``
        (a corner seen through the tolerance looks like a border of up to ~2·tolerance).

    Returns
    -------
    W : libpysal.weights.W
        Binary (``transform="O"``) weights whose ids are the unit codes, in ``gdf`` order.
        The local statistics transform a *copy* as they need (Gi*: binary with the focal
        unit; Moran: row-standardised).
    report : dict
        ``kind``, ``n``, ``islands`` (codes with no neighbour), ``components`` (number of
        connected groups, islands included as groups of one), ``component_sizes`` (largest
        first), ``neighbours`` (min / mean / max number of neighbours), ``asymmetric`` (kNN).

    Raises
    ------
    InputError
        Missing or duplicate codes, empty geometry, an unknown ``kind``, or ``distance``
        without ``distance_km``.
    """
    if kind not in WEIGHT_KINDS:
        raise InputError(f"unknown neighbour kind {kind!r}; use one of {', '.join(WEIGHT_KINDS)}",
                         message_vi=f"kiểu láng giềng {kind!r} không hợp lệ")
    codes = unit_codes(gdf)
    if not codes:
        raise InputError("no units to build neighbours for", message_vi="không có đơn vị nào")
    geoms = _checked_geometries(gdf, codes)
    if kind in ("queen", "rook"):
        w = _contiguity(geoms, codes, kind, tolerance_m, min_shared_m)
    else:
        w = _by_centroid(geoms, codes, kind, k, distance_km)
    return w, weights_report(w, kind)


def weights_report(w, kind: str = "") -> dict:
    """Islands, connected components and neighbour counts of ``w`` (see :func:`build_weights`)."""
    adj = w.sparse.tocsr()
    card = np.diff(adj.indptr)
    sym = adj + adj.T
    n_comp, labels = connected_components(sym, directed=False)
    sizes = np.sort(np.bincount(labels))[::-1]
    ids = list(w.id_order)
    return {
        "kind": kind,
        "n": int(w.n),
        "islands": [ids[i] for i in np.flatnonzero(card == 0)],
        "components": int(n_comp),
        "component_sizes": [int(s) for s in sizes],
        "neighbours": {"min": int(card.min()) if len(card) else 0,
                       "mean": float(card.mean()) if len(card) else 0.0,
                       "max": int(card.max()) if len(card) else 0},
        "asymmetric": bool((adj != adj.T).nnz),
    }


def unit_codes(gdf) -> list[str]:
    """The ``code`` column as strings, checked present and unique (the ids of every W here)."""
    if "code" not in gdf.columns:
        raise InputError("the units need a 'code' column", message_vi="thiếu cột 'code'")
    codes = gdf["code"].astype(str).tolist()
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise InputError(f"unit codes repeat: {', '.join(dup[:20])}",
                         message_vi=f"mã đơn vị bị trùng: {', '.join(dup[:20])}")
    return codes


def positional_copy(w, ids=None):
    """A fresh binary copy of ``w`` over ``ids`` (a subset, in that order), with ids 0..n-1.

    esda sets ``transform`` in place, and ``Join_Counts_Local`` returns its statistic sorted
    by id with islands dropped: positional integer ids keep every esda output aligned.
    """
    import libpysal

    ids = list(w.id_order) if ids is None else list(ids)
    pos = {c: i for i, c in enumerate(ids)}
    neighbours = {i: [pos[j] for j in w.neighbors[c] if j in pos] for i, c in enumerate(ids)}
    return libpysal.weights.W(neighbours, id_order=list(range(len(ids))), silence_warnings=True)


def _checked_geometries(gdf, codes: list[str]) -> np.ndarray:
    """The geometries in EQUAL_AREA; every unit must have one."""
    if gdf.crs is None:
        raise InputError("the units have no CRS; geoapp hands them over in EPSG:4326",
                         message_vi="các đơn vị không có hệ tọa độ")
    geoms = np.asarray(gdf.to_crs(EQUAL_AREA).geometry.values, dtype=object)
    missing = shapely.is_empty(geoms) | pd.isna(geoms)
    if missing.any():
        bad = [codes[i] for i in np.flatnonzero(missing)]
        raise InputError(f"units without geometry cannot have neighbours: {', '.join(bad[:20])}",
                         message_vi=f"đơn vị không có hình: {', '.join(bad[:20])}")
    return geoms


def _contiguity(geoms, codes, kind, tolerance_m, min_shared_m):
    """Queen (touching within the tolerance) or rook (sharing a border) weights."""
    import libpysal

    left, right = _touching(geoms, tolerance_m)
    if kind == "rook":
        left, right = _rook_filter(geoms, left, right, tolerance_m,
                                   3 * tolerance_m if min_shared_m is None else min_shared_m)
    neighbours = {c: [] for c in codes}
    for a, b in zip(left.tolist(), right.tolist()):
        neighbours[codes[a]].append(codes[b])
    return libpysal.weights.W(neighbours, id_order=codes, silence_warnings=True)


def _by_centroid(geoms, codes, kind, k, distance_km):
    """kNN or distance-band weights between centroids (km)."""
    import libpysal

    n = len(codes)
    pts = shapely.centroid(geoms)
    xy = np.column_stack([shapely.get_x(pts), shapely.get_y(pts)]) / 1000.0   # km
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "knn":
            if not 1 <= k < n:
                raise InputError(f"k={k} neighbours needs at least {k + 1} units (have {n})")
            w = libpysal.weights.KNN.from_array(xy, k=k, ids=codes)
        else:
            if distance_km is None or not distance_km > 0:
                raise InputError("distance weights need distance_km > 0",
                                 message_vi="cần distance_km > 0 cho láng giềng theo khoảng cách")
            w = libpysal.weights.DistanceBand.from_array(xy, threshold=float(distance_km),
                                                         binary=True, ids=codes,
                                                         silence_warnings=True)
    return libpysal.weights.W(dict(w.neighbors), id_order=codes, silence_warnings=True)


def _touching(geoms, tolerance_m: float):
    tree = shapely.STRtree(geoms)
    if tolerance_m > 0:
        left, right = tree.query(geoms, predicate="dwithin", distance=tolerance_m)
    else:
        left, right = tree.query(geoms, predicate="intersects")
    keep = left != right
    return left[keep], right[keep]


def _rook_filter(geoms, left, right, tolerance_m, min_shared_m):
    boundaries = shapely.boundary(geoms)
    zone = shapely.buffer(geoms, max(tolerance_m, 1e-6), quad_segs=2)
    shared = shapely.length(shapely.intersection(boundaries[left], zone[right]))
    keep = shared >= min_shared_m
    # a pair is kept only if both directions agree (lengths differ a little between sides)
    pairs = set(zip(left[keep].tolist(), right[keep].tolist()))
    both = np.array([(a, b) in pairs and (b, a) in pairs for a, b in zip(left.tolist(), right.tolist())],
                    dtype=bool) if len(left) else np.zeros(0, dtype=bool)
    return left[both], right[both]
