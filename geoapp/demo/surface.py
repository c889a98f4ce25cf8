"""The demo's hotspots: one smooth random surface over both editions, as z-scores per unit.

The surface is a sum of Gaussian bumps placed at random unit centroids (in the equal-area CRS,
so bandwidths are metres). It drives crime and drug counts (:mod:`geoapp.demo.indicators`) and
makes key designations likelier where it is high (:mod:`geoapp.demo.statuses`). Because it is a
surface, not a per-unit draw, the same hotspots show up in both editions.

Trip-wires:

* every draw comes from the generator's one ``rng``, in a fixed order: adding, removing or
  reordering a draw here changes every record after it (and the demo's fingerprint);
* z-scores are per old province, clipped to ±2.5; units without geometry get 0 (no spatial term).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .inputs import DemoInputs
from .plan import PROVINCES_2025, PROVINCES_PRE

#: z-scores are clipped here: one commune under a narrow peak would otherwise dwarf the province
Z_CLIP = 2.5


class Surface:
    """A smooth random surface: Gaussian bumps at random unit centroids (metres, equal-area CRS)."""

    def __init__(self):
        self.centres: list[tuple[float, float, float, float]] = []   # x, y, sigma, amplitude

    def add_bumps(self, rng: np.random.Generator, xy: pd.DataFrame, k_lo: int = 3, k_hi: int = 6):
        """Add ``k_lo`` … ``k_hi - 1`` bumps centred on randomly chosen points of ``xy``."""
        if xy.empty:
            return
        k = int(rng.integers(k_lo, k_hi))
        idx = rng.choice(len(xy), size=min(k, len(xy)), replace=False)
        for i in sorted(idx):
            self.centres.append((float(xy["x"].iloc[i]), float(xy["y"].iloc[i]),
                                 float(rng.uniform(10e3, 25e3)), float(rng.uniform(0.8, 1.6))))

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        out = np.zeros(len(x))
        for cx, cy, s, a in self.centres:
            out += a * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))
        return out


def draw_surface(rng: np.random.Generator, inputs: DemoInputs) -> Surface:
    """Bumps around each old province's communes, then around the parts of the new provinces
    that have no pre-2025 layer (so they get hotspots too)."""
    surface = Surface()
    for p in PROVINCES_PRE:
        codes = set(inputs.units_pre.loc[inputs.units_pre["province_code"] == p, "code"])
        surface.add_bumps(rng, inputs.xy_pre[inputs.xy_pre["code"].isin(codes)])
    demo_parts = set(inputs.units_pre["code"])
    bare = sorted(set(inputs.crosswalk["new_code"]) - set(
        inputs.crosswalk.loc[inputs.crosswalk["old_code"].isin(demo_parts), "new_code"]))
    for p in PROVINCES_2025:
        codes = set(inputs.units_2025.loc[inputs.units_2025["province_code"] == p, "code"]) & set(bare)
        surface.add_bumps(rng, inputs.xy_2025[inputs.xy_2025["code"].isin(codes)], 2, 4)
    return surface


def unit_z(units: pd.DataFrame, xy: pd.DataFrame, surface: Surface, mean, sd) -> np.ndarray:
    """Standardised surface per unit (aligned with ``units``; ``mean`` and ``sd`` per unit too);
    0 for units without geometry: they get no spatial term."""
    where = xy.set_index("code")
    z = np.zeros(len(units))
    has = units["code"].isin(where.index).to_numpy()
    if has.any():
        pts = where.loc[units["code"][has]]
        z[has] = (surface(pts["x"].to_numpy(), pts["y"].to_numpy()) - np.asarray(mean)[has]) / np.asarray(sd)[has]
    return z


def standardise(inputs: DemoInputs, surface: Surface) -> tuple[np.ndarray, np.ndarray]:
    """The surface as z-scores within each old province, in both editions.

    Per province, so every province has hotspots of similar contrast whatever the bumps did;
    a 2025 unit takes the scale of the old province most of its parts came from, so a hotspot
    keeps its strength across the reform.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        z of ``inputs.units_pre`` and of ``inputs.units_2025``, row-aligned.
    """
    raw = pd.Series(surface(inputs.xy_pre["x"].to_numpy(), inputs.xy_pre["y"].to_numpy()),
                    index=inputs.xy_pre["code"].to_numpy())
    prov = inputs.units_pre.set_index("code")["province_code"]
    overall = (float(raw.mean()), float(raw.std()) or 1.0)
    stats = {p: (float(v.mean()), float(v.std()) or 1.0) for p, v in raw.groupby(raw.index.map(prov))}
    pre = [stats.get(p, overall) for p in inputs.units_pre["province_code"]]
    home = inputs.crosswalk.groupby("new_code")["old_province"].agg(lambda s: s.value_counts().sort_index()
                                                                     .idxmax())
    new = [stats.get(home.get(c), overall) for c in inputs.units_2025["code"]]
    z_pre = unit_z(inputs.units_pre, inputs.xy_pre, surface, [m for m, _ in pre], [d for _, d in pre])
    z_new = unit_z(inputs.units_2025, inputs.xy_2025, surface, [m for m, _ in new], [d for _, d in new])
    return np.clip(z_pre, -Z_CLIP, Z_CLIP), np.clip(z_new, -Z_CLIP, Z_CLIP)
