"""How a frame of units becomes the column values both backends write (one home for the rule).

Trip-wires: a missing value becomes NULL for ``area_km2``/``population``, 0 for the flags
(``in_list``, ``has_geometry``) and ``""`` for text — never NaN, which a database would keep
as a float; codes are written as text even when pandas read them as numbers. On upsert a
boundary file's empty field never blanks what the official unit list said: the backends merge
:data:`TEXT_UNIT_COLUMNS` with ``COALESCE(NULLIF(new, ''), old)``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .base import UNIT_COLUMNS

#: unit columns a boundary file may fill but never blank (an empty field keeps the stored text)
TEXT_UNIT_COLUMNS = {"name", "full_name", "name_en", "unit_type", "district_code", "district_name",
                     "province_name"}


def unit_value(col: str, v):
    """The value written for unit column ``col`` (see the module docstring for the missing-value rule)."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None if col in ("area_km2", "population") else (0 if col in ("in_list", "has_geometry") else "")
    if col == "population":
        return int(v)
    if col in ("in_list", "has_geometry"):
        return int(bool(v))
    if col == "area_km2":
        return float(v)
    return str(v)


def unit_values(units: pd.DataFrame) -> list[list]:
    """One list per unit, in :data:`~geoapp.store.base.UNIT_COLUMNS` order (absent columns count as missing)."""
    frame = units.reindex(columns=list(UNIT_COLUMNS))
    return [[unit_value(col, v) for col, v in zip(UNIT_COLUMNS, rec)]
            for rec in frame.itertuples(index=False, name=None)]
