"""Briefing outputs: data of exactly the view, a standalone HTML file that works offline, embeds."""
from __future__ import annotations

import io
import re
import threading

import openpyxl
import pytest
from flask import Flask

from .browser import serve
from .test_map_api import XSS_NOTE, app  # noqa: F401  (the same small instance)


@pytest.fixture
def client(app):
    return app.test_client()


def test_csv_is_exactly_the_view(client):
    resp = client.get("/export/2025/12.csv?scheme=antt&as_of=2025-12-31")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    lines = resp.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("as_of,edition,code")
    assert len(lines) == 1 + 4                                   # every unit of the province, one row each
    row = next(line for line in lines if ",03388," in line)
    assert "trong_diem_phuc_tap" in row and "2025-12-31" in row
    later = client.get("/export/2025/12.csv?scheme=antt&as_of=2026-03-01").data.decode("utf-8-sig")
    assert "da_chuyen_hoa" in next(line for line in later.splitlines() if ",03388," in line)


def test_xlsx_and_geojson(client):
    book = openpyxl.load_workbook(io.BytesIO(client.get("/export/2025/12.xlsx?indicator=so_vu_pham_toi").data))
    assert book["data"].max_row == 5 and "Nguồn" in book["README"]["A2"].value
    gj = client.get("/export/2025/12.geojson?scheme=ma_tuy&as_of=2026-01-01").get_json()
    assert len(gj["features"]) == 4 and gj["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_unknown_format_is_400(client):
    assert client.get("/export/2025/12.docx").status_code == 400


def test_standalone_html_has_everything_inside(client):
    html = client.get("/export/2025/12.html?scheme=antt&as_of=2025-12-31").get_data(as_text=True)
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(?!data:)[^"#]', html)
    assert "L.map(" in html and '"inline"' in html
    assert XSS_NOTE.replace("<", "\\u003c").replace(">", "\\u003e") in html and XSS_NOTE not in html


@pytest.mark.browser
def test_standalone_html_draws_with_the_network_off(client, chromium, tmp_path):
    path = tmp_path / "map.html"
    path.write_bytes(client.get("/export/2025/12.html?scheme=antt&as_of=2025-12-31").data)
    context = chromium.new_context(offline=True)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("#map[data-drawn='4']")
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == [] and errors == []
    assert page.locator("path.leaflet-interactive").count() == 4
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("allowed", [True, False])
def test_embed_in_an_iframe_of_an_allowed_origin_only(app, chromium, allowed):
    parent = Flask("parent")
    holder = {}
    parent.add_url_rule("/", "index", lambda: f'<iframe id="f" src="{holder["src"]}" width="600" height="400"></iframe>')
    with serve(parent) as parent_base, serve(app) as geo_base:
        app.config["EMBED_ORIGINS"] = f"'self' {parent_base}" if allowed else "'self'"
        holder["src"] = f"{geo_base}/embed/map/2025/12?scheme=antt&as_of=2025-12-31"
        context = chromium.new_context()
        page = context.new_page()
        page.goto(parent_base + "/")
        page.wait_for_timeout(2500)
        frame = next((f for f in page.frames if f.url.startswith(geo_base)), None)
        drawn = frame.locator("#map[data-drawn='4']").count() if frame else 0
        context.close()
    assert (drawn == 1) is allowed
