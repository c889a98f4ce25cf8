"""Sign-in, sessions, API tokens, CSRF and the policy check that runs before every request."""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlparse

from flask import (Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, session,
                   url_for)

from .. import access
from ..errors import GeoappError
from ..ingest import check_edition
from .policy import ADMIN, ANY_EDITOR, POLICY, PUBLIC, SIGNED_IN
from .store_access import store

bp = Blueprint("auth", __name__)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def _origin() -> str:
    return request.remote_addr or ""


def _load_principal() -> access.Principal:
    public = bool(current_app.config.get("PUBLIC_READ"))
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = store().token_user(access.token_hash(header[7:].strip()))
        if user is None or user["disabled"]:
            abort(401, "invalid or revoked API token")
        return access.principal_of(user, "token")
    name = session.get("user")
    if name:
        user = store().user(name)
        if user and not user["disabled"] and user["session_epoch"] == session.get("epoch"):
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


def _deny(status: int, message: str, message_vi: str):
    if request.path.startswith("/api/"):
        resp = jsonify({"status": status, "error": "Unauthorized" if status == 401 else "Forbidden",
                        "message": message, "message_vi": message_vi})
        resp.status_code = status
        return resp
    if status == 401:
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    abort(status, message)


def init_app(app):
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.before_request
    def check_access():
        g.principal = _load_principal()
        if request.method in UNSAFE and g.principal.via != "token":
            sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
            if not hmac.compare_digest(sent, session.get("csrf", "\0")):
                abort(400, "missing or wrong CSRF token; reload the page and try again")
        rule = POLICY.get(request.endpoint or "")
        if rule is None:
            if request.endpoint is None:
                return None          # 404 / 405 handled by Flask
            return _deny(403, "no access rule for this page", "trang này chưa có quy tắc truy cập")
        p = g.principal
        if rule == PUBLIC:
            return None
        if rule == SIGNED_IN:
            if not (p.authenticated or p.public_read):
                return _deny(401, "sign in first", "hãy đăng nhập trước")
            return None
        if rule == ADMIN:
            if not p.authenticated:
                return _deny(401, "sign in first", "hãy đăng nhập trước")
            return None if p.is_admin else _deny(403, "administrators only", "chỉ dành cho quản trị viên")
        action, find = rule
        view_args = request.view_args or {}
        edition = view_args.get("edition") or request.values.get("edition") or "2025"
        try:
            check_edition(edition)
            province = find(edition, request.args, view_args)
        except GeoappError:
            return None              # the view itself answers with the proper 4xx
        if province == SIGNED_IN:
            if not (p.authenticated or p.public_read or p.shared):
                return _deny(401, "sign in first", "hãy đăng nhập trước")
            return None
        if province == ANY_EDITOR:
            if not p.authenticated:
                return _deny(401, "sign in first", "hãy đăng nhập trước")
            return None if p.role in ("admin", "editor") else _deny(403, "editors only", "chỉ dành cho biên tập viên")
        allowed = p.can_edit(edition, province) if action == "edit" else p.can_read(edition, province)
        if not allowed and not (p.authenticated or p.public_read):
            return _deny(401, "sign in first", "hãy đăng nhập trước")
        if not allowed:
            where = f"province {province} of edition {edition}" if province else f"the whole edition {edition}"
            return _deny(403, f"you may not {action} {where}", f"bạn không có quyền truy cập {where}")
        return None


def _safe_next(target: str | None) -> str:
    if not target:
        return url_for("pages.index")
    parts = urlparse(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("pages.index")
    return target


@bp.post("/share")
def create_share():
    """Create a share link for the map view in the form (the user must be able to read it)."""
    edition = request.form.get("edition", "")
    province = request.form.get("province", "")
    check_edition(edition)
    if not g.principal.can_read(edition, province if province != "all" else None):
        abort(403, "you may not share what you cannot read")
    query = request.form.get("query", "")
    if len(query) > 1000 or any(ch in query for ch in "\r\n<>\"'"):
        abort(400, "bad view")
    try:
        days = int(request.form.get("days", 7))
    except ValueError:
        abort(400, "days must be a whole number")
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
    error = None
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()
        try:
            access.authenticate(store(), name, request.form.get("password") or "", _origin())
        except access.ThrottledError as exc:
            return render_template("login.html", error=exc, next=request.form.get("next")), 429
        except access.AuthError as exc:
            error = exc
        else:
            user = store().user(name)
            session.clear()
            session["user"] = name
            session["epoch"] = user["session_epoch"]
            session.permanent = True
            return redirect(_safe_next(request.form.get("next")))
    return render_template("login.html", error=error, next=request.args.get("next", "")), (401 if error else 200)


@bp.post("/logout")
def logout():
    """Sign out of this browser."""
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/logout-everywhere")
def logout_everywhere():
    """Sign out of every browser and revoke every API token of the user."""
    access.logout_everywhere(store(), g.principal.name, origin=_origin())
    session.clear()
    return redirect(url_for("auth.login"))
