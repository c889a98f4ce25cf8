"""Issue 15 items 1 and 4: hot spots of a scheme's statuses (which statuses form the event is declared
in schemes.toml, ``&status=`` overrides) in the API, the CLI and the PDF; p-values as people read them."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from geoapp import create_app, locale
from geoapp.cli import main
from geoapp.errors import ConfigError
from geoapp.hotspots.legend import how_to_read
from geoapp.ingest import import_boundaries
from geoapp.records import import_status_file
from geoapp.schemes import _parse as parse_catalogue
from geoapp.schemes import load_catalogue

from .conftest import LAI_CHAU_CRS, db_url, require, write_shp

SIDE = 8                                  # an 8 × 8 grid of square communes
KEY = {(r, c) for r in range(3) for c in range(3)}                 # key communes: one corner
DRUG_FREE = {(r, c) for r in range(5, 8) for c in range(5, 8)}     # drug-free communes: the other corner


def code_of(r: int, c: int) -> str:
    return f"{3000 + r * SIDE + c:05d}"


def name_of(r: int, c: int) -> str:
    return f"Xã Nậm Thử Nghiệm Tên Rất Dài Bản{r}{c}"


def grid() -> gpd.GeoDataFrame:
    origin = gpd.GeoSeries([shapely.Point(103.4, 22.3)], crs=4326).to_crs(LAI_CHAU_CRS).iloc[0]
    cells = [(r, c) for r in range(SIDE) for c in range(SIDE)]
    boxes = [shapely.box(origin.x + c * 2000, origin.y + r * 2000, origin.x + (c + 1) * 2000, origin.y + (r + 1) * 2000)
             for r, c in cells]
    return gpd.GeoDataFrame({"MaXa": [code_of(r, c) for r, c in cells], "TenXa": [name_of(r, c) for r, c in cells],
                             "MaTinh": ["12"] * len(cells), "TenTinh": ["Tỉnh Lai Châu"] * len(cells)},
                            geometry=boxes, crs=LAI_CHAU_CRS).to_crs(4326)


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("status_hot")
    settings = {"DATABASE_URL": db_url(tmp, "s"), "INSTANCE_PATH": str(tmp), "SECRET_KEY": "t", "PUBLIC_READ": True}
    app = create_app(settings)
    store = app.extensions["geoapp.store"]
    import_boundaries(store, [write_shp(grid(), tmp / "shp")], "2025")
    lines = ["ma_xa,che_do,trang_thai,tu_ngay"]
    lines += [f"{code_of(r, c)},antt,trong_diem_phuc_tap,2025-08-01" for r, c in sorted(KEY)]
    lines += [f"{code_of(r, c)},ma_tuy,khong_ma_tuy,2025-08-01" for r, c in sorted(DRUG_FREE)]
    (tmp / "st.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_status_file(store, tmp / "st.csv", "2025", load_catalogue())
    return app, settings


def hot_codes(body: dict) -> set[str]:
    return {r["code"] for r in body["rows"] if r["class"].startswith("hot")}


# -- item 1: which statuses form the event ---------------------------------------------------------

def test_schemes_declare_their_hotspot_statuses():
    cat = load_catalogue()
    assert cat.scheme("antt").hotspot_statuses == ("trong_diem_phuc_tap",)
    assert set(cat.scheme("ma_tuy").hotspot_statuses) == {s.code for s in cat.scheme("ma_tuy").statuses if s.kind == "key"}
    base = {"label_vi": "X", "label_en": "X", "statuses": [
        {"code": "a", "label_vi": "A", "label_en": "A", "colour": "#000000", "severity": 1, "kind": "key"},
        {"code": "b", "label_vi": "B", "label_en": "B", "colour": "#111111", "severity": 0, "kind": "good"}]}
    assert parse_catalogue({"schemes": {"x": base}}, "t", None).scheme("x").hotspot_statuses == ("a",)   # default: key
    declared = parse_catalogue({"schemes": {"x": {**base, "hotspot_statuses": ["b"]}}}, "t", None)
    assert declared.scheme("x").hotspot_statuses == ("b",)
    with pytest.raises(ConfigError, match="hotspot_statuses"):
        parse_catalogue({"schemes": {"x": {**base, "hotspot_statuses": ["nope"]}}}, "t", None)


def test_api_defaults_to_the_declared_statuses_and_status_overrides(instance):
    app, _ = instance
    client = app.test_client()
    body = client.get("/api/v1/2025/hotspots?province=12&scheme=antt&as_of=2025-12-31").get_json()
    assert body["run"]["method"] == "join_count"
    assert body["run"]["statuses"] == ["trong_diem_phuc_tap"] and body["run"]["subject"] == "antt:trong_diem_phuc_tap"
    assert body["event"] == "Trọng điểm, phức tạp về ANTT" and body["event"] in body["how_to_read"]
    key = {code_of(r, c) for r, c in KEY}
    assert hot_codes(body) and hot_codes(body) <= key
    assert {r["class"] for r in body["legend"]} >= {"hot_99", "hot_95", "hot_90", "not_significant"}
    drugs = client.get("/api/v1/2025/hotspots?province=12&scheme=ma_tuy&as_of=2025-12-31").get_json()
    assert set(drugs["run"]["statuses"]) == set(load_catalogue().scheme("ma_tuy").hotspot_statuses)
    assert not hot_codes(drugs)                                   # no key drug commune in this province
    free = client.get("/api/v1/2025/hotspots?province=12&scheme=ma_tuy&status=khong_ma_tuy&as_of=2025-12-31&lang=en")
    free = free.get_json()
    assert free["run"]["statuses"] == ["khong_ma_tuy"] and free["event"] == "Drug-free"
    assert hot_codes(free) and hot_codes(free) <= {code_of(r, c) for r, c in DRUG_FREE}
    assert "Local Join Count" in free["how_to_read"]
    assert client.get("/api/v1/2025/hotspots?province=12&scheme=antt&status=nope").status_code == 400


def test_cli_without_status_uses_the_declared_statuses(instance, monkeypatch):
    app, settings = instance
    monkeypatch.setenv("GEOAPP_DATABASE_URL", settings["DATABASE_URL"])
    monkeypatch.setenv("GEOAPP_INSTANCE_PATH", settings["INSTANCE_PATH"])
    out = CliRunner().invoke(main, ["hotspots", "--edition", "2025", "--province", "12", "--scheme", "antt",
                                    "--as-of", "2025-12-31", "--format", "json"])
    assert out.exit_code == 0, out.output
    cli = json.loads(out.stdout)
    assert cli["run"]["statuses"] == ["trong_diem_phuc_tap"]
    api = app.test_client().get("/api/v1/2025/hotspots?province=12&scheme=antt&as_of=2025-12-31").get_json()
    assert [(r["code"], r["class"]) for r in cli["rows"]] == [(r["code"], r["class"]) for r in api["rows"]]


def test_map_page_offers_hotspots_for_a_scheme(instance):
    app, _ = instance
    page = app.test_client().get("/map/2025/12?scheme=antt&hotspots=1").get_data(as_text=True)
    _, _, rest = page.partition('id="indicator-options"')
    assert 'id="hotspots"' in rest.split("</div>", 1)[1]          # outside the indicator-only options


# -- item 4: readable p-values, the PDF --------------------------------------------------------------

def test_p_values_as_people_read_them():
    assert locale.p_value(9.5e-12, "vi") == "p < 0,001" and locale.p_value(9.5e-12, "en") == "p < 0.001"
    assert locale.p_value(0.02, "vi") == "p = 0,02" and locale.p_value(0.02, "en") == "p = 0.02"
    assert locale.p_value(0.004, "vi") == "p = 0,004"
    assert locale.p_value(None, "vi") == locale.MISSING
    assert "hoán vị" in how_to_read("gi_star", "vi", 999) and "Gi*" in how_to_read("gi_star", "en", 999)


def test_api_rows_carry_p_text_beside_the_number(instance):
    app, _ = instance
    for lang, sep in (("vi", ","), ("en", ".")):
        body = app.test_client().get(f"/api/v1/2025/hotspots?province=12&scheme=antt&as_of=2025-12-31&lang={lang}")
        hot = [r for r in body.get_json()["rows"] if r["class"].startswith("hot")]
        for r in hot:
            assert r["p_text"] == locale.p_value(r["p"], lang) and r["p_adjusted_text"] == locale.p_value(r["p_adjusted"], lang)
            assert r["p_adjusted_text"].startswith(("p < 0" + sep, "p = 0" + sep))
            assert "e-" not in r["p_text"]


def pdf_text(data: bytes, folder) -> str:
    require("poppler")
    path = folder / "hot.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pdf_colours_hotspot_classes_and_never_cuts_a_row(instance, tmp_path, lang):
    app, _ = instance
    client = app.test_client()
    resp = client.get(f"/export/2025/12.pdf?scheme=antt&as_of=2025-12-31&hotspots=1&lang={lang}")
    assert resp.status_code == 200, resp.data[:300]
    text = pdf_text(resp.data, tmp_path)
    words = " ".join(text.split())
    if lang == "vi":
        assert "Điểm nóng, tin cậy 99 %" in words and "Không có ý nghĩa thống kê" in words
        assert "Điểm nóng (đếm liên kết cục bộ, FDR)" in words and "p = 0," in words
    else:
        assert "Hot spot, 99 % confidence" in words and "Not significant" in words
        assert "Hot spots (Local Join Count, FDR)" in words and "p = 0." in words
    more = re.search(r"… (?:và|and) (\d+) (?:dòng nữa|more)", words)
    assert "…" not in words.replace(more.group(0), "") if more else "…" not in words      # no cell cut short
    api = client.get(f"/api/v1/2025/hotspots?province=12&scheme=antt&as_of=2025-12-31&lang={lang}").get_json()
    hot = [r for r in api["rows"] if r["class"].startswith("hot")][:10]
    shown = len(hot) - (int(more.group(1)) if more else 0)
    assert shown >= 1
    for r in hot[:shown]:                                         # every listed name whole (maybe wrapped)
        assert all(w in words for w in (r["full_name"] or r["name"]).split()), r["name"]
    for r in hot[shown:]:                                         # whole rows only: the rest are counted
        assert r["name"].split()[-1] not in words
    plain = client.get(f"/export/2025/12.pdf?scheme=antt&as_of=2025-12-31&lang={lang}")
    assert "Điểm nóng, tin cậy" not in " ".join(pdf_text(plain.data, tmp_path).split())


# -- the view's &status= reaches every output; a standalone hot-spot file carries its clusters ----------

def test_exports_follow_the_views_status(instance):
    """``&status=`` picks the event of the exported hot spots too (it used to be dropped: exports showed
    the scheme's declared statuses whatever the page drew)."""
    app, _ = instance
    client = app.test_client()
    free = client.get("/export/2025/12.csv?scheme=ma_tuy&status=khong_ma_tuy&as_of=2025-12-31&hotspots=1&lang=en")
    declared = client.get("/export/2025/12.csv?scheme=ma_tuy&as_of=2025-12-31&hotspots=1&lang=en")
    assert free.status_code == declared.status_code == 200
    assert free.data != declared.data                               # not the same cached export
    def hot_in(resp) -> set[str]:
        rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
        return {r["Commune code"] for r in rows if r["Hot spot class"].startswith("Hot spot")}
    assert hot_in(free) and hot_in(free) <= {code_of(r, c) for r, c in DRUG_FREE}
    assert not hot_in(declared)                                   # no key drug commune in this province
    bad = client.get("/export/2025/12.csv?scheme=antt&status=nope&hotspots=1")
    assert bad.status_code == 400


def test_standalone_hot_spot_file_carries_its_clusters(instance):
    app, _ = instance
    html = app.test_client().get("/export/2025/12.html?scheme=ma_tuy&status=khong_ma_tuy&as_of=2025-12-31"
                                 "&hotspots=1&lang=en").get_data(as_text=True)
    config = json.loads(re.search(r'<script type="application/json" id="map-config">(.*?)</script>', html, re.S).group(1))
    assert config["view"]["hotspots"] is True and config["view"]["status"] == "khong_ma_tuy"
    inline = config["inline"]["hotspots"]
    assert inline["run"]["statuses"] == ["khong_ma_tuy"]
    assert hot_codes(inline) and hot_codes(inline) <= {code_of(r, c) for r, c in DRUG_FREE}


def test_a_hot_spot_pack_runs_the_statistic_once(instance, monkeypatch):
    """The pack's table columns, figure and ranking share one run (999 permutations of a country take
    seconds): without the memo in ``compose.run_view_hotspots`` it ran twice."""
    from geoapp.briefing import compose

    app, _ = instance
    calls = []
    real = compose.run_hotspots
    monkeypatch.setattr(compose, "run_hotspots", lambda *a, **kw: calls.append(kw) or real(*a, **kw))
    resp = app.test_client().get("/export/2025/12.zip?scheme=antt&as_of=2025-11-30&hotspots=1")
    assert resp.status_code == 200, resp.data[:200]
    assert len(calls) == 1
