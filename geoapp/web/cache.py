"""Response cache keyed by the store's data version: ETag validation, gzip, in-process LRU bounded in bytes.

Trip-wires:

* The key includes ``Store.data_version()``, so any committed write (import, roll-back) changes
  every ETag and makes stale entries unreachable; nothing has to be purged by hand. Stale
  entries age out of the LRU.
* The key includes the raw query string, so junk parameters make new entries: the cache is
  bounded by the bytes it holds (``CACHE_MB``: body + gzipped body), not only by entries. One
  answer larger than :data:`MAX_SHARE` of the budget is served but never kept, so it cannot
  flush everything else.
* Identical requests that arrive while one is being computed wait for it (single flight)
  instead of computing it again; if it fails, they fail with the same error.
* The caches live in the process, shared by every app in it (tests build many); the byte limit
  used is the one of the app serving the request that stores the entry.
"""
from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from typing import Callable

from flask import Response, current_app, g, request

from .store_access import store

#: an extra bound on the number of response-cache entries (benchmarks set 0 to measure a cold cache)
MAX_ENTRIES = 256
#: one entry may take at most this share of a cache's byte budget
MAX_SHARE = 0.25


class _Flight:
    """One computation in progress, waited on by identical requests."""

    def __init__(self):
        self.done = threading.Event()
        self.waiters = 0       # identical requests waiting for this one (tests and benchmarks read it)
        self.value = None
        self.error: BaseException | None = None


class ByteLRU:
    """An LRU of computed values bounded by their total size in bytes, with single flight.

    ``get_or_compute(key, produce, size_of, limit)`` returns the stored value, or waits for the
    identical computation in progress, or runs ``produce()`` itself and keeps the value when it
    fits (``size_of(value) <= MAX_SHARE * limit``), evicting the least recently used entries
    until the total is within ``limit`` bytes.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[object, int]] = OrderedDict()
        self._flights: dict[str, _Flight] = {}
        self.size = 0          # bytes held, as counted by size_of

    def __len__(self) -> int:
        return len(self._entries)

    def waiting(self, key: str | None = None) -> int:
        """How many requests wait for the computation of ``key`` in progress (default: of any key)."""
        with self._lock:
            flights = [self._flights[key]] if key in self._flights else [] if key else self._flights.values()
            return sum(f.waiters for f in flights)

    def get(self, key: str):
        """The stored value (now most recently used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def get_or_compute(self, key: str, produce: Callable[[], object], size_of: Callable[[object], int],
                       limit: int, max_entries: int | None = None):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry[0]
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = _Flight()
            else:
                flight.waiters += 1
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value
        try:
            flight.value = produce()
            self._put(key, flight.value, size_of(flight.value), limit, max_entries)
            return flight.value
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()

    def _put(self, key: str, value, size: int, limit: int, max_entries: int | None) -> None:
        if size > MAX_SHARE * limit:
            return                      # served, never kept: one huge answer must not flush the rest
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (value, size)
            self.size += size
            while self._entries and (self.size > limit or
                                     (max_entries is not None and len(self._entries) > max_entries)):
                _, (_, dropped) = self._entries.popitem(last=False)
                self.size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


#: API answers: key → (body, gzipped body, mimetype)
RESPONSES = ByteLRU()
#: finished export files (see :mod:`geoapp.web.exports`), bounded by ``EXPORT_CACHE_MB``
EXPORTS = ByteLRU()


def limit_bytes(setting: str, default_mb: float) -> int:
    """A ``*_MB`` setting of the current app, in bytes."""
    return int(float(current_app.config.get(setting, default_mb)) * 1024 * 1024)


def _key(extra: str = "") -> str:
    # the parsed parameters (web.params), not the raw query: junk parameters reuse the same entry
    params = g.get("params")
    args = params.model_dump_json(exclude={"lang"}) if params is not None else ""
    # the store's URL too: two apps in one process (or a database swapped) must not share entries
    return f"{store().url}|{store().data_version()}|{request.path}|{args}|{extra}"


def _entry_size(entry: tuple[bytes, bytes, str]) -> int:
    return len(entry[0]) + len(entry[1])


def cached(produce: Callable[[], bytes], mimetype: str, extra: str = "", max_age: int = 60) -> Response:
    """Serve ``produce()`` through the cache, honouring If-None-Match and Accept-Encoding."""
    key = _key(extra)
    etag = hashlib.sha1(key.encode()).hexdigest()[:20]
    if request.if_none_match.contains(etag):
        resp = Response(status=304)
        resp.set_etag(etag)
        return resp

    def entry():
        body = produce()
        return body, gzip.compress(body, 6), mimetype
    body, zipped, mime = RESPONSES.get_or_compute(key, entry, _entry_size, limit_bytes("CACHE_MB", 64),
                                                  MAX_ENTRIES)
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
    """Empty the response and export caches (tests, benchmarks)."""
    RESPONSES.clear()
    EXPORTS.clear()
