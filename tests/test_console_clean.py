"""Every page in headless Chromium, with the real CSP on: no console error, no page error, no CSP violation.

A CSP violation shows twice: Chromium logs it as a console error, and the page fires a
``securitypolicyviolation`` event (collected by an init script, which the CSP does not govern).
"""
from __future__ import annotations

import pytest

from geoapp import access

from .browser import serve
from .test_map_api import app as map_app  # noqa: F401  (the same small instance)

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"

#: every page a reader opens (anyone: this instance is PUBLIC_READ) and what shows it is drawn
READER_PAGES = [
    ("/", "body"),
    ("/overview/2025", "#map"),
    ("/map/2025/12?as_of=2025-12-31", "#map[data-drawn='4']"),
    ("/map/2025/12?as_of=2025-12-31&indicator=so_vu_pham_toi&hotspots=1", "#map[data-drawn]"),
    ("/map/2025/12?as_of=2025-12-31&lang=en", "#map[data-drawn='4']"),
    ("/embed/map/2025/12?as_of=2025-12-31", "#map[data-drawn='4']"),
    ("/units/2025/12", "body"),
    ("/unit/2025/03388", "body"),
    ("/compare/12?as_of=2025-12-31", "body"),      # (no crosswalk here: a 2025 map before the reform is a 404)
    ("/about", "body"),
    ("/login", "form"),
]
ADMIN_PAGES = ["/admin/audit", "/admin/users", "/admin/shares", "/admin/upload", "/admin/embedding",
               "/map/2025/12?as_of=2025-12-31"]          # signed in: the map with its share form

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.fixture
def app(map_app):  # noqa: F811
    map_app.config["SESSION_COOKIE_SECURE"] = False
    access.add_user(map_app.extensions["geoapp.store"], "admin", "admin", [], PASSWORD)
    return map_app


def watched_page(chromium, base):
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    context.add_init_script(WATCH)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"pageerror: {e}"))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
    return context, page


def visit(page, url, ready="body"):
    """Open ``url``, wait until it is drawn and settled; the console errors and CSP violations it logged."""
    page.problems.clear()
    resp = page.goto(url)
    assert resp is not None and resp.status == 200, f"{url}: {resp and resp.status}"
    page.wait_for_selector(ready, state="attached")
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__violations")
    return [f"{url}: {p}" for p in page.problems + [f"CSP: {v}" for v in violations]]


def sign_in(page, base):
    page.goto(f"{base}/login")
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_every_page_is_clean(app, chromium):
    with serve(app) as base:
        context, page = watched_page(chromium, base)
        problems = []
        for path, ready in READER_PAGES:
            problems += visit(page, base + path, ready)
        sign_in(page, base)
        for path in ADMIN_PAGES:
            problems += visit(page, base + path)
        context.close()
    assert problems == []


def test_the_watch_sees_an_inline_handler(app, chromium):
    """The check itself: an inline handler injected into a real page is caught (so a clean run means clean)."""
    with serve(app) as base:
        context, page = watched_page(chromium, base)
        visit(page, f"{base}/about")
        page.problems.clear()
        page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p onclick=\"1\" style=\"color:red\">x</p>')")
        page.click("text=x")
        page.wait_for_timeout(200)
        found = page.problems + page.evaluate("window.__violations")
        context.close()
    assert any("script-src" in p or "inline event handler" in p for p in found), found
    assert any("style-src" in p or "inline style" in p for p in found), found


def test_enter_in_the_controls_stays_on_the_page(app, chromium):
    """The controls' form never submits (a listener in dom.js, not an inline handler)."""
    with serve(app) as base:
        context, page = watched_page(chromium, base)
        assert visit(page, f"{base}/map/2025/12?as_of=2025-12-31", "#map[data-drawn='4']") == []
        page.evaluate("window.__stayed = true")
        page.press("#as-of", "Enter")
        page.evaluate("document.querySelector('form.controls').requestSubmit()")   # what Enter may do
        page.wait_for_timeout(300)
        stayed = page.evaluate("window.__stayed === true")
        context.close()
    assert stayed


def test_overview_legend_reads_in_the_readers_number_format(app, chromium):
    """The drug-free share bands: "12,5–25 %" in Vietnamese, "12.5–25 %" in English (it read 12.5 in both)."""
    with serve(app) as base:
        page = chromium.new_context(viewport={"width": 1366, "height": 768}).new_page()
        for lang, band in (("vi", "12,5–25 %"), ("en", "12.5–25 %")):
            page.goto(f"{base}/overview/2025?scheme=ma_tuy&as_of=2025-12-31&lang={lang}")
            page.wait_for_selector("#map[data-drawn]", state="attached")
            assert band in page.inner_text("#legend")
