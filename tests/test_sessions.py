"""Sign-in under attack (issue 12, items 4 and 6): atomic lockout counters, one answer for every
refusal, logout that ends the session on the server, no CSRF fallback, share links that die with
their creator, and a store that refuses writes nobody is answerable for.

Runs on the suite's backend (GEOAPP_TEST_BACKEND=sqlite or postgis).
"""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from geoapp import access, create_app
from geoapp.errors import InputError
from geoapp.store.base import BatchInfo

from .conftest import db_url

PASSWORD = "correct horse battery"
WRONG = "wrong password!!"
THREADS = 50


class PasswordChecks:
    """Counts scrypt checks made by geoapp.access, by the hash they checked against."""

    def __init__(self):
        self.hashes: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, pwhash, password):
        with self._lock:
            self.hashes.append(pwhash)
        return check_password_hash(pwhash, password)

    def against(self, user: dict) -> int:
        return sum(h == user["password_hash"] for h in self.hashes)


@pytest.fixture
def checks(monkeypatch):
    """Count password checks; hashes made during the test are cheap scrypt (50 parallel full-cost
    checks would take 1.6 GB and many seconds on a shared runner; the cost is not what is tested)."""
    counter = PasswordChecks()
    monkeypatch.setattr(access, "check_password_hash", counter)
    monkeypatch.setattr(access, "generate_password_hash",
                        lambda password, method="scrypt": generate_password_hash(password, method="scrypt:1024:8:1"))
    access._dummy_hash.cache_clear()
    yield counter
    access._dummy_hash.cache_clear()


def _attempt(store, name, password, origin):
    """The outcome of one login: "ok", "refused" or "throttled"."""
    try:
        access.authenticate(store, name, password, origin)
    except access.ThrottledError:
        return "throttled"
    except access.AuthError:
        return "refused"
    return "ok"


def _parallel(n, fn):
    start = threading.Barrier(n)

    def run(i):
        start.wait()
        return fn(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


# -- atomic counters ------------------------------------------------------------------------------
def test_parallel_wrong_logins_lock_at_exactly_the_limit(store, checks):
    access.add_user(store, "target", "viewer", ["2025:12"], PASSWORD)
    # every thread from its own address: only the account limit is in play
    outcomes = _parallel(THREADS, lambda i: _attempt(store, "target", WRONG, f"10.1.{i // 250}.{i % 250}"))
    user = store.user("target")
    assert outcomes == ["refused"] * THREADS
    assert user["failed_logins"] == access.MAX_FAILED
    assert user["locked_until"] is not None
    assert checks.against(user) == access.MAX_FAILED          # no more passwords checked than the limit
    # the right password afterwards is refused while the account is locked, and not even checked
    assert _attempt(store, "target", PASSWORD, "10.2.0.1") == "refused"
    assert checks.against(user) == access.MAX_FAILED
    assert store.user("target")["failed_logins"] == access.MAX_FAILED


def test_right_password_after_parallel_wrong_ones_below_the_limit_clears_the_count(store, checks):
    access.add_user(store, "fumbler", "viewer", ["2025:12"], PASSWORD)
    n = access.MAX_FAILED - 1
    assert _parallel(n, lambda i: _attempt(store, "fumbler", WRONG, f"10.3.0.{i}")) == ["refused"] * n
    assert store.user("fumbler")["failed_logins"] == n
    assert _attempt(store, "fumbler", PASSWORD, "10.3.1.1") == "ok"
    assert store.user("fumbler")["failed_logins"] == 0


def test_parallel_attempts_from_one_address_check_at_most_the_address_limit(store, checks):
    for name in ("addr_a", "addr_b", "addr_c"):
        access.add_user(store, name, "viewer", ["2025:12"], PASSWORD)
    names = ["addr_a", "addr_b", "addr_c", "nobody_here"]
    n = 60
    outcomes = _parallel(n, lambda i: _attempt(store, names[i % 4], WRONG, "203.0.113.9"))
    assert len(checks.hashes) == access.ORIGIN_MAX_FAILED   # throttled attempts check no password at all
    assert outcomes.count("throttled") == n - access.ORIGIN_MAX_FAILED
    # the address stays throttled, even for a right password; another address is not affected
    assert _attempt(store, "addr_a", PASSWORD, "203.0.113.9") == "throttled"
    access.add_user(store, "addr_d", "viewer", ["2025:12"], PASSWORD)
    assert _attempt(store, "addr_d", PASSWORD, "203.0.113.10") == "ok"


def test_a_right_password_does_not_use_up_the_address(store, checks):
    access.add_user(store, "regular", "viewer", ["2025:12"], PASSWORD)
    for _ in range(access.ORIGIN_MAX_FAILED + 5):
        assert _attempt(store, "regular", PASSWORD, "198.51.100.7") == "ok"


# -- one answer for every refusal -----------------------------------------------------------------
@pytest.fixture
def app(tmp_path):
    app = create_app({"DATABASE_URL": db_url(tmp_path, "s"), "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "t",
                      "COOKIE_SECURE": False})
    return app


def _client(app, addr="127.0.0.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = addr
    return client


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _login_form(client, name, password):
    token = _csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


def _signed_in(app, name, addr="127.0.0.1"):
    client = _client(app, addr)
    assert _login_form(client, name, PASSWORD).status_code == 302
    client.csrf = _csrf(client.get("/about").get_data(as_text=True))
    return client


def test_unknown_wrong_locked_and_disabled_answer_alike(app, checks):
    store = app.extensions["geoapp.store"]
    for name in ("wrongpw", "locked", "gone"):
        access.add_user(store, name, "viewer", ["2025:12"], PASSWORD)
    for i in range(access.MAX_FAILED):
        _attempt(store, "locked", WRONG, f"10.9.0.{i}")
    access.disable_user(store, "gone")
    client = _client(app, "192.0.2.1")
    answers = {}
    for case, (name, password) in {"unknown": ("no_such_user", PASSWORD), "wrong": ("wrongpw", WRONG),
                                   "locked": ("locked", PASSWORD), "disabled": ("gone", PASSWORD)}.items():
        before = len(checks.hashes)
        resp = _login_form(client, name, password)
        body = re.sub(r'name="csrf_token" value="[^"]+"', "", resp.get_data(as_text=True))
        answers[case] = (resp.status_code, body)
        assert len(checks.hashes) - before == 1, f"{case}: one scrypt check, like every other case"
    assert answers["unknown"][0] == 401
    assert len(set(answers.values())) == 1, {k: v[0] for k, v in answers.items()}


# -- sessions end on the server -------------------------------------------------------------------
def test_a_replayed_cookie_after_logout_is_anonymous(app, checks):
    access.add_user(app.extensions["geoapp.store"], "leaver", "viewer", ["2025:12"], PASSWORD)
    client = _signed_in(app, "leaver")
    stolen = client.get_cookie("geoapp_session").value
    assert client.get("/api/v1/editions").status_code == 200
    assert client.post("/logout", data={"csrf_token": client.csrf}).status_code == 302
    replay = _client(app)
    replay.set_cookie("geoapp_session", stolen)
    assert replay.get("/api/v1/editions").status_code == 401
    assert replay.get("/").status_code == 302                 # to the sign-in page
    assert "/login" in replay.get("/").headers["Location"]


def test_a_cookie_naming_a_user_but_no_server_session_is_anonymous(app, checks):
    access.add_user(app.extensions["geoapp.store"], "oldstyle", "admin", [], PASSWORD)
    forged = app.session_interface.get_signing_serializer(app).dumps({"user": "oldstyle", "epoch": 0})
    client = _client(app)
    client.set_cookie("geoapp_session", forged)
    assert client.get("/api/v1/editions").status_code == 401


def test_logout_everywhere_revokes_every_session_row(app, checks):
    store = app.extensions["geoapp.store"]
    access.add_user(store, "roamer2", "viewer", ["2025:12"], PASSWORD)
    a, b = _signed_in(app, "roamer2"), _signed_in(app, "roamer2", "127.0.0.2")
    kept = b.get_cookie("geoapp_session").value
    assert a.post("/logout-everywhere", data={"csrf_token": a.csrf}).status_code == 302
    replay = _client(app)
    replay.set_cookie("geoapp_session", kept)
    assert replay.get("/api/v1/editions").status_code == 401
    user_id = store.user("roamer2")["id"]
    rows = store._frame(f"SELECT revoked_at FROM sessions WHERE user_id = {int(user_id)}")
    assert len(rows) == 2 and rows["revoked_at"].notna().all()


def test_a_session_ends_with_its_expiry(store, checks):
    access.add_user(store, "brief", "viewer", ["2025:12"], PASSWORD)
    user = access.authenticate(store, "brief", PASSWORD, "10.5.0.1")
    assert access.live_session(store, access.start_session(store, user))["name"] == "brief"
    assert access.live_session(store, access.start_session(store, user, hours=-1)) is None
    assert access.live_session(store, "made-up-id") is None


# -- CSRF without fallback ------------------------------------------------------------------------
def test_a_session_without_a_csrf_token_refuses_nul(app, checks):
    store = app.extensions["geoapp.store"]
    access.add_user(store, "nulled", "viewer", ["2025:12"], PASSWORD)
    fresh = _client(app)                                      # never rendered a form: no token in its session
    assert fresh.post("/login", data={"name": "nulled", "password": PASSWORD, "csrf_token": "\0"}).status_code == 400
    # signed in, before any page rendered a token: the new session holds none either
    client = _client(app, "127.0.0.3")
    assert _login_form(client, "nulled", PASSWORD).status_code == 302
    assert client.post("/logout", data={"csrf_token": "\0"}).status_code == 400
    assert client.post("/logout", headers={"X-CSRF-Token": "\0"}).status_code == 400
    assert client.post("/logout").status_code == 400
    assert client.get("/api/v1/editions").status_code == 200      # still signed in: nothing was accepted


def test_a_non_ascii_csrf_token_is_a_400_not_a_500(app):
    client = _client(app)
    client.get("/login")
    assert client.post("/login", data={"name": "x", "password": "y", "csrf_token": "é"}).status_code == 400


# -- share links die with their creator -----------------------------------------------------------
END_CREATOR = {
    "disable": lambda store, name: access.disable_user(store, name),
    "set_role": lambda store, name: access.set_role(store, name, "viewer", ["2025:12"]),
    "logout_everywhere": lambda store, name: access.logout_everywhere(store, name),
}


@pytest.mark.parametrize("action", sorted(END_CREATOR))
def test_a_share_link_dies_with_its_creator(app, checks, action):
    store = app.extensions["geoapp.store"]
    access.add_user(store, "sharer", "editor", ["2025:12"], PASSWORD)
    access.add_user(store, "bystander", "viewer", ["2025:12"], PASSWORD)
    token = access.create_share_link(store, "/embed/map/2025/12", "2025", "12", 7, by="sharer")
    guest = _client(app)
    assert guest.get(f"/s/{token}").status_code == 302
    access.set_role(store, "bystander", "viewer", ["2025:14"])     # someone else's change: the link lives on
    assert access.live_share(store, token) is not None
    END_CREATOR[action](store, "sharer")
    assert access.live_share(store, token) is None
    assert _client(app).get(f"/s/{token}").status_code == 404


def test_set_role_ends_the_users_sessions(app, checks):
    store = app.extensions["geoapp.store"]
    access.add_user(store, "promoted", "viewer", ["2025:12"], PASSWORD)
    client = _signed_in(app, "promoted")
    epoch = store.user("promoted")["session_epoch"]
    access.set_role(store, "promoted", "editor", ["2025:12"])
    assert store.user("promoted")["session_epoch"] == epoch + 1
    assert client.get("/api/v1/editions").status_code == 401


def test_a_disabled_user_cannot_create_a_share_link(store, checks):
    access.add_user(store, "former", "viewer", ["2025:12"], PASSWORD)
    access.disable_user(store, "former")
    with pytest.raises(Exception) as info:
        access.create_share_link(store, "/embed/map/2025/12", "2025", "12", 7, by="former")
    assert "no active user" in str(info.value)


# -- no row without a user ------------------------------------------------------------------------
NOBODY = ["", "   ", None]


@pytest.mark.parametrize("user", NOBODY)
def test_the_store_refuses_an_audit_row_without_a_user(store, user):
    with pytest.raises(InputError):
        with store.transaction() as tx:
            store.audit(tx, user, "boundaries.import", "2025:12")
    assert store.audit_log(10).empty


@pytest.mark.parametrize("kind", ["status", "indicators", "boundaries"])
@pytest.mark.parametrize("user", NOBODY)
def test_the_store_refuses_an_import_batch_without_a_user(store, user, kind):
    with pytest.raises(InputError):
        with store.transaction() as tx:
            store.add_batch(tx, BatchInfo(kind, "2025", "x.csv", "abc", user, 1))
    assert store.batches().empty
