"""The province map in headless Chromium (Debian's), with the network cut off except loopback."""
from __future__ import annotations

import pytest

from .test_map_api import XSS_NAME, XSS_NOTE, app  # noqa: F401  (the same small instance)

pytestmark = pytest.mark.browser


@pytest.fixture(params=[True])
def page(request, chromium, live_server):
    # Playwright's wait_for_function evaluates strings, which our CSP (rightly) forbids; the
    # tests that only read the page bypass it, the hostile-text test keeps it on (param False)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=request.param)
    page = context.new_page()
    page.blocked = []
    page.dialogs = []
    page.errors = []

    def guard(route):
        url = route.request.url
        if url.startswith(live_server):
            route.continue_()
        else:
            page.blocked.append(url)
            route.abort()
    page.route("**/*", guard)
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.base = live_server
    yield page
    context.close()


def open_map(page, query="as_of=2025-12-31"):
    page.goto(f"{page.base}/map/2025/12?{query}")
    page.wait_for_selector("#map[data-drawn='4']")
    page.wait_for_selector("#units tbody tr:nth-child(4)")


def fills(page) -> list[str]:
    return page.eval_on_selector_all("path.leaflet-interactive", "ps => ps.map(p => p.getAttribute('fill'))")


def test_polygons_are_drawn_in_status_colours(page):
    open_map(page)
    colours = fills(page)
    assert len(colours) == 4
    assert "#c62828" in colours                      # 03388 key complex on 2025-12-31
    assert page.locator("#legend li").count() == 4
    assert "0/4" in page.inner_text("#summary")
    assert page.blocked == [] and page.errors == []


def test_moving_the_date_changes_the_colours(page):
    open_map(page)
    before = fills(page)
    page.fill("#as-of", "2026-03-01")
    page.dispatch_event("#as-of", "change")
    page.wait_for_function("document.getElementById('map').dataset.asOf === '2026-03-01'")
    page.wait_for_function("Array.from(document.querySelectorAll('path.leaflet-interactive'))"
                           ".some(p => p.getAttribute('fill') === '#f9a825')")
    assert fills(page) != before
    assert "as_of=2026-03-01" in page.url              # the state is in the URL


def test_table_row_highlights_its_commune(page):
    open_map(page)
    page.click("#units tbody tr[data-code='03389']")
    page.wait_for_selector("#units tbody tr.selected[data-code='03389']")
    widths = page.eval_on_selector_all("path.leaflet-interactive", "ps => ps.map(p => p.getAttribute('stroke-width'))")
    assert widths.count("3") == 1


def test_search_ignores_diacritics(page):
    open_map(page)
    page.fill("#search", "thu bac")              # "Xã Thử Bắc"
    page.wait_for_function("document.querySelectorAll('#units tbody tr').length === 1")
    assert "Thử Bắc" in page.inner_text("#units tbody")


@pytest.mark.parametrize("page", [False], indirect=True)
def test_hostile_text_is_shown_as_text(page):
    open_map(page)
    page.click("#units tbody tr[data-code='03388']")          # opens the popup with the note
    page.wait_for_selector(".leaflet-popup-content .note")
    assert page.inner_text(".leaflet-popup-content .note") == XSS_NOTE
    assert XSS_NAME in page.inner_text("#units tbody")
    assert page.dialogs == [] and page.errors == []


def test_page_works_offline_and_in_english(page):
    open_map(page, "as_of=2025-12-31&lang=en")
    assert "Layer" in page.inner_text("aside")
    assert page.blocked == []


def test_indicator_layer_with_classes(page):
    open_map(page, "indicator=so_vu_pham_toi&as_of=2026-12-31")
    page.wait_for_function("document.querySelectorAll('#legend li').length >= 2")
    assert "Criminal cases" in page.inner_text("#legend") or "Số vụ phạm tội" in page.inner_text("#legend")
    assert "#ffffff" in fills(page)                 # the unit without data is painted as "no data"


def test_hot_spot_layer_draws_with_its_legend(page):
    open_map(page, "indicator=so_vu_pham_toi&hotspots=1&as_of=2026-12-31")
    page.wait_for_selector("#legend li")
    assert "FDR" in page.inner_text("#legend h3")
    assert page.locator("#how-to-read").is_visible()
