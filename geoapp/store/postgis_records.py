"""PostGIS side of the record tables: import batches, status records, indicator values and the audit log.

Mixed into :class:`~geoapp.store.postgis.PostGISStore`, which provides ``_t`` and ``_frame``;
the shared ``add_status_records``/``add_indicator_values`` (:mod:`geoapp.store.common`) call
:meth:`_insert_rows` here. Trip-wires: every write names its user (:func:`require_user`);
``user`` is a reserved word in PostgreSQL, so the column is always quoted (``"user"``); a
rolled-back batch stays in ``import_batches`` with ``state='rolled_back'`` and its rows stay in
their tables — the reads hide them by joining on the batch state; code lists bind as one
``text[]`` (``= ANY(CAST(:codes AS text[]))``), never as one parameter per code.
"""
from __future__ import annotations

import json

from ..errors import NotFoundError
from .clock import now as _now
from .base import BatchInfo
from .common import check_rollback, require_user
from .postgis_sql import COLLATE_C as _C, Filters, plain


class PostGISRecordsMixin:
    # -- writes -------------------------------------------------------------------------------
    def add_batch(self, tx, batch: BatchInfo) -> int:
        require_user(batch.user, f"a {batch.kind} import batch")
        return int(tx.execute(self._t(
            'INSERT INTO import_batches(kind, edition, source, file_hash, "user", started_at, row_count, detail,'
            " is_demo) VALUES (:kind, :edition, :source, :file_hash, :user, :started_at, :row_count, :detail,"
            " :is_demo) RETURNING id"),
            {"kind": batch.kind, "edition": batch.edition, "source": str(batch.source),
             "file_hash": batch.file_hash, "user": batch.user, "started_at": _now(),
             "row_count": int(batch.row_count),
             "detail": json.dumps(batch.detail, ensure_ascii=False, default=str),
             "is_demo": int(bool(batch.is_demo))}).scalar_one())

    def _insert_rows(self, tx, table, columns, edition, frame, batch_id, user, is_demo):
        frame = frame.reindex(columns=list(columns))
        now = _now()
        cols = ("edition",) + tuple(columns) + ("batch_id", "recorded_by", "recorded_at", "is_demo")
        rows = [dict(zip(cols, (edition, *[plain(v) for v in rec], plain(batch_id), user, now, int(is_demo))))
                for rec in frame.itertuples(index=False, name=None)]
        if rows:
            tx.execute(self._t(f"INSERT INTO {table}({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"),
                       rows)
        return len(rows)

    def rollback_batch(self, tx, batch_id, user):
        require_user(user, "a batch rollback")
        row = tx.execute(self._t("SELECT id, kind, state FROM import_batches WHERE id = :id FOR UPDATE"),
                         {"id": int(batch_id)}).fetchone()
        check_rollback(batch_id, row)
        tx.execute(self._t("UPDATE import_batches SET state = 'rolled_back', rolled_back_at = :at,"
                           " rolled_back_by = :by WHERE id = :id"), {"at": _now(), "by": user, "id": int(batch_id)})
        return {"id": batch_id, "kind": row[1]}

    def audit(self, tx, user, action, target="", detail=None, origin=""):
        require_user(user, "an audit row")
        tx.execute(self._t('INSERT INTO audit_log(at, "user", action, target, detail, origin)'
                           " VALUES (:at, :user, :action, :target, :detail, :origin)"),
                   {"at": _now(), "user": user, "action": action, "target": target or "",
                    "detail": json.dumps(detail or {}, ensure_ascii=False, default=str), "origin": origin or ""})

    # -- reads --------------------------------------------------------------------------------
    def status_records(self, edition, *, province=None, scheme=None, codes=None, as_of=None,
                       include_rolled_back=False):
        sql = ("SELECT r.id, r.code, r.scheme, r.status, r.valid_from, r.valid_to, r.decision_no, r.decision_date,"
               " r.source, r.note, r.recorded_by, r.recorded_at, r.batch_id, r.row_number, r.is_demo,"
               " u.province_code, b.state AS batch_state"
               " FROM status_records r JOIN units u ON u.edition = r.edition AND u.code = r.code"
               " JOIN import_batches b ON b.id = r.batch_id WHERE r.edition = :e")
        if not include_rolled_back:
            sql += " AND b.state = 'active'"
        q = (Filters(sql, {"e": edition}).where("u.province_code", province and str(province))
             .where("r.scheme", scheme).within("r.code", codes).where("r.valid_from", as_of, "<="))
        return self._frame(q.sql + f" ORDER BY r.code {_C}, r.scheme {_C}, r.valid_from {_C}, r.id", q.params)

    def indicator_values(self, edition, *, province=None, indicator=None, codes=None):
        sql = ("SELECT v.id, v.code, v.indicator, v.period, v.period_start, v.period_end, v.value, v.source,"
               " v.note, v.recorded_by, v.recorded_at, v.batch_id, v.row_number, v.is_demo, u.province_code"
               " FROM indicator_values v JOIN units u ON u.edition = v.edition AND u.code = v.code"
               " JOIN import_batches b ON b.id = v.batch_id AND b.state = 'active' WHERE v.edition = :e")
        q = (Filters(sql, {"e": edition}).where("u.province_code", province and str(province))
             .where("v.indicator", indicator).within("v.code", codes))
        return self._frame(q.sql + f" ORDER BY v.code {_C}, v.indicator {_C}, v.period_start {_C}, v.id", q.params)

    def batch(self, batch_id):
        frame = self._frame("SELECT * FROM import_batches WHERE id = :id", {"id": int(batch_id)})
        if frame.empty:
            raise NotFoundError(f"no batch {batch_id}", message_vi=f"không có lô {batch_id}")
        return frame.iloc[0].to_dict()

    def batches(self, kind=None):
        sql = "SELECT * FROM import_batches"
        params = {}
        if kind:
            sql += " WHERE kind = :k"
            params["k"] = kind
        return self._frame(sql + " ORDER BY id DESC", params)

    def audit_log(self, limit=100):
        return self._frame("SELECT * FROM audit_log ORDER BY id DESC LIMIT :n", {"n": int(limit)})
