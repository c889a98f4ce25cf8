"""The server store: PostgreSQL + PostGIS through SQLAlchemy 2 and psycopg 3.

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

Trip-wires:

* one pooled engine per store object; after ``os.fork`` (gunicorn ``--preload``) children drop
  the inherited pool instead of sharing sockets with the parent;
* :meth:`transaction` locks the ``meta`` row (``SELECT … FOR UPDATE``) first, so writers queue
  one behind the other like SQLite's ``BEGIN IMMEDIATE`` — two imports never interleave — and
  bumps ``data_version`` on commit. It waits up to :data:`LOCK_TIMEOUT_S` for the lock;
* ``upgrade`` holds an advisory lock, so gunicorn workers starting together migrate once;
* text sorts use ``COLLATE "C"`` (byte order, as SQLite sorts), whatever the database locale.
"""
from __future__ import annotations

import json
import os
import re
import weakref
from contextlib import contextmanager
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import ConfigError, NotFoundError, StoreError
from .common import SharedMethods, migrations, require_user
from .common import now as _now
from .base import UNIT_COLUMNS, BatchInfo, Store
from .postgis_auth import PostGISAuthMixin

#: how long a writer waits for another writer's transaction before giving up
LOCK_TIMEOUT_S = 600
DEFAULT_POOL_SIZE = 10
_TEXT_UNIT_COLUMNS = {"name", "full_name", "name_en", "unit_type", "district_code", "district_name",
                      "province_name"}
_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_C = 'COLLATE "C"'





def _migrations() -> list[tuple[int, str]]:
    return migrations("postgis")


def _plain(v):
    """A value psycopg can bind to geoapp's column types (numpy → python, NaN → NULL, dates → ISO)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, memoryview):
        return bytes(v)
    return v


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


class PostGISStore(SharedMethods, PostGISAuthMixin, Store):
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

    def _upsert_provinces(self, tx, edition, provinces):
        if not provinces:
            return
        tx.execute(self._t("INSERT INTO provinces(edition, code, name) VALUES (:e, :c, :n) "
                           "ON CONFLICT (edition, code) DO UPDATE SET name = EXCLUDED.name "
                           "WHERE EXCLUDED.name <> ''"),
                   [{"e": edition, "c": str(code), "n": name or ""} for code, name in provinces.items()])

    @staticmethod
    def _unit_rows(edition, units: pd.DataFrame, batch_id) -> list[dict]:
        frame = units.reindex(columns=list(UNIT_COLUMNS))
        rows = []
        for rec in frame.itertuples(index=False, name=None):
            row = {"edition": edition, "batch_id": _plain(batch_id)}
            for col, v in zip(UNIT_COLUMNS, rec):
                if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
                    v = None if col in ("area_km2", "population") else (0 if col in ("in_list", "has_geometry") else "")
                elif col == "population":
                    v = int(v)
                elif col in ("in_list", "has_geometry"):
                    v = int(bool(v))
                elif col == "area_km2":
                    v = float(v)
                else:
                    v = str(v)
                row[col] = v
            rows.append(row)
        return rows

    def _insert_units(self, tx, rows, updates):
        if not rows:
            return
        cols = ("edition",) + UNIT_COLUMNS + ("batch_id",)
        tx.execute(self._t(
            f"INSERT INTO units({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)}) "
            f"ON CONFLICT (edition, code) DO UPDATE SET {updates}"), rows)

    def replace_boundaries(self, tx, edition, provinces, units, geometries, batch_id):
        # belt and braces: transaction() already serialises writers on the meta row
        tx.execute(self._t("LOCK TABLE units, unit_geometry IN SHARE ROW EXCLUSIVE MODE"))
        self._upsert_provinces(tx, edition, provinces)
        codes = [str(c) for c in provinces]
        p = {"e": edition, "p": codes}
        tx.execute(self._t("DELETE FROM unit_geometry g USING units u WHERE g.edition = :e AND u.edition = :e"
                           " AND u.code = g.code AND u.province_code = ANY(CAST(:p AS text[]))"), p)
        tx.execute(self._t("DELETE FROM units WHERE edition = :e AND in_list = 0"
                           " AND province_code = ANY(CAST(:p AS text[]))"), p)
        tx.execute(self._t("UPDATE units SET has_geometry = 0 WHERE edition = :e"
                           " AND province_code = ANY(CAST(:p AS text[]))"), p)
        frame = units.copy()
        frame["has_geometry"] = 1
        # keep in_list of units the official list already holds;
        # a file's empty field never blanks what the official list said
        updates = ", ".join(f"{c} = COALESCE(NULLIF(EXCLUDED.{c}, ''), units.{c})" if c in _TEXT_UNIT_COLUMNS
                            else f"{c} = EXCLUDED.{c}" for c in UNIT_COLUMNS
                            if c not in ("in_list", "population", "code"))
        updates += ", batch_id = EXCLUDED.batch_id, population = COALESCE(EXCLUDED.population, units.population)"
        self._insert_units(tx, self._unit_rows(edition, frame, batch_id), updates)
        self._write_geometries(tx, edition, [str(c) for c in frame["code"]], {0: geometries})

    def _write_geometries(self, tx, edition, codes, lods):
        for lod, geoms in lods.items():
            geoms = np.asarray(geoms, dtype=object)
            if not len(geoms):
                continue
            wkb = shapely.to_wkb(geoms, output_dimension=2)
            nverts = shapely.get_num_coordinates(geoms)
            tx.execute(self._t(
                "INSERT INTO unit_geometry(edition, code, lod, geom, n_vertices)"
                " VALUES (:e, :c, :lod, ST_GeomFromWKB(:wkb, 4326), :n)"
                " ON CONFLICT (edition, code, lod) DO UPDATE SET geom = EXCLUDED.geom, n_vertices = EXCLUDED.n_vertices"),
                [{"e": edition, "c": code, "lod": int(lod), "wkb": bytes(w), "n": int(n)}
                 for code, w, n in zip(codes, wkb, nverts)])

    def set_lods(self, tx, edition, codes, lods):
        codes = [str(c) for c in codes]
        if codes:
            tx.execute(self._t("DELETE FROM unit_geometry WHERE edition = :e AND lod > 0"
                               " AND code = ANY(CAST(:c AS text[]))"), {"e": edition, "c": codes})
        self._write_geometries(tx, edition, codes, lods)

    def upsert_unit_list(self, tx, edition, units, provinces, batch_id):
        self._upsert_provinces(tx, edition, provinces)
        frame = units.copy()
        frame["in_list"] = 1
        # the list never overrides what a boundary file said about names or type, only fills gaps
        keep_geo = ("has_geometry", "area_km2")
        updates = ", ".join(
            f"{c} = CASE WHEN units.{c} IS NULL OR units.{c} = '' THEN EXCLUDED.{c} ELSE units.{c} END"
            for c in UNIT_COLUMNS if c not in keep_geo + ("in_list", "population", "code"))
        updates += ", in_list = 1, population = COALESCE(EXCLUDED.population, units.population)"
        self._insert_units(tx, self._unit_rows(edition, frame.assign(has_geometry=0, area_km2=np.nan), batch_id),
                           updates)

    def _insert_rows(self, tx, table, columns, edition, frame, batch_id, user, is_demo):
        frame = frame.reindex(columns=list(columns))
        now = _now()
        cols = ("edition",) + tuple(columns) + ("batch_id", "recorded_by", "recorded_at", "is_demo")
        rows = [dict(zip(cols, (edition, *[_plain(v) for v in rec], _plain(batch_id), user, now, int(is_demo))))
                for rec in frame.itertuples(index=False, name=None)]
        if rows:
            tx.execute(self._t(f"INSERT INTO {table}({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"),
                       rows)
        return len(rows)

    def rollback_batch(self, tx, batch_id, user):
        require_user(user, "a batch rollback")
        row = tx.execute(self._t("SELECT id, kind, state FROM import_batches WHERE id = :id FOR UPDATE"),
                         {"id": int(batch_id)}).fetchone()
        if row is None:
            raise NotFoundError(f"no batch {batch_id}", message_vi=f"không có lô {batch_id}")
        if row[1] not in ("status", "indicators"):
            raise StoreError(f"batch {batch_id} is a {row[1]} batch; only status and indicator batches "
                             "can be rolled back (re-import boundaries instead)")
        if row[2] != "active":
            raise StoreError(f"batch {batch_id} is already rolled back",
                             message_vi=f"lô {batch_id} đã được hoàn tác")
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

    def editions(self):
        return self._frame(
            "SELECT e.edition, e.label_vi, e.label_en, e.valid_from, e.valid_to,"
            " COUNT(u.code) AS units, COALESCE(SUM(u.has_geometry), 0) AS with_geometry,"
            " COUNT(DISTINCT u.province_code) AS provinces"
            " FROM editions e LEFT JOIN units u ON u.edition = e.edition"
            " GROUP BY e.edition ORDER BY e.valid_from IS NOT NULL, e.valid_from COLLATE \"C\"")

    def provinces(self, edition):
        return self._frame(
            "SELECT p.code, p.name, COUNT(u.code) AS units, COALESCE(SUM(u.has_geometry), 0) AS with_geometry"
            " FROM provinces p LEFT JOIN units u ON u.edition = p.edition AND u.province_code = p.code"
            f" WHERE p.edition = :e GROUP BY p.code, p.name HAVING COUNT(u.code) > 0 ORDER BY p.code {_C}",
            {"e": edition})

    def units(self, edition, province=None):
        sql = f"SELECT {', '.join(UNIT_COLUMNS)} FROM units WHERE edition = :e"
        params = {"e": edition}
        if province:
            sql += " AND province_code = :p"
            params["p"] = str(province)
        return self._frame(sql + f" ORDER BY code {_C}", params)

    def geometries(self, edition, province=None, lod=0):
        cols = ", ".join(f"u.{c}" for c in UNIT_COLUMNS)
        sql = (f"SELECT {cols}, ST_AsBinary(g.geom) AS wkb FROM units u JOIN unit_geometry g"
               " ON g.edition = u.edition AND g.code = u.code AND g.lod = :lod WHERE u.edition = :e")
        params = {"lod": int(lod), "e": edition}
        if province:
            sql += " AND u.province_code = :p"
            params["p"] = str(province)
        frame = self._frame(sql + f" ORDER BY u.code {_C}", params)
        geoms = shapely.from_wkb(frame.pop("wkb").to_numpy()) if len(frame) else []
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index, crs="EPSG:4326"))

    def lod_stats(self, edition):
        return self._frame("SELECT lod, COUNT(*) AS units, SUM(n_vertices) AS vertices,"
                           " SUM(octet_length(ST_AsBinary(geom))) AS wkb_bytes FROM unit_geometry"
                           " WHERE edition = :e GROUP BY lod ORDER BY lod", {"e": edition})

    def status_records(self, edition, *, province=None, scheme=None, codes=None, until=None,
                       include_rolled_back=False):
        sql = ("SELECT r.id, r.code, r.scheme, r.status, r.valid_from, r.valid_to, r.decision_no, r.decision_date,"
               " r.source, r.note, r.recorded_by, r.recorded_at, r.batch_id, r.row_number, r.is_demo,"
               " u.province_code, b.state AS batch_state"
               " FROM status_records r JOIN units u ON u.edition = r.edition AND u.code = r.code"
               " JOIN import_batches b ON b.id = r.batch_id WHERE r.edition = :e")
        params: dict = {"e": edition}
        if not include_rolled_back:
            sql += " AND b.state = 'active'"
        if province:
            sql += " AND u.province_code = :p"
            params["p"] = str(province)
        if scheme:
            sql += " AND r.scheme = :s"
            params["s"] = scheme
        if codes is not None:
            sql += " AND r.code = ANY(CAST(:codes AS text[]))"
            params["codes"] = [str(c) for c in codes]
        if until:
            sql += " AND r.valid_from <= :until"
            params["until"] = _plain(until)
        return self._frame(sql + f" ORDER BY r.code {_C}, r.scheme {_C}, r.valid_from {_C}, r.id", params)

    def indicator_values(self, edition, *, province=None, indicator=None, codes=None):
        sql = ("SELECT v.id, v.code, v.indicator, v.period, v.period_start, v.period_end, v.value, v.source,"
               " v.note, v.recorded_by, v.recorded_at, v.batch_id, v.row_number, v.is_demo, u.province_code"
               " FROM indicator_values v JOIN units u ON u.edition = v.edition AND u.code = v.code"
               " JOIN import_batches b ON b.id = v.batch_id AND b.state = 'active' WHERE v.edition = :e")
        params: dict = {"e": edition}
        if province:
            sql += " AND u.province_code = :p"
            params["p"] = str(province)
        if indicator:
            sql += " AND v.indicator = :i"
            params["i"] = indicator
        if codes is not None:
            sql += " AND v.code = ANY(CAST(:codes AS text[]))"
            params["codes"] = [str(c) for c in codes]
        return self._frame(sql + f" ORDER BY v.code {_C}, v.indicator {_C}, v.period_start {_C}, v.id", params)

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

    # -- crosswalk --
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
        payload = [dict(zip(cols, (from_edition, to_edition, *[_plain(v) for v in rec], batch[0], batch[1],
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
        params: dict = {"f": from_edition, "t": to_edition}
        if old_codes is not None:
            sql += " AND old_code = ANY(CAST(:oc AS text[]))"
            params["oc"] = [str(c) for c in old_codes]
        if new_codes is not None:
            sql += " AND new_code = ANY(CAST(:nc AS text[]))"
            params["nc"] = [str(c) for c in new_codes]
        if new_province:
            sql += " AND new_province = :np"
            params["np"] = str(new_province)
        frame = self._frame(sql + f" ORDER BY new_code {_C}, old_code {_C}", params)
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
            "r": [_plain(v) for v in frame["raw_share"]],
            "c": [_plain(v) for v in frame["coverage"]],
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


def copy_store(src: Store, dst: Store) -> dict:
    """Copy the whole of ``src`` into the empty PostGIS store ``dst`` and compare (see :mod:`.copy`)."""
    from .copy import copy_store as _copy
    return _copy(src, dst)
