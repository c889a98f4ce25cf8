"""Tests of geoapp.fetch: mirror folder, HTTP mirror, upstream GeoJSON; no internet.

HTTP is served by ``http.server`` on 127.0.0.1 in a thread, from a temp folder.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

from geoapp import fetch
from geoapp.errors import FetchError, NotFoundError
from geoapp.fetch import fetch_boundaries

from .conftest import SHARED_DATA as SHARED
from .conftest import requires_shared

LAI_CHAU_ZIP = SHARED / "boundaries" / "2025" / "12_lai_chau.zip"
needs_shared = requires_shared()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture
def serve():
    """Start a static HTTP server on a folder; return its base URL. Stopped after the test."""
    servers = []

    def start(root: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(root))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def _mirror_with_lai_chau(root: Path) -> Path:
    folder = root / "boundaries" / "2025"
    folder.mkdir(parents=True)
    shutil.copyfile(LAI_CHAU_ZIP, folder / LAI_CHAU_ZIP.name)
    return folder / LAI_CHAU_ZIP.name


# --------------------------------------------------------------------------- manifests


def test_manifests_are_complete_and_small():
    units = fetch.read_upstream_manifest()
    mirror = fetch.read_mirror_manifest()
    assert len(units) == 3321 and len({u.code for u in units}) == 3321
    assert len(mirror) == 34
    assert {m.province_code for m in mirror} == set(fetch.PROVINCE_NAMES_2025)
    assert all(u.upstream_path == f"json/geojson/{u.province_code}_{u.province_slug}/wards/"
                                  f"{u.code}_{u.slug}.geojson" for u in units)
    # Slugs checked against the real upstream listing (see make_manifest.slugify).
    paths = {u.code: u.upstream_path.rsplit("/", 1)[-1] for u in units}
    assert paths["00226"] == "00226_van_mieu_quoc_tu_giam.geojson"
    assert paths["24184"] == "24184_ea_hleo.geojson"
    assert paths["24820"] == "24820_2_bao_loc.geojson"
    for name in ("upstream_2025.csv", "mirror_2025.csv"):
        assert (fetch.DEFAULT_MANIFEST_DIR / name).stat().st_size < 1 << 20


@needs_shared
def test_mirror_manifest_matches_shared_data():
    for m in fetch.read_mirror_manifest():
        path = SHARED / "boundaries" / "2025" / m.file
        assert path.stat().st_size == m.size, m.file
    lai_chau = next(m for m in fetch.read_mirror_manifest() if m.province_code == "12")
    assert _sha256(LAI_CHAU_ZIP) == lai_chau.sha256
    with open(SHARED / "boundaries" / "2025" / "provinces.csv", encoding="utf-8") as fh:
        names = {r["MaTinh"]: r["TenTinh"] for r in csv.DictReader(fh)}
    assert names == fetch.PROVINCE_NAMES_2025


# --------------------------------------------------------------------------- mirror folder


@needs_shared
def test_folder_copy_one_province_verified(tmp_path):
    calls = []
    out = fetch_boundaries("2025", ["12"], str(SHARED), tmp_path / "dest",
                           progress=lambda *a: calls.append(a))
    assert out == [tmp_path / "dest" / "12_lai_chau.zip"]
    assert out[0].read_bytes() == LAI_CHAU_ZIP.read_bytes()
    assert calls == [(1, 1, "12_lai_chau.zip")]
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == ["12_lai_chau.zip"]


@needs_shared
def test_folder_pre2025_is_one_file_whatever_provinces(tmp_path):
    out = fetch_boundaries("pre2025", ["12"], str(SHARED), tmp_path)
    assert [p.name for p in out] == ["xa_4tinh_truoc2025_xapxi.zip"]
    with pytest.raises(NotFoundError):
        fetch_boundaries("pre2025", ["79"], str(SHARED), tmp_path)


@needs_shared
def test_folder_corrupt_copy_is_refused_and_leaves_nothing(tmp_path):
    src = tmp_path / "mirror"
    zpath = _mirror_with_lai_chau(src)
    data = bytearray(zpath.read_bytes())
    data[100] ^= 0xFF  # same size, different bytes: only the sha256 can tell
    zpath.write_bytes(bytes(data))
    dest = tmp_path / "dest"
    with pytest.raises(FetchError, match="checksum mismatch"):
        fetch_boundaries("2025", ["12"], str(src), dest)
    assert list(dest.iterdir()) == []


def test_unknown_edition_and_province(tmp_path):
    with pytest.raises(NotFoundError):
        fetch_boundaries("2019", None, "upstream", tmp_path, upstream_base="http://x")
    with pytest.raises(NotFoundError, match="99"):
        fetch_boundaries("2025", ["99"], "http://127.0.0.1:9", tmp_path)


# --------------------------------------------------------------------------- HTTP mirror


@needs_shared
def test_http_mirror_fetches_identical_file(tmp_path, serve):
    root = tmp_path / "served"
    _mirror_with_lai_chau(root)
    base = serve(root)
    out = fetch_boundaries("2025", ["12"], base + "/", tmp_path / "dest", timeout=10)
    assert out == [tmp_path / "dest" / "12_lai_chau.zip"]
    assert out[0].read_bytes() == LAI_CHAU_ZIP.read_bytes()


def test_http_404_names_url_and_status(tmp_path, serve):
    (tmp_path / "served").mkdir()
    base = serve(tmp_path / "served")
    with pytest.raises(FetchError) as info:
        fetch_boundaries("2025", ["12"], base, tmp_path / "dest", timeout=10)
    msg = str(info.value)
    assert f"{base}/boundaries/2025/12_lai_chau.zip" in msg and "404" in msg
    assert list((tmp_path / "dest").iterdir()) == []


def test_http_corrupt_file_is_refused_and_leaves_nothing(tmp_path, serve):
    root = tmp_path / "served"
    (root / "boundaries" / "2025").mkdir(parents=True)
    (root / "boundaries" / "2025" / "12_lai_chau.zip").write_bytes(b"PK\x03\x04 not the real file")
    base = serve(root)
    dest = tmp_path / "dest"
    with pytest.raises(FetchError, match="checksum mismatch") as info:
        fetch_boundaries("2025", ["12"], base, dest, timeout=10)
    assert "12_lai_chau.zip" in str(info.value)
    assert list(dest.iterdir()) == []


def test_upstream_has_no_pre2025(tmp_path):
    with pytest.raises(FetchError, match="mirror folder or URL"):
        fetch_boundaries("pre2025", None, "upstream", tmp_path, upstream_base="http://x")


# --------------------------------------------------------------------------- upstream


def _square(lon: float, lat: float, d: float = 0.01) -> dict:
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "MultiPolygon", "coordinates": [[ring]]}


FAKE_UNITS = [
    # code, slug, name, fullName, nameEn, lon
    ("03388", "doan_ket", "Đoàn Kết", "Phường Đoàn Kết", "Doan Ket", 103.40),
    ("03442", "pa_u", "Pa Ủ", "Xã Pa Ủ", "Pa U", 103.42),
]


def _fake_upstream(tmp_path: Path) -> tuple[Path, Path]:
    """A served tree json/geojson/12_lai_chau/wards/… and a manifest folder naming its files."""
    root = tmp_path / "upstream"
    wards = root / "json" / "geojson" / "12_lai_chau" / "wards"
    wards.mkdir(parents=True)
    manifest = tmp_path / "manifest"
    manifest.mkdir()
    rows = []
    for code, slug, name, full, name_en, lon in FAKE_UNITS:
        doc = {"type": "FeatureCollection", "features": [{
            "type": "Feature", "id": code, "geometry": _square(lon, 22.3),
            "properties": {"code": code, "name": name, "nameEn": name_en, "fullName": full,
                           "codeName": slug, "areaKm2": 1.2}}]}
        (wards / f"{code}_{slug}.geojson").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        rows.append({"province_code": "12", "province_slug": "lai_chau", "code": code, "slug": slug,
                     "upstream_path": f"json/geojson/12_lai_chau/wards/{code}_{slug}.geojson"})
    with open(manifest / "upstream_2025.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return root, manifest


def test_upstream_builds_one_province_geojson(tmp_path, serve):
    import geopandas as gpd
    root, manifest = _fake_upstream(tmp_path)
    base = serve(root)
    calls = []
    out = fetch_boundaries("2025", ["12"], "upstream", tmp_path / "dest", timeout=10,
                           upstream_base=base, manifest_dir=manifest,
                           progress=lambda *a: calls.append(a))
    assert out == [tmp_path / "dest" / "12_lai_chau.geojson"]
    assert [c[:2] for c in calls] == [(1, 2), (2, 2)]
    gdf = gpd.read_file(out[0])
    assert list(gdf["MaXa"]) == ["03388", "03442"]
    assert list(gdf["TenXa"]) == ["Đoàn Kết", "Pa Ủ"]
    assert list(gdf["LoaiDV"]) == ["Phường", "Xã"]
    assert set(gdf["MaTinh"]) == {"12"} and set(gdf["TenTinh"]) == {"Tỉnh Lai Châu"}
    assert list(gdf["TenTA"]) == ["Doan Ket", "Pa U"]
    assert gdf.geometry.is_valid.all()
    minx, miny, maxx, maxy = gdf.total_bounds
    assert 103.3 < minx < maxx < 103.5 and 22.2 < miny < maxy < 22.4


def test_upstream_wrong_code_in_file_is_refused(tmp_path, serve):
    root, manifest = _fake_upstream(tmp_path)
    path = root / "json" / "geojson" / "12_lai_chau" / "wards" / "03442_pa_u.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["code"] = "03445"
    path.write_text(json.dumps(doc), encoding="utf-8")
    base = serve(root)
    dest = tmp_path / "dest"
    with pytest.raises(FetchError, match="expected 03442"):
        fetch_boundaries("2025", None, "upstream", dest, upstream_base=base, manifest_dir=manifest,
                         timeout=10)
    assert list(dest.iterdir()) == []


@pytest.mark.parametrize("full, kind", [("Xã Pa Ủ", "Xã"), ("phường Đoàn Kết", "Phường"),
                                        ("Đặc khu Côn Đảo", "Đặc khu"), ("Pa Ủ", None), (None, None)])
def test_unit_type(full, kind):
    assert fetch.unit_type(full) == kind
