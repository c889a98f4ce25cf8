"""The server store: PostgreSQL + PostGIS through SQLAlchemy 2 and psycopg 3 — its connections and schema.

Same contract, same tables and same return shapes as :mod:`geoapp.store.sqlite` (codes and
dates as text, flags as integers, JSON detail as text); geometry lives in a PostGIS column
``geometry(Geometry, 4326)`` with a GiST index and travels as WKB (``ST_GeomFromWKB`` /
``ST_AsBinary``), so a round trip gives back the very bytes shapely wrote.

URLs: ``postgresql://user:pw@host:port/db`` (``postgres://`` and ``postgresql+psycopg://`` too).
Extra query parameters understood by geoapp, removed before connecting:

* ``schema=NAME`` — keep geoapp's tables in schema NAME (created on upgrade; PostGIS stays in
  ``public``). Tests use one schema per test; a shared server can hold several instances.
* ``pool_size=N`` — connections kept open per process (default 10, plus as many overflow).

Everything else (``sslmode``, ``connect_timeout``, ``application_name`` …) goes to libpq.

This module holds what every topic needs (URL, pooled engine, the write transaction,
migrations, ``_t`` and ``_frame``); the tables are written and read by mixins beside it, one
topic each: :mod:`~geoapp.store.postgis_boundaries` (editions, provinces, units, geometry),
:mod:`~geoapp.store.postgis_records` (batches, statuses, indicators, audit),
:mod:`~geoapp.store.postgis_crosswalk` and :mod:`~geoapp.store.postgis_auth` (users, sessions).

Trip-wires:

* one pooled engine per store object; after ``os.fork`` (gunicorn ``--preload``) children drop
  the inherited pool instead of sharing sockets with the parent;
* :meth:`transaction` locks the ``meta`` row (``SELECT … FOR UPDATE``) first, so writers queue
  one behind the other like SQLite's ``BEGIN IMMEDIATE`` — two imports never interleave — and
  bumps ``data_version`` on commit. It waits up to :data:`LOCK_TIMEOUT_S` for the lock;
* ``upgrade`` holds an advisory lock, so gunicorn workers starting together migrate once;
* text sorts use ``COLLATE "C"`` (byte order, as SQLite sorts), whatever the database locale, and
  values from DataFrames are bound through :func:`~geoapp.store.postgis_sql.plain`.
"""
from __future__ import annotations

import os
import re
import weakref
from contextlib import contextmanager

import pandas as pd

from ..errors import ConfigError, StoreError
from .common import SharedMethods, migrations
from .clock import now as _now
from .base import Store
from .postgis_auth import PostGISAuthMixin
from .postgis_boundaries import PostGISBoundariesMixin
from .postgis_crosswalk import PostGISCrosswalkMixin
from .postgis_records import PostGISRecordsMixin

#: how long a writer waits for another writer's transaction before giving up
LOCK_TIMEOUT_S = 600
DEFAULT_POOL_SIZE = 10
_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _migrations() -> list[tuple[int, str]]:
    return migrations("postgis")


def _dispose_after_fork(ref):
    def child():
        engine = ref()
        if engine is not None:
            engine.dispose(close=False)
    return child


def parse_url(url: str):
    """Split a geoapp PostgreSQL URL into (SQLAlchemy URL, schema, pool_size)."""
    from sqlalchemy.engine import make_url

    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if not url.startswith("postgresql+psycopg://"):
        raise ConfigError(f"not a PostgreSQL URL: {url!r}")
    try:
        sa_url = make_url(url)
    except Exception as exc:  # noqa: BLE001 - sqlalchemy raises ArgumentError with a terse text
        raise ConfigError(f"malformed database URL: {exc}") from None
    query = dict(sa_url.query)
    schema = query.pop("schema", None)
    pool = query.pop("pool_size", None)
    if schema is not None and not _SCHEMA_RE.match(schema):
        raise ConfigError(f"schema={schema!r}: use lower-case letters, digits and _ only")
    try:
        pool_size = int(pool) if pool is not None else DEFAULT_POOL_SIZE
    except ValueError:
        raise ConfigError(f"pool_size={pool!r} is not a number") from None
    return sa_url.set(query=query), schema, pool_size


class PostGISStore(SharedMethods, PostGISAuthMixin, PostGISBoundariesMixin, PostGISRecordsMixin,
                   PostGISCrosswalkMixin, Store):
    """Store in a PostgreSQL database with PostGIS (tables created on :meth:`upgrade`)."""

    def __init__(self, url: str, *, pool_size: int | None = None, echo: bool = False):
        try:
            import sqlalchemy as sa
        except ImportError:  # pragma: no cover - depends on the install
            raise ConfigError("the PostGIS backend needs its extra: pip install 'geoapp[postgis]'") from None
        self._sa = sa
        sa_url, self.schema, default_pool = parse_url(url)
        self.sa_url = sa_url
        #: the URL without its password (for messages and logs)
        self.url = sa_url.set(drivername="postgresql").render_as_string(hide_password=True) + (
            f"?schema={self.schema}" if self.schema and not sa_url.query else
            (f"&schema={self.schema}" if self.schema else ""))
        connect_args = {"connect_timeout": int(sa_url.query.get("connect_timeout", 10))}
        if self.schema:
            connect_args["options"] = f"-c search_path={self.schema},public"
        size = pool_size or default_pool
        self.engine = sa.create_engine(sa_url, pool_size=size, max_overflow=size, pool_pre_ping=True,
                                       pool_recycle=1800, connect_args=connect_args, echo=echo)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_dispose_after_fork(weakref.ref(self.engine)))

    def __repr__(self):
        return f"PostGISStore({self.url!r})"

    def close(self):
        """Close the pooled connections (the store stays usable: the pool reopens on demand)."""
        self.engine.dispose()

    # -- connections --------------------------------------------------------------------------
    def _t(self, sql: str):
        return self._sa.text(sql)

    @contextmanager
    def _read(self):
        try:
            con = self.engine.connect()
        except self._sa.exc.OperationalError as exc:
            raise StoreError(f"cannot reach the database {self.url}: {exc.orig or exc}",
                             message_vi=f"không kết nối được cơ sở dữ liệu {self.url}") from exc
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def transaction(self):
        """One write transaction: waits for other writers, commits whole and bumps data_version."""
        sa = self._sa
        try:
            ctx = self.engine.begin()
            con = ctx.__enter__()
        except sa.exc.OperationalError as exc:
            raise StoreError(f"cannot reach the database {self.url}: {exc.orig or exc}") from exc
        try:
            con.execute(self._t(f"SET LOCAL lock_timeout = '{int(LOCK_TIMEOUT_S)}s'"))
            try:
                row = con.execute(self._t("SELECT value FROM meta WHERE key='data_version' FOR UPDATE")).fetchone()
            except sa.exc.ProgrammingError as exc:
                raise StoreError(f"{self.url} has no geoapp schema yet; run `geoapp db upgrade` first") from exc
            except sa.exc.OperationalError as exc:
                raise StoreError(f"another import kept the database busy for over {LOCK_TIMEOUT_S} s; "
                                 "try again when it has finished",
                                 message_vi="một lần nhập khác đang chạy; hãy thử lại sau") from exc
            if row is None:
                raise StoreError(f"{self.url}: the meta table lost its data_version row")
            yield con
            con.execute(self._t("UPDATE meta SET value = (CAST(value AS BIGINT) + 1)::text "
                                "WHERE key = 'data_version'"))
        except BaseException as exc:
            if not ctx.__exit__(type(exc), exc, exc.__traceback__):
                raise
        else:
            ctx.__exit__(None, None, None)

    # -- schema -------------------------------------------------------------------------------
    def _applied(self, con) -> set[int]:
        if con.execute(self._t("SELECT to_regclass('schema_migrations')")).scalar() is None:
            return set()
        return {int(v) for (v,) in con.execute(self._t("SELECT version FROM schema_migrations"))}

    def schema_version(self) -> int:
        with self._read() as con:
            done = self._applied(con)
        return max(done, default=0)

    def upgrade(self) -> list[int]:
        """Apply every migration not yet applied, in order, each in its own transaction.

        Applied versions are recorded one by one in ``schema_migrations`` (a migration written in
        a parallel branch still runs when it lands late). An advisory lock keeps two processes
        from migrating at once.
        """
        migrations = _migrations()
        latest = migrations[-1][0]
        applied: list[int] = []
        with self._read() as con:
            con.commit()  # leave SQLAlchemy's autobegun transaction: each migration gets its own
            if self.schema:
                with con.begin():
                    con.execute(self._t(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
            lock_key = f"geoapp.migrate.{self.schema or 'public'}"
            con.execute(self._t("SELECT pg_advisory_lock(hashtext(:k))"), {"k": lock_key})
            con.commit()
            try:
                with con.begin():
                    con.execute(self._t("CREATE TABLE IF NOT EXISTS schema_migrations "
                                        "(version INTEGER PRIMARY KEY, applied_at TEXT)"))
                done = self._applied(con)
                con.commit()
                current = max(done, default=0)
                if current > latest:
                    raise StoreError(f"{self.url} has schema version {current}, newer than this geoapp "
                                     f"knows ({latest}); upgrade geoapp before using this database")
                for version, sql in migrations:
                    if version in done:
                        continue
                    try:
                        with con.begin():
                            # the raw cursor: psycopg runs a multi-statement script when given no parameters
                            con.connection.driver_connection.execute(sql)
                            con.execute(self._t("INSERT INTO schema_migrations VALUES (:v, :at)"),
                                        {"v": version, "at": _now()})
                    except self._sa.exc.DBAPIError as exc:
                        raise StoreError(f"migration {version} of {self.url} failed: {exc.orig or exc}") from exc
                    except Exception as exc:  # psycopg errors from the raw cursor
                        if type(exc).__module__.startswith("psycopg"):
                            raise StoreError(f"migration {version} of {self.url} failed: {exc}") from exc
                        raise
                    applied.append(version)
            finally:
                if con.in_transaction():
                    con.rollback()
                con.execute(self._t("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": lock_key})
                con.commit()
        return applied

    def data_version(self) -> int:
        with self._read() as con:
            try:
                return int(con.execute(self._t("SELECT value FROM meta WHERE key='data_version'")).scalar())
            except self._sa.exc.ProgrammingError as exc:
                raise StoreError(f"{self.url} has no geoapp schema yet; run `geoapp db upgrade` first") from exc

    # -- reads (the mixins' one way to query) -------------------------------------------------
    def _no_schema(self, exc) -> bool:
        return getattr(getattr(exc, "orig", None), "sqlstate", None) == "42P01"   # undefined_table

    def _frame(self, sql, params=None) -> pd.DataFrame:
        with self._read() as con:
            try:
                res = con.execute(self._t(sql), params or {})
            except self._sa.exc.ProgrammingError as exc:
                if self._no_schema(exc):
                    raise StoreError(f"{self.url} has no geoapp schema yet; run `geoapp db upgrade` "
                                     "(or `geoapp demo`) first") from exc
                raise
            cols = list(res.keys())
            return pd.DataFrame([tuple(r) for r in res.fetchall()], columns=cols)
