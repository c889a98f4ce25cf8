"""Maps load Leaflet (xstatic-leaflet, from PyPI) and our fullscreen button from the service itself,
never from a CDN; no Node or npm anywhere."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import folium
import pytest
import shapely
import xstatic.pkg.jquery
import xstatic.pkg.leaflet
from flask import Flask, url_for
from folium import plugins

from geoapp import resources as res
from geoapp.mapview import assets
from geoapp.mapview.assets import (AssetsMissingError, OfflineAssetError, assets_ready, inline_assets, localize,
                                   offline_map, require_assets)
from geoapp.mapview.basemap import FullscreenControl
from geoapp.web import static_files

from .conftest import ROOT, require

#: every src/href that loads a script or a style
RESOURCE = re.compile(r"""<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)|<link\b[^>]*\bhref\s*=\s*["']?([^"'\s>]+)""",
                      re.IGNORECASE)
REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
HASHED = re.compile(r"\.[0-9a-f]{12}(?=\.[a-z]+$)")


@pytest.fixture(scope="module")
def ready():
    """The library files are installed (they come with the xstatic packages; see conftest.need)."""
    require("assets")


def square(x0=103.40, y0=22.30, size=0.05) -> dict:
    return {"type": "Feature", "properties": {"TenXa": "Xã Thử"},
            "geometry": shapely.box(x0, y0, x0 + size, y0 + size).__geo_interface__}


def full_map(**kw) -> folium.Map:
    """Everything geoapp's maps use: scale, fullscreen, layer control, GeoJSON with tooltip and popup."""
    kw.setdefault("tiles", None)
    m = offline_map([22.325, 103.425], 11, control_scale=True, **kw)
    FullscreenControl(title="Toàn màn hình", title_cancel="Thoát").add_to(m)
    folium.GeoJson(square(), name="communes", tooltip=folium.Tooltip("Xã Thử"),
                   popup=folium.Popup("<b>Xã Thử</b> popup")).add_to(m)
    folium.LayerControl().add_to(m)
    return m


def resources(html: str) -> list[str]:
    return [a or b for a, b in RESOURCE.findall(html)]


# ---------------------------------------------------------------------------------- install

def test_libraries_come_from_the_xstatic_packages(ready):
    assert assets_ready()
    assert xstatic.pkg.leaflet.VERSION == "1.9.3" and xstatic.pkg.jquery.VERSION == "3.7.1"
    for rel in assets.REQUIRED_FILES:
        path = res.static_file(rel)
        assert path.is_file(), rel
        if rel.startswith("lib/leaflet/"):
            assert path.is_relative_to(xstatic.pkg.leaflet.BASE_DIR), path
        elif rel.startswith("lib/jquery/"):
            assert path.is_relative_to(xstatic.pkg.jquery.BASE_DIR), path
        else:
            assert path.parent == ROOT / "static", path          # ours: fullscreen.js/.css
    assert 'version="1.9.3"' in res.static_file("lib/leaflet/leaflet.js").read_text(encoding="utf-8")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"xstatic-leaflet>=1.9.3,<1.9.4"' in pyproject and '"xstatic-jquery>=3.7.1,<3.7.2"' in pyproject


def test_nothing_needs_node_or_npm():
    for gone in ("package.json", "package-lock.json", "scripts/install_assets.py", "static/vendor"):
        assert not (ROOT / gone).exists(), gone
    for script in ("test", "run-demo", ".ci/run", "scripts/system_packages.sh", "README.md"):
        text = (ROOT / script).read_text(encoding="utf-8")
        assert not re.search(r"\bnpm\b|\bnodejs\b|install_assets", text), script
    for folder in ("templates", "static", "geoapp"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".html", ".js", ".css", ".py"):
                assert "static/vendor" not in path.read_text(encoding="utf-8"), path


def test_missing_library_files_say_how_to_fix(tmp_path):
    assert not assets_ready(tmp_path)
    with pytest.raises(AssetsMissingError, match=r"pip install"):
        require_assets(tmp_path)
    with pytest.raises(AssetsMissingError, match=r"pip install"):
        offline_map([22.3, 103.4], 9, static_dir=tmp_path)


# ---------------------------------------------------------------------------------- links

@pytest.mark.parametrize("tiles", [None, "OpenStreetMap"])
def test_offline_map_links_only_local_scripts_and_styles(ready, tiles):
    html = full_map(tiles=tiles, static_dir=True).get_root().render()
    links = resources(html)
    assert links, "no script/style links at all?"
    assert not [u for u in links if REMOTE.match(u)], links
    assert all(u.startswith("/static/") for u in links), links
    for u in links:  # and each one is a file that is there
        assert res.static_file(u.removeprefix("/static/")).is_file(), u
    assert {"/static/lib/leaflet/leaflet.js", "/static/lib/leaflet/leaflet.css", "/static/lib/jquery/jquery.min.js",
            "/static/fullscreen.js", "/static/fullscreen.css"} <= set(links)
    assert "L.control.geoappFullscreen" in html and "titleCancel" in html
    for dropped in ("bootstrap", "awesome", "fontawesome", "glyphicons"):
        assert dropped not in html
    # folium's own class-level defaults are left alone
    assert dict(folium.Map.default_js)["leaflet"].startswith("https://")


def test_static_url_can_be_flasks_url_for(ready):
    app = Flask(__name__, static_folder=str(res.static_dir()), static_url_path="/assets")
    with app.test_request_context():
        m = full_map(static_url=lambda f: url_for("static", filename=f))
        html = m.get_root().render()
    assert resources(html) and all(u.startswith("/assets/") for u in resources(html))


def test_localize_switches_a_plain_folium_map(ready):
    m = folium.Map([22.3, 103.4], zoom_start=9, tiles=None)
    FullscreenControl().add_to(m)
    m.get_root().render()  # even after a render left CDN links in the page head
    html = localize(m, "/static/").get_root().render()
    assert resources(html) and all(u.startswith("/static/") for u in resources(html)), resources(html)


def test_strict_map_refuses_what_is_not_served_locally():
    for plugin in (plugins.MarkerCluster(), plugins.Fullscreen()):     # leaflet.fullscreen: a CDN script
        m = offline_map([22.3, 103.4], 9, tiles=None)
        plugin.add_to(m)
        with pytest.raises(OfflineAssetError, match=f"{type(plugin).__name__}.*not served locally.*xstatic"):
            m.get_root().render()
    m = offline_map([22.3, 103.4], 9, tiles=None)
    folium.Marker([22.3, 103.4], icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(OfflineAssetError, match="awesome-markers"):
        m.get_root().render()


class _Scripts(HTMLParser):
    """Counts the <script> elements as a browser's tokenizer sees them."""

    def __init__(self, html: str):
        super().__init__()
        self.count = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.count += tag == "script"


def test_inline_assets_makes_one_self_contained_file(ready):
    original = full_map().get_root().render()
    html = inline_assets(original)
    assert "<script src=" not in html
    assert not re.search(r"<link\b[^>]*stylesheet", html)
    assert "L.map(" in html
    assert "L.Control.GeoappFullscreen" in html and "jQuery" in html
    assert not [u for u in resources(html)], resources(html)
    # CSS images became data: URIs (the fullscreen icon is one already), no file ends its <script> early
    assert "data:image/svg+xml" in html and 'url("data:image/png;base64,' in html
    assert "images/layers.png" not in html
    assert _Scripts(html).count == _Scripts(original).count
    assert "sourceMappingURL" not in html


def test_inline_assets_takes_versioned_urls():
    html = inline_assets('<script src="/static/lib/leaflet/leaflet.0123456789ab.js"></script>')
    assert "<script>/* leaflet.js */" in html and 'version="1.9.3"' in html


def test_inline_assets_reports_a_missing_local_file(tmp_path):
    html = '<script src="/static/lib/leaflet/leaflet.js"></script>'
    with pytest.raises(AssetsMissingError, match="pip install"):
        inline_assets(html, tmp_path)
    with pytest.raises(AssetsMissingError, match="pip install"):
        inline_assets('<script src="/static/no-such-file.js"></script>')
    remote = '<script src="https://example.org/x.js"></script>'
    assert inline_assets(remote, tmp_path) == remote


# ---------------------------------------------------------------------------------- browser

@pytest.fixture
def app(ready, tmp_path):
    """A tiny app: the offline map at /, its single-file export at /standalone, /static/ served as
    geoapp serves it (WhiteNoise, versioned URLs)."""
    app = Flask(__name__, static_folder=str(res.static_dir()), static_url_path="/static",
                instance_path=str(tmp_path / "instance"))
    static_files.init_app(app)

    @app.get("/")
    def page():
        return full_map(static_url=lambda f: url_for("static", filename=f)).get_root().render()

    @app.get("/standalone")
    def standalone():
        return inline_assets(full_map().get_root().render())

    @app.get("/favicon.ico")
    def favicon():
        return "", 204

    return app


def open_offline(chromium, url: str) -> dict:
    """Open ``url`` with every request to a host other than 127.0.0.1 aborted; report what happened."""
    context = chromium.new_context()
    page = context.new_page()
    seen = {"aborted": [], "local": [], "errors": [], "failed": []}

    def route(r):
        if urlsplit(r.request.url).hostname == "127.0.0.1":
            seen["local"].append((r.request.resource_type, urlsplit(r.request.url).path))
            r.continue_()
        else:
            seen["aborted"].append((r.request.resource_type, r.request.url))
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: seen["errors"].append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: seen["errors"].append(f"page error: {exc}"))
    page.on("requestfailed", lambda req: seen["failed"].append(req.url))
    try:
        page.goto(url, wait_until="load")
        page.wait_for_selector("path.leaflet-interactive", timeout=10_000)
        seen["paths"] = page.evaluate("document.querySelectorAll('path.leaflet-interactive').length")
        seen["controls"] = page.evaluate("""[...document.querySelectorAll('.leaflet-control')]
                                            .map(e => e.className)""")
        page.locator("path.leaflet-interactive").first.click()
        page.wait_for_selector(".leaflet-popup-content", timeout=5_000)
        seen["popup"] = page.inner_text(".leaflet-popup-content")
        seen["fullscreen_icon"] = page.evaluate("""getComputedStyle(
            document.querySelector('.leaflet-control-fullscreen-button')).backgroundImage""")
        button = page.locator(".leaflet-control-fullscreen-button")
        seen["fullscreen_title"] = [button.get_attribute("title")]
        button.click()
        page.wait_for_selector(".leaflet-container.leaflet-fullscreen-on", timeout=5_000)
        seen["fullscreen_title"].append(button.get_attribute("title"))
        button.click()
        page.wait_for_selector(".leaflet-container:not(.leaflet-fullscreen-on)", timeout=5_000)
    finally:
        context.close()
    return seen


def _check(seen: dict) -> None:
    blocked = [(kind, u) for kind, u in seen["aborted"] if kind in ("script", "stylesheet", "font")]
    assert blocked == [], blocked
    assert seen["aborted"] == [], seen["aborted"]
    assert seen["errors"] == [], seen["errors"]
    assert seen["failed"] == [], seen["failed"]
    assert seen["paths"] >= 1
    controls = " ".join(seen["controls"])
    for cls in ("leaflet-control-scale", "leaflet-control-layers", "leaflet-control-zoom"):
        assert cls in controls, controls
    assert "Xã Thử popup" in seen["popup"]
    assert "data:image/svg+xml" in seen["fullscreen_icon"]
    assert seen["fullscreen_title"] == ["Toàn màn hình", "Thoát"]


def test_map_draws_in_chromium_with_the_network_cut_off(chromium, live_server):
    seen = open_offline(chromium, live_server + "/")
    _check(seen)
    fetched = {path for kind, path in seen["local"] if kind in ("script", "stylesheet")}
    assert all(HASHED.search(p) for p in fetched), fetched          # versioned URLs only
    assert {"/static/lib/leaflet/leaflet.js", "/static/lib/leaflet/leaflet.css", "/static/lib/jquery/jquery.min.js",
            "/static/fullscreen.js", "/static/fullscreen.css"} <= {HASHED.sub("", p) for p in fetched}


def test_standalone_export_draws_without_any_server_files(chromium, live_server):
    seen = open_offline(chromium, live_server + "/standalone")
    _check(seen)
    assert [p for kind, p in seen["local"] if p.startswith("/static/")] == []
