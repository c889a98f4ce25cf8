"""Map pages and the map API on a small instance built in code (no browser)."""
from __future__ import annotations

import gzip
import re

import pytest

from geoapp import create_app
from geoapp.ingest import import_boundaries
from geoapp.records import import_indicator_file, import_status_file
from geoapp.schemes import load_catalogue

from .conftest import communes, db_url, write_shp

XSS_NOTE = '<img src=x onerror=alert(1)>'
XSS_NAME = 'Xã </script><script>alert(1)</script>'


@pytest.fixture
def app(tmp_path):
    app = create_app({"DATABASE_URL": db_url(tmp_path, "m"), "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "t", "PUBLIC_READ": True})
    store = app.extensions["geoapp.store"]
    frame = communes(4)
    frame.loc[3, "TenXa"] = XSS_NAME
    import_boundaries(store, [write_shp(frame, tmp_path / "shp")], "2025")
    st = tmp_path / "st.csv"
    st.write_text("ma_xa,che_do,trang_thai,tu_ngay,so_quyet_dinh,ghi_chu\n"
                  f"3388,antt,trong_diem_phuc_tap,2025-08-01,1/QĐ,\"{XSS_NOTE}\"\n"
                  "3388,antt,da_chuyen_hoa,2026-02-01,2/QĐ,\n"
                  "3389,ma_tuy,khong_ma_tuy,2025-08-01,,\n", encoding="utf-8")
    import_status_file(store, st, "2025", load_catalogue())
    ind = tmp_path / "ind.csv"
    rows = ["ma_xa,ky,chi_tieu,gia_tri"]
    for year, vals in (("2025", (1, 5, 10)), ("2026", (2, 20, 40))):
        rows += [f"{3388 + i},{year},so_vu_pham_toi,{v}" for i, v in enumerate(vals)]
    rows += [f"{3388 + i},2026,dan_so,{p}" for i, p in enumerate((1000, 2000, 4000))]
    ind.write_text("\n".join(rows) + "\n")
    import_indicator_file(store, ind, "2025", load_catalogue())
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def test_statuses_as_of_a_date(client):
    before = client.get("/api/v1/2025/statuses?province=12&scheme=antt&as_of=2025-12-31").get_json()
    after = client.get("/api/v1/2025/statuses?province=12&scheme=antt&as_of=2026-03-01").get_json()
    assert before["statuses"]["03388"]["status"] == "trong_diem_phuc_tap"
    assert before["statuses"]["03388"]["note"] == XSS_NOTE          # data, escaped by the page's DOM code
    assert after["statuses"]["03388"]["status"] == "da_chuyen_hoa"
    legend = {r["status"]: r["units"] for r in after["legend"]}
    assert legend["da_chuyen_hoa"] == 1 and legend[""] == 3


def test_etag_and_gzip(client, app):
    url = "/api/v1/2025/units?province=12&lod=2"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert b'"03388"' in gzip.decompress(first.data)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    # a write changes the data version, so the old ETag no longer validates
    store = app.extensions["geoapp.store"]
    with store.transaction() as tx:
        store.audit(tx, "t", "noop")
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200


def test_indicator_classes_share_breaks_across_years(client):
    a = client.get("/api/v1/2025/indicators?province=12&indicator=so_vu_pham_toi&period=2025&k=3").get_json()
    b = client.get("/api/v1/2025/indicators?province=12&indicator=so_vu_pham_toi&period=2026&k=3").get_json()
    assert a["breaks"] == b["breaks"] and a["periods"] == ["2025", "2026"]
    assert a["values"]["03391"]["class"] == -1                      # no data is its own class
    assert a["values"]["03391"]["colour"] == "#ffffff"
    user = client.get("/api/v1/2025/indicators?province=12&indicator=so_vu_pham_toi&breaks=5,15").get_json()
    assert user["breaks"][:2] == [5.0, 15.0] and user["classes"] == "user"


def test_rates_per_thousand(client):
    r = client.get("/api/v1/2025/indicators?province=12&indicator=so_vu_pham_toi&period=2026&rate=1000").get_json()
    assert r["values"]["03389"]["value"] == pytest.approx(10.0)     # 20 cases / 2,000 people


@pytest.mark.parametrize("url", ["/map/2025/12", "/map/2025/12?lang=en&as_of=2026-01-01", "/unit/2025/03388",
                                 "/unit/2025/03391", "/overview/2025", "/"])
def test_pages_render_without_external_references(client, url):
    resp = client.get(url)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert not re.search(r'(src|href)="https?://', html)
    assert "<script>alert" not in html and "<img src=x" not in html


def test_inline_scripts_carry_the_csp_nonce(client):
    resp = client.get("/map/2025/12")
    nonce = re.search(r"'nonce-([^']+)'", resp.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script([^>]*)>", resp.get_data(as_text=True))
    for attrs in scripts:
        assert "src=" in attrs or f'nonce="{nonce}"' in attrs or 'type="application/json"' in attrs


def test_unit_page_shows_history_and_indicators(client):
    html = client.get("/unit/2025/03388").get_data(as_text=True)
    assert "Trọng điểm, phức tạp về ANTT" in html and "Đã chuyển hóa thành công" in html
    assert "Số vụ phạm tội" in html and "&lt;img src=x" in html


def test_unit_api_and_missing_unit(client):
    body = client.get("/api/v1/2025/units/3388").get_json()
    assert [h["status"] for h in body["history"]] == ["trong_diem_phuc_tap", "da_chuyen_hoa"]
    assert client.get("/api/v1/2025/units/99999").status_code == 404


def test_openapi_documents_every_api_route(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    documented = set(doc["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            assert path in documented, f"{path} is missing from the OpenAPI document"


def test_province_outlines(client):
    body = client.get("/api/v1/2025/provinces.geojson?scheme=ma_tuy&as_of=2026-01-01").get_json()
    (feature,) = body["features"]
    assert feature["properties"]["counts"]["khong_ma_tuy"] == 1 and feature["properties"]["target_share"] == 0.25


@pytest.mark.parametrize("tiles, expect", [("none", None), ("osm", "tile.openstreetmap.org"),
                                           ("https://tiles.example.gov.vn/{z}/{x}/{y}.png", "tiles.example.gov.vn")])
def test_basemap_setting(tmp_path, tiles, expect):
    app = create_app({"DATABASE_URL": db_url(tmp_path, "b"), "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "t", "TILES": tiles, "PUBLIC_READ": True})
    import_boundaries(app.extensions["geoapp.store"], [write_shp(communes(2), tmp_path / "shp")], "2025")
    resp = app.test_client().get("/map/2025/12")
    html = resp.get_data(as_text=True)
    if expect is None:
        assert "L.tileLayer" not in html and "GEOAPP_TILES=none" in html
        assert "https:" not in resp.headers["Content-Security-Policy"]
    else:
        assert expect in html and "L.tileLayer" in html
        assert "https:" in resp.headers["Content-Security-Policy"]
