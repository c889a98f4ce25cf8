"""What every SQLite module binds with: :func:`plain` turns a DataFrame value into one ``sqlite3`` accepts.

Trip-wire: ``sqlite3`` stores numpy integers as BLOBs and NaN as a REAL, not NULL — pass every
value taken from a DataFrame through :func:`plain` (anything else passes through unchanged).
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def plain(v):
    """``v`` with NaN/NA/NaT as None and numpy scalars as Python int/float."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v
