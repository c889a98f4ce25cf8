"""PostgreSQL implementation of :class:`~geoapp.store.base_auth.AuthStore` (mixed into PostGISStore).

Same columns and return shapes as :mod:`geoapp.store.sqlite_auth`: flags as integers, the
province scope as JSON text in the table and a list in :meth:`user`, timestamps as ISO text.
"""
from __future__ import annotations

import json

from ..errors import InputError, NotFoundError
from .clock import now as _now
from .common import session_user_of

_USER_FIELDS = {"role", "provinces", "all_provinces", "disabled", "password_hash", "failed_logins",
                "locked_until", "session_epoch"}



def _bindable(v):
    if isinstance(v, bool):
        return int(v)
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):   # numpy scalars
        return v.item()
    return v


class PostGISAuthMixin:
    def add_user(self, tx, name, password_hash, role, provinces, all_provinces):
        sa = self._sa
        try:
            with tx.begin_nested():   # a savepoint: the caller's transaction survives the refusal
                return int(tx.execute(self._t(
                    "INSERT INTO users(name, password_hash, role, all_provinces, provinces, created_at, updated_at)"
                    " VALUES (:name, :ph, :role, :all, :prov, :now, :now) RETURNING id"),
                    {"name": name, "ph": password_hash, "role": role, "all": int(bool(all_provinces)),
                     "prov": json.dumps(sorted(provinces)), "now": _now()}).scalar_one())
        except sa.exc.IntegrityError as exc:
            if getattr(exc.orig, "sqlstate", None) == "23505":   # unique_violation
                raise InputError(f"user {name!r} exists already",
                                 message_vi=f"người dùng {name!r} đã tồn tại") from None
            raise

    def update_user(self, tx, name, **fields):
        unknown = set(fields) - _USER_FIELDS
        if unknown:
            raise ValueError(f"unknown user fields {unknown}")
        if "provinces" in fields:
            fields["provinces"] = json.dumps(sorted(fields["provinces"]))
        params = {f"v_{k}": _bindable(v) for k, v in fields.items()}
        sets = ", ".join(f"{k} = :v_{k}" for k in fields) + (", " if fields else "") + "updated_at = :now"
        res = tx.execute(self._t(f"UPDATE users SET {sets} WHERE name = :name"),
                         {**params, "now": _now(), "name": name})
        if res.rowcount == 0:
            raise NotFoundError(f"no user {name!r}", message_vi=f"không có người dùng {name!r}")

    def bump_session_epoch(self, tx, name):
        row = tx.execute(self._t("UPDATE users SET session_epoch = session_epoch + 1, updated_at = :now"
                                 " WHERE name = :name RETURNING id"), {"now": _now(), "name": name}).fetchone()
        if row is None:
            raise NotFoundError(f"no user {name!r}", message_vi=f"không có người dùng {name!r}")
        return int(row[0])

    def _user_row(self, where: str, params) -> dict | None:
        with self._read() as con:
            try:
                row = con.execute(self._t(f"SELECT * FROM users WHERE {where}"), params).mappings().fetchone()
            except self._sa.exc.ProgrammingError as exc:
                if self._no_schema(exc):
                    self._require_schema()
                raise
        if row is None:
            return None
        user = dict(row)
        user["provinces"] = json.loads(user["provinces"])
        return user

    def user(self, name):
        return self._user_row("name = :name", {"name": name})

    def users(self):
        frame = self._frame("SELECT id, name, role, all_provinces, provinces, disabled, failed_logins, locked_until,"
                            ' created_at, updated_at FROM users ORDER BY name COLLATE "C"')
        frame["provinces"] = frame["provinces"].map(json.loads)
        return frame

    def add_token(self, tx, user_id, token_hash, label):
        return int(tx.execute(self._t(
            "INSERT INTO api_tokens(user_id, token_hash, label, created_at) VALUES (:u, :h, :l, :now) RETURNING id"),
            {"u": int(user_id), "h": token_hash, "l": label or "", "now": _now()}).scalar_one())

    def token_user(self, token_hash):
        self._require_schema()
        with self.engine.begin() as con:   # its own small transaction; does not bump data_version
            row = con.execute(self._t(
                "UPDATE api_tokens t SET last_used = :now FROM users u"
                " WHERE u.id = t.user_id AND t.token_hash = :h AND t.revoked_at IS NULL RETURNING u.name"),
                {"now": _now(), "h": token_hash}).fetchone()
        return self.user(row[0]) if row else None

    def revoke_tokens(self, tx, user_id):
        res = tx.execute(self._t("UPDATE api_tokens SET revoked_at = :now WHERE user_id = :u AND revoked_at IS NULL"),
                         {"now": _now(), "u": int(user_id)})
        return res.rowcount

    def _write_one(self, sql: str, params: dict, *before) -> list[dict]:
        """Run one statement (after the ``(sql, params)`` pairs of ``before``) in its own small
        transaction, outside :meth:`transaction` (no meta lock, no data_version bump). The counters
        stay atomic because each is one UPDATE / upsert: PostgreSQL locks the row and re-checks the
        WHERE against the newest version when a parallel writer got there first."""
        self._require_schema()
        with self.engine.begin() as con:
            for sql_before, params_before in before:
                con.execute(self._t(sql_before), params_before)
            result = con.execute(self._t(sql), params)
            return [dict(r) for r in result.mappings().fetchall()] if result.returns_rows else []

    def add_session(self, tx, user_id, sid_hash, epoch, expires_at):
        now = _now()
        tx.execute(self._t("DELETE FROM sessions WHERE user_id = :u"
                           " AND (expires_at <= :now OR revoked_at IS NOT NULL)"), {"u": int(user_id), "now": now})
        return int(tx.execute(self._t(
            "INSERT INTO sessions(user_id, sid_hash, epoch, created_at, expires_at)"
            " VALUES (:u, :h, :e, :now, :exp) RETURNING id"),
            {"u": int(user_id), "h": sid_hash, "e": int(epoch), "now": now, "exp": expires_at}).scalar_one())

    def session_user(self, sid_hash):
        self._require_schema()
        with self._read() as con:
            row = con.execute(self._t(
                "SELECT s.id AS s_id, s.epoch AS s_epoch, s.expires_at AS s_expires_at, s.revoked_at AS s_revoked_at,"
                " u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.sid_hash = :h"),
                {"h": sid_hash}).mappings().fetchone()
        return session_user_of(row)

    def revoke_session(self, tx, sid_hash):
        return tx.execute(self._t("UPDATE sessions SET revoked_at = :now WHERE sid_hash = :h AND revoked_at IS NULL"),
                          {"now": _now(), "h": sid_hash}).rowcount

    def revoke_sessions(self, tx, user_id):
        return tx.execute(self._t("UPDATE sessions SET revoked_at = :now WHERE user_id = :u AND revoked_at IS NULL"),
                          {"now": _now(), "u": int(user_id)}).rowcount

    def record_login(self, origin, name, ok):
        with self.engine.begin() as con:
            con.execute(self._t("INSERT INTO login_attempts(at, origin, name, ok) VALUES (:at, :o, :n, :ok)"),
                        {"at": _now(), "o": origin, "n": name, "ok": int(bool(ok))})

    def failed_logins_since(self, origin, since):
        with self._read() as con:
            return int(con.execute(self._t("SELECT COUNT(*) FROM login_attempts WHERE origin = :o AND ok = 0"
                                           " AND at >= :since"), {"o": origin, "since": since}).scalar())

    def add_share_link(self, tx, token_hash, view, edition, province, created_by, expires_at, creator_epoch=None):
        return int(tx.execute(self._t(
            "INSERT INTO share_links(token_hash, view, edition, province, created_by, created_at, expires_at,"
            " creator_epoch) VALUES (:h, :v, :e, :p, :by, :now, :exp, :ce) RETURNING id"),
            {"h": token_hash, "v": view, "e": edition, "p": province, "by": created_by, "now": _now(),
             "exp": expires_at, "ce": None if creator_epoch is None else int(creator_epoch)}).scalar_one())

    def share_link(self, token_hash):
        with self._read() as con:
            row = con.execute(self._t("SELECT * FROM share_links WHERE token_hash = :h"),
                              {"h": token_hash}).mappings().fetchone()
        return dict(row) if row else None

    def share_links(self):
        return self._frame("SELECT id, view, edition, province, created_by, created_at, expires_at, revoked_at,"
                           " revoked_by FROM share_links ORDER BY id DESC")

    def revoke_share_link(self, tx, link_id, by):
        res = tx.execute(self._t("UPDATE share_links SET revoked_at = :now, revoked_by = :by"
                                 " WHERE id = :id AND revoked_at IS NULL"), {"now": _now(), "by": by, "id": int(link_id)})
        if res.rowcount == 0:
            raise NotFoundError(f"no live share link {link_id}")
