"""Maps load Leaflet and its plugins from static/vendor (installed from npm), never from a CDN."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import folium
import pytest
import shapely
from flask import Flask, url_for
from folium import plugins

from geoapp.mapview import assets
from geoapp.mapview.assets import (AssetsMissingError, OfflineAssetError, assets_ready, inline_assets, localize,
                               offline_map, require_assets)

from .conftest import ROOT, STATIC, require

#: every src/href that loads a script or a style
RESOURCE = re.compile(r"""<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)|<link\b[^>]*\bhref\s*=\s*["']?([^"'\s>]+)""",
                      re.IGNORECASE)
REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


@pytest.fixture(scope="module")
def vendored() -> Path:
    """static/ with the vendor files (conftest installs them once per session; see conftest.need)."""
    require("assets")
    return STATIC


def square(x0=103.40, y0=22.30, size=0.05) -> dict:
    return {"type": "Feature", "properties": {"TenXa": "Xã Thử"},
            "geometry": shapely.box(x0, y0, x0 + size, y0 + size).__geo_interface__}


def full_map(**kw) -> folium.Map:
    """Everything geoapp's maps use: scale, fullscreen, layer control, GeoJSON with tooltip and popup."""
    kw.setdefault("tiles", None)
    m = offline_map([22.325, 103.425], 11, control_scale=True, **kw)
    plugins.Fullscreen().add_to(m)
    folium.GeoJson(square(), name="communes", tooltip=folium.Tooltip("Xã Thử"),
                   popup=folium.Popup("<b>Xã Thử</b> popup")).add_to(m)
    folium.LayerControl().add_to(m)
    return m


def resources(html: str) -> list[str]:
    return [a or b for a, b in RESOURCE.findall(html)]


# ---------------------------------------------------------------------------------- install

def test_vendor_files_are_installed_with_a_manifest(vendored):
    assert assets_ready(vendored)
    manifest = json.loads((vendored / "vendor" / "manifest.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    assert manifest["packages"] == {name: lock[f"node_modules/{name}"]["version"] for name in manifest["packages"]}
    assert manifest["packages"]["leaflet"].startswith("1.9.")
    assert manifest["packages"]["leaflet.fullscreen"].startswith("3.")
    listed = {f["path"] for f in manifest["files"]}
    for rel in assets.REQUIRED_FILES:
        if rel != "vendor/manifest.json":
            assert rel.removeprefix("vendor/") in listed, rel
    for f in manifest["files"]:
        data = (vendored / "vendor" / f["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]


def test_package_json_pins_exact_versions():
    deps = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    assert set(deps) == {"leaflet", "leaflet.fullscreen", "jquery"}
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in deps.values()), deps
    # the same line as the CDN links folium 0.20 would use
    folium_leaflet = dict(folium.Map.default_js)["leaflet"]
    assert f"leaflet@{deps['leaflet'].rsplit('.', 1)[0]}." in folium_leaflet
    folium_fullscreen = dict(plugins.Fullscreen.default_js)["Control.Fullscreen.js"]
    assert f"leaflet.fullscreen@{deps['leaflet.fullscreen'].split('.')[0]}." in folium_fullscreen


def test_install_is_a_quick_no_op_when_done(vendored):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "install_assets.py")], cwd=ROOT,
                          capture_output=True, text=True, env={"PATH": "/nonexistent"})
    assert proc.returncode == 0, proc.stderr  # no npm needed when nothing is to be done
    assert "up to date" in proc.stdout


def test_missing_vendor_files_say_what_to_run(tmp_path):
    assert not assets_ready(tmp_path)
    with pytest.raises(AssetsMissingError, match=r"run python scripts/install_assets\.py"):
        require_assets(tmp_path)
    with pytest.raises(AssetsMissingError, match=r"run python scripts/install_assets\.py"):
        offline_map([22.3, 103.4], 9, static_dir=tmp_path)


# ---------------------------------------------------------------------------------- links

@pytest.mark.parametrize("tiles", [None, "OpenStreetMap"])
def test_offline_map_links_only_local_scripts_and_styles(vendored, tiles):
    html = full_map(tiles=tiles, static_dir=vendored).get_root().render()
    links = resources(html)
    assert links, "no script/style links at all?"
    assert not [u for u in links if REMOTE.match(u)], links
    assert all(u.startswith("/static/vendor/") for u in links), links
    for u in links:  # and each one is a file that is there
        assert (vendored / u.removeprefix("/static/")).is_file(), u
    assert {"/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css",
            "/static/vendor/leaflet.fullscreen/Control.FullScreen.js",
            "/static/vendor/leaflet.fullscreen/Control.FullScreen.css"} <= set(links)
    for dropped in ("bootstrap", "awesome", "fontawesome", "glyphicons"):
        assert dropped not in html
    # folium's own class-level defaults are left alone
    assert dict(folium.Map.default_js)["leaflet"].startswith("https://")
    assert dict(plugins.Fullscreen.default_js)["Control.Fullscreen.js"].startswith("https://")


def test_static_url_can_be_flasks_url_for(vendored):
    app = Flask(__name__, static_folder=str(vendored), static_url_path="/assets")
    with app.test_request_context():
        m = full_map(static_url=lambda f: url_for("static", filename=f))
        html = m.get_root().render()
    assert resources(html) and all(u.startswith("/assets/vendor/") for u in resources(html))


def test_localize_switches_a_plain_folium_map(vendored):
    m = folium.Map([22.3, 103.4], zoom_start=9, tiles=None)
    plugins.Fullscreen().add_to(m)
    m.get_root().render()  # even after a render left CDN links in the page head
    html = localize(m, "/static/").get_root().render()
    assert resources(html) and all(u.startswith("/static/vendor/") for u in resources(html)), resources(html)


def test_strict_map_refuses_what_is_not_vendored():
    m = offline_map([22.3, 103.4], 9, tiles=None)
    plugins.MarkerCluster().add_to(m)
    with pytest.raises(OfflineAssetError, match="MarkerCluster.*not vendored"):
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


def test_inline_assets_makes_one_self_contained_file(vendored):
    original = full_map().get_root().render()
    html = inline_assets(original, vendored)
    assert "<script src=" not in html
    assert not re.search(r"<link\b[^>]*stylesheet", html)
    assert "L.map(" in html
    assert "L.control.fullscreen" in html and "jQuery" in html
    assert not [u for u in resources(html)], resources(html)
    # CSS images became data: URIs, and no inlined file ends its <script> early
    assert 'url("data:image/svg+xml;base64,' in html and 'url("data:image/png;base64,' in html
    assert "images/layers.png" not in html
    assert _Scripts(html).count == _Scripts(original).count
    assert "sourceMappingURL" not in html


def test_inline_assets_reports_a_missing_local_file(tmp_path):
    html = '<script src="/static/vendor/leaflet/leaflet.js"></script>'
    with pytest.raises(AssetsMissingError, match="install_assets"):
        inline_assets(html, tmp_path)
    remote = '<script src="https://example.org/x.js"></script>'
    assert inline_assets(remote, tmp_path) == remote


# ---------------------------------------------------------------------------------- browser

@pytest.fixture
def app(vendored):
    """A tiny app: the offline map at /, its single-file export at /standalone, static/ as is."""
    app = Flask(__name__, static_folder=str(vendored), static_url_path="/static")

    @app.get("/")
    def page():
        return full_map(static_url=lambda f: url_for("static", filename=f)).get_root().render()

    @app.get("/standalone")
    def standalone():
        return inline_assets(full_map().get_root().render(), vendored)

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
            document.querySelector('.leaflet-control-zoom-fullscreen')).backgroundImage""")
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
    assert "icon-fullscreen.svg" in seen["fullscreen_icon"] or "data:image/svg+xml" in seen["fullscreen_icon"]


def test_map_draws_in_chromium_with_the_network_cut_off(chromium, live_server):
    seen = open_offline(chromium, live_server + "/")
    _check(seen)
    fetched = {path for kind, path in seen["local"] if kind in ("script", "stylesheet")}
    assert {"/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css",
            "/static/vendor/jquery/jquery.min.js",
            "/static/vendor/leaflet.fullscreen/Control.FullScreen.js"} <= fetched


def test_standalone_export_draws_without_any_server_files(chromium, live_server):
    seen = open_offline(chromium, live_server + "/standalone")
    _check(seen)
    assert [p for kind, p in seen["local"] if p.startswith("/static/")] == []
