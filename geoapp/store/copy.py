"""Move a whole geoapp database into an empty PostGIS one, and prove nothing was lost.

``copy_store(src, dst)`` copies every table — editions, provinces, units, the geometry of every
level of detail, import batches with their states, status records, indicator values, the
audit log, users with their password and token hashes, login attempts, share links, the
crosswalk and ``meta.data_version`` — keeping every id, in ONE destination transaction. Before
committing it re-reads the destination and compares, per table, the row count and a sha256
over a canonical dump (one JSON line per row, values typed by the destination's columns,
geometry as WKB hex; digests sorted, so neither row order nor collation matters). Any
difference rolls the copy back and raises :class:`CopyMismatch` with the comparison.

The source can be the embedded SQLite store or another PostGIS store; the destination must be a
PostGIS store whose tables are empty (the editions and meta rows its migrations seed are
replaced by the source's).
"""
from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from contextlib import contextmanager

from ..errors import StoreError
from .base import Store

#: foreign-key order; tables the source has beyond these follow in name order
TABLE_ORDER = ("editions", "meta", "import_batches", "provinces", "units", "unit_geometry", "audit_log",
               "status_records", "indicator_values", "crosswalk", "users", "api_tokens", "login_attempts",
               "share_links")
#: bookkeeping, not data
SKIP_TABLES = {"schema_migrations"}
#: tables the destination's migrations fill; replaced rather than refused
SEEDED_TABLES = {"editions", "meta"}
#: SQLite columns derived from the geometry (PostGIS indexes the geometry itself)
DERIVED_COLUMNS = {"unit_geometry": {"minx", "miny", "maxx", "maxy"}}
#: SQLite name → PostGIS name
RENAMED = {("unit_geometry", "wkb"): "geom"}
CHUNK = 2000


class CopyMismatch(StoreError):
    """The destination would not equal the source; nothing was written. ``comparison`` says where."""

    def __init__(self, message, comparison: dict):
        super().__init__(message, message_vi="bản sao không khớp với nguồn; không có gì được ghi")
        self.comparison = comparison


# -- canonical form ------------------------------------------------------------------------------
def _kind(pg_type: str) -> str:
    t = pg_type.lower()
    if t in ("integer", "bigint", "smallint"):
        return "int"
    if t in ("double precision", "real", "numeric"):
        return "float"
    if t in ("user-defined", "bytea"):
        return "wkb"
    return "text"


def _canon(value, kind: str):
    if value is None:
        return None
    if kind == "wkb":
        return bytes(value).hex()
    if kind == "int":
        if isinstance(value, float) and not value.is_integer():
            raise StoreError(f"non-integer {value!r} in an integer column")
        return int(value)
    if kind == "float":
        f = float(value)
        return repr(f) if math.isnan(f) or math.isinf(f) else f
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return str(value)


class _TableHash:
    def __init__(self):
        self.digests: list[bytes] = []

    def add(self, canonical_row: list):
        line = json.dumps(canonical_row, ensure_ascii=False, separators=(",", ":"))
        self.digests.append(hashlib.sha256(line.encode("utf-8")).digest())

    def result(self) -> tuple[int, str]:
        h = hashlib.sha256()
        for d in sorted(self.digests):
            h.update(d)
        return len(self.digests), h.hexdigest()


# -- readers ---------------------------------------------------------------------------------------
class _SQLiteReader:
    def __init__(self, store):
        self.store = store
        self.con = None

    @contextmanager
    def snapshot(self):
        con = sqlite3.connect(self.store.path, timeout=30)
        con.isolation_level = None
        con.execute("BEGIN")   # one read transaction: a consistent snapshot even while the app writes
        self.con = con
        try:
            yield self
        finally:
            con.execute("ROLLBACK")
            con.close()

    def tables(self) -> list[str]:
        return [r[0] for r in self.con.execute("SELECT name FROM sqlite_master WHERE type='table'"
                                                " AND name NOT LIKE 'sqlite_%'")]

    def columns(self, table) -> list[str]:
        """Logical (PostGIS) column names, derived ones left out."""
        skip = DERIVED_COLUMNS.get(table, set())
        return [RENAMED.get((table, r[1]), r[1]) for r in self.con.execute(f'PRAGMA table_info("{table}")')
                if r[1] not in skip]

    def rows(self, table, columns):
        back = {v: k for (t, k), v in RENAMED.items() if t == table}
        cols = ", ".join(f'"{back.get(c, c)}"' for c in columns)
        cur = self.con.execute(f'SELECT {cols} FROM "{table}"')
        while True:
            chunk = cur.fetchmany(CHUNK)
            if not chunk:
                return
            yield from chunk


class _PostGISReader:
    def __init__(self, store, con=None):
        self.store = store
        self.con = con

    @contextmanager
    def snapshot(self):
        with self.store.engine.connect() as con:
            con.execute(self.store._t("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
            self.con = con
            yield self
            con.rollback()

    def tables(self) -> list[str]:
        return [r[0] for r in self.con.execute(self.store._t(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_type = 'BASE TABLE'"))]

    def column_types(self, table) -> dict[str, str]:
        return {name: typ for name, typ in self.con.execute(self.store._t(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = :t ORDER BY ordinal_position"), {"t": table})}

    def columns(self, table) -> list[str]:
        return list(self.column_types(table))

    def rows(self, table, columns):
        types = self.column_types(table)
        cols = ", ".join(f'ST_AsBinary("{c}")' if types[c] == "USER-DEFINED" else f'"{c}"' for c in columns)
        res = self.con.execution_options(stream_results=True, yield_per=CHUNK).execute(
            self.store._t(f'SELECT {cols} FROM "{table}"'))
        for row in res:
            yield tuple(row)


def _reader(store):
    from .postgis import PostGISStore
    from .sqlite import SQLiteStore
    if isinstance(store, SQLiteStore):
        return _SQLiteReader(store)
    if isinstance(store, PostGISStore):
        return _PostGISReader(store)
    raise StoreError(f"cannot copy from a {type(store).__name__}")


def _ordered(tables) -> list[str]:
    tables = [t for t in tables if t not in SKIP_TABLES]
    return [t for t in TABLE_ORDER if t in tables] + sorted(t for t in tables if t not in TABLE_ORDER)


def table_checksums(store: Store) -> dict[str, dict]:
    """Row count and canonical sha256 of every table of ``store`` (PostGIS column types decide
    the canonical form; for SQLite, the types its PostGIS twin would have)."""
    from .postgis import PostGISStore
    reader = _reader(store)
    with reader.snapshot():
        tables = _ordered(reader.tables())
        out = {}
        for table in tables:
            cols = reader.columns(table)
            if isinstance(store, PostGISStore):
                kinds = [_kind(t) for t in reader.column_types(table).values()]
            else:
                kinds = [_sqlite_kind(reader.con, table, c) for c in cols]
            th = _TableHash()
            for row in reader.rows(table, cols):
                th.add([_canon(v, k) for v, k in zip(row, kinds)])
            n, digest = th.result()
            out[table] = {"rows": n, "sha256": digest}
    return out


def _sqlite_kind(con, table, column) -> str:
    if (table, "wkb") in RENAMED and column == RENAMED[(table, "wkb")]:
        return "wkb"
    for r in con.execute(f'PRAGMA table_info("{table}")'):
        if r[1] == column:
            t = (r[2] or "").upper()
            if "INT" in t:
                return "int"
            if any(x in t for x in ("REAL", "FLOA", "DOUB")):
                return "float"
            if "BLOB" in t:
                return "wkb"
            return "text"
    return "text"


# -- the copy --------------------------------------------------------------------------------------
def copy_store(src: Store, dst: Store) -> dict:
    """Copy every row of ``src`` into the empty PostGIS store ``dst`` and compare; see the module doc.

    Returns ``{"source", "destination", "schema_version", "match": True, "tables": {name: {"rows",
    "rows_dst", "sha256", "sha256_dst", "match"}}}``. Raises :class:`StoreError` if ``dst`` holds
    data or the schemas differ, :class:`CopyMismatch` (nothing written) if the copy would differ.
    """
    src_version = _check_pair(src, dst)
    reader = _reader(src)
    comparison: dict = {"source": src.url, "destination": dst.url, "schema_version": src_version, "tables": {}}
    with reader.snapshot(), dst.engine.connect() as con:
        with con.begin():
            # writers queue on the meta row (as in PostGISStore.transaction); nobody writes meanwhile
            con.execute(dst._t("SELECT value FROM meta WHERE key='data_version' FOR UPDATE"))
            dst_reader = _PostGISReader(dst, con)
            src_tables = _ordered(reader.tables())
            _check_empty_destination(dst, con, dst_reader, src_tables)
            for table in src_tables:
                comparison["tables"][table] = _copy_table(dst, con, reader, dst_reader, table)
            for table in src_tables:     # re-read what the destination now holds, inside the same transaction
                entry = comparison["tables"][table]
                n, digest = _table_hash(dst_reader, table, reader.columns(table))
                entry.update(rows_dst=n, sha256_dst=digest, match=(n == entry["rows"] and digest == entry["sha256"]))
            comparison["match"] = all(e["match"] for e in comparison["tables"].values())
            if not comparison["match"]:
                bad = [t for t, e in comparison["tables"].items() if not e["match"]]
                raise CopyMismatch(f"the copy differs from the source in {', '.join(bad)}; nothing was written",
                                   comparison)
    return comparison


def _check_pair(src: Store, dst: Store) -> int:
    """The schema version both share, after upgrading ``dst``; refuses a wrong destination."""
    from .postgis import PostGISStore
    if not isinstance(dst, PostGISStore):
        raise StoreError("the destination of a copy must be a postgresql:// store")
    if src.url == dst.url:
        raise StoreError("source and destination are the same database")
    src_version = src.schema_version()
    if src_version == 0:
        raise StoreError(f"{src.url} has no geoapp schema; nothing to copy")
    dst.upgrade()
    dst_version = dst.schema_version()
    if src_version != dst_version:
        raise StoreError(f"schema versions differ: source {src_version}, destination {dst_version}; "
                         "run `geoapp db upgrade` on the source first")
    return src_version


def _check_empty_destination(dst, con, dst_reader, src_tables) -> None:
    """Refuse a destination that holds data; empty the tables ``upgrade`` seeded (they are copied)."""
    dst_tables = set(dst_reader.tables())
    lacking = [t for t in src_tables if t not in dst_tables]
    if lacking:
        raise StoreError(f"the destination lacks table(s) {', '.join(lacking)}")
    for table in _ordered(dst_tables):
        if table in SEEDED_TABLES:
            continue
        if con.execute(dst._t(f'SELECT EXISTS (SELECT 1 FROM "{table}")')).scalar():
            raise StoreError(f"{dst.url} already holds data (table {table}); copy only into an empty "
                             "database", message_vi="cơ sở dữ liệu đích đã có dữ liệu")
    for table in SEEDED_TABLES & set(src_tables):
        con.execute(dst._t(f'DELETE FROM "{table}"'))


def _copy_table(dst, con, reader, dst_reader, table: str) -> dict:
    """Insert every row of ``table`` in chunks; ``{"rows", "sha256"}`` of what was read."""
    cols = reader.columns(table)
    types = dst_reader.column_types(table)
    missing = [c for c in cols if c not in types]
    if missing:
        raise StoreError(f"destination table {table} lacks column(s) {', '.join(missing)}")
    kinds = [_kind(types[c]) for c in cols]
    values = ", ".join(f"ST_GeomFromWKB(:c{i}, 4326)" if types[c] == "USER-DEFINED" else f":c{i}"
                       for i, c in enumerate(cols))
    insert = dst._t(f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) VALUES ({values})')
    th, batch = _TableHash(), []
    for row in reader.rows(table, cols):
        th.add([_canon(v, k) for v, k in zip(row, kinds)])
        batch.append({f"c{i}": _bind(v, k) for i, (v, k) in enumerate(zip(row, kinds))})
        if len(batch) >= CHUNK:
            con.execute(insert, batch)
            batch = []
    if batch:
        con.execute(insert, batch)
    if "id" in types and types["id"] in ("bigint", "integer"):
        # ids were copied as they are: move the identity past them
        con.execute(dst._t(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false)"
                           f' FROM "{table}"'))
    n, digest = th.result()
    return {"rows": n, "sha256": digest}


def _table_hash(dst_reader, table: str, cols) -> tuple[int, str]:
    types = dst_reader.column_types(table)
    kinds = [_kind(types[c]) for c in cols]
    th = _TableHash()
    for row in dst_reader.rows(table, cols):
        th.add([_canon(v, k) for v, k in zip(row, kinds)])
    return th.result()


def _bind(value, kind):
    if value is None:
        return None
    if kind == "wkb":
        return bytes(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value)
    return str(value)
