"""Issue 14 items 4 and 5: the dates an edition can have, and the demo mark and the geometry sources
on every page and output — on a small instance built in code (both editions, province 12)."""
from __future__ import annotations

import io
import re
import subprocess
from datetime import date

import pytest

from geoapp import create_app
from geoapp.briefing.compose import subtitle
from geoapp.editions import in_period, last_day, slider_years
from geoapp.ingest import import_boundaries
from geoapp.mapview import MapView
from geoapp.mapview.dates import default_as_of
from geoapp.records import DEMO_MARK, import_indicator_file, import_status_file
from geoapp.schemes import load_catalogue

from .conftest import communes, db_url, require, write_shp

OLD_GEOMETRY = ("censusVN2009", "Marc Choisy")
NEW_GEOMETRY = ("thanglequoc/vietnamese-provinces-database", "Thang Le Quoc")


def _instance(tmp_path, *, demo: bool):
    app = create_app({"DATABASE_URL": db_url(tmp_path, "d"), "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "t", "PUBLIC_READ": True})
    store, cat = app.extensions["geoapp.store"], load_catalogue()
    for edition in ("pre2025", "2025"):
        import_boundaries(store, [write_shp(communes(4), tmp_path / f"shp_{edition}")], edition)
    old = tmp_path / "old.csv"
    old.write_text("ma_xa,che_do,trang_thai,tu_ngay\n03388,antt,trong_diem_phuc_tap,2016-03-01\n"
                   "03388,antt,da_chuyen_hoa,2020-05-01\n03389,ma_tuy,khong_ma_tuy,2024-03-31\n", encoding="utf-8")
    import_status_file(store, old, "pre2025", cat, is_demo=demo)
    new = tmp_path / "new.csv"
    new.write_text("ma_xa,che_do,trang_thai,tu_ngay\n03388,antt,trong_diem_phuc_tap,2025-08-01\n"
                   "03388,antt,da_chuyen_hoa,2026-02-01\n", encoding="utf-8")
    import_status_file(store, new, "2025", cat, is_demo=demo)
    ind = tmp_path / "ind.csv"
    ind.write_text("ma_xa,ky,chi_tieu,gia_tri\n" + "".join(f"{3388 + i},2025,so_vu_pham_toi,{v}\n"
                                                           for i, v in enumerate((1, 5, 10, 2))))
    import_indicator_file(store, ind, "2025", cat, is_demo=demo)
    return app


@pytest.fixture
def app(tmp_path):
    return _instance(tmp_path, demo=True)


@pytest.fixture
def client(app):
    return app.test_client()


def pdf_text(data: bytes, folder) -> str:
    path = folder / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()


# -- item 4: dates ---------------------------------------------------------------------------------

def test_periods_are_declared_once():
    assert last_day("pre2025", "2026-12-02") == "2025-06-30"
    assert last_day("2025", "2026-12-02") == "2026-12-02"
    assert in_period("pre2025", "2025-06-30") and not in_period("pre2025", "2025-07-01")
    assert in_period("2025", "2024-03-31")            # projected onto 2025 units: allowed


def test_pre2025_opens_inside_its_period_never_today(client):
    body = client.get("/api/v1/pre2025/statuses?province=12&scheme=antt").get_json()
    assert body["as_of"] == "2024-03-31" and body["in_period"] is True
    assert body["as_of"] != date.today().isoformat()


def test_default_is_capped_by_period_end_and_today(app, tmp_path):
    store, cat = app.extensions["geoapp.store"], load_catalogue()
    assert default_as_of(store, "2025", today="2026-01-15") == "2026-01-15"
    assert default_as_of(store, "2025", today="2026-12-02") == "2026-02-01"
    late = tmp_path / "late.csv"                       # an old-code report dated after the reform
    late.write_text("ma_xa,che_do,trang_thai,tu_ngay\n03390,antt,trong_diem_phuc_tap,2025-09-01\n", encoding="utf-8")
    import_status_file(store, late, "pre2025", cat)
    assert default_as_of(store, "pre2025") == "2025-06-30"


def test_map_page_opens_at_the_default_date(client):
    html = client.get("/map/pre2025/12").get_data(as_text=True)
    assert '"asOf": "2024-03-31"' in html


def test_slider_covers_the_period_only(client):
    assert slider_years("pre2025") == list(range(2015, 2026))
    assert slider_years("2025", "2026-12-02") == [2025, 2026]
    old = client.get("/map/pre2025/12").get_data(as_text=True)
    assert re.search(r'id="year" min="2015" max="2025"', old)
    new = client.get("/map/2025/12").get_data(as_text=True)
    assert re.search(rf'id="year" min="2025" max="{date.today().year}"', new)


def test_out_of_period_notice_and_no_headline(client):
    for lang, words in (("vi", "30/06/2025"), ("en", "2025-06-30")):
        html = client.get(f"/map/pre2025/12?as_of=2026-01-01&lang={lang}").get_data(as_text=True)
        notice = re.search(r'<p id="period-notice"[^>]*>([^<]*)</p>', html)
        assert notice and words in notice[1] and "hidden" not in notice[0]
        body = client.get(f"/api/v1/pre2025/statuses?province=12&scheme=antt&as_of=2026-01-01&lang={lang}").get_json()
        assert body["in_period"] is False and words in body["message"]
    stats = client.get("/api/v1/pre2025/stats?province=12&scheme=antt&as_of=2026-01-01").get_json()
    assert stats["in_period"] is False and stats["message"]
    inside = client.get("/map/pre2025/12?as_of=2024-01-01").get_data(as_text=True)
    assert re.search(r'<p id="period-notice"[^>]*hidden', inside)


def test_figure_subtitle_names_the_period_drawn_not_today(app):
    store = app.extensions["geoapp.store"]
    view = MapView(edition="2025", province="12", as_of="2026-12-02", indicator="so_vu_pham_toi", period="2024")
    text = subtitle(store, view, {"period": "2024"})
    assert "31/12/2024" in text and "02/12/2026" not in text
    english = subtitle(store, MapView(edition="2025", province="12", as_of="2026-12-02", indicator="so_vu_pham_toi",
                                      lang="en"), {"period": "2025-Q2"})
    assert "2025-06-30" in english and "2026-12-02" not in english
    out = subtitle(store, MapView(edition="pre2025", province="12", as_of="2026-01-01"), {})
    assert "30/06/2025" in out


def test_pdf_of_an_indicator_is_dated_by_its_period(client, tmp_path):
    require("poppler")
    text = pdf_text(client.get("/export/2025/12.pdf?indicator=so_vu_pham_toi&period=2025").data, tmp_path)
    assert "31/12/2025" in text and date.today().strftime("%d/%m/%Y") not in text.split("\n")[1]


# -- item 5: demo mark and sources -----------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/overview/pre2025", "/overview/2025", "/units/pre2025/12", "/units/2025/12",
                                 "/map/pre2025/12", "/embed/map/2025/12"])
def test_demo_mark_on_pages_with_demo_data(client, url):
    assert DEMO_MARK in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("url", ["/", "/overview/2025", "/units/2025/12", "/embed/map/2025/12"])
def test_no_demo_mark_without_demo_data(tmp_path, url):
    client = _instance(tmp_path, demo=False).test_client()
    assert DEMO_MARK not in client.get(url).get_data(as_text=True)


def _has(text: str, words) -> bool:
    flat = " ".join(text.split())
    return all(w in flat for w in words)


@pytest.mark.parametrize(("edition", "mine", "other"), [("pre2025", OLD_GEOMETRY, NEW_GEOMETRY),
                                                        ("2025", NEW_GEOMETRY, OLD_GEOMETRY)])
def test_page_and_embed_footers_name_the_geometry_drawn(client, edition, mine, other):
    for url in (f"/map/{edition}/12", f"/embed/map/{edition}/12", f"/units/{edition}/12"):
        html = client.get(url).get_data(as_text=True)
        assert _has(html, mine) and not _has(html, other), url
    both = client.get("/").get_data(as_text=True)
    assert _has(both, OLD_GEOMETRY) and _has(both, NEW_GEOMETRY)


@pytest.mark.parametrize(("edition", "mine", "other"), [("pre2025", OLD_GEOMETRY, NEW_GEOMETRY),
                                                        ("2025", NEW_GEOMETRY, OLD_GEOMETRY)])
def test_outputs_name_the_geometry_drawn(client, tmp_path, edition, mine, other):
    from PIL import Image

    day = "2024-12-31" if edition == "pre2025" else "2025-12-31"
    html = client.get(f"/export/{edition}/12.html?scheme=antt&as_of={day}").get_data(as_text=True)
    assert _has(html, mine) and not _has(html, other) and DEMO_MARK in html
    with Image.open(io.BytesIO(client.get(f"/export/{edition}/12.png?scheme=antt&as_of={day}").data)) as im:
        assert _has(im.text["Copyright"], mine) and im.text.get("Warning") == DEMO_MARK
    require("poppler")
    text = pdf_text(client.get(f"/export/{edition}/12.pdf?scheme=antt&as_of={day}").data, tmp_path)
    assert all(w.split()[-1] in text for w in mine) and not any(w.split()[-1] in text for w in other)


def test_overview_out_of_period_says_so(client):
    assert "30/06/2025" in client.get("/overview/pre2025?as_of=2026-01-01").get_data(as_text=True)
    assert 'class="period-notice"' not in client.get("/overview/pre2025").get_data(as_text=True)


def test_figure_out_of_period_has_no_headline(app):
    from geoapp.briefing.compose import figure_spec
    from geoapp.mapview.payloads import view_data

    store, cat = app.extensions["geoapp.store"], load_catalogue()
    outside = MapView(edition="pre2025", province="12", as_of="2026-01-01")
    fig, _, _ = figure_spec(store, cat, outside, view_data(store, cat, outside))
    assert fig.figures == [] and "30/06/2025" in fig.subtitle
    inside = MapView(edition="pre2025", province="12", as_of="2024-12-31")
    assert figure_spec(store, cat, inside, view_data(store, cat, inside))[0].figures


# -- item 4 leftovers: hot spots and compare open at the edition's date; no headline out of period ---

def test_hotspots_default_to_the_editions_date_not_today(app, client):
    from geoapp.hotspots.service import run_hotspots

    store, cat = app.extensions["geoapp.store"], load_catalogue()
    _, run = run_hotspots(store, cat, "pre2025", "12", scheme="antt", status="key", permutations=9)
    assert run.as_of == "2024-03-31"
    _, run = run_hotspots(store, cat, "2025", "12", indicator="so_vu_pham_toi", permutations=9)
    assert run.period == "2025"
    body = client.get("/api/v1/pre2025/hotspots?province=12&scheme=antt&status=key&permutations=9").get_json()
    assert body["run"]["as_of"] == "2024-03-31" != date.today().isoformat()
    asked = client.get("/api/v1/pre2025/hotspots?province=12&scheme=antt&status=key&permutations=9"
                       "&as_of=2019-01-01").get_json()
    assert asked["run"]["as_of"] == "2019-01-01"


def test_compare_opens_at_the_pre2025_default_date(client):
    html = client.get("/compare/12").get_data(as_text=True)
    assert 'name="as_of" value="2024-03-31"' in html and "2024-12-31" not in html
    assert 'value="2023-01-01"' in client.get("/compare/12?as_of=2023-01-01").get_data(as_text=True)


def test_overview_table_has_no_headline_out_of_period(client):
    url = "/api/v1/pre2025/provinces.geojson?scheme=antt&as_of={}"
    outside = [f["properties"] for f in client.get(url.format("2026-01-01")).get_json()["features"]]
    assert outside and all(p["in_period"] is False and p["figures"] == [] and p["counts"] is None
                           and p["key"] is None for p in outside)
    inside = [f["properties"] for f in client.get(url.format("2024-12-31")).get_json()["features"]]
    assert any(p["figures"] and p["figures"][0]["value"] is not None for p in inside)
    assert all("in_period" not in p for p in inside)
    drugs = client.get("/api/v1/pre2025/provinces.geojson?scheme=ma_tuy&as_of=2026-01-01").get_json()
    assert all(f["properties"]["target_share"] is None for f in drugs["features"])


def test_stats_have_no_counts_out_of_period(client):
    outside = client.get("/api/v1/pre2025/stats?province=12&scheme=antt&as_of=2026-01-01").get_json()
    assert outside["figures"] == [] and outside["counts"] == [] and outside["message"]
    inside = client.get("/api/v1/pre2025/stats?province=12&scheme=antt&as_of=2024-12-31").get_json()
    assert inside["figures"] and sum(r["units"] for r in inside["counts"]) == inside["units"]


def _readme_sheet(data: bytes) -> list[str]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    return [row[0] for row in book["README"].iter_rows(values_only=True) if row[0]]


def test_table_notes_have_no_headline_out_of_period(client):
    import zipfile

    headline = "xã trọng điểm đã chuyển hóa (lũy kế"       # the summary figure (the alt text keeps the legend)
    outside = _readme_sheet(client.get("/export/pre2025/12.xlsx?scheme=antt&as_of=2026-01-01").data)
    assert any("30/06/2025" in line and "không hiển thị số liệu tổng hợp" in line for line in outside)
    assert not any(headline in line for line in outside)
    inside = _readme_sheet(client.get("/export/pre2025/12.xlsx?scheme=antt&as_of=2024-12-31").data)
    assert any(headline in line for line in inside) and not any("30/06/2025" in line for line in inside)
    with zipfile.ZipFile(io.BytesIO(client.get("/export/pre2025/12.zip?scheme=antt&as_of=2026-01-01").data)) as zf:
        readme = zf.read("README.txt").decode("utf-8")
    assert "không hiển thị số liệu tổng hợp" in readme and headline not in readme
