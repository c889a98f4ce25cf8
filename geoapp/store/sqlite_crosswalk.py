"""SQLite side of the crosswalk table: the rows mapping pre-2025 units to 2025 units, with their weights.

Mixed into :class:`~geoapp.store.sqlite.SQLiteStore`, which provides ``_frame``. Trip-wires:
:meth:`replace_crosswalk` replaces the whole edition pair at once and copies the source and
hash of its import batch onto every row (the batch must exist first); ``is_split`` is stored as
0/1 and read back as bool; :meth:`set_crosswalk_weights` only updates pairs already stored and
returns how many it changed — a pair it does not find is silently skipped.
"""
from __future__ import annotations

import pandas as pd

from ..errors import NotFoundError, StoreError
from .clock import now as _now
from .sqlite_sql import Filters, plain


class SQLiteCrosswalkMixin:
    def replace_crosswalk(self, tx, rows, batch_id, *, from_edition="pre2025", to_edition="2025"):
        columns = ("old_code", "new_code", "is_split", "old_name", "new_name", "old_province", "new_province",
                   "weight", "method", "raw_share", "coverage")
        batch = tx.execute("SELECT source, file_hash FROM import_batches WHERE id=?", (batch_id,)).fetchone()
        if batch is None:
            raise NotFoundError(f"no batch {batch_id}", message_vi=f"không có lô {batch_id}")
        missing = [c for c in ("old_code", "new_code", "weight", "method") if c not in rows.columns]
        if missing:
            raise StoreError(f"crosswalk rows lack column(s) {', '.join(missing)}")
        frame = rows.reindex(columns=list(columns))
        for col in ("old_name", "new_name", "old_province", "new_province"):
            frame[col] = frame[col].fillna("")
        frame["is_split"] = frame["is_split"].fillna(False).astype(bool).astype(int)
        tx.execute("DELETE FROM crosswalk WHERE from_edition=? AND to_edition=?", (from_edition, to_edition))
        cols = ("from_edition", "to_edition") + columns + ("source", "source_sha256", "batch_id")
        tx.executemany(
            f"INSERT INTO crosswalk({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})",
            [(from_edition, to_edition, *[plain(v) for v in rec], batch[0], batch[1], batch_id)
             for rec in frame.itertuples(index=False, name=None)])
        return len(frame)

    def crosswalk(self, from_edition="pre2025", to_edition="2025", *, old_codes=None, new_codes=None,
                  new_province=None):
        sql = ("SELECT from_edition, to_edition, old_code, new_code, is_split, old_name, new_name, old_province,"
               " new_province, weight, method, raw_share, coverage, weights_at, source, source_sha256, batch_id"
               " FROM crosswalk WHERE from_edition=? AND to_edition=?")
        q = (Filters(sql, from_edition, to_edition).within("old_code", old_codes).within("new_code", new_codes)
             .where("new_province", new_province))
        frame = self._frame(q.sql + " ORDER BY new_code, old_code", q.params)
        frame["is_split"] = frame["is_split"].astype(bool)
        for col in ("weight", "raw_share", "coverage"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        return frame

    def set_crosswalk_weights(self, tx, weights, from_edition="pre2025", to_edition="2025"):
        frame = weights.reindex(columns=["weight", "method", "raw_share", "coverage", "old_code", "new_code"])
        now = _now()
        before = tx.total_changes
        tx.executemany(
            "UPDATE crosswalk SET weight=?, method=?, raw_share=?, coverage=?, weights_at=?"
            " WHERE from_edition=? AND to_edition=? AND old_code=? AND new_code=?",
            [(float(w), str(m), plain(r), plain(c), now, from_edition, to_edition, o, n)
             for w, m, r, c, o, n in frame.itertuples(index=False, name=None)])
        return tx.total_changes - before
