"""Demo data: plausible, clearly flagged status histories and indicators on real communes.

Real per-commune designations are not public, so the demo invents them — but on the real units
and so that the provincial totals agree with what provinces have published
(``shared/data/published/tong_hop_cong_bo.csv``, restated in :data:`PUBLISHED`). Everything is
drawn from one seeded generator, units sorted by code, so the same seed gives the same records.

What is generated (see :func:`generate_demo`):

* edition ``pre2025``, provinces Lào Cai (10), Lai Châu (12), Sơn La (14), Lâm Đồng (68),
  2015-01-01 … 2025-06-30: ``antt`` histories (designated key complex, converted, a few relapses,
  some reaching the "Safe for security and order" standard), yearly ``ma_tuy`` classifications,
  and yearly indicators 2015–2024;
* edition ``2025``, new provinces 12, 14, 15, 68, 2025-07-01 … 2026-06-30: statuses carried over
  from the old communes each unit was formed from (through the crosswalk, never by code), one
  review in early 2026, and indicators for 2025 and 2026-Q1.

Hotspots: one smooth random surface (a sum of Gaussian bumps placed at random unit centroids,
in the equal-area CRS so distances are metres) drives crime and drug counts, and makes key
designations likelier where it is high. Because it is a surface, not a per-unit draw, the same
hotspots show up in both editions.

Trip-wires:

* the published targets are met *exactly* by construction (cohorts of fixed size, exact
  rank-based class counts, largest-remainder allocation of provincial sums), and
  :func:`demo_checks` recomputes them from the generated records with :func:`geoapp.status.as_of`;
* the official pre-2025 list (drawn on 2025-06-30) has 137 Lâm Đồng communes where the 2022
  article counts 142 (communes were merged in between): the class counts are kept, the
  denominator is reported, never silently changed;
* every batch and record written is flagged ``is_demo`` — pages and exports mark them.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from . import status as st
from .crs import EQUAL_AREA
from .errors import ConfigError, InputError
from .schemes import Catalogue
from .store.base import INDICATOR_COLUMNS, STATUS_COLUMNS, BatchInfo, Store
from .unitlists import CROSSWALK

#: old (pre-2025) provinces that have a pre-2025 layer: Lào Cai, Lai Châu, Sơn La, Lâm Đồng
PROVINCES_PRE = ("10", "12", "14", "68")
#: the new provinces that contain them (2025 codes: 15 is the new Lào Cai, with old Yên Bái)
PROVINCES_2025 = ("12", "14", "15", "68")
START, END_PRE = "2015-01-01", "2025-06-30"
REFORM, END_2025 = "2025-07-01", "2026-06-30"
YEARS = tuple(range(2015, 2025))
INDICATORS = ("so_vu_pham_toi", "so_nguoi_nghien", "tin_bao_to_giac", "so_mo_hinh_tu_quan",
              "ho_dang_ky_antt", "dan_so")
INDICATORS_2025 = ("so_vu_pham_toi", "so_nguoi_nghien", "dan_so")

KEY_ANTT, CONVERTED, SAFE = "trong_diem_phuc_tap", "da_chuyen_hoa", "an_toan_antt"
FREE, PROBLEM, L1, L2, L3 = "khong_ma_tuy", "co_te_nan", "trong_diem_loai_1", "trong_diem_loai_2", \
    "trong_diem_loai_3"
KEY_DRUG = (L1, L2, L3)

#: the published figures the demo must reproduce (``published/tong_hop_cong_bo.csv``)
PUBLISHED = {
    "lai_chau_converted": {"province": "12", "from": "2015-01-01", "on": "2024-03-31", "value": 73,
                           "of": 106},
    "lao_cai_drive": {"province": "10", "window": ("2017-01-01", "2018-12-31"), "on": "2019-01-09",
                      "value": 36},
    "lao_cai_achieved": {"province": "10", "on": "2019-01-09", "value": 25, "of": 36},
    "lai_chau_drug_free": {"province": "12", "on": "2023-05-24", "value": 33, "of": 106},
    "lam_dong_ma_tuy": {"province": "68", "on": "2022-09-16", "of": 142,
                        "value": {FREE: 18, L1: 1, L2: 2, L3: 34}},
    "lai_chau_models_2024": {"province": "12", "indicator": "so_mo_hinh_tu_quan", "period": "2024",
                             "value": 591},
    "lai_chau_households_2024": {"province": "12", "indicator": "ho_dang_ky_antt", "period": "2024",
                                 "value": 90563},
}

#: drug classes per year as (drug-free, type I, type II, type III), interpolated between anchors;
#: the anchors in published years are the published counts, the rest is a plausible rise of the
#: drug-free share towards the 2030 target of 50 %
MA_TUY_PLAN = {
    "10": {2015: (12, 3, 6, 30), 2025: (45, 1, 3, 18)},
    "12": {2015: (6, 3, 6, 22), 2023: (33, 1, 3, 15), 2025: (40, 1, 2, 13)},
    "14": {2015: (14, 4, 10, 45), 2025: (60, 2, 5, 28)},
    "68": {2015: (5, 2, 4, 40), 2022: (18, 1, 2, 34), 2025: (27, 1, 2, 30)},
}
#: per province: crimes and registered drug users per 1,000 people where the field is average,
#: yearly population growth
#: (orders of magnitude of the provinces' reports: a few thousand registered users in the north-west)
RATES = {"10": (1.0, 1.6, 0.012), "12": (0.8, 3.5, 0.014), "14": (0.8, 6.0, 0.014), "68": (0.7, 0.6, 0.009),
         "15": (0.9, 1.6, 0.012)}
#: share of communes ever designated key complex for security (Sơn La, Lâm Đồng: not published)
ANTT_KEY_SHARE = {"14": 0.20, "68": 0.12}

DEMO_NOTE = "DỮ LIỆU MINH HỌA — demo data"


@dataclass
class DemoInputs:
    """What the generator reads from the store and the reference data, nothing else.

    Attributes
    ----------
    units_pre, units_2025 : pandas.DataFrame
        Units of the four old / four new provinces (``code``, ``name``, ``province_code``,
        ``area_km2``, ``population``), sorted by code.
    xy_pre, xy_2025 : pandas.DataFrame
        ``code``, ``x``, ``y``: centroids in :data:`geoapp.crs.EQUAL_AREA` of the units that
        have geometry.
    crosswalk : pandas.DataFrame
        ``old_code``, ``old_province``, ``new_code``, ``new_province`` for the new provinces.
    part_area : dict
        Area (km², NaN when unknown) of every old commune named in ``crosswalk``.
    """

    units_pre: pd.DataFrame
    units_2025: pd.DataFrame
    xy_pre: pd.DataFrame
    xy_2025: pd.DataFrame
    crosswalk: pd.DataFrame
    part_area: dict = field(default_factory=dict)


@dataclass
class DemoData:
    """The generated records, ready for the store (:data:`STATUS_COLUMNS` / :data:`INDICATOR_COLUMNS`)."""

    status_pre: pd.DataFrame
    indicators_pre: pd.DataFrame
    status_2025: pd.DataFrame
    indicators_2025: pd.DataFrame

    def fingerprint(self) -> str:
        """SHA-256 over every generated row: equal fingerprints mean identical records."""
        digest = hashlib.sha256()
        for frame in (self.status_pre, self.indicators_pre, self.status_2025, self.indicators_2025):
            digest.update(frame.to_csv(index=False).encode("utf-8"))
        return digest.hexdigest()


# -- reading ------------------------------------------------------------------------------------

def read_crosswalk(path) -> pd.DataFrame:
    """Read the old-commune → new-unit crosswalk.

    Parameters
    ----------
    path : str or pathlib.Path
        ``crosswalk/xa_truoc2025_sang_2025.csv`` (or a data folder holding it).

    Returns
    -------
    pandas.DataFrame
        ``old_code``, ``old_province``, ``new_code``, ``new_province``: 5- and 2-digit strings,
        one row per (old, new) pair. Rows without an old commune (island districts that had no
        communes) are dropped.
    """
    path = Path(path)
    if path.is_dir():
        path = path / CROSSWALK
    wanted = ["provinceCode", "wardCode", "newWardCode", "newProvinceCode"]
    try:
        # dtype=str: codes keep their leading zeros; "wardCode" is float-ish text ("3386.0")
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=wanted)
    except FileNotFoundError:
        raise InputError(f"crosswalk not found: {path}",
                         message_vi=f"không tìm thấy bảng chuyển đổi: {path}") from None
    except ValueError as exc:
        raise InputError(f"{path.name}: expected columns {', '.join(wanted)} ({exc})") from None
    raw = raw[raw["wardCode"].str.strip() != ""]
    frame = pd.DataFrame({
        "old_code": [f"{int(float(c)):05d}" for c in raw["wardCode"]],
        "old_province": raw["provinceCode"].str.strip().str.zfill(2).to_numpy(),
        "new_code": raw["newWardCode"].str.strip().str.zfill(5).to_numpy(),
        "new_province": raw["newProvinceCode"].str.strip().str.zfill(2).to_numpy(),
    })
    return frame.drop_duplicates(["old_code", "new_code"]).sort_values(["new_code", "old_code"]).reset_index(drop=True)


def _centroids(store: Store, edition: str, provinces) -> pd.DataFrame:
    frames = [store.geometries(edition, p) for p in provinces]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({"code": [], "x": [], "y": []})
    geoms = pd.concat(frames, ignore_index=True).set_crs("EPSG:4326", allow_override=True)
    # centroids in metres: the field's bandwidths are distances on the ground
    pts = geoms.to_crs(EQUAL_AREA).geometry.centroid
    return pd.DataFrame({"code": geoms["code"].to_numpy(), "x": pts.x.to_numpy(), "y": pts.y.to_numpy()}) \
        .sort_values("code").reset_index(drop=True)


def read_inputs(store: Store, data_dir=None) -> DemoInputs:
    """Collect what :func:`build_demo` needs, refusing when a precondition is missing.

    Parameters
    ----------
    store : Store
        Holds the pre-2025 list and four-province boundaries, and the 2025 list and the
        boundaries of provinces 12, 14, 15, 68.
    data_dir : path, optional
        Folder laid out like ``../shared/data`` (for the crosswalk); default the
        ``DATA_MIRROR`` setting.

    Raises
    ------
    InputError
        When units, boundaries or the crosswalk are missing — naming what to import.
    """
    if data_dir is None:
        from .config import load_settings
        data_dir = load_settings().get("DATA_MIRROR") or ""
    if not data_dir or not Path(data_dir).is_dir():
        raise InputError("no reference data folder for the crosswalk; set GEOAPP_DATA_MIRROR to a folder laid "
                         "out like ../shared/data",
                         message_vi="không có thư mục dữ liệu tham chiếu (bảng chuyển đổi); đặt GEOAPP_DATA_MIRROR")
    cols = ["code", "name", "province_code", "area_km2", "population", "has_geometry"]
    need = []
    pre = store.units("pre2025")
    units_pre = pre[pre["province_code"].isin(PROVINCES_PRE)][cols].reset_index(drop=True)
    new = store.units("2025")
    units_2025 = new[new["province_code"].isin(PROVINCES_2025)][cols].reset_index(drop=True)
    for p in PROVINCES_PRE:
        sub = units_pre[units_pre["province_code"] == p]
        if sub.empty or not sub["has_geometry"].any():
            need.append(f"pre2025 province {p} (unit list + boundaries/pre2025/xa_4tinh_truoc2025_xapxi.zip)")
    for p in PROVINCES_2025:
        sub = units_2025[units_2025["province_code"] == p]
        if sub.empty or not sub["has_geometry"].any():
            need.append(f"2025 province {p} (unit list + boundaries/2025/{p}_*.zip)")
    if need:
        raise InputError("the demo needs these units first: " + "; ".join(need),
                         message_vi="dữ liệu minh họa cần nhập trước: " + "; ".join(need))
    crosswalk = read_crosswalk(Path(data_dir) / CROSSWALK)
    crosswalk = crosswalk[crosswalk["new_province"].isin(PROVINCES_2025)
                          & crosswalk["new_code"].isin(set(units_2025["code"]))].reset_index(drop=True)
    area = pre.set_index("code")["area_km2"]
    part_area = {c: float(area.get(c)) if pd.notna(area.get(c)) else float("nan")
                 for c in sorted(set(crosswalk["old_code"]))}
    return DemoInputs(units_pre, units_2025, _centroids(store, "pre2025", PROVINCES_PRE),
                      _centroids(store, "2025", PROVINCES_2025), crosswalk, part_area)


# -- small helpers ------------------------------------------------------------------------------

def _plus(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def _allocate(total: int, weights) -> np.ndarray:
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


class _Calendar:
    """Decision dates of one province: one early in the year (Feb–Mar), one after mid-year.

    Provinces designate and release key areas in a few decisions a year, each listing many
    communes, so units share decision numbers and dates the way real records do.
    """

    def __init__(self, rng: np.random.Generator, first: int, last_day: str, office: str = "QĐ-UBND"):
        self.events: list[tuple[str, str]] = []
        for year in range(first, int(last_day[:4]) + 1):
            for lo, span in ((32, 56), (213, 90)):      # 1 Feb + 0..55 days; 1 Aug + 0..89 days
                day = (date(year, 1, 1) + timedelta(days=lo + int(rng.integers(span)))).isoformat()
                number = f"{int(rng.integers(60, 3200))}/{office}"
                if day <= last_day:
                    self.events.append((day, number))

    def pick(self, rng: np.random.Generator, lo: str, hi: str) -> tuple[str, str] | None:
        """A random decision dated within [lo, hi], or None when there is none."""
        options = [e for e in self.events if lo <= e[0] <= hi]
        if not options:
            return None
        return options[int(rng.integers(len(options)))]


def _rec(code, scheme, status, event, note=DEMO_NOTE) -> dict:
    day, number = event
    return {"code": code, "scheme": scheme, "status": status, "valid_from": day, "valid_to": None,
            "decision_no": number, "decision_date": day if number else None, "note": note}


# -- the spatial field ----------------------------------------------------------------------------

class _Field:
    """A smooth random surface: Gaussian bumps at random unit centroids (metres, equal-area CRS)."""

    def __init__(self):
        self.centres: list[tuple[float, float, float, float]] = []   # x, y, sigma, amplitude

    def add_bumps(self, rng: np.random.Generator, xy: pd.DataFrame, k_lo: int = 3, k_hi: int = 6):
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


def _field_z(units: pd.DataFrame, xy: pd.DataFrame, surface: _Field, mean, sd) -> np.ndarray:
    """Standardised field per unit (aligned with ``units``; ``mean`` and ``sd`` per unit too);
    0 for units without geometry: they get no spatial term."""
    where = xy.set_index("code")
    z = np.zeros(len(units))
    has = units["code"].isin(where.index).to_numpy()
    if has.any():
        pts = where.loc[units["code"][has]]
        z[has] = (surface(pts["x"].to_numpy(), pts["y"].to_numpy()) - np.asarray(mean)[has]) / np.asarray(sd)[has]
    return z


def _standardise(inputs: DemoInputs, surface: _Field) -> tuple[np.ndarray, np.ndarray]:
    """The field as z-scores within each old province, in both editions.

    Per province, so every province has hotspots of similar contrast whatever the bumps did;
    a 2025 unit takes the scale of the old province most of its parts came from, so a hotspot
    keeps its strength across the reform.
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
    z_pre = _field_z(inputs.units_pre, inputs.xy_pre, surface, [m for m, _ in pre], [d for _, d in pre])
    z_new = _field_z(inputs.units_2025, inputs.xy_2025, surface, [m for m, _ in new], [d for _, d in new])
    # clipped: one commune under a narrow peak would otherwise dwarf the province (and its map)
    return np.clip(z_pre, -2.5, 2.5), np.clip(z_new, -2.5, 2.5)


# -- statuses, pre-2025 ---------------------------------------------------------------------------

def _antt_chain(rng, cal: _Calendar, code: str, d1: tuple[str, str], *, conv_from: str = START,
                conv_by: str | None = None, p_conv: float = 0.85, p_relapse: float = 0.12,
                relapse_from: str = START, p_safe: float = 0.35, end: str = END_PRE) -> list[dict]:
    """One unit's security history: key → converted (→ key again → converted) (→ safe).

    ``conv_by`` forces a conversion no later than that day (published cumulative totals);
    ``conv_from`` / ``relapse_from`` keep events out of windows a published figure depends on.
    """
    out = [_rec(code, "antt", KEY_ANTT, d1)]
    last = d1[0]
    if conv_by is None and rng.random() >= p_conv:
        return out                                   # still key at the end of the edition
    lo = max(_plus(last, 240), conv_from)           # conversion takes at least ~8 months
    hard = conv_by or end
    ev = cal.pick(rng, lo, min(_plus(last, 4 * 365), hard)) or cal.pick(rng, lo, hard)
    if ev is None:
        return out
    out.append(_rec(code, "antt", CONVERTED, ev))
    last = ev[0]
    if rng.random() < p_relapse:
        ev = cal.pick(rng, max(_plus(last, 240), relapse_from), min(_plus(last, 3 * 365), end))
        if ev is not None:
            out.append(_rec(code, "antt", KEY_ANTT, ev, DEMO_NOTE + " (tái phức tạp / relapse)"))
            last = ev[0]
            ev = cal.pick(rng, _plus(last, 240), end) if rng.random() < 0.6 else None
            if ev is None:
                return out
            out.append(_rec(code, "antt", CONVERTED, ev))
            last = ev[0]
    if rng.random() < p_safe:
        ev = cal.pick(rng, _plus(last, 365), end)
        if ev is not None:
            out.append(_rec(code, "antt", SAFE, ev))
    return out


def _antt_pre(rng, province: str, units: pd.DataFrame, z: np.ndarray, cal: _Calendar) -> list[dict]:
    """Security histories of one old province, meeting its published totals exactly."""
    codes = units["code"].tolist()
    n = len(codes)
    weights = np.exp(1.2 * z)                       # key designations where the field is high
    weights = weights / weights.sum()

    def choose(k, pool=None):
        pool = np.arange(n) if pool is None else np.asarray(pool)
        p = weights[pool] / weights[pool].sum()
        return sorted(int(i) for i in rng.choice(pool, size=k, replace=False, p=p))

    recs: list[dict] = []
    chains: dict[int, list[dict]] = {}
    if province == "12":
        # exactly 73 units converted at least once in 2015-01-01 … 2024-03-31; 7 more designated
        # late and still key (or converted only after the report)
        target = PUBLISHED["lai_chau_converted"]["value"]
        key = choose(min(n, target + 7))
        late = set(sorted(int(i) for i in rng.choice(key, size=len(key) - target, replace=False)))
        cohort = [i for i in key if i not in late]
        d1 = {i: cal.pick(rng, START, "2022-12-31") for i in cohort}
        # at least one relapse (the earliest designation has room for one before mid-2025)
        forced = min(cohort, key=lambda i: (d1[i][0], i))
        for i in cohort:
            chains[i] = _antt_chain(rng, cal, codes[i], d1[i], conv_by="2024-03-31",
                                    p_relapse=1.0 if i == forced else 0.1)
        for i in sorted(late):
            chains[i] = _antt_chain(rng, cal, codes[i], cal.pick(rng, "2021-01-01", "2022-12-31"),
                                    conv_from="2024-04-01", p_conv=0.5)
    elif province == "10":
        # Chỉ thị 06 (2017–2018): exactly 36 units key at some point in 2017–2018, of which 25
        # converted by 2019-01-09 and 11 still key then; other key units lie outside the window
        drive = choose(PUBLISHED["lao_cai_drive"]["value"])
        done = set(sorted(int(i) for i in rng.choice(drive, size=PUBLISHED["lao_cai_achieved"]["value"],
                                                     replace=False)))
        for i in drive:
            if i in done:
                chains[i] = _antt_chain(rng, cal, codes[i], cal.pick(rng, "2016-01-01", "2017-12-31"),
                                        conv_from="2017-01-01", conv_by="2019-01-09", relapse_from="2019-01-10")
            else:
                chains[i] = _antt_chain(rng, cal, codes[i], cal.pick(rng, "2016-01-01", "2018-12-31"),
                                        conv_from="2019-01-10", p_conv=0.9)
        rest = [i for i in range(n) if i not in set(drive)]
        early = choose(8, rest)
        for i in early:                               # released before the drive began
            chains[i] = _antt_chain(rng, cal, codes[i], cal.pick(rng, START, "2015-12-31"),
                                    conv_by="2016-12-31", relapse_from="2019-01-10")
        rest = [i for i in rest if i not in set(early)]
        for i in choose(10, rest):                    # designated after the drive's review
            chains[i] = _antt_chain(rng, cal, codes[i], cal.pick(rng, "2019-01-10", "2022-12-31"))
    else:
        # no published commune totals: a plausible share of communes ever key
        for i in choose(int(round(ANTT_KEY_SHARE[province] * n))):
            chains[i] = _antt_chain(rng, cal, codes[i], cal.pick(rng, START, "2022-12-31"))
    for i in range(n):
        if i in chains:
            recs.extend(chains[i])
        elif rng.random() < 0.3:
            # communes never key may still earn the "Safe for security and order" standard
            ev = cal.pick(rng, "2017-01-01", END_PRE)
            if ev is not None:
                recs.append(_rec(codes[i], "antt", SAFE, ev))
    return recs


def _ma_tuy_counts(province: str, year: int, n: int) -> tuple[int, int, int, int]:
    plan = MA_TUY_PLAN[province]
    years = sorted(plan)
    counts = [int(round(float(np.interp(year, years, [plan[y][k] for y in years])))) for k in range(4)]
    if sum(counts) > n:
        raise ConfigError(f"demo plan for province {province} in {year} exceeds its {n} units")
    return tuple(counts)


def _ma_tuy_pre(rng, province: str, units: pd.DataFrame, z: np.ndarray) -> list[dict]:
    """Yearly drug classifications, exact class counts per year; a record only when a class changes."""
    codes = units["code"].tolist()
    n = len(codes)
    latent = 0.9 * z + rng.normal(0.0, 0.5, n)      # persistent: hotspots stay hotspots
    drift = np.zeros(n)
    previous: dict[str, str] = {}
    recs = []
    for year in range(2015, 2026):
        day = (date(year, 1, 5) + timedelta(days=int(rng.integers(0, 80)))).isoformat()   # by late March
        number = f"{int(rng.integers(60, 3200))}/QĐ-UBND"
        drift += rng.normal(0.0, 0.12, n)
        free, l1, l2, l3 = _ma_tuy_counts(province, year, n)
        order = np.lexsort((np.arange(n), -(latent + drift)))          # most severe first
        klass = np.full(n, PROBLEM, dtype=object)
        klass[order[:l1]] = L1
        klass[order[l1:l1 + l2]] = L2
        klass[order[l1 + l2:l1 + l2 + l3]] = L3
        if free:
            klass[order[n - free:]] = FREE
        for i, code in enumerate(codes):
            if previous.get(code) != klass[i]:
                recs.append(_rec(code, "ma_tuy", klass[i], (day, number)))
                previous[code] = klass[i]
    return recs


def _frame(rows: list[dict], columns, source: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["source"] = source
    frame["row_number"] = None
    for col in columns:
        if col not in frame:
            frame[col] = None
    frame = frame[list(columns)]
    sort = ["code", "scheme", "valid_from"] if "scheme" in frame else ["code", "indicator", "period_start"]
    return frame.sort_values(sort, kind="stable").reset_index(drop=True)


def _with_ids(records: pd.DataFrame) -> pd.DataFrame:
    return records.assign(id=np.arange(len(records)))


def _status_on(records: pd.DataFrame, scheme: str, day: str) -> dict[str, str]:
    sub = records[records["scheme"] == scheme]
    cur = st.as_of(_with_ids(sub), day)
    return dict(zip(cur["code"], cur["status"]))


# -- indicators -------------------------------------------------------------------------------

def _populations_pre(inputs: DemoInputs) -> pd.Series:
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


def _ind(code, indicator, period, start, end, value) -> dict:
    return {"code": code, "indicator": indicator, "period": period, "period_start": start, "period_end": end,
            "value": float(value), "note": ""}


def _indicators_pre(rng, inputs: DemoInputs, z: np.ndarray, status_pre: pd.DataFrame) -> list[dict]:
    units = inputs.units_pre
    codes = units["code"].to_numpy()
    prov = units["province_code"].to_numpy()
    n = len(codes)
    pop2024 = _populations_pre(inputs).to_numpy().astype(float)
    growth = np.array([RATES[p][2] for p in prov])
    crime_base = np.array([RATES[p][0] for p in prov])
    drug_base = np.array([RATES[p][1] for p in prov])
    unit_fx = rng.normal(0.0, 0.15, n)               # a unit's own persistent deviation
    hh_size = rng.uniform(4.2, 4.9, n)                # people per household (mountain communes: larger)
    model_fx = rng.normal(0.0, 0.25, n)
    rows: list[dict] = []
    # expected 2024 values of Lai Châu, so that its published sums are met without a jump in 2024
    lc = prov == "12"
    scale_models = np.ones(n)
    scale_hh = np.ones(n)
    base_models = (2.0 + 0.45 * 9) * (pop2024 / 5000.0) ** 0.4 * np.exp(model_fx)
    scale_models[lc] = PUBLISHED["lai_chau_models_2024"]["value"] / base_models[lc].sum()
    base_hh = pop2024 / hh_size * 0.86
    scale_hh[lc] = PUBLISHED["lai_chau_households_2024"]["value"] / base_hh[lc].sum()
    for year in YEARS:
        t = year - 2015
        mid = f"{year}-07-01"
        antt = _status_on(status_pre, "antt", mid)
        drug = _status_on(status_pre, "ma_tuy", mid)
        key_antt = np.array([antt.get(c) == KEY_ANTT for c in codes])
        key_drug = np.array([drug.get(c) in KEY_DRUG for c in codes])
        pop = np.round(pop2024 * (1 + growth) ** (year - 2024))
        # log-rates: population + field (the hotspots) + slow trend + designation effect
        crime_l = pop / 1000 * crime_base * np.exp(0.9 * z - 0.03 * t + 0.3 * key_antt + unit_fx)
        drug_l = pop / 1000 * drug_base * np.exp(0.9 * z - 0.04 * t + 0.5 * key_drug + unit_fx)
        crime = rng.poisson(crime_l)
        users = rng.poisson(drug_l)
        reports = rng.poisson(0.6 * crime_l + pop / 1000 * 0.8 * np.exp(0.05 * t))
        models_l = (2.0 + 0.45 * t) * (pop2024 / 5000.0) ** 0.4 * np.exp(model_fx) * scale_models
        models = rng.poisson(models_l)
        pledge_share = np.clip(0.62 + 0.027 * t + rng.normal(0, 0.02, n), 0.3, 0.97)
        households = np.round(pop / hh_size)
        pledged = rng.binomial(households.astype(int), np.clip(pledge_share * scale_hh, 0, 1))
        if year == 2024:
            # the published provincial sums, allocated in proportion to the draws
            models[lc] = _allocate(PUBLISHED["lai_chau_models_2024"]["value"], models[lc] + 0.5)
            pledged[lc] = _allocate(PUBLISHED["lai_chau_households_2024"]["value"], pledged[lc])
        start, end = f"{year}-01-01", f"{year}-12-31"
        values = {"so_vu_pham_toi": crime, "so_nguoi_nghien": users, "tin_bao_to_giac": reports,
                  "so_mo_hinh_tu_quan": models, "ho_dang_ky_antt": pledged, "dan_so": pop}
        for name in INDICATORS:
            col = values[name]
            rows.extend(_ind(codes[i], name, str(year), start, end, col[i]) for i in range(n))
    return rows


# -- the 2025 edition ---------------------------------------------------------------------------

def _derive_2025(rng, inputs: DemoInputs, z_new: np.ndarray, status_pre: pd.DataFrame, catalogue: Catalogue,
                 ) -> tuple[list[dict], dict[str, str], dict[str, str]]:
    """Carry statuses over the reform: each new unit from the old communes it was formed from."""
    drug_old = _status_on(status_pre, "ma_tuy", END_PRE)
    antt_old = _status_on(status_pre, "antt", END_PRE)
    severity = {s.code: s.severity for s in catalogue.scheme("ma_tuy").statuses}
    parts = inputs.crosswalk.groupby("new_code")["old_code"].apply(list).to_dict()
    units = inputs.units_2025
    recs: list[dict] = []
    drug_new: dict[str, str] = {}
    antt_new: dict[str, str] = {}
    unknown: list[int] = []
    for i, (code, prov) in enumerate(zip(units["code"], units["province_code"])):
        known = [c for c in parts.get(code, []) if c in drug_old or c in antt_old]
        if not known:
            unknown.append(i)                      # formed only from provinces without demo data
            continue
        d = [drug_old.get(c, "") for c in known]
        keys = [s for s in d if s in KEY_DRUG]
        # key if any part was key (the most severe class), drug-free only if all parts were
        drug_new[code] = max(keys, key=severity.get) if keys else FREE if all(s == FREE for s in d) else PROBLEM
        a = [antt_old.get(c, "") for c in known]
        antt_new[code] = KEY_ANTT if KEY_ANTT in a else SAFE if all(s == SAFE for s in a) else \
            CONVERTED if CONVERTED in a else ""
        note = f"{DEMO_NOTE}; kế thừa từ xã cũ / carried over from {', '.join(known)}"
        recs.append(_rec(code, "ma_tuy", drug_new[code], (REFORM, ""), note))
        if antt_new[code]:
            recs.append(_rec(code, "antt", antt_new[code], (REFORM, ""), note))
    # units with no demo parts (old Yên Bái, Đắk Nông, Bình Thuận): classes drawn directly,
    # ranked on the field so their hotspots match the surface
    for prov in PROVINCES_2025:
        idx = [i for i in unknown if units["province_code"].iloc[i] == prov]
        if not idx:
            continue
        m = len(idx)
        score = z_new[idx] + rng.normal(0.0, 0.5, m)
        order = [idx[j] for j in np.lexsort((np.arange(m), -score))]
        n1, n2, n3 = max(1, round(0.01 * m)), max(1, round(0.02 * m)), round(0.12 * m)
        nfree = round(0.30 * m)
        for rank, i in enumerate(order):
            code = units["code"].iloc[i]
            drug_new[code] = L1 if rank < n1 else L2 if rank < n1 + n2 else L3 if rank < n1 + n2 + n3 else \
                FREE if rank >= m - nfree else PROBLEM
            r = rng.random()
            antt_new[code] = KEY_ANTT if rank < round(0.08 * m) else CONVERTED if r < 0.15 else \
                SAFE if r < 0.35 else ""
            recs.append(_rec(code, "ma_tuy", drug_new[code], (REFORM, "")))
            if antt_new[code]:
                recs.append(_rec(code, "antt", antt_new[code], (REFORM, "")))
    # the first review after the reform (early 2026): some conversions, some drug-free communes
    for prov in PROVINCES_2025:
        day = (date(2026, 2, 2) + timedelta(days=int(rng.integers(0, 50)))).isoformat()
        number = f"{int(rng.integers(60, 900))}/QĐ-UBND"
        codes = [c for c in units["code"][units["province_code"] == prov]]
        for code in codes:
            r = rng.random()
            if antt_new.get(code) == KEY_ANTT and r < 0.25:
                antt_new[code] = CONVERTED
                recs.append(_rec(code, "antt", CONVERTED, (day, number)))
            r = rng.random()
            if drug_new.get(code) == L3 and r < 0.2 or drug_new.get(code) == PROBLEM and r < 0.08:
                drug_new[code] = PROBLEM if drug_new[code] == L3 else FREE
                recs.append(_rec(code, "ma_tuy", drug_new[code], (day, number)))
    return recs, drug_new, antt_new


def _indicators_2025(rng, inputs: DemoInputs, z_new: np.ndarray, drug_new: dict, antt_new: dict) -> list[dict]:
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
            rows.extend(_ind(codes[i], name, period, start, end, values[name][i]) for i in range(len(codes)))
    return rows


# -- the pure generator and its checks ----------------------------------------------------------

def source_label(seed: int) -> str:
    """The ``source`` of every demo batch and record."""
    return f"geoapp demo (seed {seed})"


def build_demo(inputs: DemoInputs, catalogue: Catalogue, *, seed: int = 20250701) -> DemoData:
    """Generate every demo record from ``inputs``; no store, deterministic in ``seed``.

    Parameters
    ----------
    inputs : DemoInputs
        From :func:`read_inputs`.
    catalogue : Catalogue
        Must define schemes ``antt`` and ``ma_tuy`` with the built-in status codes, and the
        indicators in :data:`INDICATORS`.
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives identical records.

    Returns
    -------
    DemoData
    """
    _check_catalogue(catalogue)
    rng = np.random.default_rng(seed)
    source = source_label(seed)
    # the surface: bumps around each old province's communes, then around the parts of the new
    # provinces that have no pre-2025 layer (so they get hotspots too)
    surface = _Field()
    for p in PROVINCES_PRE:
        codes = set(inputs.units_pre.loc[inputs.units_pre["province_code"] == p, "code"])
        surface.add_bumps(rng, inputs.xy_pre[inputs.xy_pre["code"].isin(codes)])
    demo_parts = set(inputs.units_pre["code"])
    bare = sorted(set(inputs.crosswalk["new_code"]) - set(
        inputs.crosswalk.loc[inputs.crosswalk["old_code"].isin(demo_parts), "new_code"]))
    for p in PROVINCES_2025:
        codes = set(inputs.units_2025.loc[inputs.units_2025["province_code"] == p, "code"]) & set(bare)
        surface.add_bumps(rng, inputs.xy_2025[inputs.xy_2025["code"].isin(codes)], 2, 4)
    z_pre, z_new = _standardise(inputs, surface)

    rows: list[dict] = []
    for p in PROVINCES_PRE:
        mask = (inputs.units_pre["province_code"] == p).to_numpy()
        units = inputs.units_pre[mask].reset_index(drop=True)
        cal = _Calendar(rng, 2015, END_PRE)
        rows += _antt_pre(rng, p, units, z_pre[mask], cal)
        rows += _ma_tuy_pre(rng, p, units, z_pre[mask])
    status_pre = _frame(rows, STATUS_COLUMNS, source)
    indicators_pre = _frame(_indicators_pre(rng, inputs, z_pre, status_pre), INDICATOR_COLUMNS, source)
    rows, drug_new, antt_new = _derive_2025(rng, inputs, z_new, status_pre, catalogue)
    status_2025 = _frame(rows, STATUS_COLUMNS, source)
    indicators_2025 = _frame(_indicators_2025(rng, inputs, z_new, drug_new, antt_new), INDICATOR_COLUMNS, source)
    return DemoData(status_pre, indicators_pre, status_2025, indicators_2025)


def _check_catalogue(catalogue: Catalogue) -> None:
    wanted = {"antt": (KEY_ANTT, CONVERTED, SAFE), "ma_tuy": (FREE, PROBLEM, L1, L2, L3)}
    missing = [f"{s}.{c}" for s, codes in wanted.items() for c in codes
               if s not in catalogue.schemes or c not in catalogue.schemes[s].codes]
    missing += [f"indicator {i}" for i in INDICATORS if i not in catalogue.indicators]
    if missing:
        raise ConfigError("the demo needs the built-in schemes and indicators; missing: " + ", ".join(missing))


def key_during(records: pd.DataFrame, scheme: str, key_status: set, first: str, last: str) -> set:
    """Codes whose status was in ``key_status`` on some day of [first, last] (the as-of rule)."""
    sub = _with_ids(records[records["scheme"] == scheme]) if "id" not in records else \
        records[records["scheme"] == scheme]
    at_start = st.as_of(sub, first)
    codes = set(at_start.loc[at_start["status"].isin(key_status), "code"])
    within = sub[(sub["valid_from"] > first) & (sub["valid_from"] <= last) & sub["status"].isin(key_status)]
    return codes | set(within["code"])


def demo_checks(status_pre: pd.DataFrame, indicators_pre: pd.DataFrame, units_pre: pd.DataFrame) -> dict:
    """Recompute the published figures from pre-2025 records (generated or read back from a store).

    Returns
    -------
    dict
        name → {``target``, ``reached``, ``units`` (in the unit list), ``published_units``, ``ok``}.
    """
    recs = status_pre if "id" in status_pre else _with_ids(status_pre)
    prov = dict(zip(units_pre["code"], units_pre["province_code"]))
    n_units = units_pre["province_code"].value_counts().to_dict()
    in_prov = lambda frame, p: frame[frame["code"].map(prov) == p]   # noqa: E731
    out = {}

    spec = PUBLISHED["lai_chau_converted"]
    lc = in_prov(recs, "12")
    conv = lc[(lc["scheme"] == "antt") & (lc["status"] == CONVERTED) & (lc["valid_from"] >= spec["from"])
              & (lc["valid_from"] <= spec["on"])]
    out["lai_chau_converted"] = {"target": spec["value"], "reached": int(conv["code"].nunique())}

    spec = PUBLISHED["lao_cai_drive"]
    lca = in_prov(recs, "10")
    drive = key_during(lca, "antt", {KEY_ANTT}, *spec["window"])
    now = st.as_of(lca[lca["scheme"] == "antt"], spec["on"])
    done = set(now.loc[now["status"].isin([CONVERTED, SAFE]), "code"]) & drive
    out["lao_cai_drive"] = {"target": spec["value"], "reached": len(drive)}
    out["lao_cai_achieved"] = {"target": PUBLISHED["lao_cai_achieved"]["value"], "reached": len(done)}

    spec = PUBLISHED["lai_chau_drug_free"]
    cur = st.as_of(lc[lc["scheme"] == "ma_tuy"], spec["on"])
    out["lai_chau_drug_free"] = {"target": spec["value"], "reached": int((cur["status"] == FREE).sum())}

    spec = PUBLISHED["lam_dong_ma_tuy"]
    ld = in_prov(recs, "68")
    cur = st.as_of(ld[ld["scheme"] == "ma_tuy"], spec["on"])
    tally = cur["status"].value_counts()
    out["lam_dong_ma_tuy"] = {"target": spec["value"], "reached": {k: int(tally.get(k, 0)) for k in spec["value"]}}

    for name in ("lai_chau_models_2024", "lai_chau_households_2024"):
        spec = PUBLISHED[name]
        vals = in_prov(indicators_pre, spec["province"])
        vals = vals[(vals["indicator"] == spec["indicator"]) & (vals["period"] == spec["period"])]
        out[name] = {"target": spec["value"], "reached": int(round(vals["value"].sum()))}

    for name, check in out.items():
        spec = PUBLISHED[name]
        check["province"] = spec["province"]
        check["on"] = spec.get("on") or spec.get("period")
        check["units"] = int(n_units.get(spec["province"], 0))
        check["published_units"] = spec.get("of")
        check["ok"] = check["target"] == check["reached"]
    return out


# -- the use case -------------------------------------------------------------------------------

def demo_batches(store: Store) -> pd.DataFrame:
    """Active demo batches of ``store``."""
    batches = store.batches()
    if batches.empty:
        return batches
    return batches[(batches["is_demo"].astype(int) == 1) & (batches["state"] == "active")]


def generate_demo(store: Store, catalogue: Catalogue, *, seed: int = 20250701, user: str = "demo",
                  data_dir=None, origin: str = "") -> dict:
    """Write the demo status records and indicator values, in one transaction.

    Parameters
    ----------
    store : Store
        Must hold the pre-2025 unit list and four-province boundaries (old codes 10, 12, 14,
        68) and the 2025 unit list with boundaries of provinces 12, 14, 15, 68.
    catalogue : Catalogue
        The scheme catalogue (:func:`geoapp.schemes.load_catalogue`).
    seed : int
        Random seed; the same seed writes identical records.
    user : str
        Recorded as the author of the batches, records and audit line.
    data_dir : path, optional
        Folder laid out like ``../shared/data`` holding the crosswalk; default ``DATA_MIRROR``.
    origin : str
        Where the request came from, for the audit log.

    Returns
    -------
    dict
        ``seed``, ``source``, ``fingerprint``, ``batches`` ({"pre2025/status": id, …}),
        ``records`` (per edition and kind), ``provinces`` (per edition and province: units,
        status records, indicator values, statuses in force at the edition's end),
        ``checks`` (see :func:`demo_checks`) and ``seconds``.

    Raises
    ------
    InputError
        When demo batches are already active (roll them back first), or units are missing.
    """
    t0 = time.perf_counter()
    present = demo_batches(store)
    if len(present):
        ids = ", ".join(str(i) for i in sorted(present["id"]))
        raise InputError(f"demo data is already loaded (active batches {ids}); roll those batches back "
                         "before generating it again",
                         message_vi=f"dữ liệu minh họa đã có (lô {ids}); hãy hủy các lô đó trước khi tạo lại")
    inputs = read_inputs(store, data_dir)
    data = build_demo(inputs, catalogue, seed=seed)
    checks = demo_checks(data.status_pre, data.indicators_pre, inputs.units_pre)
    failed = [k for k, v in checks.items() if not v["ok"]]
    if failed:   # a generator bug, never the user's input: do not write wrong demo data
        raise RuntimeError(f"demo generator missed published figures: {failed}")
    source = source_label(seed)
    fingerprint = data.fingerprint()
    detail = {"seed": seed, "fingerprint": fingerprint, "checks": {k: v["reached"] for k, v in checks.items()}}
    parts = (("pre2025", "status", data.status_pre, PROVINCES_PRE),
             ("pre2025", "indicators", data.indicators_pre, PROVINCES_PRE),
             ("2025", "status", data.status_2025, PROVINCES_2025),
             ("2025", "indicators", data.indicators_2025, PROVINCES_2025))
    batches = {}
    with store.transaction() as tx:
        for edition, kind, frame, provinces in parts:
            info = BatchInfo(kind, edition, source, fingerprint, user, len(frame),
                             dict(detail, provinces=list(provinces)), is_demo=True)
            batch = store.add_batch(tx, info)
            if kind == "status":
                store.add_status_records(tx, edition, frame, batch, user, is_demo=True)
            else:
                store.add_indicator_values(tx, edition, frame, batch, user, is_demo=True)
            batches[f"{edition}/{kind}"] = batch
        store.audit(tx, user, "demo.generate", source, {"batches": batches, "fingerprint": fingerprint}, origin)
    return {"seed": seed, "source": source, "fingerprint": fingerprint, "batches": batches,
            "records": {f"{e}/{k}": int(len(f)) for e, k, f, _ in parts},
            "provinces": _summary(inputs, data), "checks": checks,
            "seconds": round(time.perf_counter() - t0, 2)}


def _summary(inputs: DemoInputs, data: DemoData) -> dict:
    out = {}
    for edition, units, status, values, end in (
            ("pre2025", inputs.units_pre, data.status_pre, data.indicators_pre, END_PRE),
            ("2025", inputs.units_2025, data.status_2025, data.indicators_2025, END_2025)):
        prov = dict(zip(units["code"], units["province_code"]))
        s_prov, v_prov = status["code"].map(prov), values["code"].map(prov)
        current = st.as_of(_with_ids(status), end)
        c_prov = current["code"].map(prov)
        out[edition] = {}
        for p in sorted(set(units["province_code"])):
            cur = current[c_prov == p]
            out[edition][p] = {
                "units": int((units["province_code"] == p).sum()),
                "status_records": int((s_prov == p).sum()),
                "indicator_values": int((v_prov == p).sum()),
                "on": end,
                "statuses": {f"{a}:{b}": int(n) for (a, b), n in cur.groupby(["scheme", "status"]).size().items()},
            }
    return out
