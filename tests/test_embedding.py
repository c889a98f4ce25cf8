"""Embedding: the embed dialog and /admin/embedding say which sites may frame a map (GEOAPP_EMBED_ORIGINS),
and Chromium draws the embed inside an allowed site's page and refuses it inside any other."""
from __future__ import annotations

import re

import pytest
from flask import Flask

from geoapp import access

from .browser import serve
from .test_map_api import app as map_app  # noqa: F401  (the same small instance)

PASSWORD = "correct horse battery"
INTRANET = "https://intranet.ca.gov.vn"


@pytest.fixture
def app(map_app):  # noqa: F811
    map_app.config["SESSION_COOKIE_SECURE"] = False
    store = map_app.extensions["geoapp.store"]
    access.add_user(store, "admin", "admin", [], PASSWORD)
    access.add_user(store, "viewer", "viewer", ["2025:12"], PASSWORD)
    return map_app


def signed_in(app, name):
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return client


def test_the_embed_dialog_says_who_may_frame_and_how_to_allow_a_site(app):
    app.config["EMBED_ORIGINS"] = f"'self' {INTRANET}"
    vi = app.test_client().get("/map/2025/12?lang=vi").get_data(as_text=True)
    dialog = vi[vi.index('id="embed-help"'):]
    assert "chính geoapp (trang này)" in dialog and f"<code>{INTRANET}</code>" in dialog
    assert "GEOAPP_EMBED_ORIGINS" in dialog and "khởi động lại" in dialog
    en = app.test_client().get("/map/2025/12?lang=en").get_data(as_text=True)
    assert "geoapp itself (this site)" in en and "the browser refuses to show it" in en
    assert "/admin/embedding" not in en                              # the admin page's link: admins only
    assert "/admin/embedding" in signed_in(app, "admin").get("/map/2025/12").get_data(as_text=True)


def test_only_self_by_default(app):
    app.config["EMBED_ORIGINS"] = ""
    html = app.test_client().get("/map/2025/12?lang=en").get_data(as_text=True)
    assert re.findall(r'data-origin="([^"]*)"', html) == ["&#39;self&#39;"]
    assert "frame-ancestors 'self';" in app.test_client().get("/embed/map/2025/12").headers["Content-Security-Policy"]


def test_admin_page_lists_the_allowed_origins(app):
    app.config["EMBED_ORIGINS"] = f"'self' {INTRANET} https://cong.example.vn"
    page = signed_in(app, "admin").get("/admin/embedding?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    table = html[html.index('id="embed-origins"'):html.index("</table>")]
    assert re.findall(r"<tr><td><code>([^<]*)</code>", table) == ["&#39;self&#39;", INTRANET, "https://cong.example.vn"]
    assert "GEOAPP_EMBED_ORIGINS" in html and "read-only" in html
    assert "<form" not in html[html.index("<main>"):]                # nothing to change here
    assert signed_in(app, "viewer").get("/admin/embedding").status_code == 403
    assert app.test_client().get("/admin/embedding").status_code in (302, 401)


def frame_in(chromium, parent_base, geo_base):
    """Open the parent site's page holding the embed: (context, page, the embed frame or None, console)."""
    context = chromium.new_context()
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(m.text))
    page.goto(parent_base + "/")
    page.wait_for_load_state("load")
    frame = page.frame(name="embed")
    return context, page, frame, console


@pytest.mark.browser
def test_an_allowed_site_draws_the_embed_and_another_is_refused(app, chromium):
    """Two loopback servers on different ports are different origins: one allowed, one not."""
    holder = {}
    page_html = lambda: f'<iframe name="embed" src="{holder["src"]}" width="480" height="360"></iframe>'  # noqa: E731
    allowed, other = Flask("allowed"), Flask("other")
    allowed.add_url_rule("/", "index", page_html)
    other.add_url_rule("/", "index", page_html)
    with serve(allowed) as allowed_base, serve(other) as other_base, serve(app) as geo_base:
        app.config["EMBED_ORIGINS"] = f"'self' {allowed_base}"
        holder["src"] = f"{geo_base}/embed/map/2025/12?scheme=antt&as_of=2025-12-31"

        context, page, frame, _ = frame_in(chromium, allowed_base, geo_base)
        frame.wait_for_selector("#map[data-drawn='4']")                    # drawn inside the allowed site,
        box = frame.locator("#map").bounding_box()                          # visible at the embed code's
        assert box is not None and box["height"] >= 200                    # smallest size (480×360)
        assert frame.url.startswith(geo_base) and frame.locator("path.leaflet-interactive").count() == 4
        context.close()

        context, page, frame, console = frame_in(chromium, other_base, geo_base)
        page.wait_for_timeout(500)
        drawn = frame.locator("#map").count() if frame is not None else 0
        url = frame.url if frame is not None else ""
        context.close()
    assert drawn == 0 and not url.startswith(geo_base)                      # refused: an error page, no map
    assert any("frame-ancestors" in line and ("blocked" in line or "Refused" in line) for line in console), console
