"""Per-request CSP nonce and the security headers every response carries."""
from __future__ import annotations

import secrets

from flask import g, request


def nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app):
    app.jinja_env.globals["csp_nonce"] = nonce

    @app.after_request
    def security_headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        img = "'self' data:"
        tiles = app.config.get("TILES", "none")
        if tiles and tiles.lower() != "none":
            img += " https:" if tiles.lower() == "osm" or tiles.startswith("https:") else " http: https:"
        framers = "'none'"
        if request.endpoint == "pages.embed_map":
            framers = app.config.get("EMBED_ORIGINS") or "'self'"
        resp.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; img-src {img}; style-src 'self' 'nonce-{nonce()}'; "
            f"script-src 'self' 'nonce-{nonce()}'; object-src 'none'; base-uri 'none'; "
            f"frame-ancestors {framers}; form-action 'self'")
        return resp
