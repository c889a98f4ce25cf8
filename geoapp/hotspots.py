"""Hot-spot analysis of commune indicators: Getis-Ord Gi*, Local Moran's I, Local Join Count.

Everything statistical is esda / libpysal (never hand-written); this module only decides
*which* units are compared with *which*, how p-values are corrected, and how each unit gets
exactly one class.

Trip-wires (each one has bitten someone):

* **Neighbours on real data.** Neighbouring communes in the published boundaries do not
  always share vertices: there are slivers and gaps of a few metres between them. Pure
  vertex-matching contiguity misses those pairs. :func:`build_weights` therefore calls two
  units neighbours when their boundaries come within ``tolerance_m`` (10 m by default) of each
  other in :data:`geoapp.crs.EQUAL_AREA` — the same idea as
  :func:`libpysal.weights.fuzzy_contiguity` with a buffer, but without buffering 7 M vertices.
* **Islands.** The 2025 edition has 19 units with no land neighbour (island communes, special
  zones). A local statistic of a unit with no neighbours is meaningless; such units are kept,
  get class ``"no_neighbours"`` and a NaN statistic, and are listed in the weights report. They
  are *not* part of the FDR family (they were never tested).
* **Gi* includes the focal unit** (``star=True``): a planted cluster's own units are hot, and
  so, often, are units right next to it (their neighbourhood contains planted units). That
  spill-over is what Gi* measures, not a bug; units two or more contiguity steps away from a
  cluster are not affected.
* **Rank pseudo p-values cannot survive FDR on many units.** With 999 permutations the
  smallest rank p is 1/1000 (0.002 two-sided); Benjamini–Hochberg over the 3,321 units of 2025
  then needs ~66 units at that floor before *any* is significant at 90 % — a planted block of
  a dozen communes is never found. By default (``inference="z_sim"``) the p used is therefore
  two-sided normal on the **permutation z** (observed statistic standardised by the mean and
  standard deviation of its own 999 conditional permutations: esda's ``z_sim`` /
  ``p_z_sim``). On real 2025 geometry with planted blocks this found 159 of 177 block units
  (rank p: 71, and none at all on the whole country) with no more false positives on random
  fields (4 of 5,670 unit-tests after FDR, rank p: 9). ``inference="pseudo"`` gives the rank
  p; esda's own folded, one-sided ``p_sim`` is always in the output. Local Join Count keeps
  the rank p (its counts are too discrete for a normal tail) and is one-sided by nature.
* **esda mutates weights** (``Moran_Local`` sets ``w.transform`` in place), and
  ``Join_Counts_Local.fit`` ignores its ``seed``: we always hand esda a fresh copy, and run the
  join-count randomisation through :func:`esda.crand.crand` with the seed ourselves.
* **numba makes it slower here, and changes the p-values.** esda JIT-compiles its
  randomisation with numba when numba is installed: ~13 s on the first call in every process,
  then 0.13 s for Gi* with 999 permutations over the 3,321 units of 2025 (``n_jobs=-1``: ~15 s,
  the workers compile again). Without numba the same run takes ~0.2 s and nothing to compile,
  so geoapp does not depend on numba. numba's random stream differs from numpy's, so the same
  seed gives different pseudo p-values with and without numba (the statistics are identical):
  compare runs made in the same environment. esda seeds numpy's *global* generator; we put
  its state back after every call.
* **Rates of small populations are noisy.** A commune of 800 people with 2 cases has a rate of
  2.5 ‰; one more case moves it by 50 %. Hot spots of raw rates favour small communes; say so
  to the user, or pass counts.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import connected_components
from scipy import stats
from scipy.stats import false_discovery_control

from .crs import EQUAL_AREA
from .errors import InputError

#: every class a unit can get from :func:`local_statistic`
CLASSES = ("hot_99", "hot_95", "hot_90", "cold_99", "cold_95", "cold_90",
           "outlier_high", "outlier_low", "not_significant", "no_neighbours", "no_data")
#: confidence level → largest (adjusted) two-sided p that reaches it
LEVELS = ((99, 0.01), (95, 0.05), (90, 0.10))
METHODS = ("gi_star", "local_moran", "join_count")
WEIGHT_KINDS = ("queen", "rook", "knn", "distance")
#: emerging hot-spot patterns, in the order they are tested (hot and cold mirror each other)
PATTERNS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic",
            "oscillating", "historical")
DEFAULT_SEED = 12345


# --------------------------------------------------------------------------------------------
# weights
# --------------------------------------------------------------------------------------------

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
    import libpysal

    if kind not in WEIGHT_KINDS:
        raise InputError(f"unknown neighbour kind {kind!r}; use one of {', '.join(WEIGHT_KINDS)}",
                         message_vi=f"kiểu láng giềng {kind!r} không hợp lệ")
    codes = _codes(gdf)
    n = len(codes)
    if n == 0:
        raise InputError("no units to build neighbours for", message_vi="không có đơn vị nào")
    geoms = np.asarray(_projected(gdf).geometry.values, dtype=object)
    if shapely.is_empty(geoms).any() or pd.isna(geoms).any():
        bad = [codes[i] for i in np.flatnonzero(shapely.is_empty(geoms) | pd.isna(geoms))]
        raise InputError(f"units without geometry cannot have neighbours: {', '.join(bad[:20])}",
                         message_vi=f"đơn vị không có hình: {', '.join(bad[:20])}")
    if kind in ("queen", "rook"):
        left, right = _touching(geoms, tolerance_m)
        if kind == "rook":
            left, right = _rook_filter(geoms, left, right, tolerance_m,
                                       3 * tolerance_m if min_shared_m is None else min_shared_m)
        neighbours = {c: [] for c in codes}
        for a, b in zip(left.tolist(), right.tolist()):
            neighbours[codes[a]].append(codes[b])
        w = libpysal.weights.W(neighbours, id_order=codes, silence_warnings=True)
    else:
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
        w = libpysal.weights.W(dict(w.neighbors), id_order=codes, silence_warnings=True)
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


def _codes(gdf) -> list[str]:
    if "code" not in gdf.columns:
        raise InputError("the units need a 'code' column", message_vi="thiếu cột 'code'")
    codes = gdf["code"].astype(str).tolist()
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise InputError(f"unit codes repeat: {', '.join(dup[:20])}",
                         message_vi=f"mã đơn vị bị trùng: {', '.join(dup[:20])}")
    return codes


def _projected(gdf):
    if gdf.crs is None:
        raise InputError("the units have no CRS; geoapp hands them over in EPSG:4326",
                         message_vi="các đơn vị không có hệ tọa độ")
    return gdf.to_crs(EQUAL_AREA)


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


def _copy_w(w, ids=None):
    """A fresh binary copy of ``w`` over ``ids`` (a subset, in that order), with ids 0..n-1.

    esda sets ``transform`` in place, and ``Join_Counts_Local`` returns its statistic sorted
    by id with islands dropped: positional integer ids keep every esda output aligned.
    """
    import libpysal

    ids = list(w.id_order) if ids is None else list(ids)
    pos = {c: i for i, c in enumerate(ids)}
    neighbours = {i: [pos[j] for j in w.neighbors[c] if j in pos] for i, c in enumerate(ids)}
    return libpysal.weights.W(neighbours, id_order=list(range(len(ids))), silence_warnings=True)


# --------------------------------------------------------------------------------------------
# local statistics
# --------------------------------------------------------------------------------------------

@dataclass
class _Prepared:
    codes: list[str]
    values: np.ndarray       # per unit, NaN = no data
    w: object                # weights over all units (ids = codes)
    report: dict


def _prepare(gdf, values, weights, population, per, k, distance_km) -> _Prepared:
    codes = _codes(gdf)
    vals = _align(gdf, codes, values, "values")
    if population is not None:
        pop = _align(gdf, codes, population, "population")
        with np.errstate(divide="ignore", invalid="ignore"):
            vals = np.where(pop > 0, vals / pop * per, np.nan)
    if isinstance(weights, str):
        w, report = build_weights(gdf, kind=weights, k=k, distance_km=distance_km)
    else:
        w, report = weights if isinstance(weights, tuple) else (weights, None)
        if list(map(str, w.id_order)) != codes:
            raise InputError("the weights' ids must be the unit codes in the order of the units "
                             "(build them with build_weights on the same frame)")
        report = report or weights_report(w, "given")
    return _Prepared(codes, vals, w, report)


def _align(gdf, codes, values, what) -> np.ndarray:
    if isinstance(values, str):
        if values not in gdf.columns:
            raise InputError(f"{what}: no column {values!r} in the units")
        series = gdf[values]
        out = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    elif isinstance(values, pd.Series) and not isinstance(values.index, pd.RangeIndex):
        s = values.copy()
        s.index = s.index.astype(str)
        if not s.index.is_unique:
            raise InputError(f"{what}: codes repeat in the index")
        unknown = sorted(set(s.index) - set(codes))
        if unknown:
            raise InputError(f"{what}: codes not among the units: {', '.join(unknown[:20])}")
        out = pd.to_numeric(s.reindex(codes), errors="coerce").to_numpy(dtype=float)
    else:
        out = np.asarray(values, dtype=float).ravel()
        if len(out) != len(codes):
            raise InputError(f"{what}: {len(out)} values for {len(codes)} units")
    out = out.copy()
    out[~np.isfinite(out)] = np.nan
    return out


def local_statistic(gdf: gpd.GeoDataFrame, values, method: str = "gi_star", weights="queen",
                    permutations: int = 999, seed: int | None = DEFAULT_SEED,
                    fdr_alpha: float | None = 0.05, *, population=None, per: float = 1000.0,
                    k: int = 6, distance_km: float | None = None, n_jobs: int = 1,
                    inference: str = "z_sim") -> pd.DataFrame:
    """A local indicator of spatial association for every unit, with one class per unit.

    Parameters
    ----------
    gdf : GeoDataFrame
        Units with a unique ``code`` (EPSG:4326 as the store returns them).
    values : str, Series or array
        A column of ``gdf``; a Series indexed by code (codes missing from it → no data); or an
        array in ``gdf`` order. NaN means *no data* (not zero!). For ``join_count``: 0/1.
    method : {"gi_star", "local_moran", "join_count"}
        ``gi_star``: Getis-Ord Gi* (:class:`esda.G_Local`, binary weights, ``star=True``) —
        clusters of high (hot) or low (cold) values; needs values ≥ 0.
        ``local_moran``: :class:`esda.Moran_Local` on row-standardised weights — clusters
        (HH → hot, LL → cold) **and outliers** (HL → ``outlier_high``, LH → ``outlier_low``).
        ``join_count``: univariate Local Join Count (Anselin & Li 2019) — units with status 1
        surrounded by units with status 1; only hot classes exist.
    weights : str, libpysal W or (W, report)
        A kind for :func:`build_weights` (``"queen"`` default), or weights built on the same
        frame (ids = codes in frame order). Reuse one W across calls: building contiguity on
        a whole edition costs seconds.
    permutations : int
        Conditional permutations for the pseudo p (999 → smallest two-sided p is 0.002).
    seed : int
        Seed of the permutations. The same seed, weights and values give identical output,
        whatever ``n_jobs`` is (but see the numba note in the module docstring).
    fdr_alpha : float or None
        ``None``: no correction, ``p_adjusted = p`` (and ``significant`` is ``p <= 0.05``).
        A number: Benjamini–Hochberg over the *tested* units (with data and ≥ 1 neighbour;
        for join counts, units with status 1 and ≥ 1 neighbour of status 1) applied to ``p``
        (not to esda's ``p_sim``), via :func:`scipy.stats.false_discovery_control`; the column
        ``significant`` is then ``p_adjusted <= fdr_alpha``. The graded classes do not depend
        on the number (see below). Islands are outside the family but their values still
        count in the permutation pool and in Gi*'s total.
    population : str, Series or array, optional
        When given, the analysed value is ``values / population * per`` (a rate per 1,000
        people by default); population ≤ 0 or missing → no data.
    n_jobs : int
        Cores for esda's randomisation (``-1`` all). Leave it at 1: spawning workers costs more
        than the 0.2 s the whole country takes on one core. Results do not depend on it.
    inference : {"z_sim", "pseudo"}
        Which two-sided p the classes use: normal p of the permutation z (default; no
        resolution floor), or the rank pseudo p ``min(1, 2·p_sim)`` (floor 2/(permutations+1);
        with FDR on hundreds of units it rarely reaches significance — see the module notes).
        Ignored by ``join_count`` (always the one-sided rank p).

    Returns
    -------
    DataFrame
        One row per unit, in ``gdf`` order, never dropping one:

        ``code``, ``value`` (the analysed value or rate), ``neighbours`` (count, among units
        with data), ``statistic`` (Gi*: analytic z-score, esda ``Zs``; Moran: local I, esda
        ``Is``; join count: number of neighbours with status 1), ``z`` (the permutation z,
        esda ``z_sim``; NaN for join count), ``quadrant`` (Moran only: HH/LH/LL/HL),
        ``p_sim`` (esda's own folded one-sided rank p), ``p`` (the two-sided p used, see
        ``inference``; join count: one-sided upper rank p), ``p_adjusted``, ``significant``,
        ``confidence`` (99/95/90, 0 if not significant), ``class``.

        Classes — exactly one per unit:

        * ``hot_99`` / ``hot_95`` / ``hot_90``: ``p_adjusted`` ≤ 0.01 / 0.05 / 0.10 and the
          statistic is high (Gi*: permutation z > 0; Moran: HH; join count: always high).
          Reading BH-adjusted p against 0.01 / 0.05 / 0.10 is the same as running
          Benjamini–Hochberg at q = 1 % / 5 % / 10 % — ArcGIS's "FDR correction" bins. With
          ``fdr_alpha=None`` these are raw two-sided 99/95/90 % (ArcGIS's ±2.58/1.96/1.65).
        * ``cold_99`` / ``cold_95`` / ``cold_90``: the same for low values (Gi* z < 0; Moran LL).
        * ``outlier_high`` / ``outlier_low`` (Moran only): significant at ≥ 90 % but a high unit
          among low ones (HL) or a low unit among high ones (LH); ``confidence`` holds the level.
        * ``not_significant``: tested, ``p_adjusted`` > 0.10 (or untested status-0 units in
          join counts, whose p is NaN).
        * ``no_neighbours``: has data but no neighbour with data (islands, or all neighbours
          without data); statistic and p are NaN on purpose.
        * ``no_data``: the value (or rate) is missing; statistic and p are NaN.

        ``df.attrs["weights"]`` holds the weights report; ``df.attrs["notes"]`` lists anything
        the caller should tell the user (a constant field; a rank-p resolution floor that FDR
        cannot get under).

    Raises
    ------
    InputError
        Unknown method, negative values for Gi*, non-0/1 values for join counts, misaligned
        values or weights.
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; use one of {', '.join(METHODS)}",
                         message_vi=f"phương pháp {method!r} không hợp lệ")
    if permutations < 1:
        raise InputError("permutations must be ≥ 1 (999 is usual): the classes rest on them")
    if inference not in ("z_sim", "pseudo"):
        raise InputError(f"unknown inference {inference!r}; use 'z_sim' or 'pseudo'")
    prep = _prepare(gdf, values, weights, population, per, k, distance_km)
    codes, vals = prep.codes, prep.values
    n = len(codes)
    has_data = ~np.isnan(vals)
    if method == "gi_star" and (vals[has_data] < 0).any():
        raise InputError("Gi* needs values ≥ 0 (it compares local sums with the total); "
                         "use local_moran for values that can be negative",
                         message_vi="Gi* cần giá trị không âm; dùng local_moran cho giá trị âm")
    if method == "join_count" and not np.isin(vals[has_data], (0.0, 1.0)).all():
        raise InputError("join counts need a yes/no status coded 1/0",
                         message_vi="thống kê join count cần trạng thái có/không (1/0)")

    out = pd.DataFrame({"code": codes, "value": vals})
    for col in ("statistic", "z", "p_sim", "p", "p_adjusted"):
        out[col] = np.nan
    out["neighbours"] = 0
    out["quadrant"] = None
    notes: list[str] = []

    idx = np.flatnonzero(has_data)
    sub_codes = [codes[i] for i in idx]
    w = _copy_w(prep.w, sub_codes) if len(idx) else None
    card = np.array([len(w.neighbors[i]) for i in range(len(idx))], dtype=int) if len(idx) else np.zeros(0, int)
    out.loc[idx, "neighbours"] = card
    y = vals[idx]
    tested_local = card > 0     # within the subset
    if len(idx) and len(idx) - int((card == 0).sum()) >= 2 and np.ptp(y[tested_local]) > 0 \
            and not (method == "gi_star" and y.sum() == 0):
        res = _run_esda(method, y, w, permutations, seed, n_jobs, inference)
        stat, z, p_sim, p, tested, high, quad = res
        tested &= tested_local
        sel = idx[tested]
        out.loc[sel, "statistic"] = stat[tested]
        out.loc[sel, "z"] = z[tested]
        out.loc[sel, "p_sim"] = p_sim[tested]
        out.loc[sel, "p"] = p[tested]
        if quad is not None:
            out.loc[sel, "quadrant"] = quad[tested]
        high_all = np.zeros(n, dtype=bool)
        high_all[sel] = high[tested]
        untested = idx[tested_local & ~tested]      # join count: status 0, or no 1-1 joins
        if method == "join_count":
            out.loc[untested, "statistic"] = stat[tested_local & ~tested]
    else:
        sel = np.zeros(0, dtype=int)
        high_all = np.zeros(n, dtype=bool)
        untested = idx[tested_local]
        if len(untested):
            notes.append("the values do not vary among units with neighbours (or there are "
                         "fewer than two such units): nothing can be significant")
            out.loc[untested, "statistic"] = 0.0
            out.loc[untested, "z"] = 0.0
            out.loc[untested, "p"] = 1.0

    if len(sel) and fdr_alpha is not None and (method == "join_count" or inference == "pseudo"):
        floor = (1 if method == "join_count" else 2) / (permutations + 1)
        need = math.ceil(floor * len(sel) / 0.10)
        if need > 1:
            notes.append(f"with {permutations} permutations the smallest p is {floor:.4f}: the FDR "
                         f"over {len(sel)} units declares nothing significant unless at least {need} "
                         f"units reach it; use more permutations")
    if len(sel):
        p = out.loc[sel, "p"].to_numpy()
        out.loc[sel, "p_adjusted"] = false_discovery_control(p, method="bh") if fdr_alpha is not None else p
    if len(untested) and method != "join_count":
        out.loc[untested, "p_adjusted"] = 1.0
    padj = out["p_adjusted"].to_numpy()
    confidence = np.zeros(n, dtype=int)
    for level, alpha in reversed(LEVELS):
        confidence[np.nan_to_num(padj, nan=1.0) <= alpha] = level
    out["confidence"] = confidence
    out["significant"] = (np.nan_to_num(padj, nan=1.0) <= (fdr_alpha if fdr_alpha is not None else 0.05))

    cls = np.full(n, "not_significant", dtype=object)
    cls[~has_data] = "no_data"
    no_nb = np.zeros(n, dtype=bool)
    no_nb[idx[~tested_local]] = True
    cls[no_nb] = "no_neighbours"
    sig = confidence > 0
    quad_arr = out["quadrant"].to_numpy()
    for i in np.flatnonzero(sig):
        level = confidence[i]
        if method == "local_moran" and quad_arr[i] in ("HL", "LH"):
            cls[i] = "outlier_high" if quad_arr[i] == "HL" else "outlier_low"
        else:
            cls[i] = f"{'hot' if high_all[i] else 'cold'}_{level}"
    out["class"] = cls
    out = out[["code", "value", "neighbours", "statistic", "z", "quadrant", "p_sim", "p",
               "p_adjusted", "significant", "confidence", "class"]]
    if method != "local_moran":
        out["quadrant"] = None
    out.attrs["weights"] = prep.report
    out.attrs["method"] = method
    out.attrs["permutations"] = permutations
    out.attrs["seed"] = seed
    out.attrs["fdr_alpha"] = fdr_alpha
    out.attrs["notes"] = notes
    return out


def _run_esda(method, y, w, permutations, seed, n_jobs, inference):
    """Run esda on units with data; return arrays aligned with ``y``."""
    state = np.random.get_state()     # esda (without numba) calls np.random.seed(seed)
    try:
        return _esda(method, y, w, permutations, seed, n_jobs, inference)
    finally:
        np.random.set_state(state)


def _two_sided(z_sim, p_sim, inference):
    """The p used for classes: from the permutation z (default) or the rank of the observed value."""
    pseudo = np.minimum(1.0, 2 * p_sim)
    if inference == "pseudo":
        return pseudo
    p = 2 * stats.norm.sf(np.abs(z_sim))
    # a permutation distribution without spread (e.g. almost all values equal) has no z
    return np.where(np.isfinite(z_sim), p, pseudo)


def _esda(method, y, w, permutations, seed, n_jobs, inference):
    import esda

    with warnings.catch_warnings():
        # esda warns that its default alternative will change; we fold/double explicitly
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        # libpysal repeats the islands / components warning on every copy; build_weights reports them
        warnings.filterwarnings("ignore", message=".*(not fully connected|islands)", category=UserWarning)
        if method == "gi_star":
            g = esda.G_Local(y, w, transform="B", star=True, permutations=permutations,
                             seed=seed, n_jobs=n_jobs, keep_simulations=True)
            p_sim = np.asarray(g.p_sim, dtype=float)
            zs = np.asarray(g.Zs, dtype=float)
            z_sim = np.asarray(g.z_sim, dtype=float)
            high = np.where(np.isfinite(z_sim), z_sim > 0, zs > 0)
            return zs, z_sim, p_sim, _two_sided(z_sim, p_sim, inference), np.ones(len(y), bool), high, None
        if method == "local_moran":
            m = esda.Moran_Local(y, w, transformation="r", permutations=permutations,
                                 seed=seed, n_jobs=n_jobs, keep_simulations=True)
            p_sim = np.asarray(m.p_sim, dtype=float)
            z_sim = np.asarray(m.z_sim, dtype=float)
            quad = np.array(["", "HH", "LH", "LL", "HL"], dtype=object)[np.asarray(m.q, dtype=int)]
            return (np.asarray(m.Is, dtype=float), z_sim, p_sim, _two_sided(z_sim, p_sim, inference),
                    np.ones(len(y), bool), np.isin(quad, ("HH", "HL")), quad)
        # local join count: esda's estimator for the statistic, crand for seeded inference
        from esda.crand import crand
        from esda.join_counts_local import Join_Counts_Local, _ljc_uni

        ljc = Join_Counts_Local(connectivity=w, permutations=0, drop_islands=True).fit(y, permutations=0)
        wb = ljc.w
        # esda returns LJC for non-islands only, sorted by id (ids are positions here)
        card = np.diff(wb.sparse.tocsr().indptr)
        stat = np.zeros(len(y))
        stat[np.flatnonzero(card > 0)] = np.asarray(ljc.LJC, dtype=float)
        p_sim, _ = crand(z=y.astype(float), w=wb, observed=stat, permutations=permutations,
                         keep=False, n_jobs=n_jobs, stat_func=_ljc_uni, seed=seed,
                         alternative="greater")
        p_sim = np.asarray(p_sim, dtype=float)
        tested = stat > 0
        p_sim[~tested] = np.nan
        return stat, np.full(len(y), np.nan), p_sim, p_sim, tested, np.ones(len(y), bool), None


# --------------------------------------------------------------------------------------------
# emerging hot spots
# --------------------------------------------------------------------------------------------

def emerging_hotspots(gdf: gpd.GeoDataFrame, panel: pd.DataFrame, weights="queen",
                      permutations: int = 999, seed: int | None = DEFAULT_SEED,
                      fdr_alpha: float | None = 0.05, *, trend_alpha: float = 0.05,
                      share: float = 0.9, k: int = 6, distance_km: float | None = None,
                      n_jobs: int = 1, inference: str = "z_sim", detail: bool = False):
    """ArcGIS-style emerging hot-spot categories from a Gi* per period and a Mann–Kendall trend.

    Parameters
    ----------
    gdf : GeoDataFrame
        Units with a unique ``code``.
    panel : DataFrame
        Long table with columns ``code``, ``period`` (sortable: year, date …) and ``value``
        (≥ 0). A unit absent in a period, or NaN, is *no data* for that period.
    weights, permutations, seed, fdr_alpha, k, distance_km, n_jobs, inference
        As in :func:`local_statistic` (FDR is applied within each period); the same weights serve every period and period ``t``
        (0-based) is randomised with ``seed + t``, so runs repeat exactly.
    trend_alpha : float
        Significance of the Mann–Kendall trend (two-sided), default 0.05.
    share : float
        "90 percent of the time steps" of ArcGIS: a unit is hot for "most" periods when it is
        hot in at least ``ceil(share * n_periods)`` of them (9 of 10, 5 of 5).
    detail : bool
        Also return the per-period Gi* table (``code``, ``period``, ``value``, ``gi_z`` (analytic),
        ``z`` (permutation), ``p_adjusted``, ``class``).

    Returns
    -------
    DataFrame (or (summary, per_period) with ``detail=True``)
        One row per unit of ``gdf``: ``code``, ``category``, ``n_periods`` (with data),
        ``n_hot``, ``n_cold``, ``final`` (class in the last period), ``trend``
        (``increasing`` / ``decreasing`` / ``no trend`` / ``too short``), ``trend_tau``,
        ``trend_p``.

    Notes
    -----
    *Significant* in a period means a Gi* class hot_* or cold_* (adjusted p ≤ 0.10, i.e. ≥ 90 %
    confidence, the threshold ArcGIS uses). Differences from ArcGIS: its Gi* is space-time
    (neighbours in earlier time steps count too); here it is spatial per period. The trend is
    :func:`pymannkendall.original_test` on the unit's analytic Gi* **z-scores** (esda ``Zs``:
    deterministic, no permutation noise) over the periods with a z — the "intensity of
    clustering" — two-sided at ``trend_alpha``; at least 4 periods are needed for any trend
    to reach 5 % (shorter series get ``trend = "too short"`` below 3 periods).

    Categories (``<pattern>_hot`` / ``<pattern>_cold``, tested in this order, hot shown; cold
    mirrors it with hot ↔ cold and increasing ↔ decreasing):

    * ``intensifying_hot``: hot in ≥ 90 % of periods including the last; z rises
      significantly.
    * ``persistent_hot``: hot in ≥ 90 % including the last; no significant trend.
    * ``diminishing_hot``: hot in ≥ 90 % including the last; z falls significantly.
    * ``oscillating_hot``: hot in the last period, < 90 % hot, and cold in some earlier period.
    * ``new_hot``: hot in the last period and never hot (nor cold) before.
    * ``consecutive_hot``: hot in an uninterrupted run of ≥ 2 periods ending with the last,
      never hot before that run, < 90 % hot.
    * ``sporadic_hot``: hot in the last period, hot on and off before, never cold, < 90 % hot.
    * ``historical_hot``: **not** hot in the last period but hot in ≥ 90 % of periods.
    * ``no_pattern``: none of those (including units never significant).
    * ``no_neighbours``: no neighbour in any period (islands); ``no_data``: no value ever.
    """
    import pymannkendall as mk

    missing = {"code", "period", "value"} - set(panel.columns)
    if missing:
        raise InputError(f"the panel needs columns code, period, value (missing: {', '.join(sorted(missing))})")
    codes = _codes(gdf)
    data = panel[["code", "period", "value"]].copy()
    data["code"] = data["code"].astype(str)
    if data.duplicated(["code", "period"]).any():
        raise InputError("the panel has more than one value for a unit in a period")
    unknown = sorted(set(data["code"]) - set(codes))
    if unknown:
        raise InputError(f"panel codes not among the units: {', '.join(unknown[:20])}")
    periods = sorted(data["period"].unique())
    if not periods:
        raise InputError("the panel is empty")
    if isinstance(weights, str):
        weights = build_weights(gdf, kind=weights, k=k, distance_km=distance_km)
    wide = data.pivot(index="code", columns="period", values="value").reindex(index=codes, columns=periods)

    per_period = []
    for t, period in enumerate(periods):
        res = local_statistic(gdf, wide[period].to_numpy(dtype=float), "gi_star", weights=weights,
                              permutations=permutations,
                              seed=None if seed is None else seed + t, fdr_alpha=fdr_alpha,
                              n_jobs=n_jobs, inference=inference)
        res = res.rename(columns={"statistic": "gi_z"}).assign(period=period)
        per_period.append(res[["code", "period", "value", "gi_z", "z", "p_adjusted", "class"]])
    detail_df = pd.concat(per_period, ignore_index=True)

    cls = np.stack([p["class"].to_numpy() for p in per_period], axis=1)     # units × periods
    zs = np.stack([p["gi_z"].to_numpy(dtype=float) for p in per_period], axis=1)
    n_t = len(periods)
    need = math.ceil(share * n_t - 1e-9)
    rows = []
    for i, code in enumerate(codes):
        c = cls[i]
        hot = np.array([s.startswith("hot_") for s in c])
        cold = np.array([s.startswith("cold_") for s in c])
        with_data = c != "no_data"
        z = zs[i][~np.isnan(zs[i])]
        trend, tau, tp = "too short", np.nan, np.nan
        if len(z) >= 3 and np.ptp(z) > 0:
            r = mk.original_test(z, alpha=trend_alpha)
            tau, tp = float(r.Tau), float(r.p)
            trend = r.trend if r.h else "no trend"
        elif len(z) >= 3:
            trend, tau, tp = "no trend", 0.0, 1.0
        if not with_data.any():
            category = "no_data"
        elif all(s in ("no_neighbours", "no_data") for s in c):
            category = "no_neighbours"
        else:
            category = (_pattern(hot, cold, trend, need, "increasing", "decreasing", "hot")
                        or _pattern(cold, hot, trend, need, "decreasing", "increasing", "cold")
                        or "no_pattern")
        rows.append({"code": code, "category": category, "n_periods": int(with_data.sum()),
                     "n_hot": int(hot.sum()), "n_cold": int(cold.sum()), "final": c[-1],
                     "trend": trend, "trend_tau": tau, "trend_p": tp})
    out = pd.DataFrame(rows)
    out.attrs["periods"] = list(periods)
    out.attrs["weights"] = weights[1] if isinstance(weights, tuple) else None
    return (out, detail_df) if detail else out


def _pattern(sig, opposite, trend, need, up, down, name) -> str | None:
    """The ArcGIS pattern of one side (hot or cold), or None. ``sig`` is that side per period."""
    n_sig = int(sig.sum())
    if not sig[-1]:
        return f"historical_{name}" if n_sig >= need else None
    if n_sig >= need:
        if trend == up:
            return f"intensifying_{name}"
        if trend == down:
            return f"diminishing_{name}"
        return f"persistent_{name}"
    before = sig[:-1]
    if opposite[:-1].any():
        return f"oscillating_{name}"
    if not before.any():
        return f"new_{name}"
    # length of the final uninterrupted run
    run = len(sig) - (np.flatnonzero(~sig).max() + 1 if (~sig).any() else 0)
    if run >= 2 and not sig[: len(sig) - run].any():
        return f"consecutive_{name}"
    return f"sporadic_{name}"
