"""SQLite implementation of :class:`~geoapp.store.base_auth.AuthStore` (mixed into SQLiteStore)."""
from __future__ import annotations

import json
import sqlite3


from ..errors import InputError, NotFoundError
from .clock import now as _now
from .common import session_user_of

_USER_FIELDS = {"role", "provinces", "all_provinces", "disabled", "password_hash", "failed_logins",
                "locked_until", "session_epoch"}



class SQLiteAuthMixin:
    def add_user(self, tx, name, password_hash, role, provinces, all_provinces):
        try:
            cur = tx.execute("INSERT INTO users(name, password_hash, role, all_provinces, provinces, created_at, "
                             "updated_at) VALUES (?,?,?,?,?,?,?)",
                             (name, password_hash, role, int(all_provinces), json.dumps(sorted(provinces)), _now(), _now()))
        except sqlite3.IntegrityError:
            raise InputError(f"user {name!r} exists already", message_vi=f"người dùng {name!r} đã tồn tại") from None
        return int(cur.lastrowid)

    def update_user(self, tx, name, **fields):
        unknown = set(fields) - _USER_FIELDS
        if unknown:
            raise ValueError(f"unknown user fields {unknown}")
        if "provinces" in fields:
            fields["provinces"] = json.dumps(sorted(fields["provinces"]))
        # numpy integers would be stored as blobs by sqlite3
        fields = {k: (int(v) if hasattr(v, "item") and not isinstance(v, str) else v) for k, v in fields.items()}
        sets = ", ".join(f"{k}=?" for k in fields) + ", updated_at=?"
        cur = tx.execute(f"UPDATE users SET {sets} WHERE name=?", (*fields.values(), _now(), name))
        if cur.rowcount == 0:
            raise NotFoundError(f"no user {name!r}", message_vi=f"không có người dùng {name!r}")

    def bump_session_epoch(self, tx, name):
        # fetchall: a RETURNING statement left half-stepped would block the COMMIT
        rows = tx.execute("UPDATE users SET session_epoch = session_epoch + 1, updated_at=? WHERE name=? RETURNING id",
                          (_now(), name)).fetchall()
        if not rows:
            raise NotFoundError(f"no user {name!r}", message_vi=f"không có người dùng {name!r}")
        return int(rows[0][0])

    def _user_row(self, where: str, params) -> dict | None:
        self._require_schema()
        with self._read() as con:
            con.row_factory = sqlite3.Row
            row = con.execute(f"SELECT * FROM users WHERE {where}", params).fetchone()
        if row is None:
            return None
        user = dict(row)
        user["provinces"] = json.loads(user["provinces"])
        return user

    def user(self, name):
        return self._user_row("name=?", (name,))

    def users(self):
        frame = self._frame("SELECT id, name, role, all_provinces, provinces, disabled, failed_logins, locked_until, "
                            "created_at, updated_at FROM users ORDER BY name")
        frame["provinces"] = frame["provinces"].map(json.loads)
        return frame

    def add_token(self, tx, user_id, token_hash, label):
        cur = tx.execute("INSERT INTO api_tokens(user_id, token_hash, label, created_at) VALUES (?,?,?,?)",
                         (user_id, token_hash, label, _now()))
        return int(cur.lastrowid)

    def token_user(self, token_hash):
        self._require_schema()
        con = self._connect()
        try:
            row = con.execute("SELECT t.id, u.name FROM api_tokens t JOIN users u ON u.id=t.user_id "
                              "WHERE t.token_hash=? AND t.revoked_at IS NULL", (token_hash,)).fetchone()
            if row:
                con.execute("UPDATE api_tokens SET last_used=? WHERE id=?", (_now(), row[0]))
        finally:
            con.close()
        return self.user(row[1]) if row else None

    def revoke_tokens(self, tx, user_id):
        cur = tx.execute("UPDATE api_tokens SET revoked_at=? WHERE user_id=? AND revoked_at IS NULL", (_now(), user_id))
        return cur.rowcount

    def _write_one(self, sql: str, params: dict, *before) -> list[sqlite3.Row]:
        """Run one statement (after the ``(sql, params)`` pairs of ``before``) in its own ``BEGIN
        IMMEDIATE`` transaction: parallel callers queue on the write lock, so a counter is never read
        by one and written by another in between. Does not bump data_version (no map data changes)."""
        self._require_schema()
        con = self._connect()
        try:
            con.row_factory = sqlite3.Row
            con.execute("BEGIN IMMEDIATE")
            for sql_before, params_before in before:
                con.execute(sql_before, params_before)
            rows = con.execute(sql, params).fetchall()
            con.execute("COMMIT")
            return rows
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    def add_session(self, tx, user_id, sid_hash, epoch, expires_at):
        now = _now()
        tx.execute("DELETE FROM sessions WHERE user_id=? AND (expires_at<=? OR revoked_at IS NOT NULL)",
                   (int(user_id), now))
        cur = tx.execute("INSERT INTO sessions(user_id, sid_hash, epoch, created_at, expires_at) VALUES (?,?,?,?,?)",
                         (int(user_id), sid_hash, int(epoch), now, expires_at))
        return int(cur.lastrowid)

    def session_user(self, sid_hash):
        self._require_schema()
        with self._read() as con:
            con.row_factory = sqlite3.Row
            row = con.execute("SELECT s.id AS s_id, s.epoch AS s_epoch, s.expires_at AS s_expires_at, "
                              "s.revoked_at AS s_revoked_at, u.* FROM sessions s JOIN users u ON u.id = s.user_id "
                              "WHERE s.sid_hash=?", (sid_hash,)).fetchone()
        return session_user_of(row)

    def revoke_session(self, tx, sid_hash):
        return tx.execute("UPDATE sessions SET revoked_at=? WHERE sid_hash=? AND revoked_at IS NULL",
                          (_now(), sid_hash)).rowcount

    def revoke_sessions(self, tx, user_id):
        return tx.execute("UPDATE sessions SET revoked_at=? WHERE user_id=? AND revoked_at IS NULL",
                          (_now(), int(user_id))).rowcount

    def record_login(self, origin, name, ok):
        con = self._connect()
        try:
            con.execute("INSERT INTO login_attempts(at, origin, name, ok) VALUES (?,?,?,?)", (_now(), origin, name, int(ok)))
        finally:
            con.close()

    def failed_logins_since(self, origin, since):
        with self._read() as con:
            return con.execute("SELECT COUNT(*) FROM login_attempts WHERE origin=? AND ok=0 AND at>=?",
                               (origin, since)).fetchone()[0]

    def add_share_link(self, tx, token_hash, view, edition, province, created_by, expires_at, creator_epoch=None):
        cur = tx.execute("INSERT INTO share_links(token_hash, view, edition, province, created_by, created_at, "
                         "expires_at, creator_epoch) VALUES (?,?,?,?,?,?,?,?)",
                         (token_hash, view, edition, province, created_by, _now(), expires_at,
                          None if creator_epoch is None else int(creator_epoch)))
        return int(cur.lastrowid)

    def share_link(self, token_hash):
        with self._read() as con:
            con.row_factory = sqlite3.Row
            row = con.execute("SELECT * FROM share_links WHERE token_hash=?", (token_hash,)).fetchone()
        return dict(row) if row else None

    def share_links(self):
        return self._frame("SELECT id, view, edition, province, created_by, created_at, expires_at, revoked_at, "
                           "revoked_by FROM share_links ORDER BY id DESC")

    def revoke_share_link(self, tx, link_id, by):
        cur = tx.execute("UPDATE share_links SET revoked_at=?, revoked_by=? WHERE id=? AND revoked_at IS NULL",
                         (_now(), by, link_id))
        if cur.rowcount == 0:
            raise NotFoundError(f"no live share link {link_id}")
