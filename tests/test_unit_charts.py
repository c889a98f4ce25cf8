"""A commune's indicator charts: matplotlib's SVG with axes, values, vi/en periods, a hover title per
bar, and nothing the page's CSP would block (no style attribute, no <style>)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from geoapp import locale
from geoapp.briefing.charts import indicator_chart

from .test_map_api import app, client  # noqa: F401  (the small instance)

SVG = "{http://www.w3.org/2000/svg}"
POINTS = [("2024", 12.0), ("2025", 1234.0), ("2026-Q1", 3.0)]


@pytest.mark.parametrize("code,vi,en", [("2025", "2025", "2025"), ("2026-Q1", "Quý 1/2026", "Q1/2026"),
                                        ("2024-06", "06/2024", "Jun 2024"), ("", "", "")])
def test_periods_read_as_people_write_them(code, vi, en):
    assert locale.period(code, "vi") == vi and locale.period(code, "en") == en


@pytest.mark.parametrize("lang,quarter,big", [("vi", "Quý 1/2026", "1.234"), ("en", "Q1/2026", "1,234")])
def test_chart_has_axes_values_and_a_title_per_bar(lang, quarter, big):
    chart = indicator_chart("Số vụ phạm tội", "vụ", POINTS, lang, salt="so_vu")
    root = ET.fromstring(chart["svg"])
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"2024", "2025", quarter} <= set(texts)               # the period axis
    assert big in texts and "12" in texts and "3" in texts       # a value over each bar
    assert "0" in texts                                          # the value axis starts at zero
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert titles == ["2024: 12 vụ", f"2025: {big} vụ", f"{quarter}: 3 vụ"]
    assert root.get("role") == "img" and quarter in root.get("aria-label")
    assert chart["rows"] == [("2024", "12"), ("2025", big), (quarter, "3")]


def test_chart_is_clean_for_the_csp_and_shares_no_ids():
    one = indicator_chart("A", "", POINTS, "vi", salt="a")["svg"]
    two = indicator_chart("B", "", POINTS, "vi", salt="b")["svg"]
    for svg in (one, two):
        assert "style=" not in svg and "<style" not in svg and "<script" not in svg.lower()
    ids = re.findall(r'\bid="([^"]+)"', one + two)
    assert ids and len(ids) == len(set(ids))


def test_chart_escapes_its_labels():
    chart = indicator_chart("<b>x</b>", "<i>", [("2025", 1.0)], "en", salt="x")
    assert "<b>" not in chart["svg"] and "<i>" not in chart["svg"]
    assert ET.fromstring(chart["svg"]).get("aria-label").startswith("<b>x</b>:")


def test_unit_page_inlines_the_charts_with_a_data_table(client):
    vi = client.get("/unit/2025/03388?lang=vi").get_data(as_text=True)
    assert vi.count('class="chart-svg"') == 2 and "Bảng số liệu" in vi
    assert "<title>2026: 2 vụ</title>" in vi
    charts = vi[vi.index('<div class="charts">'):]
    assert "style=" not in charts[:charts.index("</div>")]
    en = client.get("/unit/2025/03388?lang=en").get_data(as_text=True)
    assert "Data table" in en and "<title>2026: 1,000 people</title>" in en
