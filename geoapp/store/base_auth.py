"""The part of the store contract that holds users, sessions, API tokens, login counters and share links.

Trip-wire: the login counters (:meth:`AuthStore.take_login_slot`, :meth:`AuthStore.take_user_attempt`)
must each be ONE statement in its own small transaction. Reading a counter and writing it back +1
lets parallel requests all read the same value: that is how 18 parallel wrong passwords once
slipped past a limit of 5. Both backends run the statements below verbatim (``:name`` parameters).
"""
from __future__ import annotations

import abc
import json

import pandas as pd

from .clock import now

#: count one attempt against an address unless it has ``:limit`` already in a window that began
#: after ``:since``; an expired window restarts at 1. No row comes back when the address is throttled.
TAKE_LOGIN_SLOT_SQL = (
    "INSERT INTO login_origins(origin, window_start, failures) VALUES (:origin, :now, 1)"
    " ON CONFLICT (origin) DO UPDATE SET"
    " window_start = CASE WHEN login_origins.window_start < :since THEN :now ELSE login_origins.window_start END,"
    " failures = CASE WHEN login_origins.window_start < :since THEN 1 ELSE login_origins.failures + 1 END"
    " WHERE login_origins.window_start < :since OR login_origins.failures < :limit"
    " RETURNING failures")
#: give back the attempt of an address that turned out to be a right password
GIVE_BACK_LOGIN_SLOT_SQL = (
    "UPDATE login_origins SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END"
    " WHERE origin = :origin")
#: addresses whose window ended long ago (keeps the table as small as the recent traffic)
PRUNE_LOGIN_SLOTS_SQL = "DELETE FROM login_origins WHERE window_start < :since"
#: count one attempt against a user who is not locked, locking at ``:max`` counted attempts; the
#: user row (after the count) comes back, or nothing for an unknown or locked user
TAKE_USER_ATTEMPT_SQL = (
    "UPDATE users SET failed_logins = failed_logins + 1,"
    " locked_until = CASE WHEN failed_logins + 1 >= :max THEN :lock ELSE locked_until END,"
    " updated_at = :now"
    " WHERE name = :name AND (locked_until IS NULL OR locked_until <= :now)"
    " RETURNING *")


class AuthStore(abc.ABC):
    """Users and credentials. Passwords and tokens arrive already hashed: the store never sees secrets."""

    @abc.abstractmethod
    def add_user(self, tx, name: str, password_hash: str, role: str, provinces: list[str],
                 all_provinces: bool) -> int:
        """Create a user; :class:`~geoapp.errors.InputError` if the name exists."""

    @abc.abstractmethod
    def update_user(self, tx, name: str, **fields) -> None:
        """Change fields of a user (role, provinces, all_provinces, disabled, password_hash,
        failed_logins, locked_until, session_epoch)."""

    @abc.abstractmethod
    def bump_session_epoch(self, tx, name: str) -> int:
        """``session_epoch = session_epoch + 1`` in one statement (never read, then written back);
        returns the user id; :class:`~geoapp.errors.NotFoundError` for an unknown user."""

    @abc.abstractmethod
    def user(self, name: str) -> dict | None:
        """One user by name, or None."""

    @abc.abstractmethod
    def users(self) -> pd.DataFrame:
        """All users (without password hashes)."""

    @abc.abstractmethod
    def add_token(self, tx, user_id: int, token_hash: str, label: str) -> int: ...

    @abc.abstractmethod
    def token_user(self, token_hash: str) -> dict | None:
        """The user of a live (not revoked) token, and marks the token used."""

    @abc.abstractmethod
    def revoke_tokens(self, tx, user_id: int) -> int: ...

    @abc.abstractmethod
    def _write_one(self, sql: str, params: dict, *before) -> list:
        """Run one statement (after the ``(sql, params)`` pairs of ``before``) in its own small
        transaction, outside :meth:`transaction` (no data_version bump); returns its rows as mappings."""

    def take_login_slot(self, origin: str, since: str, limit: int) -> bool:
        """Count one login attempt from ``origin``; False (nothing counted) when it already has
        ``limit`` in the window that began after ``since``. One statement, its own transaction:
        call it BEFORE checking a password, so no more than ``limit`` passwords are ever checked."""
        take = {"origin": origin, "now": now(), "since": since, "limit": int(limit)}
        return bool(self._write_one(TAKE_LOGIN_SLOT_SQL, take, (PRUNE_LOGIN_SLOTS_SQL, {"since": since})))

    def give_back_login_slot(self, origin: str) -> None:
        """Uncount one attempt of ``origin`` (the password was right: only failures stay counted)."""
        self._write_one(GIVE_BACK_LOGIN_SLOT_SQL, {"origin": origin})

    def take_user_attempt(self, name: str, max_failed: int, lock_until: str) -> dict | None:
        """Count one attempt against user ``name`` unless locked; at ``max_failed`` counted attempts
        lock it until ``lock_until``. Returns the user (as :meth:`user`, after the count), or None
        for an unknown or locked user — the caller must not check a password then. One statement."""
        rows = self._write_one(TAKE_USER_ATTEMPT_SQL, {"name": name, "max": int(max_failed), "lock": lock_until,
                                                       "now": now()})
        if not rows:
            return None
        user = dict(rows[0])
        user["provinces"] = json.loads(user["provinces"])
        return user

    @abc.abstractmethod
    def add_session(self, tx, user_id: int, sid_hash: str, epoch: int, expires_at: str) -> int:
        """Start a server-side session (the cookie carries the id whose sha256 is ``sid_hash``);
        drops the user's expired and revoked sessions on the way."""

    @abc.abstractmethod
    def session_user(self, sid_hash: str) -> dict | None:
        """The user (as :meth:`user`) of session ``sid_hash`` with the session row under ``"session"``
        (id, epoch, expires_at, revoked_at); None when there is no such session. Does not judge
        whether it is live: :func:`geoapp.access.live_session` does."""

    @abc.abstractmethod
    def revoke_session(self, tx, sid_hash: str) -> int: ...

    @abc.abstractmethod
    def revoke_sessions(self, tx, user_id: int) -> int:
        """Revoke every live session of a user; returns how many."""

    @abc.abstractmethod
    def record_login(self, origin: str, name: str, ok: bool) -> None:
        """Remember a login attempt (its own small transaction: attempts must count even when a
        request fails)."""

    @abc.abstractmethod
    def failed_logins_since(self, origin: str, since: str) -> int: ...

    @abc.abstractmethod
    def add_share_link(self, tx, token_hash: str, view: str, edition: str, province: str, created_by: str,
                       expires_at: str, creator_epoch: int | None = None) -> int:
        """``creator_epoch``: the creator's session_epoch now; a link without one is dead."""

    @abc.abstractmethod
    def share_link(self, token_hash: str) -> dict | None: ...

    @abc.abstractmethod
    def share_links(self) -> pd.DataFrame: ...

    @abc.abstractmethod
    def revoke_share_link(self, tx, link_id: int, by: str) -> None: ...
