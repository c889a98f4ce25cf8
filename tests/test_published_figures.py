"""Published figures are a test: on the demo instance, the figure the API, the map page and the PDF
show equals the value the province published, at the date it published it (issue 14, items 1–3).

Rows of ``shared/data/published/tong_hop_cong_bo.csv`` the demo reproduces are matched to a
scheme figure (``schemes.toml``); where the report counted another unit list (Lâm Đồng: 142 in 2022,
137 in the list of 30/6/2025), the figure states the list it counts. A province with no record of a
scheme (Hà Nội, ``ma_tuy``) shows *no data*, never ``0/126``.
"""
from __future__ import annotations

import csv
import subprocess
from calendar import monthrange

import pytest
from markupsafe import escape

from geoapp.mapview import MapView
from geoapp.mapview.payloads import province_summary
from geoapp.schemes import load_catalogue

from .conftest import SHARED_DATA, demo_app, require, requires_shared

pytestmark = [requires_shared(), pytest.mark.realdata]
ZIPS_2025 = ["12_lai_chau.zip", "14_son_la.zip", "15_lao_cai.zip", "68_lam_dong.zip"]
PUBLISHED = SHARED_DATA / "published" / "tong_hop_cong_bo.csv"
#: published indicator → (scheme, figure code) of the figure that must show it
FIGURE_OF = {"xa_trong_diem_phuc_tap_ANTT_da_chuyen_hoa": ("antt", "converted_cumulative"),
             "xa_khong_co_te_nan_ma_tuy": ("ma_tuy", "drug_free_now"),
             "xa_trong_diem_ma_tuy_loai_I": ("ma_tuy", "key_type_1_now"),
             "xa_trong_diem_ma_tuy_loai_II": ("ma_tuy", "key_type_2_now"),
             "xa_trong_diem_ma_tuy_loai_III": ("ma_tuy", "key_type_3_now")}


def _rows() -> list[dict]:
    """The published rows the demo reproduces, with the last day of their month as the date."""
    if not PUBLISHED.exists():
        return []
    with PUBLISHED.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["chi_tieu"] in FIGURE_OF and r["pham_vi"] == "tỉnh"]
    for r in rows:
        year, month = map(int, r["ngay"].split("-"))
        r["as_of"] = f"{year:04d}-{month:02d}-{monthrange(year, month)[1]:02d}"
        r["scheme"], r["figure"] = FIGURE_OF[r["chi_tieu"]]
    return rows


ROWS = _rows()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The demo instance (both unit lists, the pre-2025 layer, four 2025 provinces), public read."""
    app = demo_app(tmp_path_factory.mktemp("published"), "pub")
    client = app.test_client()
    client.store = app.extensions["geoapp.store"]
    return client


def _figure(client, edition, province, scheme, as_of, code, endpoint="statuses") -> dict:
    resp = client.get(f"/api/v1/{edition}/{endpoint}?province={province}&scheme={scheme}&as_of={as_of}")
    assert resp.status_code == 200, resp.data[:300]
    return next(f for f in resp.get_json()["figures"] if f["code"] == code)


def _pdf_text(data: bytes, tmp_path) -> str:
    require("poppler")
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_published_rows_are_found():
    assert {(r["ma_tinh_truoc2025"], r["chi_tieu"]) for r in ROWS} >= {
        ("12", "xa_trong_diem_phuc_tap_ANTT_da_chuyen_hoa"), ("12", "xa_khong_co_te_nan_ma_tuy"),
        ("68", "xa_khong_co_te_nan_ma_tuy"), ("68", "xa_trong_diem_ma_tuy_loai_III")}


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['ma_tinh_truoc2025']}-{r['chi_tieu']}-{r['ngay']}" for r in ROWS])
def test_api_shows_the_published_value(client, row):
    for endpoint in ("statuses", "stats"):
        fig = _figure(client, "pre2025", row["ma_tinh_truoc2025"], row["scheme"], row["as_of"], row["figure"],
                      endpoint)
        assert fig["value"] == int(row["gia_tri"]), (endpoint, fig["text_vi"])
        assert fig["text_vi"].startswith(f"{row['gia_tri']}/")
        assert fig["definition_vi"] and fig["definition_en"]


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['ma_tinh_truoc2025']}-{r['chi_tieu']}-{r['ngay']}" for r in ROWS])
def test_page_shows_the_published_value_and_its_list(client, row):
    fig = _figure(client, "pre2025", row["ma_tinh_truoc2025"], row["scheme"], row["as_of"], row["figure"])
    html = client.get(f"/map/pre2025/{row['ma_tinh_truoc2025']}?scheme={row['scheme']}&as_of={row['as_of']}"
                      ).get_data(as_text=True)
    assert f'data-figure="{row["figure"]}"' in html and str(escape(fig["text_vi"])) in html
    assert f'title="{escape(fig["definition_vi"])}"' in html                       # the definition on hover
    if row["tren_tong"] and int(row["tren_tong"]) != fig["units"]:
        # the report counted another list: the figure names the one it counts, and the difference
        assert f"theo danh mục 30/6/2025: {fig['units']} xã" in html
        assert f"báo cáo tỉnh tính trên {row['tren_tong']} xã; danh mục này có {fig['units']}" in html
        assert fig["unit_list"]["report"]["units"] == int(row["tren_tong"])
    else:
        assert fig["unit_list"]["report"] is None


LAM_DONG_VI = "(báo cáo tỉnh tính trên 142 xã; danh mục này có 137 — 5 xã đã sáp nhập 2023–2025)"
LAM_DONG_EN = "(the provincial report counted 142 communes; this list has 137 — 5 communes merged 2023–2025)"


def test_lam_dong_figure_states_the_reports_denominator(client):
    """Lâm Đồng published 18/142 in 9/2022; the list of 30/6/2025 has 137: the figure says both."""
    for code in ("drug_free_now", "key_type_1_now", "key_type_2_now", "key_type_3_now"):
        fig = _figure(client, "pre2025", "68", "ma_tuy", "2022-09-30", code)
        assert fig["units"] == 137 and fig["unit_list"]["report"]["difference"] == 5, code
        assert fig["unit_list"]["text_vi"] == f"theo danh mục 30/6/2025: 137 xã {LAM_DONG_VI}"
        assert fig["unit_list"]["text_en"] == f"per the list of 30 June 2025: 137 communes {LAM_DONG_EN}"
    html = client.get("/map/pre2025/68?scheme=ma_tuy&as_of=2022-09-30").get_data(as_text=True)
    assert str(escape(LAM_DONG_VI)) in html
    en = client.application.test_client()              # ?lang= sticks to a client's session
    stats = en.get("/api/v1/pre2025/stats?province=68&scheme=ma_tuy&as_of=2022-09-30&lang=en").get_json()
    assert LAM_DONG_EN in stats["figures"][0]["unit_list"]["text_en"]
    english = en.get("/map/pre2025/68?scheme=ma_tuy&as_of=2022-09-30&lang=en").get_data(as_text=True)
    assert str(escape(LAM_DONG_EN)) in english


def test_the_difference_only_where_a_published_row_matches(client):
    """Another month, a province whose report counted the same list, the whole edition, the 2025
    edition (codes are reused across the reform): the list only, no report sentence."""
    for edition, province, scheme, day, code in (
            ("pre2025", "68", "ma_tuy", "2022-10-31", "drug_free_now"),
            ("pre2025", "12", "antt", "2024-03-31", "converted_cumulative"),
            ("pre2025", "12", "ma_tuy", "2023-05-31", "drug_free_now"),
            ("2025", "68", "ma_tuy", "2026-01-01", "drug_free_now")):
        fig = _figure(client, edition, province, scheme, day, code)
        assert fig["unit_list"]["report"] is None and "báo cáo tỉnh" not in fig["unit_list"]["text_vi"], \
            (edition, province, day)
    payload = client.get("/api/v1/pre2025/stats?province=all&scheme=ma_tuy&as_of=2022-09-30").get_json()
    assert all(f["unit_list"]["report"] is None for f in payload["figures"])


def test_the_difference_needs_the_published_table(tmp_path):
    from geoapp.published import published_row

    assert published_row("pre2025", "68", "xa_khong_co_te_nan_ma_tuy", "2022-09-30", SHARED_DATA).units == 142
    assert published_row("pre2025", "68", "xa_khong_co_te_nan_ma_tuy", "2022-09-30", tmp_path) is None
    assert published_row("2025", "68", "xa_khong_co_te_nan_ma_tuy", "2022-09-30", SHARED_DATA) is None
    assert published_row("pre2025", "68", "", "2022-09-30", SHARED_DATA) is None


def test_lai_chau_73_converted_is_cumulative(client):
    """Converted and later certified safe still counts: 73 cumulative, fewer 'converted' today."""
    payload = client.get("/api/v1/pre2025/statuses?province=12&scheme=antt&as_of=2024-03-31").get_json()
    fig = next(f for f in payload["figures"] if f["code"] == "converted_cumulative")
    now = next(r for r in payload["legend"] if r["status"] == "da_chuyen_hoa")["units"]
    assert fig["value"] == 73 and fig["units"] == 106 and now < 73
    assert fig["text_vi"] == "73/106 xã trọng điểm đã chuyển hóa (lũy kế 2015–2024)"


def test_pdf_shows_the_published_figures_with_definitions(client, tmp_path):
    resp = client.get("/export/pre2025/12.pdf?scheme=antt&as_of=2024-03-31&lang=vi")
    text = " ".join(_pdf_text(resp.data, tmp_path).split())
    assert "73/106 xã trọng điểm đã chuyển hóa (lũy kế 2015–2024)" in text
    assert "chuyển hóa thành công từ 01/01/2015" in text              # its definition
    lam = " ".join(_pdf_text(client.get("/export/pre2025/68.pdf?scheme=ma_tuy&as_of=2022-09-30").data,
                             tmp_path).split())
    for expected in ("18/137 xã không ma túy", "1/137 xã trọng điểm ma túy loại I ", "2/137 xã trọng điểm ma túy loại II ",
                     "34/137 xã trọng điểm ma túy loại III", "theo danh mục 30/6/2025: 137 xã", LAM_DONG_VI):
        assert expected in lam, expected
    en = client.application.test_client()              # ?lang= sticks to a client's session
    english = " ".join(_pdf_text(en.get("/export/pre2025/68.pdf?scheme=ma_tuy&as_of=2022-09-30&lang=en").data,
                                 tmp_path).split())
    assert "report counted 142 communes; this list has 137 — 5 communes merged" in english   # (the watermark
    # letters may fall between the words of another line)


# -- no data is never zero --------------------------------------------------------------------------

def test_ha_noi_without_records_is_no_data_not_zero(client):
    payload = client.get("/api/v1/2025/statuses?province=01&scheme=ma_tuy&as_of=2026-01-01").get_json()
    assert all(f["value"] is None and f["no_data"] for f in payload["figures"])
    assert [(r["label"], r["units"]) for r in payload["legend"] if r["units"]] == [("Không có số liệu", 126)]
    assert len(payload["no_data"]) == 126
    stats = client.get("/api/v1/2025/stats?province=01&scheme=ma_tuy&as_of=2026-01-01").get_json()
    assert stats["figures"][0]["value"] is None
    html = client.get("/map/2025/01?scheme=ma_tuy&as_of=2026-01-01").get_data(as_text=True)
    assert "Không có số liệu" in html and "0/126" not in html


def test_overview_counts_only_provinces_that_reported(client):
    gj = client.get("/api/v1/2025/provinces.geojson?scheme=ma_tuy&as_of=2026-01-01").get_json()
    props = {f["properties"]["code"]: f["properties"] for f in gj["features"]}
    assert props["12"]["reported"] is True and props["12"]["figures"][0]["value"] is not None
    summary = province_summary(client.store, load_catalogue(), MapView("2025", None, "2026-01-01", "ma_tuy"))
    assert summary["01"]["reported"] is False                   # Hà Nội: no geometry here, no records
    assert summary["01"]["target_share"] is None and summary["01"]["key"] is None
    assert summary["01"]["figures"][0]["value"] is None and summary["01"]["figures"][0]["no_data"]
    assert sum(v["reported"] for v in summary.values()) == 4


def test_national_figures_state_their_coverage(client):
    payload = client.get("/api/v1/pre2025/stats?province=all&scheme=ma_tuy&as_of=2024-12-31").get_json()
    cover = payload["coverage"]
    assert (cover["provinces"], cover["provinces_total"]) == (4, 63) and cover["units"] < cover["units_total"]
    fig = payload["figures"][0]
    assert fig["units"] == cover["units"] and "số liệu của 4/63 tỉnh" in fig["text_vi"]


def test_legends_count_each_unit_once(client):
    for url in ("/api/v1/pre2025/statuses?province=12&scheme=antt&as_of=2024-03-31",
                "/api/v1/pre2025/statuses?province=all&scheme=ma_tuy&as_of=2024-12-31",
                "/api/v1/2025/statuses?province=01&scheme=antt&as_of=2026-01-01"):
        payload = client.get(url).get_json()
        assert sum(r["units"] for r in payload["legend"]) == payload["units"], url


def test_pdf_legend_has_not_designated_and_no_data_apart(client, tmp_path):
    text = _pdf_text(client.get("/export/pre2025/12.pdf?scheme=antt&as_of=2024-03-31").data, tmp_path)
    assert "Không xếp loại" in text and "Không có số liệu" not in text        # Lai Châu reports: 22 not designated
    assert "Tổng: 106" in text


def test_exports_name_both_states(client):
    lines = client.get("/export/2025/01.csv?scheme=ma_tuy&as_of=2026-01-01").data.decode("utf-8-sig").splitlines()
    assert len(lines) == 127 and all("Không có số liệu" in line for line in lines[1:])
    lai = client.get("/export/pre2025/12.csv?scheme=antt&as_of=2024-03-31").data.decode("utf-8-sig")
    assert "Không xếp loại" in lai and "Không có số liệu" not in lai
