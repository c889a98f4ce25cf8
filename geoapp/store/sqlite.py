"""The embedded store: one SQLite file, WAL journal, geometry as WKB blobs.

No SpatiaLite: geometry is stored as WKB with its bounding box in plain columns, and spatial
work happens in shapely. That keeps the embedded store installable everywhere (the stdlib
``sqlite3`` module is all it needs).

Trip-wires: a connection is opened per call (``sqlite3`` connections must not cross threads
and waitress serves from a thread pool); writes take ``BEGIN IMMEDIATE`` so two writers queue
on the busy timeout instead of failing half-way.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import StoreError
from ..errors import NotFoundError
from .common import SharedMethods, migrations, require_user
from .common import now as _now
from .base import UNIT_COLUMNS, BatchInfo, Store
from .sqlite_auth import SQLiteAuthMixin

BUSY_TIMEOUT_MS = 30_000
_TEXT_UNIT_COLUMNS = {"name", "full_name", "name_en", "unit_type", "district_code", "district_name",
                      "province_name"}





def _migrations() -> list[tuple[int, str]]:
    return migrations("sqlite")


class SQLiteStore(SharedMethods, SQLiteAuthMixin, Store):
    """Store in one SQLite file (created on :meth:`upgrade`)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"

    # -- connections --------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
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
        with self._read() as con:
            return int(con.execute("SELECT value FROM meta WHERE key='data_version'").fetchone()[0])

    # -- writes -------------------------------------------------------------------------------
    def add_batch(self, tx, batch: BatchInfo) -> int:
        require_user(batch.user, f"a {batch.kind} import batch")
        cur = tx.execute(
            "INSERT INTO import_batches(kind, edition, source, file_hash, user, started_at, row_count, detail, is_demo)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (batch.kind, batch.edition, batch.source, batch.file_hash, batch.user, _now(),
             batch.row_count, json.dumps(batch.detail, ensure_ascii=False, default=str), int(batch.is_demo)))
        return int(cur.lastrowid)

    def _upsert_provinces(self, tx, edition, provinces):
        tx.executemany("INSERT INTO provinces(edition, code, name) VALUES (?,?,?) "
                       "ON CONFLICT(edition, code) DO UPDATE SET name=excluded.name "
                       "WHERE excluded.name != ''",
                       [(edition, code, name or "") for code, name in provinces.items()])

    @staticmethod
    def _unit_rows(edition, units: pd.DataFrame, batch_id):
        frame = units.reindex(columns=list(UNIT_COLUMNS))
        rows = []
        for rec in frame.itertuples(index=False):
            values = []
            for col, v in zip(UNIT_COLUMNS, rec):
                if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
                    v = None if col in ("area_km2", "population") else (0 if col in ("in_list", "has_geometry") else "")
                elif col == "population":
                    v = int(v)
                elif col in ("in_list", "has_geometry"):
                    v = int(bool(v))
                elif col == "area_km2":
                    v = float(v)
                else:
                    v = str(v)
                values.append(v)
            rows.append((edition, *values, batch_id))
        return rows

    def replace_boundaries(self, tx, edition, provinces, units, geometries, batch_id):
        self._upsert_provinces(tx, edition, provinces)
        codes = list(provinces)
        marks = ",".join("?" * len(codes))
        tx.execute(f"DELETE FROM unit_geometry WHERE edition=? AND code IN "
                   f"(SELECT code FROM units WHERE edition=? AND province_code IN ({marks}))",
                   (edition, edition, *codes))
        tx.execute(f"DELETE FROM units WHERE edition=? AND in_list=0 AND province_code IN ({marks})",
                   (edition, *codes))
        tx.execute(f"UPDATE units SET has_geometry=0 WHERE edition=? AND province_code IN ({marks})",
                   (edition, *codes))
        frame = units.copy()
        frame["has_geometry"] = 1
        cols = ("edition",) + UNIT_COLUMNS + ("batch_id",)
        # keep in_list of units the official list already holds
        # a file's empty field never blanks what the official list said
        updates = ", ".join(f"{c}=COALESCE(NULLIF(excluded.{c}, ''), units.{c})" if c in _TEXT_UNIT_COLUMNS
                            else f"{c}=excluded.{c}" for c in UNIT_COLUMNS if c not in ("in_list", "population"))
        tx.executemany(
            f"INSERT INTO units({', '.join(cols)}) VALUES ({','.join('?' * len(cols))}) "
            f"ON CONFLICT(edition, code) DO UPDATE SET {updates}, batch_id=excluded.batch_id, "
            f"population=COALESCE(excluded.population, units.population)",
            self._unit_rows(edition, frame, batch_id))
        self._write_geometries(tx, edition, list(frame["code"]), {0: geometries})

    def _write_geometries(self, tx, edition, codes, lods):
        for lod, geoms in lods.items():
            geoms = np.asarray(geoms, dtype=object)
            wkb = shapely.to_wkb(geoms, output_dimension=2)
            bounds = shapely.bounds(geoms)
            nverts = shapely.get_num_coordinates(geoms)
            tx.executemany(
                "INSERT OR REPLACE INTO unit_geometry(edition, code, lod, wkb, n_vertices, minx, miny, maxx, maxy)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                [(edition, code, lod, w, int(n), *map(float, b))
                 for code, w, n, b in zip(codes, wkb, nverts, bounds)])

    def set_lods(self, tx, edition, codes, lods):
        marks = ",".join("?" * len(codes))
        if codes:
            tx.execute(f"DELETE FROM unit_geometry WHERE edition=? AND lod>0 AND code IN ({marks})",
                       (edition, *codes))
        self._write_geometries(tx, edition, codes, lods)

    def upsert_unit_list(self, tx, edition, units, provinces, batch_id):
        self._upsert_provinces(tx, edition, provinces)
        frame = units.copy()
        frame["in_list"] = 1
        cols = ("edition",) + UNIT_COLUMNS + ("batch_id",)
        # the list never overrides what a boundary file said about names or type, only fills gaps
        keep_geo = ("has_geometry", "area_km2")
        updates = ", ".join(
            f"{c}=CASE WHEN units.{c} IS NULL OR units.{c}='' THEN excluded.{c} ELSE units.{c} END"
            for c in UNIT_COLUMNS if c not in keep_geo + ("in_list", "population", "code"))
        tx.executemany(
            f"INSERT INTO units({', '.join(cols)}) VALUES ({','.join('?' * len(cols))}) "
            f"ON CONFLICT(edition, code) DO UPDATE SET {updates}, in_list=1, "
            f"population=COALESCE(excluded.population, units.population)",
            self._unit_rows(edition, frame.assign(has_geometry=0, area_km2=np.nan), batch_id))

    @staticmethod
    def _plain(v):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            return None
        if isinstance(v, np.integer):
            return int(v)
        if isinstance(v, np.floating):
            return float(v)
        return v

    def _insert_rows(self, tx, table, columns, edition, frame, batch_id, user, is_demo):
        frame = frame.reindex(columns=list(columns))
        now = _now()
        rows = [(edition, *[self._plain(v) for v in rec], batch_id, user, now, int(is_demo))
                for rec in frame.itertuples(index=False, name=None)]
        cols = ("edition",) + tuple(columns) + ("batch_id", "recorded_by", "recorded_at", "is_demo")
        tx.executemany(f"INSERT INTO {table}({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})", rows)
        return len(rows)

    def rollback_batch(self, tx, batch_id, user):
        require_user(user, "a batch rollback")
        row = tx.execute("SELECT id, kind, state FROM import_batches WHERE id=?", (batch_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no batch {batch_id}", message_vi=f"không có lô {batch_id}")
        if row[1] not in ("status", "indicators"):
            raise StoreError(f"batch {batch_id} is a {row[1]} batch; only status and indicator batches "
                             "can be rolled back (re-import boundaries instead)")
        if row[2] != "active":
            raise StoreError(f"batch {batch_id} is already rolled back",
                             message_vi=f"lô {batch_id} đã được hoàn tác")
        tx.execute("UPDATE import_batches SET state='rolled_back', rolled_back_at=?, rolled_back_by=? WHERE id=?",
                   (_now(), user, batch_id))
        return {"id": batch_id, "kind": row[1]}

    def audit(self, tx, user, action, target="", detail=None, origin=""):
        require_user(user, "an audit row")
        tx.execute("INSERT INTO audit_log(at, user, action, target, detail, origin) VALUES (?,?,?,?,?,?)",
                   (_now(), user, action, target, json.dumps(detail or {}, ensure_ascii=False, default=str),
                    origin))

    # -- reads --------------------------------------------------------------------------------
    def _frame(self, sql, params=()) -> pd.DataFrame:
        self._require_schema()
        with self._read() as con:
            cur = con.execute(sql, params)
            cols = [d[0] for d in cur.description]
            return pd.DataFrame(cur.fetchall(), columns=cols)

    def editions(self):
        return self._frame(
            "SELECT e.edition, e.label_vi, e.label_en, e.valid_from, e.valid_to,"
            " COUNT(u.code) AS units, COALESCE(SUM(u.has_geometry), 0) AS with_geometry,"
            " COUNT(DISTINCT u.province_code) AS provinces"
            " FROM editions e LEFT JOIN units u ON u.edition = e.edition"
            " GROUP BY e.edition ORDER BY e.valid_from IS NOT NULL, e.valid_from")

    def provinces(self, edition):
        return self._frame(
            "SELECT p.code, p.name, COUNT(u.code) AS units, COALESCE(SUM(u.has_geometry), 0) AS with_geometry"
            " FROM provinces p LEFT JOIN units u ON u.edition=p.edition AND u.province_code=p.code"
            " WHERE p.edition=? GROUP BY p.code, p.name HAVING COUNT(u.code) > 0 ORDER BY p.code",
            (edition,))

    def units(self, edition, province=None):
        sql = f"SELECT {', '.join(UNIT_COLUMNS)} FROM units WHERE edition=?"
        params = [edition]
        if province:
            sql += " AND province_code=?"
            params.append(province)
        return self._frame(sql + " ORDER BY code", params)

    def geometries(self, edition, province=None, lod=0):
        cols = ", ".join(f"u.{c}" for c in UNIT_COLUMNS)
        sql = (f"SELECT {cols}, g.wkb FROM units u JOIN unit_geometry g"
               " ON g.edition=u.edition AND g.code=u.code AND g.lod=? WHERE u.edition=?")
        params = [lod, edition]
        if province:
            sql += " AND u.province_code=?"
            params.append(province)
        frame = self._frame(sql + " ORDER BY u.code", params)
        geoms = shapely.from_wkb(frame.pop("wkb").to_numpy()) if len(frame) else []
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index, crs="EPSG:4326"))

    def lod_stats(self, edition):
        return self._frame("SELECT lod, COUNT(*) AS units, SUM(n_vertices) AS vertices,"
                           " SUM(length(wkb)) AS wkb_bytes FROM unit_geometry WHERE edition=?"
                           " GROUP BY lod ORDER BY lod", (edition,))

    def status_records(self, edition, *, province=None, scheme=None, codes=None, until=None,
                       include_rolled_back=False):
        sql = ("SELECT r.id, r.code, r.scheme, r.status, r.valid_from, r.valid_to, r.decision_no, r.decision_date,"
               " r.source, r.note, r.recorded_by, r.recorded_at, r.batch_id, r.row_number, r.is_demo,"
               " u.province_code, b.state AS batch_state"
               " FROM status_records r JOIN units u ON u.edition=r.edition AND u.code=r.code"
               " JOIN import_batches b ON b.id=r.batch_id WHERE r.edition=?")
        params: list = [edition]
        if not include_rolled_back:
            sql += " AND b.state='active'"
        if province:
            sql += " AND u.province_code=?"
            params.append(province)
        if scheme:
            sql += " AND r.scheme=?"
            params.append(scheme)
        if codes is not None:
            sql += " AND r.code IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(codes)))
        if until:
            sql += " AND r.valid_from <= ?"
            params.append(until)
        return self._frame(sql + " ORDER BY r.code, r.scheme, r.valid_from, r.id", params)

    def indicator_values(self, edition, *, province=None, indicator=None, codes=None):
        sql = ("SELECT v.id, v.code, v.indicator, v.period, v.period_start, v.period_end, v.value, v.source,"
               " v.note, v.recorded_by, v.recorded_at, v.batch_id, v.row_number, v.is_demo, u.province_code"
               " FROM indicator_values v JOIN units u ON u.edition=v.edition AND u.code=v.code"
               " JOIN import_batches b ON b.id=v.batch_id AND b.state='active' WHERE v.edition=?")
        params: list = [edition]
        if province:
            sql += " AND u.province_code=?"
            params.append(province)
        if indicator:
            sql += " AND v.indicator=?"
            params.append(indicator)
        if codes is not None:
            sql += " AND v.code IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(codes)))
        return self._frame(sql + " ORDER BY v.code, v.indicator, v.period_start, v.id", params)

    def batch(self, batch_id):
        frame = self._frame("SELECT * FROM import_batches WHERE id=?", (batch_id,))
        if frame.empty:
            raise NotFoundError(f"no batch {batch_id}", message_vi=f"không có lô {batch_id}")
        return frame.iloc[0].to_dict()

    def batches(self, kind=None):
        sql = "SELECT * FROM import_batches"
        params = []
        if kind:
            sql += " WHERE kind=?"
            params.append(kind)
        return self._frame(sql + " ORDER BY id DESC", params)

    def audit_log(self, limit=100):
        return self._frame("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))

    # -- crosswalk --
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
            [(from_edition, to_edition, *[self._plain(v) for v in rec], batch[0], batch[1], batch_id)
             for rec in frame.itertuples(index=False, name=None)])
        return len(frame)

    def crosswalk(self, from_edition="pre2025", to_edition="2025", *, old_codes=None, new_codes=None,
                  new_province=None):
        sql = ("SELECT from_edition, to_edition, old_code, new_code, is_split, old_name, new_name, old_province,"
               " new_province, weight, method, raw_share, coverage, weights_at, source, source_sha256, batch_id"
               " FROM crosswalk WHERE from_edition=? AND to_edition=?")
        params: list = [from_edition, to_edition]
        if old_codes is not None:
            sql += " AND old_code IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(old_codes)))
        if new_codes is not None:
            sql += " AND new_code IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(new_codes)))
        if new_province:
            sql += " AND new_province=?"
            params.append(new_province)
        frame = self._frame(sql + " ORDER BY new_code, old_code", params)
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
            [(float(w), str(m), self._plain(r), self._plain(c), now, from_edition, to_edition, o, n)
             for w, m, r, c, o, n in frame.itertuples(index=False, name=None)])
        return tx.total_changes - before
