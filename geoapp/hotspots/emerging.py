"""Emerging hot spots: a Gi* per period on the same weights, a Mann–Kendall trend of each unit's
Gi* z-scores, and the ArcGIS-style category (new, consecutive, intensifying, … hot/cold) per unit.

Trip-wires:

* **Spatial per period, not space-time.** ArcGIS's Gi* counts neighbours in earlier time steps
  too; here each period is a separate spatial Gi* (FDR within each period). Period ``t``
  (0-based) is randomised with ``seed + t`` so runs repeat exactly.
* **The trend is on the analytic z** (esda ``Zs``: deterministic, no permutation noise), not
  on the permutation z; at least 4 periods are needed for any trend to reach 5 %, and fewer
  than 3 give ``trend = "too short"``.
* **"Most periods" is** ``ceil(share * n_periods)`` (9 of 10, 5 of 5), computed with a small
  epsilon so that 0.9 × 10 is 9, not 10.
"""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError
from .local import DEFAULT_SEED, local_statistic
from .weights import build_weights, unit_codes

#: emerging hot-spot patterns, in the order they are tested (hot and cold mirror each other)
PATTERNS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic",
            "oscillating", "historical")


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
        As in :func:`geoapp.hotspots.local.local_statistic` (FDR is applied within each
        period); the same weights serve every period and period ``t`` (0-based) is randomised
        with ``seed + t``, so runs repeat exactly.
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
    codes, wide, periods = _wide_panel(panel, gdf)
    if isinstance(weights, str):
        weights = build_weights(gdf, kind=weights, k=k, distance_km=distance_km)
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
    need = math.ceil(share * len(periods) - 1e-9)
    out = pd.DataFrame([_unit_summary(code, cls[i], zs[i], need, trend_alpha) for i, code in enumerate(codes)])
    out.attrs["periods"] = list(periods)
    out.attrs["weights"] = weights[1] if isinstance(weights, tuple) else None
    return (out, detail_df) if detail else out


def pattern_of(sig, opposite, trend, need, up, down, name) -> str | None:
    """The ArcGIS pattern of one side (hot or cold), or None.

    ``sig`` and ``opposite`` are bool arrays per period (that side significant, the other side
    significant); ``need`` is the number of periods that makes "most"; ``up``/``down`` the
    trend words that intensify/diminish this side; ``name`` is ``"hot"`` or ``"cold"``.
    """
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


def _wide_panel(panel: pd.DataFrame, gdf):
    """Check the long panel; return the unit codes and the panel as units × sorted periods."""
    missing = {"code", "period", "value"} - set(panel.columns)
    if missing:
        raise InputError(f"the panel needs columns code, period, value (missing: {', '.join(sorted(missing))})")
    codes = unit_codes(gdf)
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
    wide = data.pivot(index="code", columns="period", values="value").reindex(index=codes, columns=periods)
    return codes, wide, periods


def _trend(z: np.ndarray, trend_alpha: float):
    """Mann–Kendall on the z-scores with a value: (trend, tau, p)."""
    import pymannkendall as mk

    if len(z) < 3:
        return "too short", np.nan, np.nan
    if not np.ptp(z) > 0:
        return "no trend", 0.0, 1.0
    r = mk.original_test(z, alpha=trend_alpha)
    return (r.trend if r.h else "no trend"), float(r.Tau), float(r.p)


def _unit_summary(code, c, zs, need, trend_alpha) -> dict:
    """One unit's row: its category from its classes per period ``c`` and Gi* z-scores ``zs``."""
    hot = np.array([s.startswith("hot_") for s in c])
    cold = np.array([s.startswith("cold_") for s in c])
    with_data = c != "no_data"
    trend, tau, tp = _trend(zs[~np.isnan(zs)], trend_alpha)
    if not with_data.any():
        category = "no_data"
    elif all(s in ("no_neighbours", "no_data") for s in c):
        category = "no_neighbours"
    else:
        category = (pattern_of(hot, cold, trend, need, "increasing", "decreasing", "hot")
                    or pattern_of(cold, hot, trend, need, "decreasing", "increasing", "cold")
                    or "no_pattern")
    return {"code": code, "category": category, "n_periods": int(with_data.sum()),
            "n_hot": int(hot.sum()), "n_cold": int(cold.sum()), "final": c[-1],
            "trend": trend, "trend_tau": tau, "trend_p": tp}
