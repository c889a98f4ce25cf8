"""What every PostGIS module binds and sorts with: :func:`plain` parameters, the :data:`COLLATE_C` sort and
:class:`Filters` for the optional conditions of a read.

Trip-wires: psycopg cannot bind numpy scalars, and NaN would be stored as a float NaN rather
than NULL — pass every value taken from a DataFrame through :func:`plain`. Text sorts must add
:data:`COLLATE_C` (byte order, as SQLite sorts) or the order follows the database locale and
the two backends disagree.
"""
from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

#: append to every ``ORDER BY`` of a text column
COLLATE_C = 'COLLATE "C"'


def plain(v):
    """A value psycopg can bind to geoapp's column types (numpy → python, NaN → NULL, dates → ISO)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, memoryview):
        return bytes(v)
    return v


class Filters:
    """A read's SQL with ``AND`` conditions for the optional arguments that were given, with named
    parameters (``:f0``, ``:f1`` …, beside the caller's own). ``where(column, value, op)`` adds ``column op
    :fN`` when ``value`` is truthy (None and "" add nothing); ``within(column, values)`` adds ``column =
    ANY(CAST(:fN AS text[]))`` — a code list bound as **one** ``text[]`` — when ``values`` is not None (an
    empty list matches nothing). The twin of :class:`geoapp.store.sqlite_sql.Filters`."""

    def __init__(self, sql: str, params: dict):
        self.sql, self.params = sql, dict(params)

    def _name(self) -> str:
        return f"f{len(self.params)}"

    def where(self, column: str, value, op: str = "=") -> "Filters":
        if value:
            name = self._name()
            self.sql += f" AND {column} {op} :{name}"
            self.params[name] = plain(value)
        return self

    def within(self, column: str, values) -> "Filters":
        if values is not None:
            name = self._name()
            self.sql += f" AND {column} = ANY(CAST(:{name} AS text[]))"
            self.params[name] = [str(v) for v in values]
        return self
