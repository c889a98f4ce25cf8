"""PostGIS side of the crosswalk table: the rows mapping pre-2025 units to 2025 units, with their weights.

Mixed into :class:`~geoapp.store.postgis.PostGISStore`, which provides ``_t`` and ``_frame``.
Trip-wires: :meth:`replace_crosswalk` replaces the whole edition pair at once and copies the
source and hash of its import batch onto every row (the batch must exist first); ``is_split`` is
stored as 0/1 and read back as bool; :meth:`set_crosswalk_weights` updates in one statement
from ``unnest`` arrays, only pairs already stored, and returns how many it changed — a pair it
does not find is silently skipped.
"""
from __future__ import annotations

import pandas as pd

from ..errors import NotFoundError, StoreError
from .clock import now as _now
from .postgis_sql import COLLATE_C as _C, Filters, plain


class PostGISCrosswalkMixin:
    _CW_COLUMNS = ("old_code", "new_code", "is_split", "old_name", "new_name", "old_province", "new_province",
                   "weight", "method", "raw_share", "coverage")

    def replace_crosswalk(self, tx, rows, batch_id, *, from_edition="pre2025", to_edition="2025"):
        batch = tx.execute(self._t("SELECT source, file_hash FROM import_batches WHERE id = :id"),
                           {"id": int(batch_id)}).fetchone()
        if batch is None:
            raise NotFoundError(f"no batch {batch_id}", message_vi=f"không có lô {batch_id}")
        missing = [c for c in ("old_code", "new_code", "weight", "method") if c not in rows.columns]
        if missing:
            raise StoreError(f"crosswalk rows lack column(s) {', '.join(missing)}")
        columns = self._CW_COLUMNS
        frame = rows.reindex(columns=list(columns))
        for col in ("old_name", "new_name", "old_province", "new_province"):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), "")
        frame["is_split"] = frame["is_split"].astype(object).where(frame["is_split"].notna(), False) \
            .astype(bool).astype(int)
        tx.execute(self._t("DELETE FROM crosswalk WHERE from_edition = :f AND to_edition = :t"),
                   {"f": from_edition, "t": to_edition})
        cols = ("from_edition", "to_edition") + columns + ("source", "source_sha256", "batch_id")
        payload = [dict(zip(cols, (from_edition, to_edition, *[plain(v) for v in rec], batch[0], batch[1],
                                   int(batch_id))))
                   for rec in frame.itertuples(index=False, name=None)]
        if payload:
            tx.execute(self._t(f"INSERT INTO crosswalk({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"),
                       payload)
        return len(frame)

    def crosswalk(self, from_edition="pre2025", to_edition="2025", *, old_codes=None, new_codes=None,
                  new_province=None):
        sql = ("SELECT from_edition, to_edition, old_code, new_code, is_split, old_name, new_name, old_province,"
               " new_province, weight, method, raw_share, coverage, weights_at, source, source_sha256, batch_id"
               " FROM crosswalk WHERE from_edition = :f AND to_edition = :t")
        q = (Filters(sql, {"f": from_edition, "t": to_edition}).within("old_code", old_codes)
             .within("new_code", new_codes).where("new_province", new_province and str(new_province)))
        frame = self._frame(q.sql + f" ORDER BY new_code {_C}, old_code {_C}", q.params)
        frame["is_split"] = frame["is_split"].astype(bool)
        for col in ("weight", "raw_share", "coverage"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        return frame

    def set_crosswalk_weights(self, tx, weights, from_edition="pre2025", to_edition="2025"):
        frame = weights.reindex(columns=["weight", "method", "raw_share", "coverage", "old_code", "new_code"])
        if frame.empty:
            return 0
        arrays = {
            "w": [float(v) for v in frame["weight"]],
            "m": [str(v) for v in frame["method"]],
            "r": [plain(v) for v in frame["raw_share"]],
            "c": [plain(v) for v in frame["coverage"]],
            "o": [str(v) for v in frame["old_code"]],
            "n": [str(v) for v in frame["new_code"]],
        }
        res = tx.execute(self._t(
            "UPDATE crosswalk x SET weight = v.weight, method = v.method, raw_share = v.raw_share,"
            " coverage = v.coverage, weights_at = :at"
            " FROM unnest(CAST(:w AS float8[]), CAST(:m AS text[]), CAST(:r AS float8[]), CAST(:c AS float8[]),"
            "             CAST(:o AS text[]), CAST(:n AS text[])) AS v(weight, method, raw_share, coverage, old_code, new_code)"
            " WHERE x.from_edition = :f AND x.to_edition = :t AND x.old_code = v.old_code AND x.new_code = v.new_code"),
            {**arrays, "at": _now(), "f": from_edition, "t": to_edition})
        return int(res.rowcount)
