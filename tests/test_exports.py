"""Briefing outputs: data of exactly the view, a standalone HTML file that works offline, embeds."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest
from flask import Flask

from .browser import serve
from .conftest import require
from .test_map_api import XSS_NOTE, app  # noqa: F401  (the same small instance)


@pytest.fixture
def client(app):
    return app.test_client()


def test_csv_is_exactly_the_view(client):
    resp = client.get("/export/2025/12.csv?scheme=antt&as_of=2025-12-31")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    lines = resp.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Tính đến ngày,Phiên bản,Mã xã")
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
    # no request at all but the file itself: outlines and data are inlined (tests/test_gis_exports.py too)
    assert [u for u in requests if u != path.as_uri() and not u.startswith("data:")] == [] and errors == []
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


def _pdf_text(data: bytes, tmp_path) -> str:
    import subprocess
    require("poppler")
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_carries_title_date_legend_scale_and_sources(client, tmp_path):
    resp = client.get("/export/2025/12.pdf?scheme=antt&as_of=2025-12-31&lang=vi")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    text = _pdf_text(resp.data, tmp_path)
    for expected in ("Tỉnh Lai Châu", "An ninh, trật tự", "31/12/2025", "Trọng điểm, phức tạp về ANTT", "km",
                     "thanglequoc", "MIT"):
        assert expected in text, expected
    assert "DỮ LIỆU MINH HỌA" not in text                   # these records are not demo data
    assert "Lai Châu" in resp.headers["X-Alt-Text"].encode().decode("unicode_escape")


def test_png_at_two_resolutions(client):
    from PIL import Image
    small = Image.open(io.BytesIO(client.get("/export/2025/12.png?scheme=antt").data))
    large = Image.open(io.BytesIO(client.get("/export/2025/12.png?scheme=antt&dpi=300").data))
    assert abs(large.width - 2 * small.width) <= 2 and large.width >= 3500
    assert client.get("/export/2025/12.png?dpi=42").status_code == 400


def test_briefing_pack_holds_pdf_png_and_data(client):
    import zipfile
    pack = zipfile.ZipFile(io.BytesIO(client.get("/export/2025/12.zip?scheme=ma_tuy&as_of=2026-01-01").data))
    names = pack.namelist()
    assert {n.rsplit(".", 1)[1] for n in names} == {"pdf", "png", "csv", "xlsx", "txt"}
    csv = pack.read(next(n for n in names if n.endswith(".csv"))).decode("utf-8-sig")
    assert "khong_ma_tuy" in csv and "2026-01-01" in csv


def test_render_command(app, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from geoapp.cli import main
    monkeypatch.setenv("GEOAPP_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("GEOAPP_INSTANCE_PATH", app.instance_path)
    out = tmp_path / "map.pdf"
    result = CliRunner().invoke(main, ["render", "--edition", "2025", "--province", "12", "--scheme", "antt",
                                       "--as-of", "2025-12-31", "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = _pdf_text(out.read_bytes(), tmp_path)
    assert "Security and order" in text and "2025-12-31" in text and "N" in text
