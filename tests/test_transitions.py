"""Change between two dates (``?as_of=B&since=A``): the rules on hand-built histories of both schemes,
then the API, the exports and the figure on the demo (Lai Châu pre-2025, 2022 → 2024, which has a
relapse), and the map page in Chromium on a small instance."""
from __future__ import annotations

import io
import json
import re
import subprocess

import pandas as pd
import pytest
from openpyxl import load_workbook

from geoapp import create_app
from geoapp import status as st
from geoapp.errors import ConfigError
from geoapp.ingest import import_boundaries
from geoapp.mapview import transitions as tr
from geoapp.records import import_status_file
from geoapp.schemes import load_catalogue

from .conftest import communes, db_url, require, write_shp

CAT = load_catalogue()
ANTT, DRUGS = CAT.scheme("antt"), CAT.scheme("ma_tuy")
KEY, CONV, SAFE = "trong_diem_phuc_tap", "da_chuyen_hoa", "an_toan_antt"
A, B = "2022-12-31", "2024-12-31"


def records(scheme: str, *rows) -> pd.DataFrame:
    """Records of ``scheme``: (code, status, valid_from[, valid_to])."""
    return pd.DataFrame([{"id": i, "code": r[0], "scheme": scheme, "status": r[1], "valid_from": r[2],
                          "valid_to": r[3] if len(r) > 3 else None, "decision_no": f"{i}/QĐ"}
                         for i, r in enumerate(rows)])


def change_of(scheme, recs: pd.DataFrame, codes, reported=True) -> dict:
    """{code: change} from the records, as the payload computes it (not designated "" where the
    province reports; None everywhere when ``reported`` is False)."""
    def states(day):
        cur = st.as_of(recs, day).set_index("code")["status"].to_dict() if len(recs) else {}
        return {c: cur.get(c, "") if reported else None for c in codes}
    return {c: r["change"] for c, r in tr.changes(states(A), states(B), recs, scheme, A, B).items()}


# -- the rules, antt -------------------------------------------------------------------------------

def test_relapse_is_read_from_the_whole_history_not_the_two_ends():
    recs = records("antt",
                   ("1", KEY, "2016-03-01"), ("1", CONV, "2020-03-01"), ("1", KEY, "2024-02-01"),  # conv on A, key on B
                   ("2", KEY, "2016-03-01"), ("2", CONV, "2023-03-01"), ("2", KEY, "2024-08-01"),  # key → conv → key
                   ("3", KEY, "2016-03-01"), ("3", CONV, "2023-03-01"), ("3", KEY, "2023-09-01"),
                   ("3", CONV, "2024-09-01"),                                                      # … and converted again
                   ("4", KEY, "2016-03-01"))                                                      # key throughout
    assert change_of(ANTT, recs, ["1", "2", "3", "4"]) == {"1": "relapsed", "2": "relapsed", "3": "relapsed",
                                                           "4": "unchanged"}


def test_converted_newly_key_and_newly_certified():
    recs = records("antt",
                   ("1", KEY, "2018-03-01"), ("1", CONV, "2023-06-01"),                     # converted
                   ("2", KEY, "2023-06-01"),                                               # first designation
                   ("3", KEY, "2017-03-01"), ("3", CONV, "2019-03-01"), ("3", SAFE, "2024-03-01"),
                   ("4", KEY, "2021-03-01"), ("4", CONV, "2023-03-01"), ("4", SAFE, "2024-06-01"),
                   ("5", CONV, "2019-03-01"), ("5", CONV, "2023-03-01"))                  # a repeat is no change
    got = change_of(ANTT, recs, ["1", "2", "3", "4", "5", "6"])
    assert got == {"1": "converted", "2": "newly_key", "3": "newly_certified", "4": "newly_certified",
                   "5": "unchanged", "6": "unchanged"}


def test_a_lapsed_designation_designated_again_is_a_relapse_and_a_lapse_alone_is_other():
    recs = records("antt", ("1", KEY, "2018-01-01", "2023-05-31"), ("1", KEY, "2024-05-01"),
                   ("2", KEY, "2018-01-01", "2023-05-31"))
    assert change_of(ANTT, recs, ["1", "2"]) == {"1": "relapsed", "2": "other"}


def test_no_data_on_either_date_is_no_data_never_unchanged():
    recs = records("antt", ("1", KEY, "2018-01-01"))
    assert set(change_of(ANTT, recs, ["1", "2"], reported=False).values()) == {"no_data"}
    n = ANTT.notions
    assert tr.classify(None, KEY, [KEY], n) == "no_data"           # nothing reported on A
    assert tr.classify(CONV, None, [], n) == "no_data"             # nothing reported on B
    assert tr.classify("", "", [], n) == "unchanged"               # reported, not designated on both


# -- the rules, ma_tuy (no "converted" status: release is declared in schemes.toml) ----------------

def test_drug_scheme_transitions():
    recs = records("ma_tuy",
                   ("1", "trong_diem_loai_2", "2019-01-01"), ("1", "co_te_nan", "2023-06-01"),          # released
                   ("2", "co_te_nan", "2019-01-01"), ("2", "khong_ma_tuy", "2024-01-01"),             # certified
                   ("3", "trong_diem_loai_3", "2019-01-01"), ("3", "trong_diem_loai_1", "2024-01-01"),  # within key
                   ("4", "khong_ma_tuy", "2019-01-01"), ("4", "trong_diem_loai_3", "2024-01-01"),     # first key
                   ("5", "trong_diem_loai_2", "2019-01-01"), ("5", "co_te_nan", "2023-03-01"),
                   ("5", "trong_diem_loai_3", "2024-03-01"),                                          # relapsed
                   ("6", "khong_ma_tuy", "2019-01-01"), ("6", "co_te_nan", "2024-01-01"),             # lost it
                   ("7", "trong_diem_loai_1", "2016-01-01"), ("7", "khong_ma_tuy", "2020-01-01"),
                   ("7", "trong_diem_loai_2", "2024-01-01"))                                          # key before A
    assert change_of(DRUGS, recs, [str(i) for i in range(1, 8)]) == {
        "1": "converted", "2": "newly_certified", "3": "other", "4": "newly_key", "5": "relapsed", "6": "other",
        "7": "relapsed"}


def test_notions_come_from_schemes_toml(tmp_path):
    assert ANTT.notions.key == (KEY,) and ANTT.notions.converted == (CONV,) and ANTT.notions.certified == (SAFE,)
    assert DRUGS.notions.converted == ("co_te_nan",) and DRUGS.notions.certified == ("khong_ma_tuy",)
    assert set(DRUGS.notions.key) == {s.code for s in DRUGS.statuses if s.kind == "key"}
    bad = tmp_path / "bad.toml"
    bad.write_text('[schemes.antt.transitions]\nkey = ["no_such_status"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="transitions"):
        load_catalogue(str(bad))


def test_path_text_names_the_dates():
    row = {"before": KEY, "path": [("2023-03-01", CONV, {}), ("2024-08-01", KEY, {})]}
    text = tr.path_text(ANTT, row, A, "vi")
    assert text.startswith("Trọng điểm, phức tạp về ANTT (31/12/2022) → Đã chuyển hóa") and "(01/08/2024)" in text
    assert tr.title(A, B, "en") == "Change 31/12/2022 – 31/12/2024"
    assert tr.title(A, B, "vi") == "Thay đổi 31/12/2022 – 31/12/2024"


# -- the demo: API, exports, figure ---------------------------------------------------------------

VIEW_Q = f"scheme=antt&as_of={B}&since={A}"       # an export's province is in its path
DEMO_Q = f"province=12&{VIEW_Q}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo instance (both unit lists, the pre-2025 layer, four 2025 provinces), public read."""
    from .conftest import demo_app
    app = demo_app(tmp_path_factory.mktemp("change"), "chg")
    return app.test_client()


@pytest.mark.slow
@pytest.mark.realdata
def test_api_lai_chau_2022_to_2024_shows_relapses_and_counts_add_up(demo):
    body = demo.get(f"/api/v1/pre2025/statuses?{DEMO_Q}").get_json()
    counts = {r["status"]: r["units"] for r in body["legend"]}
    assert counts["relapsed"] > 0 and counts["converted"] > 0
    assert sum(counts.values()) == body["units"] == 106 == len(body["statuses"]) + len(body["no_data"])
    assert body["change"]["counts"]["relapsed"] == counts["relapsed"]
    relapsed = [v for v in body["statuses"].values() if v["status"] == "relapsed"]
    assert all(v["after"] == KEY or any(p["status"] == KEY for p in v["path"]) for v in relapsed)
    plain = demo.get(f"/api/v1/pre2025/statuses?province=12&scheme=antt&as_of={B}").get_json()
    assert "change" not in plain and plain["statuses"]["03487"]["status"] == KEY     # the view without since


@pytest.mark.slow
@pytest.mark.realdata
def test_api_whole_edition_counts_no_data_apart(demo):
    body = demo.get(f"/api/v1/pre2025/statuses?province=all&scheme=antt&as_of={B}&since={A}").get_json()
    rows = {r["status"]: r for r in body["legend"]}
    assert rows[None]["nodata"] and rows[None]["units"] == len(body["no_data"]) > 0
    assert sum(r["units"] for r in body["legend"]) == body["units"]


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.parametrize("query", [f"since={B}&as_of={A}", f"since={B}&as_of={B}", "since=2025-07-15&as_of=2025-08-01",
                                   "since=not-a-date"])
def test_since_must_be_before_as_of_and_in_the_period(demo, query):
    assert demo.get(f"/api/v1/pre2025/statuses?province=12&scheme=antt&{query}").status_code == 400


@pytest.mark.slow
@pytest.mark.realdata
def test_exports_carry_the_transition(demo):
    csv = demo.get(f"/export/pre2025/12.csv?{VIEW_Q}&lang=en")
    assert csv.status_code == 200
    frame = pd.read_csv(io.BytesIO(csv.data), dtype=str)
    assert {"Change", "Status at the start", "Status at the end", "Path (dates)"} <= set(frame.columns)
    assert (frame["Change"] == "relapsed").sum() > 0 and frame["Change"].notna().all()
    book = load_workbook(io.BytesIO(demo.get(f"/export/pre2025/12.xlsx?{VIEW_Q}&lang=vi").data))
    header = [c.value for c in next(book.worksheets[0].iter_rows(max_row=1))]
    assert "Thay đổi" in header and "Diễn biến (ngày)" in header
    geo = json.loads(demo.get(f"/export/pre2025/12.geojson?{VIEW_Q}").data)
    changes = {f["properties"]["transition"] for f in geo["features"]}
    assert "relapsed" in changes and "converted" in changes


def _pdf_text(data: bytes, folder) -> str:
    require("poppler")
    path = folder / "f.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.parametrize("lang,words", [("vi", ["Thay đổi 31/12/2022 – 31/12/2024", "Tái trọng điểm", "Chuyển hóa"]),
                                        ("en", ["Change 31/12/2022 – 31/12/2024", "Relapsed", "Converted"])])
def test_pdf_and_png_say_change_with_the_legend(demo, tmp_path, lang, words):
    pdf = demo.get(f"/export/pre2025/12.pdf?{VIEW_Q}&lang={lang}")
    assert pdf.status_code == 200
    text = " ".join(_pdf_text(pdf.data, tmp_path).split())
    for word in words:
        assert word in text
    png = demo.get(f"/export/pre2025/12.png?{VIEW_Q}&lang={lang}")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"


# -- the map page in Chromium, on a small instance ------------------------------------------------

@pytest.fixture
def app(tmp_path):
    """4 communes of 2025 province 12: 03388 key → converted, 03389 converted → key (relapse), 03390 key
    from 2026 (newly key), 03391 not designated."""
    app = create_app({"DATABASE_URL": db_url(tmp_path, "c"), "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "t", "PUBLIC_READ": True})
    store = app.extensions["geoapp.store"]
    import_boundaries(store, [write_shp(communes(4), tmp_path / "shp")], "2025")
    path = tmp_path / "st.csv"
    path.write_text("ma_xa,che_do,trang_thai,tu_ngay,so_quyet_dinh\n"
                    "3388,antt,trong_diem_phuc_tap,2025-08-01,1/QĐ\n3388,antt,da_chuyen_hoa,2026-02-01,2/QĐ\n"
                    "3389,antt,da_chuyen_hoa,2025-08-01,3/QĐ\n3389,antt,trong_diem_phuc_tap,2026-02-01,4/QĐ\n"
                    "3390,antt,trong_diem_phuc_tap,2026-02-01,5/QĐ\n", encoding="utf-8")
    import_status_file(store, path, "2025", CAT)
    return app


def test_small_instance_api_and_cli_view(app):
    body = app.test_client().get("/api/v1/2025/statuses?province=12&scheme=antt&as_of=2026-03-01"
                                 "&since=2025-12-31&lang=en").get_json()
    assert {c: v["status"] for c, v in body["statuses"].items()} == {
        "03388": "converted", "03389": "relapsed", "03390": "newly_key", "03391": "unchanged"}
    assert [(r["status"], r["units"]) for r in body["legend"]] == [
        ("relapsed", 1), ("newly_key", 1), ("converted", 1), ("newly_certified", 0), ("unchanged", 1)]


@pytest.mark.browser
def test_map_with_since_shows_the_change_legend_with_counts(chromium, live_server):
    page = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/map/2025/12?scheme=antt&as_of=2026-03-01&since=2025-12-31&lang=en")
    page.wait_for_selector("#map[data-drawn='4']")
    page.wait_for_selector("#change-list:not([hidden]) tbody tr")
    legend = page.inner_text("#legend")
    assert "Change 31/12/2025 – 01/03/2026" in legend
    counts = page.eval_on_selector_all("#legend li", "ls => ls.map(l => [l.dataset.class, l.querySelector('.count').textContent])")
    assert ["relapsed", "1"] in counts and ["converted", "1"] in counts and ["newly_key", "1"] in counts
    rows = page.eval_on_selector_all("#change-list tbody tr", "rs => rs.map(r => r.dataset.change)")
    assert rows == ["relapsed", "newly_key", "converted"]              # legend order; unchanged not listed
    assert "2026-02-01" in page.inner_text("#change-list")                # the day of the change (en: ISO)
    path = page.get_attribute("#change-list tr[data-change='relapsed'] td:last-child", "title")
    assert path.startswith("Converted (31/12/2025) → Key complex area")  # the whole path on hover
    fills = page.eval_on_selector_all("path.leaflet-interactive", "ps => ps.map(p => p.getAttribute('fill'))")
    assert tr.COLOURS["relapsed"] in fills
    assert "since=2025-12-31" in page.url                              # kept in the URL
    page.fill("#since", "")                                            # back to the map of one date
    page.dispatch_event("#since", "change")
    page.wait_for_selector("#change-list[hidden]", state="attached")
    assert "since=" not in page.url and errors == []
    assert page.is_visible("#since-control")
    page.check("#hotspots")                                            # "compare with" is for a status map only
    page.wait_for_selector("#since-control", state="hidden")
    page.uncheck("#hotspots")
    page.wait_for_selector("#since-control", state="visible")


def test_cli_render_since(app, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from geoapp.cli import main
    monkeypatch.setenv("GEOAPP_DATABASE_URL", app.config.get("DATABASE_URL") or db_url(tmp_path, "c"))
    out = tmp_path / "change.pdf"
    args = ["render", "--edition", "2025", "--province", "12", "--scheme", "antt", "--as-of", "2026-03-01",
            "--lang", "en", "--out", str(out)]
    ok = CliRunner().invoke(main, [*args, "--since", "2025-12-31"])
    assert ok.exit_code == 0, ok.output
    assert "Change 31/12/2025 – 01/03/2026" in ok.output and "Relapsed (converted, key again): 1" in ok.output
    bad = CliRunner().invoke(main, [*args, "--since", "2026-03-01"])
    assert bad.exit_code != 0 and "before --as-of" in bad.output


SMALL_Q = "scheme=antt&as_of=2026-03-01&since=2025-12-31"


@pytest.mark.parametrize("fmt", ["gpkg", "shp.zip"])
def test_gis_exports_carry_the_transition(app, tmp_path, fmt):
    import pyogrio
    resp = app.test_client().get(f"/export/2025/12.{fmt}?{SMALL_Q}&lang=en")
    assert resp.status_code == 200
    path = tmp_path / f"v.{fmt}"
    path.write_bytes(resp.data)
    frame = pyogrio.read_dataframe(f"/vsizip/{path}" if fmt == "shp.zip" else path)
    column = next(c for c in frame.columns if c.startswith("transit"))
    assert dict(zip(frame["code"], frame[column]))["03389"] == "relapsed"


def test_standalone_file_and_pack_carry_the_change(app):
    client = app.test_client()
    html = client.get(f"/export/2025/12.html?{SMALL_Q}&lang=en").data.decode("utf-8")
    config = json.loads(html.split('type="application/json" id="map-config">', 1)[1].split("</script>", 1)[0])
    inline = config["inline"]["statuses"]
    assert inline["change"]["counts"]["relapsed"] == 1 and config["view"]["since"] == "2025-12-31"
    assert "Change 31/12/2025 – 01/03/2026" in html
    import zipfile
    pack = zipfile.ZipFile(io.BytesIO(client.get(f"/export/2025/12.zip?{SMALL_Q}&lang=en").data))
    readme = pack.read("README.txt").decode("utf-8")
    assert "Relapsed (converted, key again): 1" in readme and "Newly key: 1" in readme
    assert any(n.endswith("_2025-12-31_2026-03-01.pdf") for n in pack.namelist())


@pytest.mark.slow
@pytest.mark.realdata
def test_the_pdf_legend_counts_are_the_apis(demo, tmp_path):
    """One figure, one number: each change class's count in the PDF legend is the API's (and the page's,
    which draws the API's legend)."""
    require("poppler")
    api = demo.get(f"/api/v1/pre2025/statuses?{DEMO_Q}&lang=en").get_json()
    path = tmp_path / "c.pdf"
    path.write_bytes(demo.get(f"/export/pre2025/12.pdf?{VIEW_Q}&lang=en").data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    shown = [r for r in api["legend"] if r["units"]]
    assert shown
    for row in shown:
        assert re.search(re.escape(row["label"]) + r"\s+" + str(row["units"]) + r"\b", text), row
    assert f"Total: {api['units']} communes" in text
