"""Deployment: HSTS, no-store on scoped answers, the trusted-proxy setting, the error table, strict JSON."""
from __future__ import annotations

import json
import logging
import math
import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from flask import abort, jsonify, request

from geoapp import access, create_app
from geoapp.errors import ConfigError, FetchError, InputError, RateLimitedError
from geoapp.ingest import import_boundaries
from geoapp.records import import_indicator_file, import_status_file
from geoapp.schemes import load_catalogue
from geoapp.web import api
from geoapp.web.errors import HTTP_TEXT, http_error, scrub
from geoapp.web.policy import POLICY

from .conftest import communes, db_url, write_shp

PASSWORD = "correct horse battery"
HSTS = "max-age=31536000; includeSubDomains"
SERVER_FOLDER = "/srv/geoapp/instance/uploads/ab12"
NAN_PAYLOAD = {"a": float("nan"), "b": [1.5, {"c": np.float64("inf"), "d": [np.float32("nan"), -math.inf]}],
               "e": (np.float64("-inf"), 2), "f": np.int64(3), "g": date(2025, 7, 1), "ok": 0.25}


def _raise(exc):
    def view():
        raise exc
    return view


#: test-only routes: (rule, endpoint, view); registered on the test apps with a PUBLIC access rule
ROUTES = [
    ("/t/config", "t_config", _raise(ConfigError(f"GEOAPP_SCHEMES_FILE {SERVER_FOLDER}/s.toml: bad"))),
    ("/api/t/config", "t_api_config", _raise(ConfigError(f"GEOAPP_SCHEMES_FILE {SERVER_FOLDER}/s.toml: bad"))),
    ("/api/t/fetch", "t_api_fetch", _raise(FetchError(f"cannot read {SERVER_FOLDER}/xa.zip: gone"))),
    ("/t/fetch", "t_fetch", _raise(FetchError(f"cannot read {SERVER_FOLDER}/xa.zip: gone"))),
    ("/api/t/boom", "t_api_boom", _raise(RuntimeError(f"secret detail in {SERVER_FOLDER}"))),
    ("/t/boom", "t_boom", _raise(KeyError(f"secret detail in {SERVER_FOLDER}"))),
    ("/api/t/busy", "t_api_busy", _raise(RateLimitedError("too many exports at once", retry_after=7.2,
                                                          message_vi="quá nhiều lượt xuất cùng lúc"))),
    ("/api/t/input", "t_api_input", _raise(InputError(f"{SERVER_FOLDER}/xa.shp has no .prj; pass --crs",
                                                      message_vi=f"{SERVER_FOLDER}/xa.shp thiếu tệp .prj"))),
    ("/api/t/abort404", "t_api_abort404", lambda: abort(404)),
    ("/api/t/abort403", "t_api_abort403", lambda: abort(403, "only the creator may revoke this link")),
    ("/api/t/forbidden", "t_api_forbidden", _raise(http_error(403, "editors only", "chỉ dành cho biên tập viên"))),
    ("/api/t/nan", "t_api_nan", lambda: jsonify(NAN_PAYLOAD)),
    ("/t/whoami", "t_whoami", lambda: jsonify(addr=request.remote_addr, secure=request.is_secure)),
]


def build_app(folder, **settings):
    app = create_app({"DATABASE_URL": db_url(folder, "d"), "INSTANCE_PATH": str(folder), "SECRET_KEY": "t",
                      "COOKIE_SECURE": False, **settings})
    for rule, endpoint, view in ROUTES:
        app.add_url_rule(rule, endpoint, view)
    return app


@pytest.fixture(scope="module", autouse=True)
def test_routes_are_public():
    """The gate refuses endpoints without a rule (fail closed): give the test routes one, then take it back."""
    added = [e for _, e, _ in ROUTES if e not in POLICY]
    POLICY.update({e: POLICY["pages.about"] for e in added})      # public, no parameters
    yield
    for e in added:
        POLICY.pop(e, None)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deploy")
    app = build_app(tmp)
    store = app.extensions["geoapp.store"]
    import_boundaries(store, [write_shp(communes(3, province="12"), tmp / "a")], "2025")
    (tmp / "st.csv").write_text("ma_xa,che_do,trang_thai,tu_ngay\n3388,antt,trong_diem_phuc_tap,2025-08-01\n")
    import_status_file(store, tmp / "st.csv", "2025", load_catalogue())
    (tmp / "ind.csv").write_text("ma_xa,ky,chi_tieu,gia_tri\n" + "".join(
        f"{c},2025,so_vu_pham_toi,{i}\n" for i, c in enumerate([3388, 3389, 3390])))
    import_indicator_file(store, tmp / "ind.csv", "2025", load_catalogue())
    access.add_user(store, "viewer12", "viewer", ["2025:12"], PASSWORD)
    return app


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """An app behind one trusted proxy (nginx), with one user to sign in."""
    tmp = tmp_path_factory.mktemp("proxied")
    app = build_app(tmp, TRUSTED_PROXIES=1)
    access.add_user(app.extensions["geoapp.store"], "viewer12", "viewer", ["2025:12"], PASSWORD)
    return app


def csrf(client, headers=None) -> str:
    page = client.get("/login", headers=headers).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, name, password=PASSWORD, headers=None):
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf(client, headers)},
                       headers=headers)


@pytest.fixture(scope="module")
def viewer(app):
    client = app.test_client()
    assert sign_in(client, "viewer12").status_code == 302
    return client


def strict_loads(text: str):
    """json.loads that fails on NaN / Infinity (as browsers' JSON.parse does)."""
    def refuse(constant):
        raise AssertionError(f"invalid JSON constant {constant} in {text[:200]}")
    return json.loads(text, parse_constant=refuse)


# --- HSTS -------------------------------------------------------------------------------------------

def test_hsts_over_https_only(app):
    client = app.test_client()
    assert client.get("/about", base_url="https://localhost").headers["Strict-Transport-Security"] == HSTS
    assert client.get("/nope", base_url="https://localhost").headers["Strict-Transport-Security"] == HSTS
    assert "Strict-Transport-Security" not in client.get("/about").headers


def test_forwarded_proto_is_ignored_without_trusted_proxies(app):
    resp = app.test_client().get("/t/whoami", headers={"X-Forwarded-Proto": "https"})
    assert resp.get_json()["secure"] is False
    assert "Strict-Transport-Security" not in resp.headers


def test_hsts_behind_a_trusted_proxy_that_terminates_tls(proxied):
    client = proxied.test_client()
    resp = client.get("/t/whoami", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"})
    assert resp.get_json()["secure"] is True
    assert resp.headers["Strict-Transport-Security"] == HSTS
    assert "Strict-Transport-Security" not in client.get("/t/whoami", headers={"X-Forwarded-Proto": "http"}).headers


# --- Cache-Control ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/map/2025/12", "/units/2025/12", "/export/2025/12.csv", "/export/2025/12.xlsx",
                                 "/api/v1/2025/statuses?province=12&as_of=2025-12-31", "/api/v1/editions",
                                 "/api/v1/2025/units?province=12", "/", "/about", "/login"])
def test_no_store_on_answers_that_depend_on_who_asks(viewer, url):
    resp = viewer.get(url)
    assert resp.status_code == 200, url
    assert resp.headers["Cache-Control"] == "private, no-store"


def test_api_revalidation_keeps_etag_but_never_stores(viewer):
    url = "/api/v1/2025/statuses?province=12&as_of=2025-12-31"
    first = viewer.get(url)
    assert first.headers.get("ETag")
    again = viewer.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "private, no-store"


def test_no_store_on_refusals(app, viewer):
    anonymous = app.test_client()
    for resp in (anonymous.get("/api/v1/2025/units?province=12"),     # 401
                 anonymous.get("/map/2025/12"),                        # 302 to /login
                 viewer.get("/admin/users"),                           # 403
                 viewer.get("/api/v1/2025/units?province=14"),         # 403 / 404
                 anonymous.get("/nope")):                              # 404
        assert resp.status_code in (302, 401, 403, 404)
        assert resp.headers["Cache-Control"] == "private, no-store", resp.status_code


def test_static_files_and_the_openapi_document_stay_cacheable(app):
    client = app.test_client()
    for url in ("/static/geoapp.css", "/api/v1/openapi.json"):
        resp = client.get(url)
        assert resp.status_code == 200
        assert "no-store" not in (resp.headers.get("Cache-Control") or ""), url


# --- trusted proxies --------------------------------------------------------------------------------

def test_forwarded_for_is_ignored_without_the_setting(app):
    client = app.test_client()
    seen = {client.get("/t/whoami", headers={"X-Forwarded-For": ip}).get_json()["addr"]
            for ip in ("203.0.113.1", "198.51.100.2")}
    assert seen == {"127.0.0.1"}


def test_one_trusted_proxy_gives_each_client_its_own_address(proxied):
    client = proxied.test_client()
    # nginx appends the peer it saw: only the last (rightmost) entry is trusted with one hop
    seen = [client.get("/t/whoami", headers={"X-Forwarded-For": f"6.6.6.6, {ip}"}).get_json()["addr"]
            for ip in ("203.0.113.1", "198.51.100.2")]
    assert seen == ["203.0.113.1", "198.51.100.2"]


def test_failures_from_one_address_behind_the_proxy_do_not_lock_out_another(proxied):
    attacker = proxied.test_client()
    bad = {"X-Forwarded-For": "203.0.113.66"}
    for i in range(access.ORIGIN_MAX_FAILED):
        assert sign_in(attacker, f"nobody{i}", "wrong", headers=bad).status_code != 302
    # the attacker's address is throttled now, even with a right password …
    assert sign_in(attacker, "viewer12", headers=bad).status_code != 302
    # … but an official behind the same nginx signs in
    official = proxied.test_client()
    assert sign_in(official, "viewer12", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 302


def test_documented_nginx_forwards_the_client_to_every_location():
    """proxy_set_header inside `location /` is not inherited by `location = /login`: it must be at server level."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "deploy.md").read_text(encoding="utf-8")
    nginx = re.search(r"```nginx\n(.*?)```", doc, re.S).group(1)
    nginx = re.sub(r"#[^\n]*", "", nginx)
    server_level = re.sub(r"location[^{]*\{[^}]*\}", "", nginx)
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert re.search(rf"proxy_set_header\s+{header}\s", server_level), header
    assert "GEOAPP_TRUSTED_PROXIES=1" in doc


# --- the error table --------------------------------------------------------------------------------

@pytest.mark.parametrize("url, code, name", [("/api/t/config", 500, "ConfigError"),
                                             ("/api/t/fetch", 502, "FetchError"),
                                             ("/api/t/boom", 500, "RuntimeError")])
def test_server_errors_answer_generically_and_log_the_traceback(app, caplog, url, code, name):
    with caplog.at_level(logging.ERROR):
        resp = app.test_client().get(url)
    assert resp.status_code == code
    body = resp.get_json()
    assert (body["message"], body["message_vi"]) == HTTP_TEXT[code]
    text = resp.get_data(as_text=True)
    assert "/srv/" not in text and "Traceback" not in text and "secret detail" not in text
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and logged[-1].exc_info[0].__name__ == name
    assert "/srv/" in caplog.text            # the operator gets the detail, the client does not


@pytest.mark.parametrize("url, code", [("/t/config", 500), ("/t/fetch", 502), ("/t/boom", 500)])
def test_server_error_pages_are_bilingual_without_detail(app, url, code):
    """In the page's language (vi by default, ?lang=en), never with the detail the log keeps."""
    en, vi = HTTP_TEXT[code]
    text = app.test_client().get(url).get_data(as_text=True)
    assert vi in text and en not in text
    english = app.test_client().get(url + "?lang=en").get_data(as_text=True)
    assert en in english
    for page in (text, english):
        assert "/srv/" not in page and "Traceback" not in page and "secret detail" not in page


def test_rate_limited_answers_429_with_retry_after(app):
    resp = app.test_client().get("/api/t/busy")
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "8"
    assert resp.get_json()["message_vi"] == "quá nhiều lượt xuất cùng lúc"


def test_no_server_path_in_a_client_error(app):
    body = app.test_client().get("/api/t/input").get_json()
    assert body["status"] == 400
    assert "/srv/" not in json.dumps(body, ensure_ascii=False)
    assert body["message"].startswith("xa.shp has no .prj") and body["message_vi"].startswith("xa.shp thiếu")


def test_flask_default_errors_get_vietnamese_text(app, monkeypatch):
    client = app.test_client()
    for resp in (client.get("/api/t/abort404"), client.get("/api/v1/no-such-thing")):
        body = resp.get_json()
        assert (resp.status_code, body["message"], body["message_vi"]) == (404, *HTTP_TEXT[404])
    assert HTTP_TEXT[404][1] in client.get("/no-such-page").get_data(as_text=True)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 10)
    resp = client.post("/login", data={"name": "x" * 100})
    assert resp.status_code == 413 and HTTP_TEXT[413][1] in resp.get_data(as_text=True)


def test_custom_http_errors_keep_their_text_and_get_vietnamese(app):
    client = app.test_client()
    body = client.get("/api/t/abort403").get_json()
    assert body["message"] == "only the creator may revoke this link"
    assert body["message_vi"].startswith(HTTP_TEXT[403][1])
    body = client.get("/api/t/forbidden").get_json()
    assert (body["message"], body["message_vi"]) == ("editors only", "chỉ dành cho biên tập viên")


def test_every_http_error_has_its_own_vietnamese_text():
    for code in (400, 401, 403, 404, 405, 413, 429, 500):
        en, vi = HTTP_TEXT[code]
        assert en and vi and en != vi


def test_scrub_keeps_file_names_routes_and_urls():
    assert scrub(f"cannot read '{SERVER_FOLDER}/xa.zip': gone") == "cannot read 'xa.zip': gone"
    assert scrub(r"C:\geoapp\instance\xa.shp is broken") == "xa.shp is broken"
    kept = "see /api/v1/editions or https://example.org/srv/data/x.zip"
    assert scrub(kept) == kept


# --- strict JSON ------------------------------------------------------------------------------------

def test_api_json_never_writes_nan_or_infinity():
    data = strict_loads(api._json(NAN_PAYLOAD).decode())
    assert data == {"a": None, "b": [1.5, {"c": None, "d": [None, None]}], "e": [None, 2], "f": 3,
                    "g": "2025-07-01", "ok": 0.25}


def test_jsonify_never_writes_nan_or_infinity(app):
    data = strict_loads(app.test_client().get("/api/t/nan").get_data(as_text=True))
    assert data["a"] is None and data["b"][1] == {"c": None, "d": [None, None]} and data["f"] == 3


@pytest.mark.parametrize("query", ["indicators?province=12&indicator=so_vu_pham_toi&classes=manual&breaks=NaN",
                                   "indicators?province=12&indicator=so_vu_pham_toi&breaks=1,Infinity",
                                   "hotspots?province=12&indicator=so_vu_pham_toi&permutations=99&fdr=Infinity",
                                   "hotspots?province=12&indicator=so_vu_pham_toi&permutations=99&fdr=NaN"])
def test_non_finite_query_values_never_reach_the_json(viewer, query):
    resp = viewer.get(f"/api/v1/2025/{query}")
    assert resp.status_code < 500
    strict_loads(resp.get_data(as_text=True))
