"""Demo indicator values: yearly counts per unit that cluster in space (they follow the hotspot
surface) and meet the published provincial sums.

Pre-2025: six indicators a year, 2015–2024, on populations split from the 2025 list; 2025: crimes,
registered drug users and population for 2025 and 2026-Q1. Counts are Poisson draws around a
log-rate of population + surface + slow trend + designation effect.

Trip-wires:

* Lai Châu's 2024 sums (self-managed models, pledged households) are met exactly by a
  largest-remainder allocation (:func:`allocate`), and the earlier years are scaled to the same
  level so there is no jump into the published year;
* crimes are a flow (a quarter holds about a quarter of a year's cases), registered drug users a
  stock counted at the period's end (a quarter holds about as many as the year);
* draws come from the generator's one ``rng`` in a fixed order: see :mod:`geoapp.demo.surface`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .inputs import DemoInputs
from .plan import INDICATORS, INDICATORS_2025, KEY_ANTT, KEY_DRUG, PUBLISHED, RATES, YEARS
from .statuses import status_as_of

#: the last pre-2025 year, whose populations come from the 2025 list
BASE_YEAR = 2024


def allocate(total: int, weights) -> np.ndarray:
    """Integers proportional to ``weights`` that sum to exactly ``total`` (largest remainders)."""
    w = np.asarray(weights, dtype=float)
    w = np.where(np.isfinite(w) & (w > 0), w, 0.0)
    if w.sum() == 0:
        w = np.ones_like(w)
    share = total * w / w.sum()
    out = np.floor(share).astype(int)
    rest = total - out.sum()
    # ties broken by position (units sorted by code) so the result is deterministic
    order = np.lexsort((np.arange(len(w)), -(share - out)))
    out[order[:rest]] += 1
    return out


def populations_pre(inputs: DemoInputs) -> pd.Series:
    """Plausible 2024 populations of old communes from the 2025 list, split over the parts.

    A new unit's population is shared among the old communes it was formed from in proportion
    to √area (towns merge many small wards, so plain area would starve them); a commune split
    between several new units takes a share of each.
    """
    units_new = inputs.units_2025.set_index("code")
    area_new = units_new["area_km2"].astype(float)
    pop_new = units_new["population"].astype(float)
    density = float(np.nanmedian((pop_new / area_new).to_numpy()))
    # units missing a population (the list says "đang cập nhật") get the median density
    pop_new = pop_new.fillna(area_new * density).fillna(5000.0)
    cw = inputs.crosswalk
    area = cw["old_code"].map(inputs.part_area).astype(float)
    area = area.fillna(float(np.nanmedian(list(inputs.part_area.values()) or [20.0])))
    splits = cw.groupby("old_code")["new_code"].transform("count")
    w = np.sqrt(area) / splits
    share = w / w.groupby(cw["new_code"]).transform("sum")
    pop = (share * cw["new_code"].map(pop_new)).groupby(cw["old_code"]).sum()
    out = inputs.units_pre["code"].map(pop)
    # not in the crosswalk (never seen in the real data): 2,000–15,000 scaled by area
    fallback = (2000 + 150 * inputs.units_pre["area_km2"].astype(float).fillna(30.0)).clip(2000, 15000)
    return out.fillna(fallback).round().astype(int).set_axis(inputs.units_pre["code"])


def value_row(code, indicator, period, start, end, value) -> dict:
    """One indicator value as the store takes it."""
    return {"code": code, "indicator": indicator, "period": period, "period_start": start, "period_end": end,
            "value": float(value), "note": ""}


class _PreUnits:
    """The per-unit constants of the pre-2025 draws (drawn once, in this order)."""

    def __init__(self, rng, inputs: DemoInputs):
        units = inputs.units_pre
        self.codes = units["code"].to_numpy()
        prov = units["province_code"].to_numpy()
        n = len(self.codes)
        self.pop2024 = populations_pre(inputs).to_numpy().astype(float)
        self.growth = np.array([RATES[p][2] for p in prov])
        self.crime_base = np.array([RATES[p][0] for p in prov])
        self.drug_base = np.array([RATES[p][1] for p in prov])
        self.unit_fx = rng.normal(0.0, 0.15, n)          # a unit's own persistent deviation
        self.hh_size = rng.uniform(4.2, 4.9, n)           # people per household (mountain communes: larger)
        model_fx = rng.normal(0.0, 0.25, n)
        # expected 2024 values of Lai Châu, so that its published sums are met without a jump in 2024
        self.lai_chau = prov == "12"
        self.pop_term = (self.pop2024 / 5000.0) ** 0.4
        self.model_fx = np.exp(model_fx)
        base_models = (2.0 + 0.45 * 9) * self.pop_term * self.model_fx
        self.scale_models = np.ones(n)
        self.scale_models[self.lai_chau] = PUBLISHED["lai_chau_models_2024"]["value"] / \
            base_models[self.lai_chau].sum()
        base_hh = self.pop2024 / self.hh_size * 0.86
        self.scale_hh = np.ones(n)
        self.scale_hh[self.lai_chau] = PUBLISHED["lai_chau_households_2024"]["value"] / \
            base_hh[self.lai_chau].sum()


def _year_values(rng, u: _PreUnits, z: np.ndarray, year: int, status_pre: pd.DataFrame) -> dict:
    """The six indicators of one pre-2025 year, per unit."""
    t = year - YEARS[0]
    mid = f"{year}-07-01"
    antt = status_as_of(status_pre, "antt", mid)
    drug = status_as_of(status_pre, "ma_tuy", mid)
    key_antt = np.array([antt.get(c) == KEY_ANTT for c in u.codes])
    key_drug = np.array([drug.get(c) in KEY_DRUG for c in u.codes])
    pop = np.round(u.pop2024 * (1 + u.growth) ** (year - BASE_YEAR))
    # log-rates: population + field (the hotspots) + slow trend + designation effect
    crime_l = pop / 1000 * u.crime_base * np.exp(0.9 * z - 0.03 * t + 0.3 * key_antt + u.unit_fx)
    drug_l = pop / 1000 * u.drug_base * np.exp(0.9 * z - 0.04 * t + 0.5 * key_drug + u.unit_fx)
    crime = rng.poisson(crime_l)
    users = rng.poisson(drug_l)
    reports = rng.poisson(0.6 * crime_l + pop / 1000 * 0.8 * np.exp(0.05 * t))
    models = rng.poisson((2.0 + 0.45 * t) * u.pop_term * u.model_fx * u.scale_models)
    pledge_share = np.clip(0.62 + 0.027 * t + rng.normal(0, 0.02, len(u.codes)), 0.3, 0.97)
    households = np.round(pop / u.hh_size)
    pledged = rng.binomial(households.astype(int), np.clip(pledge_share * u.scale_hh, 0, 1))
    if year == int(PUBLISHED["lai_chau_models_2024"]["period"]):
        # the published provincial sums, allocated in proportion to the draws
        models[u.lai_chau] = allocate(PUBLISHED["lai_chau_models_2024"]["value"], models[u.lai_chau] + 0.5)
        pledged[u.lai_chau] = allocate(PUBLISHED["lai_chau_households_2024"]["value"], pledged[u.lai_chau])
    return {"so_vu_pham_toi": crime, "so_nguoi_nghien": users, "tin_bao_to_giac": reports,
            "so_mo_hinh_tu_quan": models, "ho_dang_ky_antt": pledged, "dan_so": pop}


def indicators_pre(rng, inputs: DemoInputs, z: np.ndarray, status_pre: pd.DataFrame) -> list[dict]:
    """Every pre-2025 indicator value: :data:`INDICATORS` × :data:`YEARS` × unit."""
    u = _PreUnits(rng, inputs)
    rows: list[dict] = []
    for year in YEARS:
        values = _year_values(rng, u, z, year, status_pre)
        start, end = f"{year}-01-01", f"{year}-12-31"
        for name in INDICATORS:
            col = values[name]
            rows.extend(value_row(u.codes[i], name, str(year), start, end, col[i]) for i in range(len(u.codes)))
    return rows


def indicators_2025(rng, inputs: DemoInputs, z_new: np.ndarray, drug_new: dict, antt_new: dict) -> list[dict]:
    """The 2025 edition's values: crimes, drug users, population for 2025; crimes and users for 2026-Q1."""
    units = inputs.units_2025
    codes = units["code"].to_numpy()
    area = units["area_km2"].astype(float)
    pop = units["population"].astype(float)
    density = float(np.nanmedian((pop / area).to_numpy()))
    pop = pop.fillna(area * density).fillna(20000.0).round().to_numpy()
    prov = units["province_code"].to_numpy()
    crime_base = np.array([RATES[p][0] for p in prov])
    drug_base = np.array([RATES[p][1] for p in prov])
    key_antt = np.array([antt_new.get(c) == KEY_ANTT for c in codes])
    key_drug = np.array([drug_new.get(c) in KEY_DRUG for c in codes])
    unit_fx = rng.normal(0.0, 0.15, len(codes))
    t = 10
    crime_l = pop / 1000 * crime_base * np.exp(0.9 * z_new - 0.03 * t + 0.3 * key_antt + unit_fx)
    drug_l = pop / 1000 * drug_base * np.exp(0.9 * z_new - 0.04 * t + 0.5 * key_drug + unit_fx)
    rows: list[dict] = []
    # crimes are a flow (a quarter holds about a quarter of the year's cases); registered users
    # are a stock counted at the period's end, so a quarter holds about as many as the year
    for period, start, end, crimes, users in (("2025", "2025-01-01", "2025-12-31", 1.0, 1.0),
                                              ("2026-Q1", "2026-01-01", "2026-03-31", 0.23, 0.97)):
        values = {"so_vu_pham_toi": rng.poisson(crime_l * crimes), "so_nguoi_nghien": rng.poisson(drug_l * users),
                  "dan_so": pop}
        names = INDICATORS_2025 if period == "2025" else ("so_vu_pham_toi", "so_nguoi_nghien")
        for name in names:
            rows.extend(value_row(codes[i], name, period, start, end, values[name][i]) for i in range(len(codes)))
    return rows
