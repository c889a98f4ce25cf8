"""Response cache keyed by the store's data version: ETag validation, gzip, in-process LRU.

Trip-wire: the key includes ``Store.data_version()``, so any committed write (import,
roll-back) changes every ETag and makes stale entries unreachable; nothing has to be purged
by hand. Bodies are kept gzipped once and served as-is to clients that accept gzip.
"""
from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from typing import Callable

from flask import Response, request

from .store_access import store

MAX_ENTRIES = 256
_lock = threading.Lock()
_entries: OrderedDict[str, tuple[bytes, bytes, str]] = OrderedDict()


def _key(extra: str = "") -> str:
    args = "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)) if k != "lang")
    # the store's URL too: two apps in one process (or a database swapped) must not share entries
    return f"{store().url}|{store().data_version()}|{request.path}|{args}|{extra}"


def cached(produce: Callable[[], bytes], mimetype: str, extra: str = "", max_age: int = 60) -> Response:
    """Serve ``produce()`` through the cache, honouring If-None-Match and Accept-Encoding."""
    key = _key(extra)
    etag = hashlib.sha1(key.encode()).hexdigest()[:20]
    if request.if_none_match.contains(etag):
        resp = Response(status=304)
        resp.set_etag(etag)
        return resp
    with _lock:
        entry = _entries.get(key)
        if entry:
            _entries.move_to_end(key)
    if entry is None:
        body = produce()
        entry = (body, gzip.compress(body, 6), mimetype)
        with _lock:
            _entries[key] = entry
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    body, zipped, mime = entry
    if "gzip" in (request.headers.get("Accept-Encoding") or ""):
        resp = Response(zipped, mimetype=mime)
        resp.headers["Content-Encoding"] = "gzip"
    else:
        resp = Response(body, mimetype=mime)
    resp.headers["Vary"] = "Accept-Encoding"
    resp.headers["Cache-Control"] = f"private, max-age={max_age}, must-revalidate"
    resp.set_etag(etag)
    return resp


def clear():
    with _lock:
        _entries.clear()
