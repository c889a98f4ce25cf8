"""Hostile and broken input: uploads, zip tricks, XSS corpus, fuzzed parsers, concurrent and killed imports."""
from __future__ import annotations

import io
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geoapp import access, create_app
from geoapp.boundaries import read_boundaries
from geoapp.errors import GeoappError
from geoapp.ingest import import_boundaries
from geoapp.records import import_status_file
from geoapp.schemes import load_catalogue
from geoapp.tables import read_table

from .conftest import ROOT, communes, db_url, sqlite_only, write_shp

PASSWORD = "correct horse battery"
XSS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'javascript:alert(1)', '${alert(1)}',
       '`-alert(1)-`', '"><svg onload=alert(1)>', "'; alert(1); //", '</script><script>alert(1)</script>']


@pytest.fixture
def app(tmp_path):
    app = create_app({"DATABASE_URL": db_url(tmp_path, "h"), "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "t", "COOKIE_SECURE": False, "MAX_UPLOAD_MB": 2})
    store = app.extensions["geoapp.store"]
    import_boundaries(store, [write_shp(communes(3), tmp_path / "base")], "2025")
    access.add_user(store, "ed", "editor", ["2025:12"], PASSWORD)
    access.add_user(store, "admin", "admin", [], PASSWORD)
    return app


def signed_in(app, name="ed"):
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
    client.csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/about").get_data(as_text=True)).group(1)
    return client


def upload(client, kind, name, data, province="12", edition="2025"):
    return client.post("/admin/upload?lang=en", data={"csrf_token": client.csrf, "kind": kind, "edition": edition,
                                              "province": province, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def zip_bytes(members: dict[str, bytes], links: tuple = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in members.items():
            zf.writestr(n, d)
        for n in links:
            info = zipfile.ZipInfo(n)
            info.external_attr = 0o120777 << 16
            zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


def test_status_upload_preview_then_commit(app):
    client = signed_in(app)
    resp = upload(client, "status", "st.csv", "ma_xa,trang_thai,tu_ngay\n3388,khong_ma_tuy,2025-09-01\n".encode())
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "1 " in page and 'name="upload_id"' in page
    assert app.extensions["geoapp.store"].status_records("2025").empty          # previewed, not imported
    upload_id = re.search(r'name="upload_id" value="([^"]+)"', page).group(1)
    done = client.post("/admin/upload/commit", data={"csrf_token": client.csrf, "upload_id": upload_id,
                                                     "kind": "status", "edition": "2025", "province": "12"})
    assert done.status_code == 200
    assert len(app.extensions["geoapp.store"].status_records("2025")) == 1
    again = client.post("/admin/upload/commit", data={"csrf_token": client.csrf, "upload_id": upload_id,
                                                      "kind": "status", "edition": "2025", "province": "12"})
    assert again.status_code == 404


def test_boundary_upload_of_a_zipped_shapefile(app, tmp_path):
    path = write_shp(communes(3, start=3500), tmp_path / "up")
    data = zip_bytes({f.name: f.read_bytes() for f in path.parent.iterdir()})
    resp = upload(signed_in(app), "boundaries", "lai_chau.zip", data)
    assert resp.status_code == 200 and "upload_id" in resp.get_data(as_text=True)


@pytest.mark.parametrize("name, data, why", [
    ("evil.zip", zip_bytes({"../../etc/x.shp": b"x"}), "unsafe path"),
    ("links.zip", zip_bytes({"a.txt": b"x"}, links=("l.shp",)), "symbolic link"),
    ("bomb.zip", zip_bytes({"big.geojson": b"0" * (30 << 20)}), "zip bomb"),
    ("fake.zip", b"this is not a zip", "not really"),
    ("x.exe", b"MZ\x90\x00", "must be one of"),
    ("x.geojson", b"\x00\x01binary", "not GeoJSON"),
])
def test_dangerous_uploads_are_refused_clearly(app, name, data, why):
    resp = upload(signed_in(app), "boundaries", name, data)
    assert resp.status_code == 422 and why in resp.get_data(as_text=True)
    assert not list((app.instance_path and __import__("pathlib").Path(app.instance_path) / "uploads").glob("*/*"))


def test_too_large_upload_is_413(app):
    resp = upload(signed_in(app), "status", "big.csv", b"a" * (3 << 20))
    assert resp.status_code == 413


def test_editor_cannot_upload_for_another_province(app):
    resp = upload(signed_in(app), "status", "st.csv", b"ma_xa,trang_thai,tu_ngay\n3388,khong_ma_tuy,2025-09-01\n",
                  province="14")
    assert resp.status_code == 404          # no province 14 in this instance (test_gate covers an existing one)


def test_malformed_spreadsheets_get_a_clear_4xx(app):
    client = signed_in(app)
    for name, data in (("x.xlsx", b"PK\x03\x04garbage"), ("x.csv", b"\xff\xfe\x00\x00"), ("x.csv", b""),
                       ("x.xlsx", zip_bytes({"[Content_Types].xml": b"<x/>"}))):
        resp = upload(client, "status", name, data)
        assert 400 <= resp.status_code < 500, (name, resp.status_code)


@pytest.mark.parametrize("payload", XSS)
def test_xss_corpus_is_shown_as_text_everywhere(tmp_path, payload):
    app = create_app({"DATABASE_URL": db_url(tmp_path, "x"), "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "t", "COOKIE_SECURE": False})
    store = app.extensions["geoapp.store"]
    frame = communes(2)
    frame.loc[0, "TenXa"] = "Xã " + payload
    import_boundaries(store, [write_shp(frame, tmp_path / "x")], "2025")
    note = tmp_path / "n.csv"
    note.write_text('ma_xa,trang_thai,tu_ngay,ghi_chu,so_quyet_dinh\n3388,khong_ma_tuy,2025-09-01,"'
                    + payload.replace('"', '""') + '","' + payload.replace('"', '""') + '"\n', encoding="utf-8")
    import_status_file(store, note, "2025", load_catalogue())
    access.add_user(store, "admin", "admin", [], PASSWORD)
    client = signed_in(app, "admin")
    for url in ("/", "/units/2025/12", "/map/2025/12", "/unit/2025/03388", "/admin/audit", "/overview/2025"):
        html = client.get(url).get_data(as_text=True)
        for dangerous in ("<script>alert", "<img src=x", "<svg onload", 'href="javascript:'):
            assert dangerous not in html, (url, dangerous)
    # a hostile file name in an upload error page
    resp = upload(client, "status", payload.replace("/", "_") + ".csv", b"nonsense")
    assert "<script>alert" not in resp.get_data(as_text=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_fuzzed_spreadsheets_raise_only_geoapp_errors(tmp_path, data, suffix):
    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    try:
        read_table(path)
    except GeoappError:
        pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".zip", ".geojson", ".gpkg"]))
def test_fuzzed_boundary_files_raise_only_geoapp_errors(tmp_path, data, suffix):
    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    try:
        read_boundaries([path])
    except GeoappError:
        pass


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400))
def test_fuzzed_status_csv_never_500(app, text):
    client = signed_in(app)
    resp = upload(client, "status", "f.csv", ("ma_xa,trang_thai,tu_ngay\n" + text).encode("utf-8", "surrogatepass"))
    assert resp.status_code < 500


def test_two_imports_at_once_are_both_whole(app, tmp_path):
    store = app.extensions["geoapp.store"]
    files = []
    for i, code in enumerate(("3388", "3389")):
        f = tmp_path / f"c{i}.csv"
        f.write_text("ma_xa,che_do,trang_thai,tu_ngay\n" + "".join(
            f"{code},ma_tuy,{'khong_ma_tuy' if y % 2 else 'co_te_nan'},{2000 + y}-01-01\n" for y in range(20)))
        files.append(f)
    errors = []

    def run(f):
        try:
            import_status_file(store, f, "2025", load_catalogue(), user=f.name)
        except GeoappError as exc:
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(f,)) for f in files]
    [t.start() for t in threads]
    [t.join() for t in threads]
    records = store.status_records("2025")
    for batch, group in records.groupby("batch_id"):
        assert len(group) == 20                                     # never a partial batch
    assert len(records) == 20 * (2 - len(errors))


KILLER = """
import sys
from geoapp.store.sqlite import SQLiteStore
from geoapp.records import import_indicator_file
from geoapp.schemes import load_catalogue
store = SQLiteStore(sys.argv[1])
print("start", flush=True)
import_indicator_file(store, sys.argv[2], "2025", load_catalogue())
print("done", flush=True)
"""


@sqlite_only
def test_sigkill_during_an_import_leaves_the_database_whole(app, tmp_path):
    store = app.extensions["geoapp.store"]
    before = (store.data_version(), len(store.indicator_values("2025")), len(store.batches()))
    big = tmp_path / "big.csv"
    big.write_text("ma_xa,ky,chi_tieu,gia_tri\n" + "".join(
        f"{3388 + (i % 3)},{1000 + i // 3},so_vu_pham_toi,{i}\n" for i in range(150_000)))
    for delay in (0.8, 1.6, 2.4):
        proc = subprocess.Popen([sys.executable, "-c", KILLER, str(store.path), str(big)], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "start"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        con = sqlite3.connect(store.path)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
        values = store.indicator_values("2025")
        assert len(values) in (before[1], before[1] + 150_000)       # all of the batch or none of it
        if len(values) == before[1]:
            assert len(store.batches()) == before[2]
        else:
            break
