"""/static/: compressed (gzip, brotli), versioned URLs cached a year, plain URLs a short while; pages
link the versioned URLs; everything else keeps ``private, no-store`` (geoapp.web.static_files)."""
from __future__ import annotations

import gzip
import re

import brotli
import pytest
from flask import render_template_string

from geoapp import create_app
from geoapp import resources as res
from geoapp.web.static_files import IMMUTABLE, SHORT_MAX_AGE, versioned_name

from .conftest import db_url


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("static")
    return create_app({"DATABASE_URL": db_url(folder, "d"), "INSTANCE_PATH": str(folder), "SECRET_KEY": "t",
                       "COOKIE_SECURE": False})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def versioned(app, rel: str) -> str:
    return "/static/" + app.extensions["geoapp.static_manifest"][rel]


def test_versioned_names():
    assert versioned_name("lib/leaflet/leaflet.js", "0123456789ab") == "lib/leaflet/leaflet.0123456789ab.js"
    assert versioned_name("lib/jquery/jquery.min.js", "0123456789ab") == "lib/jquery/jquery.min.0123456789ab.js"
    assert versioned_name("LICENSE", "0123456789ab") == "LICENSE.0123456789ab"


@pytest.mark.parametrize("encoding, decode", [("gzip", gzip.decompress), ("br", brotli.decompress)])
def test_a_library_is_served_compressed_when_asked(client, encoding, decode):
    raw = res.static_file("lib/leaflet/leaflet.js").read_bytes()
    resp = client.get("/static/lib/leaflet/leaflet.js", headers={"Accept-Encoding": encoding})
    assert resp.status_code == 200
    assert resp.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in resp.headers["Vary"]
    body = resp.get_data()
    assert len(body) < len(raw) / 3 and decode(body) == raw
    plain = client.get("/static/lib/leaflet/leaflet.js")
    assert "Content-Encoding" not in plain.headers and plain.get_data() == raw
    assert plain.headers["Content-Type"].startswith("text/javascript")


def test_versioned_urls_are_immutable_plain_ones_short(app, client):
    url = versioned(app, "map.js")
    assert re.fullmatch(r"/static/map\.[0-9a-f]{12}\.js", url)
    resp = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Content-Encoding"] == "gzip"
    assert client.get(url, headers={"If-None-Match": resp.headers["ETag"]}).status_code == 304
    for old in ("/static/map.js", "/static/map.0123456789ab.js"):      # unversioned; another version's URL
        resp = client.get(old)
        assert resp.status_code == 200, old
        assert resp.headers["Cache-Control"] == f"public, max-age={SHORT_MAX_AGE}", old
        assert resp.get_data() == (res.static_dir() / "map.js").read_bytes()


def test_pages_link_the_versioned_urls(app, client):
    page = client.get("/login")
    assert page.headers["Cache-Control"] == "private, no-store"          # the page itself: never cached
    html = page.get_data(as_text=True)
    assert f'href="{versioned(app, "geoapp.css")}"' in html
    with app.test_request_context("/"):
        head = render_template_string("{% include '_leaflet_head.html' %}")
    links = re.findall(r'(?:src|href)="([^"]+)"', head)
    assert versioned(app, "lib/leaflet/leaflet.js") in links and versioned(app, "fullscreen.js") in links
    assert all(re.search(r"\.[0-9a-f]{12}\.(js|css)$", u) for u in links), links
    for url in links:
        assert client.get(url).headers["Cache-Control"] == IMMUTABLE, url


def test_unknown_static_files_are_404_and_not_cached(client):
    resp = client.get("/static/lib/leaflet/no-such.js")
    assert resp.status_code == 404
    assert "immutable" not in (resp.headers.get("Cache-Control") or "")
    assert client.post("/static/map.js").status_code == 405
