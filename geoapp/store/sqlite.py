"""The embedded store: one SQLite file, WAL journal, geometry as WKB blobs — its connections and schema.

No SpatiaLite: geometry is stored as WKB with its bounding box in plain columns, and spatial
work happens in shapely. That keeps the embedded store installable everywhere (the stdlib
``sqlite3`` module is all it needs).

This module holds what every topic needs (connections, the write transaction, migrations,
``_frame``); the tables are written and read by mixins beside it, one topic each:
:mod:`~geoapp.store.sqlite_boundaries` (editions, provinces, units, geometry),
:mod:`~geoapp.store.sqlite_records` (batches, statuses, indicators, audit),
:mod:`~geoapp.store.sqlite_crosswalk` and :mod:`~geoapp.store.sqlite_auth` (users, sessions).

Trip-wires: a connection is opened per call (``sqlite3`` connections must not cross threads
and waitress serves from a thread pool); writes take ``BEGIN IMMEDIATE`` so two writers queue
on the busy timeout instead of failing half-way.
"""
from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ..errors import StoreError
from .common import SharedMethods, migrations
from .clock import now as _now
from .base import Store
from .sqlite_auth import SQLiteAuthMixin
from .sqlite_boundaries import SQLiteBoundariesMixin
from .sqlite_crosswalk import SQLiteCrosswalkMixin
from .sqlite_records import SQLiteRecordsMixin

BUSY_TIMEOUT_MS = 30_000


def _migrations() -> list[tuple[int, str]]:
    return migrations("sqlite")


class SQLiteStore(SharedMethods, SQLiteAuthMixin, SQLiteBoundariesMixin, SQLiteRecordsMixin, SQLiteCrosswalkMixin,
                  Store):
    """Store in one SQLite file (created on :meth:`upgrade`)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self._version_reader = threading.local()      # see data_version
        self._wal = False                              # see _connect

    # -- connections --------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # ``timeout`` is the busy timeout; WAL is a property of the file, set once per store object
        # (every request opens connections: each PRAGMA less counts)
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        if not self._wal:
            con.execute("PRAGMA journal_mode=WAL")
            self._wal = True
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("PRAGMA synchronous=NORMAL")
        return con

    @contextmanager
    def _read(self):
        con = self._connect()
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def transaction(self):
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            yield con
            con.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'")
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    # -- schema -------------------------------------------------------------------------------
    def schema_version(self) -> int:
        if not self.path.exists():
            return 0
        with self._read() as con:
            return con.execute("PRAGMA user_version").fetchone()[0]

    def upgrade(self) -> list[int]:
        """Apply every migration not yet applied, in order.

        Applied versions are recorded one by one (``schema_migrations``), not only as a high-water
        mark: migrations written in parallel branches (0003 landing after 0004) still run.
        """
        migrations = _migrations()
        latest = migrations[-1][0]
        current = self.schema_version()
        if current > latest:
            raise StoreError(f"{self.path} has schema version {current}, newer than this geoapp "
                             f"knows ({latest}); upgrade geoapp before using this database")
        applied = []
        con = self._connect()
        try:
            con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
            done = {v for (v,) in con.execute("SELECT version FROM schema_migrations")}
            if not done and current:
                # a database from before this table: everything up to its version was applied
                done = {v for v, _ in migrations if v <= current}
                con.executemany("INSERT INTO schema_migrations VALUES (?, ?)", [(v, _now()) for v in sorted(done)])
            for version, sql in migrations:
                if version in done:
                    continue
                # executescript commits; wrap each migration in its own transaction
                con.executescript(f"BEGIN IMMEDIATE;\n{sql}\n"
                                  f"INSERT INTO schema_migrations VALUES ({version}, '{_now()}');\n"
                                  f"PRAGMA user_version = {max(version, current)};\nCOMMIT;")
                current = max(version, current)
                applied.append(version)
        except sqlite3.Error as exc:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise StoreError(f"migration of {self.path} failed: {exc}") from exc
        finally:
            con.close()
        return applied

    def data_version(self) -> int:
        # asked on every request (caches key on it): one connection per thread kept open for this
        # read only. The cursor is drained and closed so no read transaction stays open (WAL would
        # otherwise show this connection the same snapshot forever).
        con = getattr(self._version_reader, "con", None)
        if con is None:
            if not self.path.exists():
                with self._read() as first:       # as any read: sqlite's own error for a file without schema
                    return int(first.execute("SELECT value FROM meta WHERE key='data_version'").fetchone()[0])
            con = self._version_reader.con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                                             isolation_level=None)
        cur = con.execute("SELECT value FROM meta WHERE key='data_version'")
        try:
            return int(cur.fetchall()[0][0])
        finally:
            cur.close()

    # -- reads (the mixins' one way to query) -------------------------------------------------
    def _frame(self, sql, params=()) -> pd.DataFrame:
        self._require_schema()
        with self._read() as con:
            cur = con.execute(sql, params)
            cols = [d[0] for d in cur.description]
            return pd.DataFrame(cur.fetchall(), columns=cols)
