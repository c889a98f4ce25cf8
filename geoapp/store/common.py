"""Small pieces every backend shares: the clock and the migration files of a dialect."""
from __future__ import annotations

from datetime import datetime, timezone
from importlib import resources

from ..errors import StoreError
from .base import INDICATOR_COLUMNS, STATUS_COLUMNS


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


class SharedMethods:
    """Store methods that read the same on every backend; each backend provides ``_insert_rows``."""

    def _require_schema(self):
        if self.schema_version() == 0:
            raise StoreError(f"{self.url} has no geoapp schema yet; run `geoapp db upgrade` "
                             "(or `geoapp demo`) first")

    def add_status_records(self, tx, edition, records, batch_id, user, is_demo=False):
        frame = records.copy()
        for col in ("decision_no", "source", "note"):
            frame[col] = frame[col].fillna("") if col in frame else ""
        return self._insert_rows(tx, "status_records", STATUS_COLUMNS, edition, frame, batch_id, user, is_demo)

    def add_indicator_values(self, tx, edition, values, batch_id, user, is_demo=False):
        frame = values.copy()
        for col in ("source", "note"):
            frame[col] = frame[col].fillna("") if col in frame else ""
        return self._insert_rows(tx, "indicator_values", INDICATOR_COLUMNS, edition, frame, batch_id, user, is_demo)
