"""The map page as a planner triages with it, in headless Chromium: the table's order (severity, then
longest in that status), legend rows that hide a class on the map and in the table, the tone- and
space-blind search (a pure function, ``geoapp.matchRank`` in static/dom.js) and the layout (one scroll,
at 1366×768 and 1920×1080; map then panel on a phone). The last tests run on the demo (Lai Châu)."""
from __future__ import annotations

import pytest

from .browser import serve
from .conftest import require
from .test_browser_map import open_map, page  # noqa: F401  (the small instance's page)
from .test_map_api import app  # noqa: F401

pytestmark = pytest.mark.browser

#: every element that scrolls vertically (overflow auto/scroll and more content than room), the page aside
SCROLLERS = """() => [...document.querySelectorAll('body *')].filter(e => e.tagName !== 'TEXTAREA' &&
  /(auto|scroll)/.test(getComputedStyle(e).overflowY) && e.scrollHeight > e.clientHeight + 1).map(e => e.id || e.className)"""
ROWS = "rs => rs.map(r => r.dataset.code)"


def rect(page, selector) -> dict:
    return page.eval_on_selector(selector, "e => { const b = e.getBoundingClientRect(); return {top: b.top, bottom: b.bottom, height: b.height}; }")


def test_match_rank_exact_then_prefix_then_substring_blind_to_tones_and_spaces(page):
    open_map(page)
    rank = lambda q, fields: page.evaluate("([q, f]) => geoapp.matchRank(q, f)", [q, fields])  # noqa: E731
    assert rank("muongte", ["Xã Mường Tè", "03445", "", ""]) == {"rank": 0, "field": 0, "length": 9}
    assert rank("Muong Te", ["Thị trấn Mường Tè", "03433", "", ""])["rank"] == 0
    assert rank("muong", ["Xã Mường Tè", "03445", "", ""])["rank"] == 1
    assert rank("trong diem", ["Xã A", "1", "Trọng điểm, phức tạp về ANTT", ""]) == {"rank": 1, "field": 2, "length": 22}
    assert rank("phuc tap", ["Xã A", "1", "Trọng điểm, phức tạp về ANTT", ""])["rank"] == 2
    assert rank("muong te", ["Xã Thu Lũm", "03436", "", "Huyện Mường Tè"]) == {"rank": 0, "field": 3, "length": 12}
    assert rank("hoà", ["Xã Hòa Bình"])["rank"] == 1                  # either tone placement
    assert rank("dong", ["Phường Đông Hà"])["rank"] == 1              # đ is d
    assert rank("xyz", ["Xã A", "1", "Trọng điểm", ""]) is None


def test_status_layer_sorts_by_severity_and_the_header_reverses(page):
    open_map(page, "scheme=ma_tuy&as_of=2025-12-31")
    codes = page.eval_on_selector_all("#units tbody tr", ROWS)
    assert codes[0] == "03389"                   # drug-free (severity 0) before the not designated (code order: last)
    assert page.get_attribute("#units th[data-sort='value']", "aria-sort") == "descending"
    page.click("#units th[data-sort='value']")
    assert page.eval_on_selector_all("#units tbody tr", ROWS)[-1] == "03389"
    page.click("#units th[data-sort='code']")
    assert page.eval_on_selector_all("#units tbody tr", ROWS) == sorted(codes)


def test_legend_row_hides_its_class_on_the_map_and_in_the_table(page):
    open_map(page)
    button = "#legend li[data-class='trong_diem_phuc_tap'] button"
    assert page.get_attribute(button, "aria-pressed") == "true"
    page.click(button)
    assert page.get_attribute(button, "aria-pressed") == "false"
    assert "03388" not in page.eval_on_selector_all("#units tbody tr", ROWS)
    assert page.inner_text("#count").startswith("3/")
    opacity = page.evaluate("() => Array.from(document.querySelectorAll('path.leaflet-interactive'))"
                            ".map(p => p.getAttribute('fill-opacity'))")
    assert opacity.count("0") == 1               # 03388 drawn as an outline only
    page.focus(button)
    page.keyboard.press("Enter")                  # the keyboard shows it again
    assert page.get_attribute(button, "aria-pressed") == "true"
    assert "03388" in page.eval_on_selector_all("#units tbody tr", ROWS)


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_one_scroll_reaches_search_and_table_with_the_map_in_view(chromium, live_server, size):
    context = chromium.new_context(viewport={"width": size[0], "height": size[1]}, bypass_csp=True)
    page = context.new_page()
    page.base = live_server
    try:
        open_map(page)
        assert page.evaluate(SCROLLERS) == []    # the page is the only scroll: no pane or table scrolls inside it
        map_box = rect(page, "#map")
        assert map_box["bottom"] <= size[1] and map_box["height"] >= 380     # the whole map in the first view
        page.locator("#units tbody tr").first.scroll_into_view_if_needed()
        for selector in ("#search", "#units tbody tr"):
            box = rect(page, selector)
            assert 0 <= box["top"] and box["bottom"] <= size[1], selector
        map_box = rect(page, "#map")              # sticky: still in view beside the table
        assert map_box["top"] >= 0 and map_box["bottom"] <= size[1]
    finally:
        context.close()


def test_phone_stacks_map_then_panel(chromium, live_server):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.base = live_server
    try:
        open_map(page)
        assert rect(page, "#map")["bottom"] <= rect(page, "aside.side-pane")["top"]
        assert page.evaluate(SCROLLERS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


# -- the demo: Lai Châu, both editions -------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_base(tmp_path_factory):
    """The demo instance (both unit lists, the pre-2025 layer, four 2025 provinces), served, public read."""
    from .conftest import demo_app
    require("shared data", "chromium")
    demo = demo_app(tmp_path_factory.mktemp("triage"), "tri")
    with serve(demo) as base:
        yield base


@pytest.fixture
def demo_page(chromium, demo_base):
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.base = demo_base
    yield page
    context.close()


def search(page, text) -> list[tuple[str, str]]:
    page.fill("#search", text)
    return page.eval_on_selector_all("#units tbody tr", "rs => rs.map(r => [r.children[1].textContent, r.children[3].textContent])")


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.parametrize("edition,as_of,units", [("pre2025", "2024-12-31", 106), ("2025", "2025-12-31", 38)])
def test_demo_search_finds_mường_tè_and_the_key_complex_communes(demo_page, edition, as_of, units):
    page = demo_page
    page.goto(f"{page.base}/map/{edition}/12?scheme=antt&as_of={as_of}")
    page.wait_for_selector(f"#map[data-drawn='{units}']")
    page.wait_for_selector("#units tbody tr")
    for text in ("muongte", "muong te", "Mường Tè"):
        assert search(page, text)[0][0] == "Xã Mường Tè", text
    key = page.inner_text("#legend li[data-class='trong_diem_phuc_tap'] .count")
    found = search(page, "trong diem")
    assert len(found) == int(key) > 0 and all(s.startswith("Trọng điểm") for _, s in found)
    search(page, "muongte")
    page.press("#search", "Enter")                # opens the best match: selected, zoomed, its popup
    page.wait_for_selector(".leaflet-popup-content")
    assert "Xã Mường Tè" in page.inner_text(".leaflet-popup-content")
    assert page.get_attribute("#units tbody tr.selected", "data-code") == "03445"
    assert page.errors == []


@pytest.mark.slow
@pytest.mark.realdata
def test_demo_table_worst_first_then_longest_in_status(demo_page):
    page = demo_page
    page.goto(f"{page.base}/map/pre2025/12?scheme=ma_tuy&as_of=2024-12-31")
    page.wait_for_selector("#units tbody tr:nth-child(100)")
    body = page.evaluate("() => fetch('/api/v1/pre2025/statuses?province=12&scheme=ma_tuy&as_of=2024-12-31')"
                         ".then(r => r.json())")
    entries = body["statuses"]
    codes = page.eval_on_selector_all("#units tbody tr", ROWS)
    keyed = [(-entries[c]["severity"], entries[c]["since"]) for c in codes if c in entries]
    assert keyed == sorted(keyed) and len({k[0] for k in keyed}) > 1          # severity, then older since
    assert all(c not in entries for c in codes[len(keyed):])                # the not designated last
