"""The minimal web pages and the JSON API."""
from __future__ import annotations

import pytest

from geoapp import create_app
from geoapp.ingest import import_boundaries

from .conftest import communes, db_url, write_shp

XSS = '<img src=x onerror=alert(1)></script><script>alert(2)</script>'


@pytest.fixture
def app(tmp_path):
    app = create_app({"DATABASE_URL": db_url(tmp_path, "web"), "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "t", "PUBLIC_READ": True})
    frame = communes(2)
    frame.loc[1, "TenXa"] = XSS
    import_boundaries(app.extensions["geoapp.store"], [write_shp(frame, tmp_path / "shp")], "2025")
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def test_create_app_builds_nothing_at_import():
    import geoapp
    assert not hasattr(geoapp, "app")


def test_index_lists_editions_and_provinces(client):
    page = client.get("/").get_data(as_text=True)
    assert "Tỉnh Lai Châu" in page and "2025" in page
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Administrative map editions" in english and 'lang="en"' in english


def test_names_are_escaped(client):
    page = client.get("/units/2025/12").get_data(as_text=True)
    assert "<script>alert(2)" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_api_editions_and_provinces(client):
    editions = client.get("/api/v1/editions").get_json()
    assert {e["edition"]: e["units"] for e in editions}["2025"] == 2
    provinces = client.get("/api/v1/2025/provinces").get_json()
    assert provinces == [{"code": "12", "name": "Tỉnh Lai Châu", "units": 2, "with_geometry": 2}]


def test_api_units_geojson(client):
    resp = client.get("/api/v1/2025/units?province=12&lod=1")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    features = resp.get_json()["features"]
    assert [f["properties"]["code"] for f in features] == ["03388", "03389"]


@pytest.mark.parametrize("url, status", [
    ("/api/v1/1999/provinces", 400),
    ("/api/v1/2025/units", 400),
    ("/api/v1/2025/units?province=12&lod=9", 400),
    ("/api/v1/2025/units?province=99", 404),
    ("/api/v1/nothing", 404),
])
def test_api_errors_have_one_shape(client, url, status):
    resp = client.get(url)
    assert resp.status_code == status
    body = resp.get_json()
    assert body["status"] == status and body["message"] and body["message_vi"]


def test_unknown_province_page_is_a_404_page(client):
    resp = client.get("/units/2025/99")
    assert resp.status_code == 404 and "<html" in resp.get_data(as_text=True)


def test_security_headers(client):
    resp = client.get("/")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
