"""The dates a map view opens at and whether its date lies in its edition's period. No Flask.

Trip-wires:

* a view without ``as_of`` opens at the latest date with data inside its edition's period
  (:data:`geoapp.editions.PERIODS`): the latest ``valid_from`` of the edition's status records,
  capped by the period's last day and today, never before its first day; an edition with no
  records opens at its last day (capped by today). Never "today" for an edition that has ended;
* that latest date is read once per store data version (one small cache), not per request;
* a 2025 view before the reform stays allowed (projected from the old communes, and the payload
  says so); only a pre-2025 view after 30/6/2025 is outside its period.
"""
from __future__ import annotations

from threading import Lock

from ..editions import PERIODS, in_period, last_day, period_notice
from ..store.base import Store
from .view import MapView

_LATEST: dict[tuple, str | None] = {}
_LOCK = Lock()


def latest_record_day(store: Store, edition: str) -> str | None:
    """The latest ``valid_from`` of the status records of ``edition`` (active batches); None if none."""
    key = (getattr(store, "url", id(store)), store.data_version(), edition)
    with _LOCK:
        if key in _LATEST:
            return _LATEST[key]
    records = store.status_records(edition)
    day = str(max(records["valid_from"]))[:10] if len(records) else None
    with _LOCK:
        if len(_LATEST) > 64:
            _LATEST.clear()
        _LATEST[key] = day
    return day


def default_as_of(store: Store, edition: str, today: str | None = None) -> str:
    """The date a view of ``edition`` opens at when none is asked for (see the module docstring)."""
    end = last_day(edition, today)
    latest = latest_record_day(store, edition)
    if latest is None:
        return end
    start = PERIODS[edition][0]
    day = min(latest, end)
    return max(day, start) if start and start <= end else day


def period_fields(view: MapView) -> dict:
    """What an API answer adds about its date: ``{"in_period": True}``, or ``False`` with a ``message``
    in the view's language saying why no headline figures are given."""
    if in_period(view.edition, view.as_of):
        return {"in_period": True}
    return {"in_period": False, "message": period_notice(view.edition, view.as_of, view.lang)}
