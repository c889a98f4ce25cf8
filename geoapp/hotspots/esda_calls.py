"""The esda calls behind every local statistic: run Gi*, Local Moran or Local Join Count with
seeded permutations on the units that have data, and return plain arrays aligned with them.

Trip-wires:

* **esda seeds numpy's global generator** (without numba it calls ``np.random.seed(seed)``):
  :func:`run_esda` puts the global state back after every call.
* **``Join_Counts_Local.fit`` ignores its ``seed``**: the join-count randomisation goes through
  :func:`esda.crand.crand` with the seed here.
* **numba makes it slower here, and changes the p-values.** esda JIT-compiles its
  randomisation with numba when numba is installed: ~13 s on the first call in every process,
  then 0.13 s for Gi* with 999 permutations over the 3,321 units of 2025 (``n_jobs=-1``: ~15 s,
  the workers compile again). Without numba the same run takes ~0.2 s and nothing to compile,
  so geoapp does not depend on numba. numba's random stream differs from numpy's, so the same
  seed gives different pseudo p-values with and without numba (the statistics are identical):
  compare runs made in the same environment.
* The weights handed in must be a fresh positional copy
  (:func:`geoapp.hotspots.weights.positional_copy`): esda transforms them in place.
"""
from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
from scipy import stats


class EsdaResult(NamedTuple):
    """Arrays aligned with the values given to :func:`run_esda`."""

    statistic: np.ndarray    # Gi*: analytic z (Zs); Moran: local I; join count: the count
    z: np.ndarray            # permutation z (z_sim); NaN for join count
    p_sim: np.ndarray        # esda's folded one-sided rank p
    p: np.ndarray            # the p the classes use (see two_sided)
    tested: np.ndarray       # bool: the unit was tested (join count: status 1 with a 1-1 join)
    high: np.ndarray         # bool: the statistic points to a hot (not cold) unit
    quadrant: np.ndarray | None   # Moran only: HH/LH/LL/HL


def run_esda(method: str, y, w, permutations: int, seed, n_jobs: int, inference: str) -> EsdaResult:
    """Run esda on units with data (``y``, weights ``w`` with ids 0..n-1); restore numpy's RNG."""
    state = np.random.get_state()     # esda (without numba) calls np.random.seed(seed)
    try:
        with warnings.catch_warnings():
            # esda warns that its default alternative will change; we fold/double explicitly
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            # libpysal repeats the islands / components warning on every copy; build_weights reports them
            warnings.filterwarnings("ignore", message=".*(not fully connected|islands)", category=UserWarning)
            run = {"gi_star": _gi_star, "local_moran": _local_moran, "join_count": _join_count}[method]
            return run(y, w, permutations, seed, n_jobs, inference)
    finally:
        np.random.set_state(state)


def two_sided(z_sim, p_sim, inference: str):
    """The p used for classes: from the permutation z (default) or the rank of the observed value."""
    pseudo = np.minimum(1.0, 2 * p_sim)
    if inference == "pseudo":
        return pseudo
    p = 2 * stats.norm.sf(np.abs(z_sim))
    # a permutation distribution without spread (e.g. almost all values equal) has no z
    return np.where(np.isfinite(z_sim), p, pseudo)


def _gi_star(y, w, permutations, seed, n_jobs, inference) -> EsdaResult:
    import esda

    g = esda.G_Local(y, w, transform="B", star=True, permutations=permutations,
                     seed=seed, n_jobs=n_jobs, keep_simulations=True)
    p_sim = np.asarray(g.p_sim, dtype=float)
    zs = np.asarray(g.Zs, dtype=float)
    z_sim = np.asarray(g.z_sim, dtype=float)
    high = np.where(np.isfinite(z_sim), z_sim > 0, zs > 0)
    return EsdaResult(zs, z_sim, p_sim, two_sided(z_sim, p_sim, inference), np.ones(len(y), bool), high, None)


def _local_moran(y, w, permutations, seed, n_jobs, inference) -> EsdaResult:
    import esda

    m = esda.Moran_Local(y, w, transformation="r", permutations=permutations,
                         seed=seed, n_jobs=n_jobs, keep_simulations=True)
    p_sim = np.asarray(m.p_sim, dtype=float)
    z_sim = np.asarray(m.z_sim, dtype=float)
    quad = np.array(["", "HH", "LH", "LL", "HL"], dtype=object)[np.asarray(m.q, dtype=int)]
    return EsdaResult(np.asarray(m.Is, dtype=float), z_sim, p_sim, two_sided(z_sim, p_sim, inference),
                      np.ones(len(y), bool), np.isin(quad, ("HH", "HL")), quad)


def _join_count(y, w, permutations, seed, n_jobs, inference) -> EsdaResult:
    """Local join count: esda's estimator for the statistic, crand for seeded inference.

    Always the one-sided upper rank p (the counts are too discrete for a normal tail);
    ``inference`` is ignored.
    """
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
    return EsdaResult(stat, np.full(len(y), np.nan), p_sim, p_sim, tested, np.ones(len(y), bool), None)
