"""At most N export jobs at a time, in all and per user; the rest are refused at once (429), never queued.

A server thread that waits for a slot is a thread that cannot answer ``/about``: waitress has a
fixed pool (``THREADS``), so sixteen queued country packs would starve every other page. Slots
are therefore taken without waiting (a non-blocking semaphore: one lock, two counters, so the
overall and per-user checks are one atomic step) and a refused request gets
:class:`~geoapp.errors.RateLimitedError` (429 with ``Retry-After``).

Limits come from the app's ``EXPORT_JOBS`` and ``EXPORT_JOBS_PER_USER`` settings; the pool is made
once per app, on first use.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

from flask import current_app, g, request

from ..errors import RateLimitedError

#: seconds a refused client is told to wait (a province pack takes a few seconds, the country ~10 s)
RETRY_AFTER = 10
_make_lock = threading.Lock()


class JobSlots:
    """``total`` slots in all, ``per_user`` for one requester; :meth:`try_take` never blocks."""

    def __init__(self, total: int, per_user: int):
        self.total, self.per_user = total, per_user
        self._lock = threading.Lock()
        self._busy: dict[str, int] = {}

    @property
    def in_use(self) -> int:
        with self._lock:
            return sum(self._busy.values())

    def try_take(self, user: str) -> str | None:
        """Take a slot for ``user``: None when taken, else why not (``"all"`` or ``"user"``)."""
        with self._lock:
            if sum(self._busy.values()) >= self.total:
                return "all"
            if self._busy.get(user, 0) >= self.per_user:
                return "user"
            self._busy[user] = self._busy.get(user, 0) + 1
            return None

    def give_back(self, user: str) -> None:
        with self._lock:
            left = self._busy.get(user, 0) - 1
            if left > 0:
                self._busy[user] = left
            else:
                self._busy.pop(user, None)

    @contextmanager
    def slot(self, user: str):
        """Hold one slot for the ``with`` block, or raise :class:`RateLimitedError` at once."""
        refused = self.try_take(user)
        if refused:
            raise _busy(refused, self)
        try:
            yield
        finally:
            self.give_back(user)


def _busy(reason: str, slots: JobSlots) -> RateLimitedError:
    if reason == "user":
        return RateLimitedError(
            f"you already have {slots.per_user} export(s) being prepared; wait for it to finish and try again "
            f"in {RETRY_AFTER} s",
            message_vi=f"bạn đang có {slots.per_user} bản xuất đang được chuẩn bị; hãy chờ xong rồi thử lại "
                       f"sau {RETRY_AFTER} giây",
            retry_after=RETRY_AFTER)
    return RateLimitedError(
        f"the server is preparing {slots.total} exports already; try again in {RETRY_AFTER} s",
        message_vi=f"máy chủ đang chuẩn bị {slots.total} bản xuất; hãy thử lại sau {RETRY_AFTER} giây",
        retry_after=RETRY_AFTER)


def export_slots(app=None) -> JobSlots:
    """The export job pool of ``app`` (default: the current app), made on first use."""
    app = app or current_app._get_current_object()
    slots = app.extensions.get("geoapp.export_jobs")
    if slots is None:
        with _make_lock:
            slots = app.extensions.get("geoapp.export_jobs")
            if slots is None:
                slots = JobSlots(int(app.config.get("EXPORT_JOBS", 2)), int(app.config.get("EXPORT_JOBS_PER_USER", 1)))
                app.extensions["geoapp.export_jobs"] = slots
    return slots


def requester() -> str:
    """Who a job counts against: the signed-in user, else (anonymous, share link) the remote address."""
    principal = getattr(g, "principal", None)
    name = getattr(principal, "name", "") if principal is not None else ""
    return f"user:{name}" if name else f"addr:{request.remote_addr or ''}"
