"""The gate fails closed: parameter pollution, anonymous writes, policy vs view, declared ranges.

Every case listed in issue 12 under "anonymous writes", "the policy and the view read different
values" and "500s" is a test here; the matrix adds extra ``edition``/``province``/``scheme`` values
(valid, another province, bogus, empty, repeated) in the query and the form of every route.
"""
from __future__ import annotations

import io
import re

import pytest

from geoapp import access, create_app
from geoapp.ingest import import_boundaries
from geoapp.records import import_indicator_file, import_status_file
from geoapp.schemes import load_catalogue
from geoapp.web import policy
from geoapp.web.policy import POLICY

from .conftest import communes, db_url, write_shp

PASSWORD = "correct horse battery"
SECRET_14 = "Xã Bí Mật Mười Bốn"
SECRET_68 = "Xã Riêng Sáu Tám"
WHO = [None, "viewer12", "editor68", "admin"]
#: what each principal may read, written independently of geoapp.web.policy
READS = {None: set(), "viewer12": {"12"}, "editor68": {"68"}, "admin": {"12", "14", "68"}}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gate")
    app = create_app({"DATABASE_URL": db_url(tmp, "g"), "INSTANCE_PATH": str(tmp), "SECRET_KEY": "t",
                      "COOKIE_SECURE": False})
    store = app.extensions["geoapp.store"]
    frames = []
    for i, (code, start, secret) in enumerate([("12", 3388, "Xã A"), ("14", 3600, SECRET_14),
                                               ("68", 24800, SECRET_68)]):
        f = communes(3, province=code, start=start)
        f["TenTinh"] = f"Tỉnh {code}"
        f["TenXa"] = [secret, f"Xã B{code}", f"Xã C{code}"]
        frames.append(write_shp(f.set_geometry(f.geometry.translate(xoff=0.2 * i)), tmp / f"p{code}"))
    import_boundaries(store, frames, "2025", user="test")
    (tmp / "st.csv").write_text("ma_xa,che_do,trang_thai,tu_ngay\n3388,antt,trong_diem_phuc_tap,2025-08-01\n"
                                "3600,antt,trong_diem_phuc_tap,2025-08-01\n24800,antt,trong_diem_phuc_tap,2025-08-01\n")
    import_status_file(store, tmp / "st.csv", "2025", load_catalogue(), user="test")
    (tmp / "ind.csv").write_text("ma_xa,ky,chi_tieu,gia_tri\n" + "".join(
        f"{c},2025,so_vu_pham_toi,{i}\n" for i, c in enumerate([3388, 3389, 3390, 3600, 3601, 3602])))
    import_indicator_file(store, tmp / "ind.csv", "2025", load_catalogue(), user="test")
    access.add_user(store, "admin", "admin", [], PASSWORD)
    access.add_user(store, "viewer12", "viewer", ["2025:12"], PASSWORD)
    access.add_user(store, "editor68", "editor", ["2025:68"], PASSWORD)
    return app


def csrf_of(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(app, name):
    client = app.test_client()
    client.csrf = csrf_of(client)
    if name is None:
        return client
    resp = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": client.csrf})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    page = client.get("/about").get_data(as_text=True)
    client.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client


def store_of(app):
    return app.extensions["geoapp.store"]


#: one GET per scoped route, for province P (U = a unit of P)
READ_ROUTES = [
    "/map/2025/{P}", "/embed/map/2025/{P}", "/units/2025/{P}", "/unit/2025/{U}", "/compare/{P}",
    "/export/2025/{P}.csv", "/api/v1/2025/units?province={P}", "/api/v1/2025/statuses?province={P}",
    "/api/v1/2025/indicators?province={P}&indicator=so_vu_pham_toi", "/api/v1/2025/stats?province={P}",
    "/api/v1/2025/hotspots?province={P}&indicator=so_vu_pham_toi&permutations=9",
    "/api/v1/2025/emerging?province={P}&indicator=so_vu_pham_toi", "/api/v1/2025/units/{U}",
    "/api/v1/2025/outlines?level=district&province={P}",
]
UNIT = {"12": "03388", "14": "03600", "68": "24800"}
POLLUTION = ["edition=2025", "edition=pre2025", "edition=bogus", "edition=", "edition=2025&edition=pre2025",
             "province=12", "province=14", "province=68", "province=bogus", "province=", "province=12&province=14",
             "province=all", "scheme=antt", "scheme=bogus", "scheme=", "scheme=antt&scheme=ma_tuy", "code=03600"]


def _join(url: str, extra: str) -> str:
    return url + ("&" if "?" in url else "?") + extra


@pytest.mark.parametrize("who", WHO)
def test_parameter_pollution_never_reads_beyond_scope(app, who):
    client = login(app, who)
    for template in READ_ROUTES:
        for province in ("12", "14"):
            base = template.format(P=province, U=UNIT[province])
            for extra in [""] + POLLUTION:
                url = _join(base, extra) if extra else base
                resp = client.get(url)
                body = resp.get_data(as_text=True)
                assert resp.status_code < 500, f"{who} {url}: {resp.status_code}"
                may_read = province in READS[who]
                if not may_read:
                    assert resp.status_code in (302, 400, 401, 403, 404), f"{who} reached {url}"
                if "14" not in READS[who]:
                    assert SECRET_14 not in body, f"{who} saw province 14 through {url}"
                if "68" not in READS[who]:
                    assert SECRET_68 not in body, f"{who} saw province 68 through {url}"
                if who is None:
                    assert resp.status_code in (302, 401), f"anonymous got {resp.status_code} at {url}"


def test_a_parameter_given_twice_or_again_beside_the_path_is_refused(app):
    client = login(app, "admin")
    assert client.get("/api/v1/2025/statuses?province=12").status_code == 200
    assert client.get("/api/v1/2025/statuses?province=12&province=14").status_code == 400
    assert client.get("/map/2025/12?edition=pre2025").status_code == 400
    resp = client.get("/api/v1/2025/statuses?province=12&scheme=antt&scheme=ma_tuy")
    assert resp.status_code == 400 and "scheme" in resp.get_json()["message"]
    assert resp.get_json()["message_vi"] != resp.get_json()["message"]


# -- anonymous writes (issue 12, 1) ----------------------------------------------------------------
def _status_file(code: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(f"ma_xa,che_do,trang_thai,tu_ngay\n{code},antt,da_chuyen_hoa,2025-09-01\n".encode()), "s.csv"


def test_signed_out_never_reaches_the_upload(app):
    store = store_of(app)
    before = len(store.batches())
    client = login(app, None)
    for q in ("", "?edition=bogus", "?edition=", "?edition=2025&province=12"):
        assert client.get("/admin/upload" + q).status_code in (302, 401)
        resp = client.post("/admin/upload" + q, data={"csrf_token": client.csrf, "kind": "status", "edition": "bogus",
                                                      "province": "12", "file": _status_file("03388")},
                           content_type="multipart/form-data")
        assert resp.status_code in (302, 401), q
        resp = client.post("/admin/upload/commit" + q, data={"csrf_token": client.csrf, "kind": "status",
                                                             "edition": "bogus", "province": "12",
                                                             "upload_id": "x" * 22})
        assert resp.status_code in (302, 401), q
    assert client.get("/compare/12?edition=x").status_code in (302, 401)
    assert len(store.batches()) == before


def test_no_store_row_without_a_user(app):
    store = store_of(app)
    assert len(store.batches()) and not (store.batches()["user"].fillna("") == "").any()
    assert not (store.audit_log(10_000)["user"].fillna("") == "").any()


# -- the policy and the view read the same values (issue 12, 2) ------------------------------------
def _upload(client, query: str, form: dict):
    data = {"csrf_token": client.csrf, "kind": "status", **form, "file": _status_file(form.pop("_code", "24800"))}
    return client.post("/admin/upload" + query, data=data, content_type="multipart/form-data")


def test_query_cannot_steer_the_policy_of_a_write(app):
    client = login(app, "editor68")
    # the form says province 12 (not the editor's), the query says 68: the form decides → refused
    assert _upload(client, "?edition=2025&province=68", {"edition": "2025", "province": "12",
                                                          "_code": "03388"}).status_code == 403
    # the form says another edition: checked against the form's edition, never the query's
    assert _upload(client, "?edition=2025", {"edition": "pre2025", "province": "68"}).status_code in (403, 404)
    # repeated in the form → refused, not "first wins"
    resp = client.post("/admin/upload", data={"csrf_token": client.csrf, "kind": "status", "edition": "2025",
                                              "province": ["68", "12"], "file": _status_file("24800")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400
    # the editor's own province, with a polluted query: previewed for 68, and committed into 68 only
    resp = _upload(client, "?province=12&edition=pre2025", {"edition": "2025", "province": "68"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    upload_id = re.search(r'name="upload_id" value="([^"]+)"', resp.get_data(as_text=True)).group(1)
    resp = client.post("/admin/upload/commit?province=12", data={
        "csrf_token": client.csrf, "kind": "status", "edition": "2025", "province": "68", "upload_id": upload_id})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    batch = store_of(app).batches("status").iloc[0]
    assert batch["user"] == "editor68"
    assert store_of(app).status_records("2025", scheme="antt").query("batch_id == @batch.id")["code"].tolist() == \
        ["24800"]


def test_viewer_cannot_write(app):
    client = login(app, "viewer12")
    assert client.get("/admin/upload").status_code == 403
    assert _upload(client, "", {"edition": "2025", "province": "12", "_code": "03388"}).status_code == 403


# -- share links open only their view (issue 12, 6) ------------------------------------------------
def test_share_link_opens_only_the_view(app):
    owner = login(app, "viewer12")
    resp = owner.post("/share", data={"csrf_token": owner.csrf, "edition": "2025", "province": "12",
                                      "query": "scheme=antt", "days": "3"})
    assert resp.status_code == 200
    path = re.search(r'value="http[^"]+?(/s/[^"]+)"', resp.get_data(as_text=True)).group(1)
    guest = app.test_client()
    view = guest.get(path).headers["Location"]
    assert guest.get(view).status_code == 200
    assert guest.get("/api/v1/2025/statuses?province=12").status_code == 200
    assert guest.get("/export/2025/12.csv").status_code == 200
    for url in ("/map/2025/12", "/unit/2025/03388", "/api/v1/2025/units/03388", "/units/2025/12", "/compare/12",
                "/api/v1/2025/statuses?province=14", "/api/v1/2025/statuses?province=all", "/map/2025/all", "/",
                "/overview/2025", "/api/v1/2025/provinces"):
        assert guest.get(url).status_code in (302, 401, 403), url
    csrf = csrf_of(guest)
    assert guest.post("/share", data={"csrf_token": csrf, "edition": "2025", "province": "12"}).status_code in (302, 401)


# -- declared ranges: 400, never 500, never NaN (issue 12, 7) --------------------------------------
@pytest.mark.parametrize("query", [
    "seed=-1", "seed=1e11", "seed=4294967296", "fdr=Infinity", "fdr=NaN", "fdr=2", "permutations=0",
    "permutations=100000", "method=magic", "weights=x"])
def test_hotspot_parameters_out_of_range_are_400(app, query):
    client = login(app, "admin")
    resp = client.get(f"/api/v1/2025/hotspots?province=12&indicator=so_vu_pham_toi&permutations=9&{query}"
                      if "permutations" not in query else
                      f"/api/v1/2025/hotspots?province=12&indicator=so_vu_pham_toi&{query}")
    assert resp.status_code == 400, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert body["message"] and body["message_vi"]


@pytest.mark.parametrize("query", ["k=1", "k=8", "breaks=NaN", "breaks=1,Infinity", "classes=magic", "rate=7"])
def test_indicator_parameters_out_of_range_are_400(app, query):
    client = login(app, "admin")
    resp = client.get(f"/api/v1/2025/indicators?province=12&indicator=so_vu_pham_toi&{query}")
    assert resp.status_code == 400
    assert "NaN" not in resp.get_data(as_text=True) and "Infinity" not in resp.get_data(as_text=True)


def test_seed_limits_are_accepted(app):
    client = login(app, "admin")
    for seed in (0, 2 ** 32 - 1):
        resp = client.get(f"/api/v1/2025/hotspots?province=12&indicator=so_vu_pham_toi&permutations=9&seed={seed}")
        assert resp.status_code == 200, resp.get_data(as_text=True)[:300]


def test_openapi_parameters_come_from_the_declarations(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    params = {p["name"]: p for p in doc["paths"]["/api/v1/{edition}/hotspots"]["get"]["parameters"]}
    assert params["seed"]["schema"]["minimum"] == 0 and params["seed"]["schema"]["maximum"] == 2 ** 32 - 1
    assert params["permutations"]["schema"]["maximum"] == 9999
    indicators = {p["name"]: p for p in doc["paths"]["/api/v1/{edition}/indicators"]["get"]["parameters"]}
    assert (indicators["k"]["schema"]["minimum"], indicators["k"]["schema"]["maximum"]) == (2, 7)
    assert indicators["indicator"]["required"] and indicators["edition"]["in"] == "path"


# -- fail closed by construction -------------------------------------------------------------------
def test_every_route_has_a_rule(app):
    assert {r.endpoint for r in app.url_map.iter_rules()} <= set(POLICY)


def test_an_error_while_deciding_denies(app, monkeypatch):
    def broken(params):
        raise RuntimeError("boom")
    monkeypatch.setattr(policy, "scope_of", broken)
    client = login(app, "admin")
    assert client.get("/api/v1/2025/statuses?province=12").status_code == 403


def test_unknown_access_kind_denies():
    p = access.Principal("x", "admin", True)
    assert not policy.decide("mystery", False, p, None, "GET").allowed
    anon = access.Principal()
    for kind in (policy.SIGNED_IN, policy.READ, policy.EDIT, policy.ADMIN, policy.ANY_EDITOR):
        assert policy.must_sign_in(kind, True, anon, "GET")
    shared = access.Principal(via="share", shared=frozenset({"2025:12"}))
    assert policy.must_sign_in(policy.EDIT, True, shared, "POST")
    assert policy.must_sign_in(policy.READ, False, shared, "GET")


def test_refusals_read_in_vietnamese_without_english_inside(app):
    """pydantic words its errors in English; the Vietnamese message says the same in Vietnamese
    (limits included), never the English sentence in parentheses."""
    from pydantic import ValidationError

    from geoapp.web.param_messages import UNKNOWN_VI, vietnamese
    from geoapp.web.params import ApiHotspotsParams, ApiIndicatorsParams

    def errors(model, data):
        with app.app_context(), pytest.raises(ValidationError) as caught:
            model.model_validate(data)
        return caught.value.errors(include_url=False)

    big = errors(ApiIndicatorsParams, {"edition": "2025", "province": "12", "indicator": "x", "k": "9"})
    by_name = {e["loc"][0]: vietnamese(e) for e in big}
    assert by_name["k"] == "phải nhỏ hơn hoặc bằng 7"
    assert by_name["indicator"] == "chỉ tiêu không có trong danh mục"
    fdr = errors(ApiHotspotsParams, {"edition": "2025", "scheme": "antt", "fdr": "2"})
    assert [vietnamese(e) for e in fdr] == ["fdr là mức ý nghĩa trong khoảng (0, 1), hoặc none"]
    assert vietnamese({"type": "value_error", "msg": "Value error, something new"}) == UNKNOWN_VI
    assert vietnamese({"type": "never_heard_of"}) == UNKNOWN_VI
    for e in big + fdr:
        assert e["msg"].removeprefix("Value error, ") not in vietnamese(e)
        assert not {"Input", "should", "unknown", "between"} & set(vietnamese(e).split())
