"""Reads held in memory per store data version: the unit lists, provinces, crosswalk pairs and the
active status records every map request needs, read once and answered from memory until the data
changes. No Flask.

Trip-wires:

* the key is ``(store.url, store.data_version())``: every committed write (import, roll-back,
  boundaries, crosswalk) bumps the version, so the next call reads again — nothing is purged by
  hand. One :func:`snapshot` call costs one ``data_version`` query; keep a :class:`Snapshot` for the
  length of one computation rather than calling the module functions in a loop;
* a value is built once per version even when many requests ask at the same time (single flight):
  the others wait for it; if building fails, each waiter builds again itself;
* frames handed out are **copies** (cheap at these sizes): a caller may add columns without
  changing what the next request sees. :meth:`Snapshot.memo` values are shared — never mutate one;
* only the latest version of a store is kept, and at most :data:`MAX_STORES` stores (tests open many).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

import pandas as pd

from .base import Store

#: how many stores (by URL) keep a snapshot in this process
MAX_STORES = 8
#: how many values :meth:`Snapshot.recent` keeps
RECENT = 512

_LOCK = threading.Lock()
_SNAPSHOTS: OrderedDict[str, "Snapshot"] = OrderedDict()


class Snapshot:
    """What one data version of one store holds in memory; values are built on first use."""

    def __init__(self, store: Store, version: int):
        self.store = store
        self.version = version
        self._lock = threading.Lock()
        self._values: dict = {}
        self._building: dict = {}
        self.pinned: dict = {}      # objects whose id() is part of a memo key, kept alive while in use
        self._recent: OrderedDict = OrderedDict()

    def memo(self, key, produce: Callable[[], object]):
        """The value of ``key`` for this version: built by ``produce()`` once, shared afterwards."""
        while True:
            with self._lock:
                if key in self._values:
                    return self._values[key]
                event = self._building.get(key)
                leader = event is None
                if leader:
                    event = self._building[key] = threading.Event()
            if leader:
                break
            event.wait()
        try:
            value = produce()
            with self._lock:
                self._values[key] = value
            return value
        finally:
            with self._lock:
                self._building.pop(key, None)
            event.set()

    def units(self, edition: str, province: str | None = None) -> pd.DataFrame:
        """``store.units(edition, province)`` (a copy)."""
        every = self.memo(("units", edition, None), lambda: self.store.units(edition))
        if province is None:
            return every.copy()

        def one():
            rows = every.index[every["province_code"] == province]
            return every.loc[rows].reset_index(drop=True)
        return self.memo(("units", edition, province), one).copy()

    def recent(self, key, produce: Callable[[], object]):
        """Like :meth:`memo` for values of which there are many (one per date or view): only the
        :data:`RECENT` most recently used are kept."""
        with self._lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key]
        value = produce()
        with self._lock:
            self._recent[key] = value
            while len(self._recent) > RECENT:
                self._recent.popitem(last=False)
        return value

    def editions(self) -> pd.DataFrame:
        """``store.editions()`` (a copy)."""
        return self.memo(("editions",), self.store.editions).copy()

    def provinces(self, edition: str) -> pd.DataFrame:
        """``store.provinces(edition)`` (a copy)."""
        return self.memo(("provinces", edition), lambda: self.store.provinces(edition)).copy()

    def province_codes(self, edition: str) -> frozenset[str]:
        """The codes of ``store.provinces(edition)``."""
        return self.memo(("province_codes", edition), lambda: frozenset(self.provinces(edition)["code"]))

    def crosswalk(self, from_edition: str = "pre2025", to_edition: str = "2025") -> pd.DataFrame:
        """``store.crosswalk(from_edition, to_edition)`` (a copy; empty when none is stored)."""
        return self.memo(("crosswalk", from_edition, to_edition),
                         lambda: self.store.crosswalk(from_edition, to_edition)).copy()

    def status_records(self, edition: str) -> pd.DataFrame:
        """``store.status_records(edition)``: every record of active batches — shared, never mutate it."""
        return self.memo(("status_records", edition), lambda: self.store.status_records(edition))


def snapshot(store: Store) -> Snapshot:
    """The snapshot of ``store``'s current data version (a new one after any committed write)."""
    url = getattr(store, "url", None) or f"id:{id(store)}"
    version = store.data_version()
    with _LOCK:
        snap = _SNAPSHOTS.get(url)
        if snap is not None and snap.version == version and snap.store is store:
            _SNAPSHOTS.move_to_end(url)
            return snap
        snap = _SNAPSHOTS[url] = Snapshot(store, version)
        _SNAPSHOTS.move_to_end(url)
        while len(_SNAPSHOTS) > MAX_STORES:
            _SNAPSHOTS.popitem(last=False)
        return snap


def clear() -> None:
    """Forget every snapshot (tests, benchmarks measuring a cold start)."""
    with _LOCK:
        _SNAPSHOTS.clear()
