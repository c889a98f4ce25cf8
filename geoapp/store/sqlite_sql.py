"""What every SQLite module binds with: :func:`plain` turns a DataFrame value into one ``sqlite3`` accepts;
:class:`Filters` adds the optional conditions of a read.

Trip-wire: ``sqlite3`` stores numpy integers as BLOBs and NaN as a REAL, not NULL — pass every
value taken from a DataFrame through :func:`plain` (anything else passes through unchanged).
"""
from __future__ import annotations

import json

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


class Filters:
    """A read's SQL with ``AND`` conditions for the optional arguments that were given, in sqlite3's ``?``
    style. ``where(column, value, op)`` adds ``column op ?`` when ``value`` is truthy (None and "" add
    nothing); ``within(column, values)`` adds an IN list bound as **one** JSON parameter (never one ``?``
    per code: a province has hundreds) when ``values`` is not None — an empty list matches nothing."""

    def __init__(self, sql: str, *params):
        self.sql, self.params = sql, list(params)

    def where(self, column: str, value, op: str = "=") -> "Filters":
        if value:
            self.sql += f" AND {column} {op} ?"
            self.params.append(plain(value))
        return self

    def within(self, column: str, values) -> "Filters":
        if values is not None:
            self.sql += f" AND {column} IN (SELECT value FROM json_each(?))"
            self.params.append(json.dumps(list(values)))
        return self
