"""Demo status designations: ``antt`` histories and ``ma_tuy`` classes that reach the published
figures exactly, and their carry-over into the 2025 edition.

Pre-2025 (provinces 10, 12, 14, 68, 2015-01-01 … 2025-06-30): security histories (designated
key complex → converted, a few relapses, some reaching the "Safe for security and order"
standard) in cohorts of fixed size, and yearly drug classes by exact rank-based class counts.
2025 (provinces 12, 14, 15, 68): each new unit inherits from the old communes it was formed
from (through the crosswalk, never by code); units with no demo parts draw classes on the
surface; one review in early 2026.

Trip-wires:

* every draw comes from the generator's one ``rng``, in a fixed order (units sorted by code):
  reordering draws changes every record after them — compare :meth:`DemoData.fingerprint`;
* ``conv_from`` / ``relapse_from`` keep events out of the windows a published figure depends
  on, ``conv_by`` forces a conversion before a report: loosen them and :mod:`geoapp.demo.checks`
  fails;
* every record's note starts with :data:`geoapp.records.DEMO_MARK`.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from .. import status as st
from ..records import DEMO_MARK
from ..schemes import Catalogue
from .inputs import DemoInputs
from .plan import (ANTT_KEY_SHARE, CONVERTED, END_PRE, FREE, KEY_ANTT, KEY_DRUG, L1, L2, L3, PROBLEM,
                   PROVINCES_2025, PUBLISHED, REFORM, SAFE, START, ma_tuy_counts)

#: a carried-over 2025 record has no decision of its own
NO_DECISION = ""


def plus_days(when: str, days: int) -> str:
    """The ISO date ``days`` after ``when``."""
    return (date.fromisoformat(when) + timedelta(days=days)).isoformat()


class Calendar:
    """Decision dates of one province: one early in the year (Feb–Mar), one after mid-year.

    Provinces designate and release key areas in a few decisions a year, each listing many
    communes, so units share decision numbers and dates the way real records do.
    """

    def __init__(self, rng: np.random.Generator, first: int, last_day: str, office: str = "QĐ-UBND"):
        self.events: list[tuple[str, str]] = []
        for year in range(first, int(last_day[:4]) + 1):
            for lo, span in ((32, 56), (213, 90)):      # 1 Feb + 0..55 days; 1 Aug + 0..89 days
                when = (date(year, 1, 1) + timedelta(days=lo + int(rng.integers(span)))).isoformat()
                number = f"{int(rng.integers(60, 3200))}/{office}"
                if when <= last_day:
                    self.events.append((when, number))

    def pick(self, rng: np.random.Generator, lo: str, hi: str) -> tuple[str, str] | None:
        """A random decision dated within [lo, hi], or None when there is none."""
        options = [e for e in self.events if lo <= e[0] <= hi]
        if not options:
            return None
        return options[int(rng.integers(len(options)))]


def record(code, scheme, status, event, note=DEMO_MARK) -> dict:
    """One status record; ``event`` is (valid_from, decision number or "")."""
    valid_from, number = event
    return {"code": code, "scheme": scheme, "status": status, "valid_from": valid_from, "valid_to": None,
            "decision_no": number, "decision_date": valid_from if number else None, "note": note}


def with_ids(records: pd.DataFrame) -> pd.DataFrame:
    """``records`` with the ``id`` column :func:`geoapp.status.as_of` breaks ties on."""
    return records.assign(id=np.arange(len(records)))


def status_as_of(records: pd.DataFrame, scheme: str, as_of: str) -> dict[str, str]:
    """code → status of ``scheme`` in force on ``as_of`` (generated records, no ids needed)."""
    sub = records[records["scheme"] == scheme]
    cur = st.as_of(with_ids(sub), as_of)
    return dict(zip(cur["code"], cur["status"]))


# -- pre-2025: security histories ----------------------------------------------------------------

def antt_chain(rng, cal: Calendar, code: str, d1: tuple[str, str], *, conv_from: str = START,
               conv_by: str | None = None, p_conv: float = 0.85, p_relapse: float = 0.12,
               relapse_from: str = START, p_safe: float = 0.35, end: str = END_PRE) -> list[dict]:
    """One unit's security history: key → converted (→ key again → converted) (→ safe).

    ``conv_by`` forces a conversion no later than that day (published cumulative totals);
    ``conv_from`` / ``relapse_from`` keep events out of windows a published figure depends on.
    """
    out = [record(code, "antt", KEY_ANTT, d1)]
    last = d1[0]
    if conv_by is None and rng.random() >= p_conv:
        return out                                   # still key at the end of the edition
    lo = max(plus_days(last, 240), conv_from)       # conversion takes at least ~8 months
    hard = conv_by or end
    ev = cal.pick(rng, lo, min(plus_days(last, 4 * 365), hard)) or cal.pick(rng, lo, hard)
    if ev is None:
        return out
    out.append(record(code, "antt", CONVERTED, ev))
    last = ev[0]
    if rng.random() < p_relapse:
        ev = cal.pick(rng, max(plus_days(last, 240), relapse_from), min(plus_days(last, 3 * 365), end))
        if ev is not None:
            out.append(record(code, "antt", KEY_ANTT, ev, DEMO_MARK + " (tái phức tạp / relapse)"))
            last = ev[0]
            ev = cal.pick(rng, plus_days(last, 240), end) if rng.random() < 0.6 else None
            if ev is None:
                return out
            out.append(record(code, "antt", CONVERTED, ev))
            last = ev[0]
    if rng.random() < p_safe:
        ev = cal.pick(rng, plus_days(last, 365), end)
        if ev is not None:
            out.append(record(code, "antt", SAFE, ev))
    return out


def _chooser(rng, z: np.ndarray):
    """``choose(k, pool=None)``: k distinct unit indices, likelier where the surface is high."""
    n = len(z)
    weights = np.exp(1.2 * z)
    weights = weights / weights.sum()

    def choose(k, pool=None):
        pool = np.arange(n) if pool is None else np.asarray(pool)
        p = weights[pool] / weights[pool].sum()
        return sorted(int(i) for i in rng.choice(pool, size=k, replace=False, p=p))
    return choose


def _lai_chau_chains(rng, codes: list, cal: Calendar, choose) -> dict[int, list[dict]]:
    """Exactly 73 units converted at least once in 2015-01-01 … 2024-03-31; 7 more designated
    late and still key (or converted only after the report)."""
    spec = PUBLISHED["lai_chau_converted"]
    target = spec["value"]
    key = choose(min(len(codes), target + 7))
    late = set(sorted(int(i) for i in rng.choice(key, size=len(key) - target, replace=False)))
    cohort = [i for i in key if i not in late]
    d1 = {i: cal.pick(rng, START, "2022-12-31") for i in cohort}
    # at least one relapse (the earliest designation has room for one before mid-2025)
    forced = min(cohort, key=lambda i: (d1[i][0], i))
    chains = {}
    for i in cohort:
        chains[i] = antt_chain(rng, cal, codes[i], d1[i], conv_by=spec["as_of"],
                               p_relapse=1.0 if i == forced else 0.1)
    for i in sorted(late):
        chains[i] = antt_chain(rng, cal, codes[i], cal.pick(rng, "2021-01-01", "2022-12-31"),
                               conv_from=plus_days(spec["as_of"], 1), p_conv=0.5)
    return chains


def _lao_cai_chains(rng, codes: list, cal: Calendar, choose) -> dict[int, list[dict]]:
    """Chỉ thị 06 (2017–2018): exactly 36 units key at some point in 2017–2018, of which 25
    converted by 2019-01-09 and 11 still key then; other key units lie outside the window."""
    review = PUBLISHED["lao_cai_achieved"]["as_of"]
    after = plus_days(review, 1)
    drive = choose(PUBLISHED["lao_cai_drive"]["value"])
    done = set(sorted(int(i) for i in rng.choice(drive, size=PUBLISHED["lao_cai_achieved"]["value"],
                                                 replace=False)))
    chains = {}
    for i in drive:
        if i in done:
            chains[i] = antt_chain(rng, cal, codes[i], cal.pick(rng, "2016-01-01", "2017-12-31"),
                                   conv_from="2017-01-01", conv_by=review, relapse_from=after)
        else:
            chains[i] = antt_chain(rng, cal, codes[i], cal.pick(rng, "2016-01-01", "2018-12-31"),
                                   conv_from=after, p_conv=0.9)
    rest = [i for i in range(len(codes)) if i not in set(drive)]
    early = choose(8, rest)
    for i in early:                               # released before the drive began
        chains[i] = antt_chain(rng, cal, codes[i], cal.pick(rng, START, "2015-12-31"),
                               conv_by="2016-12-31", relapse_from=after)
    rest = [i for i in rest if i not in set(early)]
    for i in choose(10, rest):                    # designated after the drive's review
        chains[i] = antt_chain(rng, cal, codes[i], cal.pick(rng, after, "2022-12-31"))
    return chains


def antt_pre(rng, province: str, units: pd.DataFrame, z: np.ndarray, cal: Calendar) -> list[dict]:
    """Security histories of one old province, meeting its published totals exactly."""
    codes = units["code"].tolist()
    choose = _chooser(rng, z)
    if province == "12":
        chains = _lai_chau_chains(rng, codes, cal, choose)
    elif province == "10":
        chains = _lao_cai_chains(rng, codes, cal, choose)
    else:
        # no published commune totals: a plausible share of communes ever key
        chains = {i: antt_chain(rng, cal, codes[i], cal.pick(rng, START, "2022-12-31"))
                  for i in choose(int(round(ANTT_KEY_SHARE[province] * len(codes))))}
    recs: list[dict] = []
    for i in range(len(codes)):
        if i in chains:
            recs.extend(chains[i])
        elif rng.random() < 0.3:
            # communes never key may still earn the "Safe for security and order" standard
            ev = cal.pick(rng, "2017-01-01", END_PRE)
            if ev is not None:
                recs.append(record(codes[i], "antt", SAFE, ev))
    return recs


# -- pre-2025: drug classes ----------------------------------------------------------------------

def ma_tuy_pre(rng, province: str, units: pd.DataFrame, z: np.ndarray) -> list[dict]:
    """Yearly drug classifications, exact class counts per year; a record only when a class changes."""
    codes = units["code"].tolist()
    n = len(codes)
    latent = 0.9 * z + rng.normal(0.0, 0.5, n)      # persistent: hotspots stay hotspots
    drift = np.zeros(n)
    previous: dict[str, str] = {}
    recs = []
    for year in range(int(START[:4]), int(END_PRE[:4]) + 1):
        when = (date(year, 1, 5) + timedelta(days=int(rng.integers(0, 80)))).isoformat()   # by late March
        number = f"{int(rng.integers(60, 3200))}/QĐ-UBND"
        drift += rng.normal(0.0, 0.12, n)
        free, l1, l2, l3 = ma_tuy_counts(province, year, n)
        order = np.lexsort((np.arange(n), -(latent + drift)))          # most severe first
        klass = np.full(n, PROBLEM, dtype=object)
        klass[order[:l1]] = L1
        klass[order[l1:l1 + l2]] = L2
        klass[order[l1 + l2:l1 + l2 + l3]] = L3
        if free:
            klass[order[n - free:]] = FREE
        for i, code in enumerate(codes):
            if previous.get(code) != klass[i]:
                recs.append(record(code, "ma_tuy", klass[i], (when, number)))
                previous[code] = klass[i]
    return recs


# -- the 2025 edition ----------------------------------------------------------------------------

def _carry_over(inputs: DemoInputs, status_pre: pd.DataFrame, catalogue: Catalogue, recs: list,
                drug_new: dict, antt_new: dict) -> list[int]:
    """Statuses of new units formed from demo communes; returns the positions of the others."""
    drug_old = status_as_of(status_pre, "ma_tuy", END_PRE)
    antt_old = status_as_of(status_pre, "antt", END_PRE)
    severity = {s.code: s.severity for s in catalogue.scheme("ma_tuy").statuses}
    parts = inputs.crosswalk.groupby("new_code")["old_code"].apply(list).to_dict()
    unknown: list[int] = []
    for i, code in enumerate(inputs.units_2025["code"]):
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
        note = f"{DEMO_MARK}; kế thừa từ xã cũ / carried over from {', '.join(known)}"
        recs.append(record(code, "ma_tuy", drug_new[code], (REFORM, NO_DECISION), note))
        if antt_new[code]:
            recs.append(record(code, "antt", antt_new[code], (REFORM, NO_DECISION), note))
    return unknown


def _draw_unlinked(rng, units: pd.DataFrame, z_new: np.ndarray, unknown: list[int], recs: list,
                   drug_new: dict, antt_new: dict) -> None:
    """Units with no demo parts (old Yên Bái, Đắk Nông, Bình Thuận): classes drawn directly,
    ranked on the surface so their hotspots match it."""
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
            recs.append(record(code, "ma_tuy", drug_new[code], (REFORM, NO_DECISION)))
            if antt_new[code]:
                recs.append(record(code, "antt", antt_new[code], (REFORM, NO_DECISION)))


def _first_review(rng, units: pd.DataFrame, recs: list, drug_new: dict, antt_new: dict) -> None:
    """The first review after the reform (early 2026): some conversions, some drug-free communes."""
    for prov in PROVINCES_2025:
        when = (date(2026, 2, 2) + timedelta(days=int(rng.integers(0, 50)))).isoformat()
        number = f"{int(rng.integers(60, 900))}/QĐ-UBND"
        for code in units["code"][units["province_code"] == prov]:
            r = rng.random()
            if antt_new.get(code) == KEY_ANTT and r < 0.25:
                antt_new[code] = CONVERTED
                recs.append(record(code, "antt", CONVERTED, (when, number)))
            r = rng.random()
            if drug_new.get(code) == L3 and r < 0.2 or drug_new.get(code) == PROBLEM and r < 0.08:
                drug_new[code] = PROBLEM if drug_new[code] == L3 else FREE
                recs.append(record(code, "ma_tuy", drug_new[code], (when, number)))


def derive_2025(rng, inputs: DemoInputs, z_new: np.ndarray, status_pre: pd.DataFrame, catalogue: Catalogue,
                ) -> tuple[list[dict], dict[str, str], dict[str, str]]:
    """Carry statuses over the reform: each new unit from the old communes it was formed from.

    Returns
    -------
    (list of dict, dict, dict)
        The 2025 records, and code → current drug class / security status of every new unit
        (after the 2026 review), for the 2025 indicators.
    """
    recs: list[dict] = []
    drug_new: dict[str, str] = {}
    antt_new: dict[str, str] = {}
    unknown = _carry_over(inputs, status_pre, catalogue, recs, drug_new, antt_new)
    _draw_unlinked(rng, inputs.units_2025, z_new, unknown, recs, drug_new, antt_new)
    _first_review(rng, inputs.units_2025, recs, drug_new, antt_new)
    return recs, drug_new, antt_new
