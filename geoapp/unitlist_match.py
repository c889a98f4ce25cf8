"""Pair each 2025 unit with the row of ``units/xa_2025_sapnhap.csv`` that describes it, by names.

The list carries no GSO codes, only the map site's own ids, so its area and population reach
the units (:mod:`geoapp.unitlist_read`) through province, unit type and name. The stages and
the statistics they produce are described in :func:`geoapp.unitlists.read_unit_list`.

Trip-wires:

* names that differ only by a tone mark inside one province ("Tân Thành" / "Tân Thạnh") exist:
  the exact (NFC, case-folded, apostrophes unified) key is matched first, the diacritic-free
  :func:`~geoapp.names.fold` key only for what is left;
* a key shared by two open units (or two open list rows) is ambiguous and stays unmatched,
  so a homonym never receives its neighbour's population;
* the list's ``loai`` is wrong for four units, so the last two stages ignore the type.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .csvtext import clean_text
from .names import APOSTROPHES, fold

_PROVINCE_PREFIX = re.compile(r"^(thu do|thanh pho|tinh)\s+")


def _exact_key(text) -> str:
    """Case-folded NFC text with unified apostrophes: distinguishes "Tân Thành" from "Tân Thạnh"."""
    return (clean_text(text) or "").lower().translate(APOSTROPHES)


def _province_key(name) -> str:
    """Folded province name without its title: "Thủ đô Hà Nội", "Thành phố Hà Nội" → "ha noi"."""
    return _PROVINCE_PREFIX.sub("", fold(name or ""))


def match_2025(units: pd.DataFrame, facts: pd.DataFrame) -> tuple[np.ndarray, dict]:
    """For each unit, the row of ``facts`` describing it (-1 when none); plus statistics.

    Province first (names differ only in title and case: "Thủ đô Hà Nội" / "Thành phố Hà Nội",
    "tỉnh Ninh BÌnh"), then type + name inside the province, exact key before folded key.
    """
    u_prov = units["province_name"].map(_province_key).to_numpy()
    f_prov = facts["tentinh"].map(_province_key).to_numpy()
    u_type = units["unit_type"].map(fold).to_numpy()
    f_type = facts["loai"].map(fold).to_numpy()
    u_exact = units["name"].map(_exact_key).to_numpy()
    f_exact = facts["tenhc"].map(_exact_key).to_numpy()
    u_fold = units["name"].map(fold).to_numpy()
    f_fold = facts["tenhc"].map(fold).to_numpy()

    matched = np.full(len(units), -1)
    taken = np.zeros(len(facts), dtype=bool)
    # the type is part of the key first (it separates e.g. xã and phường of one name); the last
    # two stages drop it, because the list's ``loai`` is wrong for four units
    # (:func:`geoapp.unitlist_read.types_2025`)
    none_u, none_f = [""] * len(units), [""] * len(facts)
    stages = (("exact", u_type, f_type, u_exact, f_exact), ("folded", u_type, f_type, u_fold, f_fold),
              ("exact_other_type", none_u, none_f, u_exact, f_exact),
              ("folded_other_type", none_u, none_f, u_fold, f_fold))
    stats = {name: 0 for name, *_ in stages}
    for stage, u_t, f_t, u_name, f_name in stages:
        u_key = pd.Series([f"{p}|{t}|{n}" for p, t, n in zip(u_prov, u_t, u_name)])
        f_key = pd.Series([f"{p}|{t}|{n}" for p, t, n in zip(f_prov, f_t, f_name)])
        stats[stage] += _match_stage(u_key, f_key, matched, taken)
    report = {
        "units": len(units),
        "list_rows": len(facts),
        **stats,
        "unmatched": units.loc[matched < 0, "code"].tolist(),
        "unmatched_list_rows": [f"{facts.at[j, 'tentinh']}: {facts.at[j, 'loai']} {facts.at[j, 'tenhc']}"
                                for j in np.flatnonzero(~taken)],
    }
    return matched, report


def _match_stage(u_key: pd.Series, f_key: pd.Series, matched: np.ndarray, taken: np.ndarray) -> int:
    """Pair the still-open units and rows whose key is unique on both sides; return how many."""
    u_open = u_key[matched < 0]
    f_open = f_key[~taken]
    # a key shared by two open units (or two open rows) is ambiguous: leave it unmatched
    # rather than guess, so a homonym can never receive its neighbour's population
    u_once = u_open[~u_open.duplicated(keep=False)]
    f_once = f_open[~f_open.duplicated(keep=False)]
    lookup = pd.Series(f_once.index, index=f_once.to_numpy())
    count = 0
    for i, key in u_once.items():
        j = lookup.get(key)
        if j is not None:
            matched[i] = j
            taken[j] = True
            count += 1
    return count
