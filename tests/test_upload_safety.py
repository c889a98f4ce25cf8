"""Uploads and bad files: lying zip bombs are refused from real bytes, malformed files answer a clear
4xx in both languages with no server path, and nothing stays in ``instance/uploads`` (issue 12)."""
from __future__ import annotations

import io
import json
import os
import random
import re
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from geoapp import access, create_app, sources, uploads
from geoapp.boundaries import read_boundaries
from geoapp.errors import InputError, ValidationError
from geoapp.ingest import import_boundaries
from geoapp.tables import read_table

from .conftest import communes, db_url, write_shp

PASSWORD = "correct horse battery"
STATUS_CSV = b"ma_xa,trang_thai,tu_ngay\n3388,khong_ma_tuy,2025-09-01\n"


# --- building hostile files in code -------------------------------------------------------------

def lying_zip(size: int, member: str = "big.geojson", claim: int = 1024) -> bytes:
    """A zip whose one member inflates to ``size`` zero bytes while both headers claim ``claim`` bytes,
    with the CRC of ``claim`` zero bytes: Python's zipfile reads it without a complaint, GDAL inflates it all."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, zf.open(member, "w") as fh:
        block = bytes(1 << 20)
        for _ in range(size >> 20):
            fh.write(block)
    data = bytearray(buf.getvalue())
    crc = zlib.crc32(bytes(claim))
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<L", data, 14, crc)                 # local header: CRC-32 …
    struct.pack_into("<L", data, 22, claim)               # … and uncompressed size
    struct.pack_into("<L", data, central + 16, crc)       # central directory: the same two
    struct.pack_into("<L", data, central + 24, claim)
    return bytes(data)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def feature_collection(geometry: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"MaXa": "03500", "TenXa": "Xã Hở", "MaTinh": "12"},
        "geometry": geometry}]}).encode()


UNCLOSED_RING = feature_collection({"type": "Polygon", "coordinates": [
    [[103.40, 22.30], [103.45, 22.30], [103.45, 22.35], [103.40, 22.35]]]})
LONG_FIELD = b"ma_xa,trang_thai,tu_ngay,ghi_chu\n3388,khong_ma_tuy,2025-09-01,\"" + b"x" * 140_000 + b"\n"


class CountingReader(io.BytesIO):
    """A file that counts the bytes read from it."""

    bytes_read = 0

    def read(self, n=-1):
        data = super().read(n)
        self.bytes_read += len(data)
        return data


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """256 MB of zeros in ~250 KB, claiming 1 KB."""
    return lying_zip(256 << 20)


@pytest.fixture(scope="module")
def shapefile_set(tmp_path_factory) -> dict[str, bytes]:
    shp = write_shp(communes(3, start=3500), tmp_path_factory.mktemp("set"))
    return {f.name: f.read_bytes() for f in shp.parent.iterdir()}


# --- the zip check counts real bytes ------------------------------------------------------------

def test_the_lying_zip_fools_pythons_zipfile(bomb):
    # why check_zip inflates the raw stream itself: zipfile stops at the claimed size, CRC and all
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        assert zf.infolist()[0].file_size == 1024
        assert len(zf.read("big.geojson")) == 1024


def test_a_lying_zip_bomb_is_refused_and_the_check_stops_early(bomb):
    reader = CountingReader(bomb)
    with pytest.raises(InputError, match="zip bomb") as info:
        sources.check_zip(reader, "bomb.zip", sources.ZipLimits(unpacked=1 << 20))
    assert "bomb.zip" in info.value.message and "zip bom" in info.value.message_vi
    # refused after the first chunk or so, not after reading (let alone inflating) the whole thing
    assert reader.bytes_read < len(bomb) // 2


def test_a_lying_member_is_refused_by_the_ratio_whatever_the_total_limit(bomb):
    with pytest.raises(InputError, match="zip bomb"):
        sources.check_zip(io.BytesIO(bomb), "bomb.zip")          # default limits (4 GB in all)


def test_a_header_that_lies_about_a_small_member_is_refused():
    with pytest.raises(InputError, match="header says 1,024") as info:
        sources.check_zip(io.BytesIO(lying_zip(2 << 20)), "small.zip", sources.ZipLimits(ratio_floor=64 << 20))
    assert "không khớp" in info.value.message_vi


def test_the_real_total_of_all_members_is_limited():
    noise = random.Random(12).randbytes(700_000)                # incompressible: no ratio to catch
    data = zip_bytes({"a.geojson": noise, "b.geojson": noise[::-1]})
    with pytest.raises(InputError, match="more than 1 MB"):
        sources.check_zip(io.BytesIO(data), "two.zip", sources.ZipLimits(unpacked=1 << 20))


def test_an_honest_zip_passes(shapefile_set):
    sources.check_zip(io.BytesIO(zip_bytes(shapefile_set)), "ok.zip")


def test_path_and_link_checks_still_hold():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        link = zipfile.ZipInfo("l.shp")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(InputError, match="symbolic link"):
        sources.check_zip(io.BytesIO(buf.getvalue()), "l.zip")
    with pytest.raises(InputError, match="unsafe path"):
        sources.check_zip(io.BytesIO(zip_bytes({"../../x.shp": b"x"})), "p.zip")


def test_gdal_never_sees_a_lying_zip(tmp_path, bomb, monkeypatch):
    import pyogrio

    def gdal(*a, **k):
        raise AssertionError("GDAL opened the bomb")
    monkeypatch.setattr(pyogrio, "read_info", gdal)
    (tmp_path / "bomb.zip").write_bytes(lying_zip(8 << 20, member="xa.geojson"))
    with pytest.raises(InputError, match="zip bomb"):
        read_boundaries([tmp_path / "bomb.zip"])


def test_openpyxl_never_sees_a_lying_xlsx(tmp_path, monkeypatch):
    import openpyxl

    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a))
    monkeypatch.setattr(sources, "DEFAULT_LIMITS", sources.ZipLimits(unpacked=1 << 20))
    (tmp_path / "bomb.xlsx").write_bytes(lying_zip(4 << 20, member="xl/worksheets/sheet1.xml"))
    with pytest.raises(InputError, match="more than 1 MB"):
        read_table(tmp_path / "bomb.xlsx")
    assert not opened


# --- bad files are InputErrors, not parser exceptions -------------------------------------------

def test_an_unclosed_ring_is_a_validation_problem_of_that_feature(tmp_path):
    path = tmp_path / "ring.geojson"
    path.write_bytes(UNCLOSED_RING)
    with pytest.raises(ValidationError) as info:
        read_boundaries([path])
    [ring] = [p for p in info.value.problems if "ring" in p.message]
    assert ring.level == "error" and "feature 1" in ring.where and "không khép kín" in ring.message_vi


def test_a_csv_field_over_the_csv_modules_limit_is_an_input_error(tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(LONG_FIELD)
    with pytest.raises(InputError, match="131,072") as info:
        read_table(path)
    assert "ngoặc kép" in info.value.message_vi


def test_gdal_messages_carry_the_label_not_the_path(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(zip_bytes({"xa.shp": b"garbage", "xa.shx": b"x", "xa.dbf": b"y"}))
    with pytest.raises(InputError) as info:
        read_boundaries([path])
    assert "x.zip:xa.shp" in info.value.message
    assert str(tmp_path) not in info.value.message + info.value.message_vi


# --- the web upload -----------------------------------------------------------------------------

@pytest.fixture
def app(tmp_path):
    app = create_app({"DATABASE_URL": db_url(tmp_path, "u"), "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SECRET_KEY": "t", "COOKIE_SECURE": False, "MAX_UPLOAD_MB": 2})
    store = app.extensions["geoapp.store"]
    import_boundaries(store, [write_shp(communes(3), tmp_path / "base")], "2025")
    access.add_user(store, "ed", "editor", ["2025:12"], PASSWORD)
    return app


def signed_in(app):
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"name": "ed", "password": PASSWORD, "csrf_token": token})
    client.csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/about").get_data(as_text=True)).group(1)
    return client


def upload(client, kind, name, data, lang="en"):
    return client.post(f"/admin/upload?lang={lang}", content_type="multipart/form-data", data={
        "csrf_token": client.csrf, "kind": kind, "edition": "2025", "province": "12",
        "file": (io.BytesIO(data), name)})


def commit(client, upload_id, kind="status"):
    return client.post("/admin/upload/commit", data={"csrf_token": client.csrf, "upload_id": upload_id,
                                                     "kind": kind, "edition": "2025", "province": "12"})


def preview_id(resp) -> str:
    assert resp.status_code == 200, resp.get_data(as_text=True)[-500:]
    return re.search(r'name="upload_id" value="([^"]+)"', resp.get_data(as_text=True)).group(1)


def left_behind(app) -> list[Path]:
    folder = Path(app.instance_path) / "uploads"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def error_text(resp) -> str:
    """The error line and the table of problems under it."""
    page = resp.get_data(as_text=True)
    return page[page.index('class="error"'):page.index("</main>")]


BAD_FILES = {
    # name: (kind, file name, bytes, words the English message must hold)
    "unclosed ring": ("boundaries", "ring.geojson", UNCLOSED_RING, "not closed"),
    "long csv field, status": ("status", "long.csv", LONG_FIELD, "131,072"),
    "long csv field, indicators": ("indicators", "long.csv",
                                   LONG_FIELD.replace(b"trang_thai,tu_ngay", b"ky,chi_tieu"), "131,072"),
    "empty geojson": ("boundaries", "e.geojson", b"", "empty"),
    "empty csv": ("status", "e.csv", b"", "empty"),
    "empty zip": ("boundaries", "e.zip", b"", "empty"),
    "geojson, not a feature collection": ("boundaries", "x.geojson", b'{"a": 1}', "FeatureCollection"),
    "geojson cut short": ("boundaries", "x.geojson", b'{"type": "FeatureCollection", "features": [',
                          "cannot be read"),
    "xlsx that is not a workbook": ("status", "x.xlsx", zip_bytes({"a.txt": b"x"}), "not a readable .xlsx"),
    "xlsx of garbage": ("status", "x.xlsx", b"PK\x03\x04" + bytes(60), "damaged"),
    "shapefile zip of garbage": ("boundaries", "g.zip", zip_bytes({"xa.shp": b"1", "xa.shx": b"2", "xa.dbf": b"3"}),
                                 "not a shapefile file"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_a_clear_4xx_with_no_path_and_nothing_left(app, tmp_path, case):
    kind, name, data, words = BAD_FILES[case]
    client = signed_in(app)
    english, vietnamese = upload(client, kind, name, data), upload(client, kind, name, data, lang="vi")
    for resp in (english, vietnamese):
        assert resp.status_code in (400, 422), resp.get_data(as_text=True)[-800:]
        assert str(tmp_path) not in resp.get_data(as_text=True)
        assert "/vsizip/" not in resp.get_data(as_text=True)
    assert words in error_text(english)
    assert error_text(vietnamese) != error_text(english)               # told in Vietnamese too
    assert left_behind(app) == []


@pytest.mark.parametrize("missing", [".shx", ".dbf"])
def test_an_incomplete_shapefile_set_says_what_is_missing(app, shapefile_set, missing):
    data = zip_bytes({k: v for k, v in shapefile_set.items() if not k.endswith(missing)})
    resp = upload(signed_in(app), "boundaries", "set.zip", data)
    assert resp.status_code == 422 and f"{missing} missing" in error_text(resp)
    assert left_behind(app) == []


@pytest.mark.parametrize("cut", [0.5, 0.97])
def test_a_truncated_zip_is_a_clear_4xx(app, shapefile_set, cut):
    data = zip_bytes(shapefile_set)
    resp = upload(signed_in(app), "boundaries", "cut.zip", data[: int(len(data) * cut)])
    assert resp.status_code == 422 and "damaged" in error_text(resp)
    assert left_behind(app) == []


def test_a_lying_zip_bomb_upload_is_refused(app, bomb):
    resp = upload(signed_in(app), "boundaries", "bomb.zip", bomb)
    assert resp.status_code == 422 and "zip bomb" in error_text(resp)
    assert left_behind(app) == []


def test_whatever_a_parser_raises_is_a_4xx_and_the_folder_goes(app, monkeypatch):
    from geoapp.web import admin

    def broken(*a, **k):
        raise RuntimeError("/srv/secret/instance/uploads/x: parser fell over")
    monkeypatch.setattr(admin, "_validate", broken)
    resp = upload(signed_in(app), "status", "st.csv", STATUS_CSV)
    assert resp.status_code == 422 and "could not be read" in error_text(resp)
    assert "/srv/secret" not in resp.get_data(as_text=True)
    assert left_behind(app) == []


def test_a_refused_commit_leaves_nothing(app, monkeypatch):
    from geoapp.web import admin

    client = signed_in(app)
    upload_id = preview_id(upload(client, "status", "st.csv", STATUS_CSV))
    assert [p.name for p in left_behind(app)] == [upload_id]

    def refuse(*a, **k):
        raise ValidationError("refused", [])
    monkeypatch.setattr(admin, "import_status_file", refuse)
    assert commit(client, upload_id).status_code == 422
    assert left_behind(app) == []


def test_an_unexpected_error_in_commit_leaves_nothing(app, monkeypatch):
    from geoapp.web import admin

    client = signed_in(app)
    upload_id = preview_id(upload(client, "status", "st.csv", STATUS_CSV))

    def crash(*a, **k):
        raise RuntimeError("the database went away")
    monkeypatch.setattr(admin, "import_status_file", crash)
    try:
        commit(client, upload_id)                    # a server fault: 500 (or raised, in testing mode)
    except RuntimeError:
        pass
    assert left_behind(app) == []


def test_a_committed_upload_leaves_nothing(app):
    client = signed_in(app)
    upload_id = preview_id(upload(client, "status", "st.csv", STATUS_CSV))
    assert commit(client, upload_id).status_code == 200
    assert left_behind(app) == []


# --- abandoned previews are swept ---------------------------------------------------------------

def make_old(folder: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(folder, (then, then))


def test_an_abandoned_preview_is_swept_on_the_next_upload(app):
    client = signed_in(app)
    old = preview_id(upload(client, "status", "st.csv", STATUS_CSV))
    fresh = preview_id(upload(client, "status", "st.csv", STATUS_CSV))
    make_old(Path(app.instance_path) / "uploads" / old, 25)                  # default TTL: 24 h
    newest = preview_id(upload(client, "status", "st.csv", STATUS_CSV))
    assert [p.name for p in left_behind(app)] == sorted([fresh, newest])


def test_an_expired_preview_cannot_be_committed(app):
    client = signed_in(app)
    upload_id = preview_id(upload(client, "status", "st.csv", STATUS_CSV))
    make_old(Path(app.instance_path) / "uploads" / upload_id, 25)
    assert commit(client, upload_id).status_code == 404
    assert left_behind(app) == []
    assert app.extensions["geoapp.store"].status_records("2025").empty


def test_the_ttl_is_a_setting(tmp_path):
    app = create_app({"DATABASE_URL": db_url(tmp_path, "t"), "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SECRET_KEY": "t", "COOKIE_SECURE": False, "UPLOAD_TTL_HOURS": 2})
    store = app.extensions["geoapp.store"]
    import_boundaries(store, [write_shp(communes(3), tmp_path / "base")], "2025")
    access.add_user(store, "ed", "editor", ["2025:12"], PASSWORD)
    client = signed_in(app)
    upload_id = preview_id(upload(client, "status", "st.csv", STATUS_CSV))
    make_old(Path(app.instance_path) / "uploads" / upload_id, 3)
    upload(client, "status", "e.csv", b"")
    assert left_behind(app) == []


def test_sweep_is_a_plain_function_for_the_cli(tmp_path):
    root = uploads.root(tmp_path)
    _, old = uploads.new_folder(root)
    (old / "a.csv").write_text("x")
    _, fresh = uploads.new_folder(root)
    (root / "stray.tmp").write_text("x")
    make_old(old, 30)
    make_old(root / "stray.tmp", 30)
    assert uploads.sweep(root, 24) == 2
    assert list(root.iterdir()) == [fresh]
    assert uploads.sweep(root, 24, now=time.time() + 25 * 3600) == 1
