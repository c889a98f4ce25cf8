"""Who may see what: an authorization matrix generated from the URL map, sign-in, tokens, CSRF."""
from __future__ import annotations

import re

import pytest

from geoapp import access, create_app
from geoapp.ingest import import_boundaries
from geoapp.records import import_indicator_file, import_status_file
from geoapp.schemes import load_catalogue
from geoapp.web.policy import POLICY

from .conftest import communes, db_url, sqlite_only, write_shp

PASSWORD = "correct horse battery"
# A name that only province 14's data contains: it must never reach someone who may not read 14.
SECRET_14 = "Xã Bí Mật Mười Bốn"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("acl")
    app = create_app({"DATABASE_URL": db_url(tmp, "a"), "INSTANCE_PATH": str(tmp), "SECRET_KEY": "t",
                      "COOKIE_SECURE": False})
    store = app.extensions["geoapp.store"]
    p12 = communes(3, province="12")
    p14 = communes(3, province="14", start=3600)
    p14["TenTinh"] = "Tỉnh Sơn La"
    p14["TenXa"] = [SECRET_14, "Xã B", "Xã C"]
    p14 = p14.set_geometry(p14.geometry.translate(xoff=0.2))
    import_boundaries(store, [write_shp(p12, tmp / "a"), write_shp(p14, tmp / "b")], "2025")
    (tmp / "st.csv").write_text("ma_xa,che_do,trang_thai,tu_ngay\n3388,antt,trong_diem_phuc_tap,2025-08-01\n"
                                "3600,antt,trong_diem_phuc_tap,2025-08-01\n")
    import_status_file(store, tmp / "st.csv", "2025", load_catalogue())
    (tmp / "ind.csv").write_text("ma_xa,ky,chi_tieu,gia_tri\n" + "".join(
        f"{c},2025,so_vu_pham_toi,{i}\n" for i, c in enumerate([3388, 3389, 3390, 3600, 3601, 3602])))
    import_indicator_file(store, tmp / "ind.csv", "2025", load_catalogue())
    access.add_user(store, "admin", "admin", [], PASSWORD)
    access.add_user(store, "viewer12", "viewer", ["2025:12"], PASSWORD)
    access.add_user(store, "viewerall", "viewer", [], PASSWORD, all_provinces=True)
    access.add_user(store, "editor12", "editor", ["2025:12"], PASSWORD)
    return app


def login(app, name):
    client = app.test_client()
    if name is None:
        return client
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    # signing in starts a new session with a new CSRF token: read it from a page
    page = client.get("/about").get_data(as_text=True)
    client.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.csrf != token
    return client


#: how to call each endpoint for province P ("12" readable by viewer12, "14" not); None = no province
SAMPLES = {
    "static": ("/static/geoapp.css", None),
    "auth.login": ("/login", None),
    "pages.about": ("/about", None),
    "api.openapi_document": ("/api/v1/openapi.json", None),
    "pages.index": ("/", None),
    "pages.overview": ("/overview/2025", None),
    "api.editions": ("/api/v1/editions", None),
    "api.provinces": ("/api/v1/2025/provinces", None),
    "api.provinces_geojson": ("/api/v1/2025/provinces.geojson", None),
    "api.outlines": ("/api/v1/2025/outlines?level=district&province={P}", "P"),
    "pages.province_units": ("/units/2025/{P}", "P"),
    "pages.province_map": ("/map/2025/{P}", "P"),
    "pages.unit_page": ("/unit/2025/{U}", "P"),
    "api.units": ("/api/v1/2025/units?province={P}", "P"),
    "api.statuses": ("/api/v1/2025/statuses?province={P}&as_of=2025-12-31", "P"),
    "api.indicators": ("/api/v1/2025/indicators?province={P}&indicator=so_vu_pham_toi", "P"),
    "api.hotspots": ("/api/v1/2025/hotspots?province={P}&indicator=so_vu_pham_toi&permutations=99", "P"),
    "api.stats": ("/api/v1/2025/stats?province={P}", "P"),
    "api.emerging": ("/api/v1/2025/emerging?province={P}&indicator=so_vu_pham_toi", "P"),
    "api.unit": ("/api/v1/2025/units/{U}", "P"),
    "pages.embed_map": ("/embed/map/2025/{P}", "P"),
    "pages.compare": ("/compare/{P}", "P"),
    "exports.export_view": ("/export/2025/{P}.csv", "P"),
    "admin.shares": ("/admin/shares", None),
    "admin.audit": ("/admin/audit", None),
    "admin.users": ("/admin/users", None),
    "admin.embedding": ("/admin/embedding", None),
    "admin.upload": ("/admin/upload", None),
}
POST_ONLY = {"auth.logout", "auth.logout_everywhere", "admin.upload_commit", "auth.create_share",
             "auth.revoke_share"}
OTHER = {"auth.open_share"}          # tested in test_share_links
UNIT = {"12": "03388", "14": "03600"}
WHO = [None, "viewer12", "editor12", "viewerall", "admin"]


def expected(endpoint: str, who: str | None, province: str | None) -> bool:
    """The policy as the product states it, written independently of geoapp.web.policy."""
    if endpoint in ("static", "auth.login", "pages.about", "api.openapi_document"):
        return True
    if who is None:
        return False
    if endpoint == "admin.shares":
        return True                                   # everyone sees (only) their own links
    if endpoint.startswith("admin."):
        return who == "admin" or (endpoint == "admin.upload" and who == "editor12")
    if province is None:
        return True
    return who in ("viewerall", "admin") or province == "12"


def test_every_route_has_a_rule_and_a_sample(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert endpoints <= set(POLICY), f"routes without an access rule: {endpoints - set(POLICY)}"
    covered = set(SAMPLES) | POST_ONLY | OTHER
    assert endpoints <= covered, f"routes missing from the matrix: {endpoints - covered}"


@pytest.mark.parametrize("who", WHO)
def test_authorization_matrix(app, who):
    client = login(app, who)
    for endpoint, (template, kind) in SAMPLES.items():
        for province in (["12", "14"] if kind else [None]):
            url = template.format(P=province, U=UNIT.get(province, ""))
            resp = client.get(url)
            body = resp.get_data(as_text=True)
            allowed = expected(endpoint, who, province)
            if allowed:       # reached: not refused (a 400 for this small instance's data is still reached)
                assert resp.status_code not in (302, 401, 403) and resp.status_code < 500, \
                    f"{who} should reach {url}: {resp.status_code}"
            else:
                assert resp.status_code in (302, 401, 403), f"{who} must not reach {url}: {resp.status_code}"
            if not expected(endpoint, who, "14") and endpoint not in ("static",):
                assert SECRET_14 not in body, f"{who} saw province 14 data at {url}"


def test_scoped_lists_are_filtered(app):
    client = login(app, "viewer12")
    assert [p["code"] for p in client.get("/api/v1/2025/provinces").get_json()] == ["12"]
    features = client.get("/api/v1/2025/provinces.geojson").get_json()["features"]
    assert [f["properties"]["code"] for f in features] == ["12"]
    assert client.get("/api/v1/2025/units?province=all&lod=3").status_code == 403
    assert client.get("/map/2025/all").status_code == 403


def test_public_read(tmp_path):
    app = create_app({"DATABASE_URL": db_url(tmp_path, "p"), "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "t", "PUBLIC_READ": True})
    client = app.test_client()
    assert client.get("/api/v1/editions").status_code == 200
    assert client.get("/admin/audit").status_code in (302, 401)


def test_wrong_password_then_lockout(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    store = app.extensions["geoapp.store"]
    access.add_user(store, "victim", "viewer", ["2025:12"], PASSWORD)
    for _ in range(access.MAX_FAILED):
        resp = client.post("/login", data={"name": "victim", "password": "wrong password!", "csrf_token": token})
        assert resp.status_code == 401
    resp = client.post("/login", data={"name": "victim", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 401 and "locked" in resp.get_data(as_text=True).lower() or "khóa" in resp.get_data(as_text=True)
    actions = list(store.audit_log(50)["action"])
    assert "login.failed" in actions


def test_forms_need_the_csrf_token(app):
    client = login(app, "admin")
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": client.csrf}).status_code == 302


def test_the_csrf_token_is_masked_afresh_on_every_page(app):
    """Pages are gzip-compressed: the CSRF secret must never appear verbatim in one (BREACH), so each page
    carries it under a new random mask — and every one of those tokens is accepted, a forged one is not."""
    client = login(app, "admin")
    pages = [client.get("/about").get_data(as_text=True) for _ in range(3)]
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', p).group(1) for p in pages]
    assert len(set(tokens)) == 3
    with client.session_transaction() as sess:
        secret = sess["csrf"]
    assert all(secret not in p for p in pages)
    forged = tokens[0][:-2] + ("AA" if tokens[0][-2:] != "AA" else "BB")
    assert client.post("/logout", data={"csrf_token": forged}).status_code == 400
    assert client.post("/logout", data={"csrf_token": "\x00"}).status_code == 400
    assert client.post("/logout", data={"csrf_token": tokens[1]}).status_code == 302


def test_api_tokens(app):
    store = app.extensions["geoapp.store"]
    token = access.create_token(store, "viewer12", "script")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/2025/statuses?province=12", headers=headers).status_code == 200
    assert client.get("/api/v1/2025/statuses?province=14", headers=headers).status_code == 403
    assert client.get("/api/v1/2025/statuses?province=12", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert access.token_hash(token) in set(store._frame("SELECT token_hash FROM api_tokens")["token_hash"])
    assert token not in str(store._frame("SELECT * FROM api_tokens").to_dict())       # stored hashed


def test_logout_everywhere_ends_other_sessions_and_tokens(app):
    store = app.extensions["geoapp.store"]
    access.add_user(store, "roamer", "viewer", ["2025:12"], PASSWORD)
    a, b = login(app, "roamer"), login(app, "roamer")
    token = access.create_token(store, "roamer")
    assert b.get("/api/v1/2025/stats?province=12").status_code == 200
    assert a.post("/logout-everywhere", data={"csrf_token": a.csrf}).status_code == 302
    assert b.get("/api/v1/2025/stats?province=12").status_code == 401
    assert app.test_client().get("/api/v1/2025/stats?province=12",
                                 headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_session_cookie_flags(tmp_path):
    app = create_app({"DATABASE_URL": db_url(tmp_path, "c"), "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "t"})
    resp = app.test_client().get("/login")
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_open_redirect_is_refused(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"name": "viewer12", "password": PASSWORD, "csrf_token": token,
                                       "next": "https://evil.example/"})
    assert resp.headers["Location"] == "/"


def test_share_links(app):
    owner = login(app, "viewer12")
    denied = owner.post("/share", data={"csrf_token": owner.csrf, "edition": "2025", "province": "14", "days": "7"})
    assert denied.status_code == 403                       # cannot share what one cannot read
    resp = owner.post("/share", data={"csrf_token": owner.csrf, "edition": "2025", "province": "12",
                                      "query": "scheme=antt&as_of=2025-12-31", "days": "7"})
    assert resp.status_code == 200
    link = re.search(r'value="(http[^"]+/s/[^"]+)"', resp.get_data(as_text=True)).group(1)
    path = link.split("localhost", 1)[1]
    guest = app.test_client()
    assert guest.get("/embed/map/2025/12").status_code in (302, 401)        # no link, no view
    opened = guest.get(path)
    assert opened.status_code == 302 and "/embed/map/2025/12" in opened.headers["Location"]
    assert guest.get(opened.headers["Location"]).status_code == 200
    assert guest.get("/api/v1/2025/statuses?province=12").status_code == 200
    assert guest.get("/api/v1/2025/statuses?province=14").status_code in (401, 403)   # only the shared province
    assert guest.get("/admin/audit").status_code in (302, 401)
    # revoke: the link and the session it opened stop working (fail closed)
    store = app.extensions["geoapp.store"]
    link_id = int(store.share_links().iloc[0]["id"])
    assert owner.post(f"/share/{link_id}/revoke", data={"csrf_token": owner.csrf}).status_code == 302
    assert guest.get("/embed/map/2025/12").status_code in (302, 401)
    assert app.test_client().get(path).status_code == 404


@sqlite_only
def test_expired_share_link_opens_nothing(app):
    store = app.extensions["geoapp.store"]
    token = access.create_share_link(store, "/embed/map/2025/12", "2025", "12", 1, by="viewer12")
    con = __import__("sqlite3").connect(store.path)
    con.execute("UPDATE share_links SET expires_at='2000-01-01T00:00:00+00:00' WHERE token_hash=?",
                (access.token_hash(token),))
    con.commit()
    assert app.test_client().get(f"/s/{token}").status_code == 404


def test_embed_frame_ancestors(tmp_path):
    app = create_app({"DATABASE_URL": db_url(tmp_path, "e"), "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "t", "PUBLIC_READ": True, "EMBED_ORIGINS": "'self' https://intranet.example"})
    import_boundaries(app.extensions["geoapp.store"], [write_shp(communes(2), tmp_path / "s")], "2025")
    client = app.test_client()
    embed = client.get("/embed/map/2025/12").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://intranet.example" in embed
    assert "frame-ancestors 'none'" in client.get("/map/2025/12").headers["Content-Security-Policy"]
