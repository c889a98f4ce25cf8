"""The store contract on every backend: the embedded SQLite store and PostGIS.

PostGIS tests run when ``GEOAPP_TEST_DATABASE_URL`` names a reachable PostgreSQL with PostGIS
(``eval "$(bash scripts/postgres_ci.sh)"`` starts a throwaway one; ``./test`` does); otherwise
they go through ``conftest.need("postgis", …)``: skipped locally, failed under ``CI=true``. Each test gets a fresh database: a new SQLite file, or a new PostgreSQL
schema (``?schema=t_…``, dropped afterwards) in the test database.
"""
from __future__ import annotations

import json
import os
import threading
import time
import uuid

import numpy as np
import pandas as pd
import pytest
import shapely

from geoapp.errors import InputError, NotFoundError, StoreError
from geoapp.records import current_statuses, import_status_file
from geoapp.schemes import load_catalogue
from geoapp.store import open_store
from geoapp.store.base import UNIT_COLUMNS, BatchInfo

from .conftest import (PG_ENV, SHARED_DATA, communes, libpq_url, require, requires_shared, sqlite_pass_only,
                       write_shp)

CAT = load_catalogue()


# -- fixtures: one fresh database per test --------------------------------------------------------
class Databases:
    """Hands out fresh database URLs for one test and drops them afterwards."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.schemas: list[str] = []
        self.stores: list = []
        self.n = 0

    def url(self, backend: str) -> str:
        self.n += 1
        if backend == "sqlite":
            return f"sqlite:///{self.tmp_path / f'db{self.n}.sqlite'}"
        require("postgis")
        base = os.environ[PG_ENV]
        schema = f"t_{uuid.uuid4().hex[:16]}"
        self.schemas.append(schema)
        return base + ("&" if "?" in base else "?") + f"schema={schema}"

    def store(self, backend: str, *, upgrade: bool = True):
        s = open_store(self.url(backend))
        self.stores.append(s)
        if upgrade:
            s.upgrade()
        return s

    def close(self):
        for s in self.stores:
            if hasattr(s, "close"):
                s.close()
        if self.schemas:
            import psycopg
            with psycopg.connect(libpq_url(os.environ[PG_ENV]), autocommit=True) as con:
                for schema in self.schemas:
                    con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def dbs(tmp_path):
    d = Databases(tmp_path)
    yield d
    d.close()


@pytest.fixture(params=["sqlite", "postgis"])
def backend(request):
    return request.param


@pytest.fixture
def bstore(dbs, backend):
    return dbs.store(backend)


# -- helpers ------------------------------------------------------------------------------------------
UNITS_PRE = pd.DataFrame({
    "code": ["03386", "03388", "03389", "03424"],
    "name": ["Quyết Thắng", "Quyết Tiến", "Đoàn Kết", "Bản Bo"],
    "full_name": ["Phường Quyết Thắng", "Phường Quyết Tiến", "Phường Đoàn Kết", "Xã Bản Bo"],
    "district_name": ["Thành phố Lai Châu"] * 3 + ["Huyện Tam Đường"],
    "province_code": ["12"] * 4, "province_name": ["Tỉnh Lai Châu"] * 4})


def add_list(store, edition="pre2025", units=UNITS_PRE):
    with store.transaction() as tx:
        batch = store.add_batch(tx, BatchInfo("unit_list", edition, "list.csv", "", "t", len(units)))
        store.upsert_unit_list(tx, edition, units, dict(zip(units.province_code, units.province_name)), batch)
    return batch


def squares(n, x0=103.4, y0=22.3, d=0.01, holes=False):
    out = []
    for i in range(n):
        poly = shapely.box(x0 + i * d, y0, x0 + (i + 1) * d, y0 + d)
        if holes:
            poly = poly.difference(shapely.box(x0 + i * d + d / 4, y0 + d / 4, x0 + i * d + d / 2, y0 + d / 2))
        out.append(poly)
    # one multipolygon, to cover both geometry types in the same column
    out[-1] = shapely.MultiPolygon([out[-1], shapely.box(x0 + n * d + d, y0, x0 + n * d + 1.5 * d, y0 + d / 2)])
    return out


def boundary_units(codes, province="12", name="Tỉnh Lai Châu"):
    listed = UNITS_PRE.set_index("code")
    names = [listed.loc[c, "name"] if c in listed.index else f"Xã {c}" for c in codes]
    full = [listed.loc[c, "full_name"] if c in listed.index else f"Xã {c}" for c in codes]
    return pd.DataFrame({"code": codes, "name": names, "full_name": full,
                         "name_en": "", "unit_type": "Xã", "district_code": "", "district_name": "",
                         "province_code": province, "province_name": name,
                         "area_km2": [1.5 + i for i in range(len(codes))], "population": None,
                         "in_list": 0, "has_geometry": 1})


def put_boundaries(store, codes, geoms, edition="2025", province="12", lods=None):
    with store.transaction() as tx:
        batch = store.add_batch(tx, BatchInfo("boundaries", edition, "b.zip", "0" * 64, "t", len(codes)))
        store.replace_boundaries(tx, edition, {province: "Tỉnh Lai Châu"}, boundary_units(codes, province),
                                 geoms, batch)
        if lods:
            store.set_lods(tx, edition, codes, lods)
    return batch


STATUS_CSV = """ma_xa,ten_xa,huyen,che_do,trang_thai,tu_ngay,den_ngay,so_quyet_dinh,ghi_chu
03386,,,antt,trong_diem_phuc_tap,2016-03-01,,12/QĐ-UBND,
03386,P. Quyết Thắng,,antt,Đã chuyển hóa thành công,01/06/2020,,45/QĐ-UBND,chuyển hóa
,Xã Bản Bo,Tam Đường,ANTT,TRỌNG ĐIỂM PHỨC TẠP VỀ ANTT,2017-01-01,,,
03389,,,ma_tuy,drug-free,2023-05-24,,,
"""


def import_statuses(store, tmp_path, text=STATUS_CSV, name="st.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_status_file(store, str(path), "pre2025", CAT)


def no_times(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in ("recorded_at", "started_at", "at", "created_at", "updated_at")
                               if c in frame.columns])


# -- life cycle ---------------------------------------------------------------------------------------
def test_upgrade_is_idempotent(dbs, backend):
    s = dbs.store(backend, upgrade=False)
    assert s.schema_version() == 0
    with pytest.raises(StoreError, match="geoapp db upgrade"):
        s.editions()
    applied = s.upgrade()
    assert applied[:4] == [1, 2, 3, 4] and applied == sorted(applied)
    assert s.upgrade() == []
    assert s.schema_version() == applied[-1]
    assert set(s.editions()["edition"]) == {"2025", "pre2025"}
    assert s.data_version() == 0


def test_postgis_migrations_mirror_sqlite():
    from geoapp.store import postgis, sqlite
    assert [v for v, _ in postgis._migrations()] == [v for v, _ in sqlite._migrations()]
    assert "CREATE EXTENSION IF NOT EXISTS postgis" in postgis._migrations()[0][1]


def test_postgis_urls_are_parsed_without_a_server():
    from geoapp.errors import ConfigError
    from geoapp.store.postgis import parse_url
    sa_url, schema, pool = parse_url("postgres://u:secret@db.example:5433/geo?schema=inst_1&sslmode=require")
    assert sa_url.drivername == "postgresql+psycopg" and schema == "inst_1" and pool == 10
    assert dict(sa_url.query) == {"sslmode": "require"}
    s = open_store("postgresql://u:secret@db.example:5433/geo?schema=inst_1")
    assert "secret" not in s.url and type(s).__name__ == "PostGISStore"
    with pytest.raises(ConfigError):
        parse_url("postgresql://u@h/db?schema=Robert');DROP")


def test_commit_bumps_data_version_and_failure_leaves_nothing(bstore):
    before = bstore.data_version()
    with bstore.transaction() as tx:
        bstore.audit(tx, "t", "noop")
    assert bstore.data_version() == before + 1
    with pytest.raises(RuntimeError):
        with bstore.transaction() as tx:
            bstore.add_batch(tx, BatchInfo("boundaries", "2025", "x.zip", "0" * 64, "t", 1))
            bstore.audit(tx, "t", "boundaries.import")
            bstore.upsert_unit_list(tx, "2025", UNITS_PRE, {"12": "Lai Châu"}, None)
            raise RuntimeError("disk on fire")
    assert bstore.batches().empty and len(bstore.audit_log()) == 1 and bstore.units("2025").empty
    assert bstore.data_version() == before + 1


def test_a_database_error_rolls_back_the_whole_transaction(bstore):
    with pytest.raises(Exception):
        with bstore.transaction() as tx:
            bstore.audit(tx, "t", "first")
            # a unit code of 6 characters breaks the CHECK constraint
            bstore.upsert_unit_list(tx, "2025", UNITS_PRE.assign(code="123456"), {"12": "x"}, None)
    assert bstore.audit_log().empty and bstore.data_version() == 0


# -- boundaries, levels of detail, unit lists ----------------------------------------------------------
def test_boundaries_replace_lods_and_exact_wkb(bstore):
    add_list(bstore, "2025", UNITS_PRE.assign(code=["03386", "03388", "03389", "09999"]))
    codes = ["03386", "03388", "03389"]
    geoms = squares(3, holes=True)
    lods = {1: [g.simplify(0.001) for g in geoms], 2: [g.envelope for g in geoms], 3: [g.centroid.buffer(0.001) for g in geoms]}
    put_boundaries(bstore, codes, geoms, lods=lods)

    for lod, expected in [(0, geoms), *lods.items()]:
        got = bstore.geometries("2025", "12", lod=lod)
        assert list(got["code"]) == codes
        assert got.crs.to_epsg() == 4326
        assert list(shapely.to_wkb(got.geometry.values)) == list(shapely.to_wkb(np.array(expected, dtype=object),
                                                                                output_dimension=2))
    assert list(bstore.geometries("2025", "12", 0).geom_type) == ["Polygon", "Polygon", "MultiPolygon"]
    stats = bstore.lod_stats("2025")
    assert list(stats["lod"]) == [0, 1, 2, 3] and stats["units"].eq(3).all()
    assert int(stats.loc[0, "wkb_bytes"]) == sum(len(w) for w in shapely.to_wkb(np.array(geoms, dtype=object)))
    assert int(stats.loc[0, "vertices"]) == int(shapely.get_num_coordinates(np.array(geoms, dtype=object)).sum())

    units = bstore.units("2025", "12")
    assert list(units.columns) == list(UNIT_COLUMNS)
    assert list(units["code"]) == codes + ["09999"]
    assert list(units["has_geometry"]) == [1, 1, 1, 0] and list(units["in_list"]) == [1, 1, 1, 1]
    prov = bstore.provinces("2025")
    assert prov.to_dict("records") == [{"code": "12", "name": "Tỉnh Lai Châu", "units": 4, "with_geometry": 3}]
    ed = bstore.editions().set_index("edition")
    assert (ed.loc["2025", "units"], ed.loc["2025", "with_geometry"], ed.loc["2025", "provinces"]) == (4, 3, 1)

    # re-import with two units: the third (not from the list) goes, list units stay without geometry
    put_boundaries(bstore, ["03386", "03500"], squares(2, x0=104.0))
    units = bstore.units("2025", "12").set_index("code")
    assert list(units.index) == ["03386", "03388", "03389", "03500", "09999"]   # 03388/03389 are list units
    assert units["has_geometry"].to_dict() == {"03386": 1, "03388": 0, "03389": 0, "03500": 1, "09999": 0}
    assert list(bstore.geometries("2025", "12")["code"]) == ["03386", "03500"]
    assert bstore.geometries("2025", "12", lod=2).empty   # old lods of replaced units are gone


def test_unit_list_upsert_keeps_units_without_geometry(bstore):
    add_list(bstore)
    listed = bstore.units("pre2025")
    assert list(listed["code"]) == list(UNITS_PRE["code"])
    assert listed["has_geometry"].eq(0).all() and listed["in_list"].eq(1).all()
    assert bstore.geometries("pre2025").empty
    # a boundary file names only one unit; the list's names are not blanked by empty fields
    put_boundaries(bstore, ["03386"], squares(1), edition="pre2025")
    add_list(bstore)   # the list again: keeps the geometry flag and the file's area
    u = bstore.units("pre2025").set_index("code")
    assert u.loc["03386", "has_geometry"] == 1 and u.loc["03386", "area_km2"] == 1.5
    assert u.loc["03386", "district_name"] == "Thành phố Lai Châu"
    assert u.loc["03388", "has_geometry"] == 0 and pd.isna(u.loc["03388", "area_km2"])
    assert isinstance(u.index[0], str)


# -- records ---------------------------------------------------------------------------------------------
def test_status_records_as_of_and_large_code_lists(bstore, tmp_path):
    add_list(bstore)
    report = import_statuses(bstore, tmp_path)
    rec = bstore.status_records("pre2025")
    assert len(rec) == 4 and list(rec["code"]) == sorted(rec["code"])
    assert rec["code"].map(type).eq(str).all() and rec["province_code"].eq("12").all()
    assert set(rec["batch_state"]) == {"active"} and rec["is_demo"].eq(0).all()
    assert set(rec["batch_id"]) == {report["batch"]}
    on_2019 = current_statuses(bstore, "pre2025", CAT, province="12", as_of="2019-01-01")
    on_2021 = current_statuses(bstore, "pre2025", CAT, province="12", as_of="2021-01-01")
    antt = lambda f, code: f[(f.code == code) & (f.scheme == "antt")]["status"].iloc[0]  # noqa: E731
    assert antt(on_2019, "03386") != antt(on_2021, "03386")
    assert len(bstore.status_records("pre2025", as_of="2016-12-31")) == 1
    assert len(bstore.status_records("pre2025", scheme="ma_tuy")) == 1
    many = [f"{i:05d}" for i in range(20000)]
    assert len(bstore.status_records("pre2025", codes=many)) == 4
    assert bstore.status_records("pre2025", codes=[]).empty
    assert len(bstore.status_records("pre2025", codes=["03424"], province="12")) == 1


def test_indicator_values(bstore):
    add_list(bstore)
    vals = pd.DataFrame({"code": ["03386", "03388", "03386"], "indicator": ["cases", "cases", "pop"],
                         "period": ["2024", "2024", "2024"], "period_start": ["2024-01-01"] * 3,
                         "period_end": ["2024-12-31"] * 3, "value": [3, 5.5, 1200], "source": [None, "x", "y"],
                         "note": None, "row_number": [2, 3, np.nan]})
    with bstore.transaction() as tx:
        batch = bstore.add_batch(tx, BatchInfo("indicators", "pre2025", "i.csv", "", "t", 3))
        assert bstore.add_indicator_values(tx, "pre2025", vals, batch, "t") == 3
    got = bstore.indicator_values("pre2025")
    assert list(got["code"]) == ["03386", "03386", "03388"] and list(got["value"]) == [3.0, 1200.0, 5.5]
    assert got["value"].dtype == "float64" and list(got["source"]) == ["", "y", "x"]
    assert len(bstore.indicator_values("pre2025", indicator="cases", codes=["03388", "99999"])) == 1
    assert len(bstore.indicator_values("pre2025", province="12")) == 3


def test_batch_rollback(bstore, tmp_path):
    listed = add_list(bstore)
    batch = import_statuses(bstore, tmp_path)["batch"]
    version = bstore.data_version()
    with bstore.transaction() as tx:
        assert bstore.rollback_batch(tx, batch, "admin") == {"id": batch, "kind": "status"}
    assert bstore.data_version() == version + 1
    assert bstore.status_records("pre2025").empty
    assert len(bstore.status_records("pre2025", include_rolled_back=True)) == 4
    row = bstore.batch(batch)
    assert row["state"] == "rolled_back" and row["rolled_back_by"] == "admin" and row["rolled_back_at"]
    assert json.loads(row["detail"]) is not None and isinstance(row["detail"], str)
    for bad, err in ((batch, StoreError), (listed, StoreError), (9999, NotFoundError)):
        with pytest.raises(err):
            with bstore.transaction() as tx:
                bstore.rollback_batch(tx, bad, "admin")
    assert list(bstore.batches()["id"]) == [batch, listed] and list(bstore.batches("unit_list")["id"]) == [listed]


def test_audit_log(bstore):
    with bstore.transaction() as tx:
        bstore.audit(tx, "an", "user.add", "bob", {"role": "viewer", "ý": 1}, "10.0.0.1")
        bstore.audit(tx, "an", "user.disable", "bob")
    log = bstore.audit_log()
    assert list(log.columns) == ["id", "at", "user", "action", "target", "detail", "origin"]
    assert list(log["action"]) == ["user.disable", "user.add"]
    assert json.loads(log["detail"].iloc[1]) == {"role": "viewer", "ý": 1} and log["detail"].iloc[0] == "{}"
    assert len(bstore.audit_log(limit=1)) == 1


def test_users_tokens_share_links(bstore):
    with bstore.transaction() as tx:
        uid = bstore.add_user(tx, "bob", "hash1", "editor", ["2025:12", "2025:01"], False)
        with pytest.raises(InputError):
            bstore.add_user(tx, "bob", "hash2", "viewer", [], True)
        bstore.add_token(tx, uid, "tokhash", "ci")
        link = bstore.add_share_link(tx, "linkhash", '{"path": "/"}', "2025", "12", "bob", "2099-01-01T00:00:00+00:00")
    user = bstore.user("bob")
    assert user["id"] == uid and user["provinces"] == ["2025:01", "2025:12"] and user["all_provinces"] == 0
    assert bstore.user("nobody") is None
    with bstore.transaction() as tx:
        bstore.update_user(tx, "bob", disabled=True, failed_logins=2, session_epoch=1, provinces=["2025:12"])
        with pytest.raises(NotFoundError):
            bstore.update_user(tx, "nobody", role="admin")
    user = bstore.user("bob")
    assert (user["disabled"], user["failed_logins"], user["session_epoch"], user["provinces"]) == (1, 2, 1, ["2025:12"])
    assert "password_hash" not in bstore.users().columns and bstore.users()["provinces"].iloc[0] == ["2025:12"]
    assert bstore.token_user("tokhash")["name"] == "bob" and bstore.token_user("nope") is None
    with bstore.transaction() as tx:
        assert bstore.revoke_tokens(tx, uid) == 1
    assert bstore.token_user("tokhash") is None
    bstore.record_login("1.2.3.4", "bob", False)
    bstore.record_login("1.2.3.4", "bob", True)
    assert bstore.failed_logins_since("1.2.3.4", "2000-01-01") == 1
    assert bstore.share_link("linkhash")["province"] == "12" and bstore.share_link("x") is None
    with bstore.transaction() as tx:
        bstore.revoke_share_link(tx, link, "admin")
        with pytest.raises(NotFoundError):
            bstore.revoke_share_link(tx, link, "admin")
    assert bstore.share_links()["revoked_by"].tolist() == ["admin"]


def test_crosswalk_replace_read_and_weights(bstore):
    rows = pd.DataFrame({"old_code": ["03386", "03388", "03388"], "new_code": ["03388", "03388", "03389"],
                         "is_split": [False, True, True], "old_name": ["A", "B", "B"], "new_name": None,
                         "old_province": "12", "new_province": "12", "weight": [1.0, 0.5, 0.5],
                         "method": "crosswalk"})
    with bstore.transaction() as tx:
        batch = bstore.add_batch(tx, BatchInfo("crosswalk", "2025", "cw.xlsx", "f" * 64, "t", 3))
        assert bstore.replace_crosswalk(tx, rows, batch) == 3
    cw = bstore.crosswalk()
    assert list(zip(cw.new_code, cw.old_code)) == [("03388", "03386"), ("03388", "03388"), ("03389", "03388")]
    assert cw["is_split"].dtype == bool and cw["weight"].dtype == "float64" and cw["raw_share"].isna().all()
    assert set(cw["source"]) == {"cw.xlsx"} and set(cw["source_sha256"]) == {"f" * 64}
    assert len(bstore.crosswalk(new_codes=["03388"])) == 2 and len(bstore.crosswalk(old_codes=["03388"])) == 2
    assert len(bstore.crosswalk(new_province="12")) == 3 and bstore.crosswalk(new_province="99").empty
    weights = pd.DataFrame({"old_code": ["03388", "03388", "01234"], "new_code": ["03388", "03389", "01234"],
                            "weight": [0.3, 0.7, 1.0], "method": "area", "raw_share": [0.29, 0.69, 1.0],
                            "coverage": [0.98, 0.98, None]})
    with bstore.transaction() as tx:
        assert bstore.set_crosswalk_weights(tx, weights) == 2
    cw = bstore.crosswalk(old_codes=["03388"])
    assert list(cw["weight"]) == [0.3, 0.7] and set(cw["method"]) == {"area"} and cw["weights_at"].notna().all()
    assert len(bstore.crosswalk()) == 3
    with bstore.transaction() as tx:   # replace, not add
        assert bstore.replace_crosswalk(tx, rows.iloc[:1], batch) == 1
    assert len(bstore.crosswalk()) == 1


# -- concurrency ---------------------------------------------------------------------------------------
def test_two_concurrent_imports_serialise(bstore):
    add_list(bstore, "2025", UNITS_PRE.assign(code=["03386", "03388", "03389", "03424"]))
    events, batches, errors = [], {}, []    # list.append is atomic: the order the imports really ran in

    def run(name, codes, x0):
        try:
            with bstore.transaction() as tx:
                events.append(("start", name))
                batch = bstore.add_batch(tx, BatchInfo("boundaries", "2025", name, "0" * 64, name, len(codes)))
                time.sleep(0.3)   # the other import tries to run now
                bstore.replace_boundaries(tx, "2025", {"12": "Tỉnh Lai Châu"}, boundary_units(codes),
                                          squares(len(codes), x0=x0), batch)
                time.sleep(0.2)
                bstore.audit(tx, name, "boundaries.import", "2025:12", {"batch": batch})
                batches[name] = batch
                events.append(("end", name))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    version = bstore.data_version()
    threads = [threading.Thread(target=run, args=("a", ["03386", "03388", "05001"], 105.0)),
               threading.Thread(target=run, args=("b", ["03389", "05002"], 106.0))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    first, second = events[0][1], events[-1][1]
    assert events == [("start", first), ("end", first), ("start", second), ("end", second)], \
        "the second import ran while the first was still open"
    assert batches[second] > batches[first] and bstore.data_version() == version + 2
    # the last committed import wins whole: its units have geometry, nothing of the other one remains
    last_codes = {"a": ["03386", "03388", "05001"], "b": ["03389", "05002"]}[second]
    geo = bstore.geometries("2025", "12")
    assert list(geo["code"]) == last_codes
    assert (geo.geometry.bounds["minx"] >= (105.0 if second == "a" else 106.0) - 1e-9).all()
    units = bstore.units("2025", "12")
    assert set(units["code"]) == {"03386", "03388", "03389", "03424"} | set(last_codes)
    assert set(units.loc[units["has_geometry"] == 1, "code"]) == set(last_codes)
    assert list(bstore.audit_log()["user"]) == [second, first]


def test_concurrent_status_imports_both_land(bstore, tmp_path):
    add_list(bstore)
    errors, reports = [], []

    def run(code):
        try:
            text = f"ma_xa,che_do,trang_thai,tu_ngay\n{code},antt,trong_diem_phuc_tap,2020-01-0{code[-1]}\n"
            reports.append(import_statuses(bstore, tmp_path, text, name=f"st{code}.csv"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(code,)) for code in UNITS_PRE["code"]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rec = bstore.status_records("pre2025")
    assert len(rec) == 4 and rec["batch_id"].nunique() == 4 and list(rec["code"]) == list(UNITS_PRE["code"])
    assert bstore.data_version() == 1 + 4


# -- the same frames from both backends ------------------------------------------------------------------
def _fill(store, tmp_path):
    add_list(store)
    put_boundaries(store, ["03386", "03388"], squares(2), edition="pre2025",
                   lods={1: squares(2), 2: [g.envelope for g in squares(2)]})
    import_statuses(store, tmp_path)
    with store.transaction() as tx:
        store.add_user(tx, "ann", "h", "admin", [], True)


def test_both_backends_return_the_same_frames(dbs, tmp_path):
    lite, pg = dbs.store("sqlite"), dbs.store("postgis")
    _fill(lite, tmp_path)
    _fill(pg, tmp_path)
    calls = [lambda s: s.editions(), lambda s: s.provinces("pre2025"), lambda s: s.units("pre2025"),
             lambda s: pd.DataFrame(s.geometries("pre2025", lod=1).drop(columns="geometry")),
             lambda s: s.lod_stats("pre2025"), lambda s: s.status_records("pre2025"),
             lambda s: s.indicator_values("pre2025"), lambda s: s.batches(), lambda s: s.audit_log(),
             lambda s: s.users(), lambda s: s.share_links(), lambda s: s.crosswalk()]
    for call in calls:
        a, b = no_times(call(lite)), no_times(call(pg))
        assert list(a.columns) == list(b.columns)
        if len(a):
            assert list(a.dtypes) == list(b.dtypes), (a.dtypes, b.dtypes)
        pd.testing.assert_frame_equal(a, b, check_dtype=bool(len(a)))
    ua, ub = lite.user("ann"), pg.user("ann")
    assert {k: v for k, v in ua.items() if not k.endswith("_at")} == {k: v for k, v in ub.items() if not k.endswith("_at")}
    ba, bb = lite.batch(1), pg.batch(1)
    ba.pop("started_at"), bb.pop("started_at")
    assert ba == bb


# -- copying an embedded instance to PostGIS ----------------------------------------------------------
def _app_json(url, tmp_path, path):
    import geoapp
    from geoapp.web import cache
    cache.clear()   # the response cache is process-wide and keyed by data_version, not by database
    app = geoapp.create_app({"DATABASE_URL": url, "PUBLIC_READ": True, "INSTANCE_PATH": str(tmp_path),
                             "SECRET_KEY": "t", "TESTING": True})
    try:
        resp = app.test_client().get(path)
        assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
        return resp.get_data()
    finally:
        s = app.extensions["geoapp.store"]
        if hasattr(s, "close"):
            s.close()
        cache.clear()


def test_copy_store_sqlite_to_postgis(dbs, tmp_path):
    from geoapp.store.copy import table_checksums
    from geoapp.store.copy import copy_store
    lite = dbs.store("sqlite")
    pg_url = dbs.url("postgis")
    pg = open_store(pg_url)
    dbs.stores.append(pg)
    _fill(lite, tmp_path)
    with lite.transaction() as tx:
        uid = int(lite.user("ann")["id"])
        lite.add_token(tx, uid, "tok", "ci")
        lite.add_share_link(tx, "lnk", "{}", "pre2025", "12", "ann", "2099-01-01")
        batch = lite.add_batch(tx, BatchInfo("crosswalk", "2025", "cw.xlsx", "f" * 64, "t", 1))
        lite.replace_crosswalk(tx, pd.DataFrame({"old_code": ["03386"], "new_code": ["03388"], "is_split": [False],
                                                 "old_name": ["Quyết Thắng"], "new_name": ["Quyết Tiến"],
                                                 "old_province": ["12"], "new_province": ["12"], "weight": [1.0],
                                                 "method": ["crosswalk"]}), batch)
    with lite.transaction() as tx:
        lite.rollback_batch(tx, int(lite.batches("status")["id"].iloc[0]), "ann")
    lite.record_login("1.2.3.4", "ann", False)

    result = copy_store(lite, pg)
    assert result["match"], result
    tables = result["tables"]
    assert {"units", "unit_geometry", "import_batches", "status_records", "users", "api_tokens", "share_links",
            "crosswalk", "audit_log", "login_attempts", "meta", "editions"} <= set(tables)
    assert tables["unit_geometry"]["rows"] == 2 * 3 and tables["status_records"]["rows"] == 4
    assert all(t["rows"] == t["rows_dst"] and t["sha256"] == t["sha256_dst"] for t in tables.values())
    # independent re-count and re-hash of both databases agree too
    assert table_checksums(lite) == {t: {"rows": e["rows"], "sha256": e["sha256"]} for t, e in tables.items()}
    assert table_checksums(pg) == table_checksums(lite)
    assert pg.data_version() == lite.data_version()
    assert pg.batch(pg.batches("status")["id"].iloc[0])["state"] == "rolled_back"
    assert pg.token_user("tok")["name"] == "ann"
    # ids carry on after the copied ones
    with pg.transaction() as tx:
        nxt = pg.add_batch(tx, BatchInfo("unit_list", "2025", "x", "", "t", 0))
    assert nxt == int(lite.batches()["id"].max()) + 1
    for lod in (0, 1, 2):
        assert list(shapely.to_wkb(lite.geometries("pre2025", lod=lod).geometry.values)) == \
               list(shapely.to_wkb(pg.geometries("pre2025", lod=lod).geometry.values))
    # refused a second time: the destination holds data now
    with pytest.raises(StoreError, match="already holds data"):
        copy_store(lite, pg)


def test_copied_instance_serves_the_same_json(dbs, tmp_path):
    from geoapp.store.copy import copy_store
    lite = dbs.store("sqlite")
    add_list(lite)                                   # pre2025 communes and their records
    import_statuses(lite, tmp_path)
    new = UNITS_PRE[UNITS_PRE["code"].isin(["03388", "03424"])]
    add_list(lite, "2025", new)                      # the 2025 units, with boundaries and lods
    put_boundaries(lite, ["03388", "03424"], squares(2), edition="2025",
                   lods={1: squares(2), 2: squares(2), 3: squares(2)})
    with lite.transaction() as tx:                   # how they were formed
        batch = lite.add_batch(tx, BatchInfo("crosswalk", "2025", "cw.xlsx", "f" * 64, "t", 4))
        lite.replace_crosswalk(tx, pd.DataFrame({
            "old_code": ["03386", "03388", "03389", "03424"], "new_code": ["03388", "03388", "03388", "03424"],
            "is_split": False, "old_name": "x", "new_name": "y", "old_province": "12", "new_province": "12",
            "weight": 1.0,
            "method": "crosswalk"}), batch)
    path = tmp_path / "st25.csv"
    path.write_text("ma_xa,che_do,trang_thai,tu_ngay\n03388,antt,trong_diem_phuc_tap,2025-08-01\n", encoding="utf-8")
    import_status_file(lite, str(path), "2025", CAT)
    pg_url = dbs.url("postgis")
    pg = open_store(pg_url)
    dbs.stores.append(pg)
    assert copy_store(lite, pg)["match"]
    for query in ("/api/v1/2025/statuses?province=12&as_of=2021-01-01",          # projected via the crosswalk
                  "/api/v1/2025/statuses?province=12&as_of=2025-09-01",          # 2025 records
                  "/api/v1/pre2025/statuses?province=12&as_of=2019-01-01&scheme=antt",
                  "/api/v1/2025/units?province=12&lod=2", "/api/v1/2025/provinces"):
        a = _app_json(lite.url, tmp_path / "i1", query)
        b = _app_json(pg_url, tmp_path / "i2", query)
        assert a == b, query
    body = json.loads(_app_json(pg_url, tmp_path / "i2", "/api/v1/2025/statuses?province=12&as_of=2025-09-01"))
    assert body["province"] == "12" and body["as_of"] == "2025-09-01"
    assert body["statuses"], body


@pytest.mark.realdata
@requires_shared()
def test_real_lai_chau_serves_the_same_units_from_both(dbs, tmp_path):
    from geoapp.ingest import import_boundaries
    files = [SHARED_DATA / "boundaries" / "2025" / "12_lai_chau.zip"]
    lite, pg = dbs.store("sqlite"), dbs.store("postgis")
    for s in (lite, pg):
        report = import_boundaries(s, files, "2025", user="t")
        assert report["units"] == 38
    for query in ("/api/v1/2025/units?province=12&lod=2", "/api/v1/2025/units?province=12&lod=0"):
        assert _app_json(lite.url, tmp_path / "i1", query) == _app_json(dbs_url(pg), tmp_path / "i2", query), query


def dbs_url(store) -> str:
    """The full URL of a PostGIS store (``store.url`` hides the password)."""
    return store.sa_url.set(drivername="postgresql").render_as_string(hide_password=False) + \
        (f"{'&' if store.sa_url.query else '?'}schema={store.schema}" if store.schema else "")


def test_shapefile_import_through_the_domain_code(bstore, tmp_path):
    """import_boundaries end to end (reading, LODs, writing) on each backend."""
    from geoapp.ingest import import_boundaries
    path = write_shp(communes(4), tmp_path / "shp")
    report = import_boundaries(bstore, [path], "2025", user="t")
    assert report["units"] == 4
    stats = bstore.lod_stats("2025")
    assert list(stats["lod"]) == [0, 1, 2, 3] and stats["units"].eq(4).all()
    assert bstore.geometries("2025", "12").geometry.is_valid.all()
    batch = bstore.batch(report["batch"])
    assert batch["kind"] == "boundaries" and json.loads(batch["detail"])["provinces"] == ["12"]


#: the PostGIS pass of the whole suite skips this module: it already runs both backends in the SQLite pass
pytestmark = sqlite_pass_only("this module runs both backends in the SQLite pass")
