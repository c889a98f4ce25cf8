"""gzip for the answers :mod:`geoapp.web.cache` does not already compress: pages (HTML) and JSON from
routes without the response cache (errors, ``/units/<code>``, the OpenAPI document), when the client
accepts gzip. A map page's HTML is 12 KB, 3 KB gzipped — it counts in a first load of 250 KB.

Trip-wires: streamed answers (files, exports: ``direct_passthrough``), answers already encoded (the
response cache, WhiteNoise's static files, which never pass through here), small ones and other types
are left as they are; ``Vary: Accept-Encoding`` is set on what is compressed. An ``ETag`` set by the view
names the uncompressed body, so a compressed answer's ETag is made weak (same meaning, other bytes).
"""
from __future__ import annotations

import gzip

from flask import request

#: media types worth compressing
COMPRESSIBLE = frozenset({"text/html", "application/json", "application/geo+json", "application/problem+json",
                          "text/plain", "text/csv", "image/svg+xml"})
#: below this many bytes gzip saves nothing worth the work
MIN_BYTES = 1024


def init_app(app):
    app.after_request(compress)


def accepts_gzip() -> bool:
    """Whether the request's ``Accept-Encoding`` allows gzip (``gzip;q=0`` refuses it)."""
    for part in (request.headers.get("Accept-Encoding") or "").lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def compress(resp):
    if (resp.direct_passthrough or resp.status_code in (204, 206, 304) or resp.status_code < 200
            or "Content-Encoding" in resp.headers or resp.mimetype not in COMPRESSIBLE or not accepts_gzip()):
        return resp
    body = resp.get_data()
    if len(body) < MIN_BYTES:
        return resp
    resp.set_data(gzip.compress(body, 6))
    resp.headers["Content-Encoding"] = "gzip"
    resp.vary.add("Accept-Encoding")
    etag, weak = resp.get_etag()
    if etag and not weak:
        resp.set_etag(etag, weak=True)
    return resp
