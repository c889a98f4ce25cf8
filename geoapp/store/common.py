"""Small pieces every backend shares: the migration files of a dialect, the user check, shared methods."""
from __future__ import annotations

import json
from importlib import resources

from ..errors import InputError, NotFoundError, StoreError
from .base import INDICATOR_COLUMNS, STATUS_COLUMNS


def migrations(dialect: str) -> list[tuple[int, str]]:
    """``[(version, sql)]`` of ``migrations/<dialect>/NNNN_*.sql``, in version order."""
    folder = resources.files("geoapp.store.migrations") / dialect
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def require_user(user, what: str) -> str:
    """``user`` if it names someone; else :class:`InputError` — the store never writes an import
    batch, a record or an audit row that nobody is answerable for. Callers without a signed-in person
    (the CLI, the demo builder) pass a name such as ``"cli"`` or ``"demo"``."""
    if not isinstance(user, str) or not user.strip():
        raise InputError(f"refused to write {what} without a user: say who does it",
                         message_vi="không ghi dữ liệu khi không biết ai thực hiện: hãy cho biết tên người dùng")
    return user


def check_rollback(batch_id, row) -> None:
    """Refuse to roll back a batch that is missing, not of records, or already rolled back.
    ``row`` is ``(id, kind, state)`` of ``import_batches`` as each backend read it (locked)."""
    if row is None:
        raise NotFoundError(f"no batch {batch_id}", message_vi=f"không có lô {batch_id}")
    if row[1] not in ("status", "indicators"):
        raise StoreError(f"batch {batch_id} is a {row[1]} batch; only status and indicator batches "
                         "can be rolled back (re-import boundaries instead)")
    if row[2] != "active":
        raise StoreError(f"batch {batch_id} is already rolled back",
                         message_vi=f"lô {batch_id} đã được hoàn tác")


def session_user_of(row) -> dict | None:
    """A ``sessions ⋈ users`` row (session columns prefixed ``s_``) as :meth:`AuthStore.session_user` returns it."""
    if row is None:
        return None
    user = dict(row)
    user["session"] = {k[2:]: user.pop(k) for k in ("s_id", "s_epoch", "s_expires_at", "s_revoked_at")}
    user["provinces"] = json.loads(user["provinces"])
    return user


class SharedMethods:
    """Store methods that read the same on every backend; each backend provides ``_insert_rows``."""

    def _require_schema(self):
        # every read asks; a schema, once there, stays (a store object is not reused across databases),
        # so only the answer "there is none yet" is asked again
        if getattr(self, "_schema_seen", False):
            return
        if self.schema_version() == 0:
            raise StoreError(f"{self.url} has no geoapp schema yet; run `geoapp db upgrade` "
                             "(or `geoapp demo`) first")
        self._schema_seen = True

    def add_status_records(self, tx, edition, records, batch_id, user, is_demo=False):
        require_user(user, "status records")
        frame = records.copy()
        for col in ("decision_no", "source", "note"):
            frame[col] = frame[col].fillna("") if col in frame else ""
        return self._insert_rows(tx, "status_records", STATUS_COLUMNS, edition, frame, batch_id, user, is_demo)

    def add_indicator_values(self, tx, edition, values, batch_id, user, is_demo=False):
        require_user(user, "indicator values")
        frame = values.copy()
        for col in ("source", "note"):
            frame[col] = frame[col].fillna("") if col in frame else ""
        return self._insert_rows(tx, "indicator_values", INDICATOR_COLUMNS, edition, frame, batch_id, user, is_demo)
