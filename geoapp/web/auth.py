"""Sign-in, sessions, API tokens, CSRF and share links; the gate (gate.py) calls
:func:`load_principal`, :func:`check_csrf` and :func:`deny` before every request.

Trip-wires: the session cookie is signed but client-side, so it carries only a random session id
(``sid``); whether that id still opens anything is decided on the server each request
(:func:`geoapp.access.live_session`), which is what makes logout final. A session without a CSRF
token accepts no form at all — there is no fallback value.
"""
from __future__ import annotations

import base64
import hmac
import secrets
from urllib.parse import urlparse

from flask import (Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, session,
                   url_for)

from .. import access
from ..errors import InputError
from .errors import http_error
from .store_access import store

bp = Blueprint("auth", __name__)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def csrf_token() -> str:
    """This session's CSRF secret, masked afresh for every use: ``mask + (mask XOR secret)`` in URL-safe
    base64. Pages are sent gzip-compressed (:mod:`.compress`) and some echo what the request asked for; a
    secret repeated verbatim in such a page could be guessed byte by byte from the compressed size
    (BREACH). Masked, the token's bytes differ on every page while :func:`check_csrf` still recovers it."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    secret = session["csrf"].encode()
    mask = secrets.token_bytes(len(secret))
    return base64.urlsafe_b64encode(mask + bytes(m ^ c for m, c in zip(mask, secret))).decode().rstrip("=")


def _unmasked(sent: str) -> bytes:
    """The secret inside a token from :func:`csrf_token` (``b""`` when it is not one)."""
    try:
        raw = base64.urlsafe_b64decode(sent + "=" * (-len(sent) % 4))
    except (ValueError, TypeError):
        return b""
    half = len(raw) // 2
    if not half or len(raw) % 2:
        return b""
    return bytes(m ^ c for m, c in zip(raw[:half], raw[half:]))


def _origin() -> str:
    return request.remote_addr or ""


def load_principal() -> access.Principal:
    public = bool(current_app.config.get("PUBLIC_READ"))
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = store().token_user(access.token_hash(header[7:].strip()))
        if user is None or user["disabled"]:
            abort(401, "invalid or revoked API token")
        return access.principal_of(user, "token")
    if "sid" in session or "user" in session:     # "user": a cookie from before server-side sessions
        user = access.live_session(store(), session.get("sid"))
        if user is not None:
            return access.principal_of(user, "session")
        session.clear()
    shared = _shared_grants()
    if shared:
        return access.Principal(public_read=public, via="share", shared=frozenset(shared))
    return access.Principal(public_read=public, via="public" if public else "")


def _shared_grants() -> set[str]:
    """Provinces opened by share links held in this browser session; dead links drop out (fail closed)."""
    grants, live = set(), []
    for token in session.get("shares", []):
        link = access.live_share(store(), token)
        if link:
            grants.add(f"{link['edition']}:{link['province']}")
            live.append(token)
    if len(live) != len(session.get("shares", [])):
        session["shares"] = live
    return grants


def deny(status: int, message: str, message_vi: str):
    if request.path.startswith("/api/"):
        resp = jsonify({"status": status, "error": "Unauthorized" if status == 401 else "Forbidden",
                        "message": message, "message_vi": message_vi})
        resp.status_code = status
        return resp
    if status == 401:
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    raise http_error(status, message, message_vi)      # both languages: the page shows the reader's


def check_csrf() -> None:
    """Refuse an unsafe request whose CSRF token does not match this session's (API-token requests
    are exempt). A session that holds no token refuses every unsafe request: nothing to match."""
    if request.method not in UNSAFE or g.principal.via == "token":
        return
    expected = session.get("csrf")
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    # bytes: compare_digest refuses str with non-ASCII characters (a 500 instead of a 400)
    # the masked token of a page; the bare secret (never sent out by geoapp) is accepted too
    if not (isinstance(expected, str) and expected and sent
            and (hmac.compare_digest(_unmasked(sent), expected.encode())
                 or hmac.compare_digest(sent.encode(), expected.encode()))):
        raise InputError("missing or wrong CSRF token; reload the page and try again",
                         message_vi="thiếu hoặc sai mã CSRF; hãy tải lại trang rồi thử lại")


def init_app(app):
    app.jinja_env.globals["csrf_token"] = csrf_token


def _safe_next(target: str | None) -> str:
    if not target:
        return url_for("pages.index")
    parts = urlparse(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("pages.index")
    return target


@bp.post("/share")
def create_share():
    """Create a share link for the map view in the form (the gate checked that the user may read it)."""
    q = g.params
    edition, province, query, days = q.edition, q.province, q.query, q.days
    view = url_for("pages.embed_map", edition=edition, province=province) + ("?" + query.lstrip("?") if query else "")
    token = access.create_share_link(store(), view, edition, province, days, by=g.principal.name, origin=_origin())
    link = url_for("auth.open_share", token=token, _external=True)
    return render_template("share_done.html", link=link, days=days, view=view)


@bp.get("/s/<token>")
def open_share(token: str):
    """Open a shared map view without an account (only while the link is live)."""
    link = access.live_share(store(), token)
    if link is None:
        abort(404, "this share link does not exist, has expired or was revoked")
    shares = [t for t in session.get("shares", []) if t != token][-9:] + [token]
    session["shares"] = shares
    return redirect(link["view"])


@bp.post("/share/<int:link_id>/revoke")
def revoke_share(link_id: int):
    """Revoke a share link (its creator or an administrator)."""
    links = store().share_links()
    row = links[links["id"] == link_id]
    if row.empty:
        abort(404)
    if not (g.principal.is_admin or row.iloc[0]["created_by"] == g.principal.name):
        abort(403, "only the creator or an administrator may revoke this link")
    with store().transaction() as tx:
        store().revoke_share_link(tx, link_id, g.principal.name)
        store().audit(tx, g.principal.name, "share.revoke", str(link_id), {}, _origin())
    return redirect(url_for("admin.shares"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with a user name and password."""
    error, q = None, g.params                # web.params.LoginParams: form on POST, query on GET
    if request.method == "POST":
        try:
            user = access.authenticate(store(), q.name, q.password, _origin())
        except access.ThrottledError as exc:
            return render_template("login.html", error=exc, next=q.next), 429
        except access.AuthError as exc:
            error = exc        # one text for unknown, wrong, locked and disabled: the page says no more
        else:
            lifetime = current_app.permanent_session_lifetime.total_seconds() / 3600
            sid = access.start_session(store(), user, hours=lifetime)
            session.clear()    # nothing from before the sign-in survives it (no session fixation)
            session["sid"] = sid
            session.permanent = True
            return redirect(_safe_next(q.next))
    return render_template("login.html", error=error, next=q.next), (401 if error else 200)


@bp.post("/logout")
def logout():
    """Sign out of this browser: the session ends on the server too."""
    if g.principal.via == "session" and session.get("sid"):
        access.end_session(store(), session["sid"], by=g.principal.name, origin=_origin())
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/logout-everywhere")
def logout_everywhere():
    """Sign out of every browser and revoke every API token of the user."""
    access.logout_everywhere(store(), g.principal.name, origin=_origin())
    session.clear()
    return redirect(url_for("auth.login"))
