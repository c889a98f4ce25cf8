"""The store's clock: every timestamp column holds UTC ISO text to the second (one home, no imports)."""
from __future__ import annotations

from datetime import datetime, timezone


def now() -> str:
    """UTC now as ISO text to the second — the form every timestamp column holds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
