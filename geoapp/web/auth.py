"""Sign-in, sessions, API tokens, CSRF and the policy check that runs before every request."""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlparse

from flask import (Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, session,
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
    return access.Principal(public_read=public, via="public" if public else "")


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
        if not (p.authenticated or p.public_read):
            return _deny(401, "sign in first", "hãy đăng nhập trước")
        if rule == SIGNED_IN:
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
            return None
        if province == ANY_EDITOR:
            if not p.authenticated:
                return _deny(401, "sign in first", "hãy đăng nhập trước")
            return None if p.role in ("admin", "editor") else _deny(403, "editors only", "chỉ dành cho biên tập viên")
        allowed = p.can_edit(edition, province) if action == "edit" else p.can_read(edition, province)
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
