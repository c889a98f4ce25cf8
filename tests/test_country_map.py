"""The country map's server side: the view it opens at, what hovering needs, what it weighs.

On a small instance built in code (two provinces and a far-offshore island commune, no browser):
the initial bounds leave out a unit far from every other (the Hoàng Sa / Trường Sa case) but keep
near ones; the whole edition's units name their province, coordinates are rounded by level of
detail; a province map's outlines are those near it; pages and uncached JSON are gzipped when the
client accepts it; the page preloads exactly the URLs map.js fetches first.
"""
from __future__ import annotations

import gzip
import json
import re

import numpy as np
import pytest
import shapely
import shapely.geometry

from geoapp import create_app
from geoapp.ingest import import_boundaries
from geoapp.mapview import geojson
from geoapp.mapview.page import fit_bounds

from .conftest import STATIC, communes, db_url, write_shp


def test_fit_bounds_leaves_out_far_offshore_units_only():
    mainland = [shapely.box(105 + i * 0.1, 20, 105.1 + i * 0.1, 20.1) for i in range(5)]
    near_island = shapely.box(106.0, 19.5, 106.05, 19.55)           # ≈ 0.6° away: part of the view
    far = shapely.box(112.0, 16.0, 112.5, 16.5)                      # ≈ 6° away: reached by zooming out
    bounds = fit_bounds(np.array(mainland + [near_island, far], dtype=object))
    assert bounds == pytest.approx((105.0, 19.5, 106.05, 20.1))
    assert fit_bounds(np.array(mainland, dtype=object)) == pytest.approx((105.0, 20.0, 105.5, 20.1))


@pytest.fixture
def app(tmp_path):
    app = create_app({"DATABASE_URL": db_url(tmp_path, "c"), "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "t", "PUBLIC_READ": True})
    store = app.extensions["geoapp.store"]
    far = communes(2, province="14", start=4000)
    far.geometry = far.geometry.translate(xoff=3.0)          # another province, 300 km east
    import_boundaries(store, [write_shp(communes(3), tmp_path / "a"), write_shp(far, tmp_path / "b", name="b")],
                      "2025")
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def test_whole_edition_units_name_their_province_and_are_rounded_by_lod(client):
    whole = client.get("/api/v1/2025/units?province=all&lod=3").get_json()
    one = client.get("/api/v1/2025/units?province=12&lod=2").get_json()
    assert {f["properties"]["province"] for f in whole["features"]} == {"Tỉnh Lai Châu"}
    assert all("province" not in f["properties"] for f in one["features"])
    def decimals(data):
        return max(len(str(x).split(".")[1]) for f in data["features"]
                   for x in np.ravel(f["geometry"]["coordinates"]) if "." in str(x))
    assert decimals(whole) <= geojson.precision_for(3) == 3
    assert decimals(one) <= geojson.precision_for(2) == 4


def test_province_outlines_near_a_province(client):
    every = client.get("/api/v1/2025/outlines?level=province").get_json()
    near = client.get("/api/v1/2025/outlines?level=province&province=12").get_json()
    assert {f["properties"]["code"] for f in every["features"]} == {"12", "14"}
    assert {f["properties"]["code"] for f in near["features"]} == {"12"}       # 14 is far from 12


def test_pages_and_uncached_json_are_gzipped_when_accepted(client):
    plain = client.get("/map/2025/12?scheme=antt&as_of=2025-12-31")
    zipped = client.get("/map/2025/12?scheme=antt&as_of=2025-12-31", headers={"Accept-Encoding": "gzip"})
    refused = client.get("/map/2025/12?scheme=antt&as_of=2025-12-31", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in plain.headers and "Content-Encoding" not in refused.headers
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    page = gzip.decompress(zipped.data)            # the same page (its nonce differs per request)
    assert page.startswith(b"<!doctype") and b'id="map-config"' in page and abs(len(page) - len(plain.data)) < 64
    api = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert api.headers["Content-Encoding"] == "gzip" and json.loads(gzip.decompress(api.data))["openapi"]


def test_the_page_preloads_what_map_js_fetches_first(client):
    html = client.get("/map/2025/12?scheme=antt&as_of=2025-12-31&lang=en").get_data(as_text=True)
    preloaded = [u.replace("&amp;", "&") for u in re.findall(r'<link rel="preload" as="fetch"[^>]*href="([^"]+)"', html)]
    assert "/api/v1/2025/statuses?province=12&as_of=2025-12-31&lang=en&scheme=antt" in preloaded
    assert "/api/v1/2025/outlines?level=province&province=12" in preloaded
    assert any(u.startswith("/api/v1/2025/units?") for u in preloaded)
    for url in preloaded:
        assert client.get(url).status_code == 200
    # map.js spells the statuses URL the same way (else the preload is wasted and fetched twice)
    script = (STATIC / "map.js").read_text(encoding="utf-8")
    assert "?province=${encodeURIComponent(cfg.province)}&as_of=${state.asOf}&lang=${cfg.lang}` +\n" \
           "        `&scheme=${state.scheme}`" in script


@pytest.mark.browser
def test_the_country_map_draws_on_a_canvas_and_hover_names_the_province(app, chromium, live_server):
    units = app.test_client().get("/api/v1/2025/units?province=12&lod=2").get_json()
    centre = shapely.geometry.shape(next(f["geometry"] for f in units["features"]
                                         if f["properties"]["code"] == "03389")).centroid
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/map/2025/all?scheme=antt&as_of=2025-12-31&lang=en")
    page.wait_for_selector("#map[data-drawn='5'][data-as-of]", state="attached")
    assert page.locator(".leaflet-overlay-pane canvas").count() == 1        # the communes: one canvas
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() == 0
    # zoom onto commune 03389 and hover its centre
    x, y = page.evaluate("""([lat, lng]) => {
        const cfg = JSON.parse(document.getElementById("map-config").textContent), map = window[cfg.mapName];
        map.setView([lat, lng], 13, { animate: false });
        const box = document.getElementById("map").getBoundingClientRect();
        const p = map.latLngToContainerPoint([lat, lng]);
        return [box.left + p.x, box.top + p.y]; }""", [centre.y, centre.x])
    page.mouse.move(x, y)
    page.mouse.move(x + 1, y + 1)
    tip = page.wait_for_selector(".leaflet-tooltip")
    assert "Tỉnh Lai Châu" in tip.inner_text() and "Xã Thử Bắc" in tip.inner_text()
    assert not errors
    context.close()
