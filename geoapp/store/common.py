"""Small pieces every backend shares: the clock and the migration files of a dialect."""
from __future__ import annotations

from datetime import datetime, timezone
from importlib import resources


def now() -> str:
    """UTC now as ISO text to the second — the form every timestamp column holds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def migrations(dialect: str) -> list[tuple[int, str]]:
    """``[(version, sql)]`` of ``migrations/<dialect>/NNNN_*.sql``, in version order."""
    folder = resources.files("geoapp.store.migrations") / dialect
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)
