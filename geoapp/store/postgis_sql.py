"""What every PostGIS module binds and sorts with: :func:`plain` parameters and the :data:`COLLATE_C` sort.

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
