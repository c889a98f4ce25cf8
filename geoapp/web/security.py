"""Per-request CSP nonce, the security headers every response carries, and the trusted-proxy fix.

Trip-wires:

* ``Cache-Control: private, no-store`` is *forced* (not ``setdefault``) on every response except
  the few in :data:`SHARED_CACHE_OK`, in one ``after_request`` hook, so a new route, an export,
  an error page or a 304 cannot forget it; ``web/cache.py``'s ``max-age`` is overridden here.
  ``/about`` and ``/login`` are public but still no-store: their HTML carries this session's
  CSRF token and the signed-in name, so a shared cache must never keep them.
* HSTS is sent only when ``request.is_secure``. Behind nginx that terminates TLS, that is true
  only with ``TRUSTED_PROXIES`` ≥ 1 (ProxyFix reads ``X-Forwarded-Proto``). With 0, the
  ``X-Forwarded-*`` headers are ignored: anyone could forge them.
"""
from __future__ import annotations

import secrets

from flask import g, request
from werkzeug.middleware.proxy_fix import ProxyFix

HSTS = "max-age=31536000; includeSubDomains"
NO_STORE = "private, no-store"
#: endpoints whose answer is the same for everyone (no session data in the body): caches may keep them
SHARED_CACHE_OK = frozenset({"static", "api.openapi_document"})


def nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def embed_origins(setting: str | None) -> list[str]:
    """The sources of ``EMBED_ORIGINS`` (CSP ``frame-ancestors``) one by one; empty means ``'self'``."""
    return (setting or "").split() or ["'self'"]


def trust_proxies(app) -> None:
    """Wrap the WSGI app in ProxyFix for ``TRUSTED_PROXIES`` hops (0: trust no forwarded header)."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def cache_headers(resp):
    """No shared or browser cache keeps an answer that depends on who asks; HSTS over HTTPS only."""
    if request.endpoint not in SHARED_CACHE_OK:
        resp.headers["Cache-Control"] = NO_STORE
        resp.headers.pop("Expires", None)
    if request.is_secure:
        resp.headers["Strict-Transport-Security"] = HSTS
    return resp


def init_app(app):
    app.jinja_env.globals["csp_nonce"] = nonce
    app.jinja_env.globals["embed_origins"] = lambda: embed_origins(app.config.get("EMBED_ORIGINS"))
    trust_proxies(app)
    app.after_request(cache_headers)

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
            framers = " ".join(embed_origins(app.config.get("EMBED_ORIGINS")))
        resp.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; img-src {img}; style-src 'self' 'nonce-{nonce()}'; "
            f"script-src 'self' 'nonce-{nonce()}'; object-src 'none'; base-uri 'none'; "
            f"frame-ancestors {framers}; form-action 'self'")
        return resp
