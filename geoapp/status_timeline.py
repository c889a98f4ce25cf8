"""Statuses on any date, from a per-unit timeline of change points held in memory — the ONE place
every caller (map payloads, figures, overview, exports, hot spots) asks "what held on day D?".

Moving the date is the planner's main gesture and every new date used to be a new query (and, on the
2025 edition before the reform, a new projection of every unit). Here an edition's active records are
read once per store data version (:mod:`geoapp.store.snapshot`) and sorted into change points per
(unit, scheme); a date is answered by a bisect per unit (``numpy.searchsorted`` on all units at once).

The answers are *equal* to the query path (tests compare them on random dates, both editions):

* :func:`in_force` = ``status.as_of(store.status_records(edition, …, as_of=D), D)``;
* :func:`records_until` = ``store.status_records(edition, province=…, scheme=…, codes=…, as_of=D)``;
* :func:`projected` = ``crosswalk.service.project_statuses(store, catalogue, D, province)`` with the
  default rules (the CLI's ``--rules`` still projects directly);
* :func:`late_old_records` = ``crosswalk.service.project_old_records(store, catalogue)``.

Trip-wires:

* the as-of rule is :mod:`geoapp.status`'s: the latest record with ``valid_from ≤ D`` (ties: the
  higher id), none when that record's ``valid_to`` is before D. Dates compare as ISO days
  (``YYYY-MM-DD``; anything after the 10th character is ignored, as the store's dates never have it);
* a projected unit changes only when one of its old communes changes, so projected rows are kept per
  (unit, scheme, statuses of its parts): a new date re-projects only the units whose parts changed;
* returned frames are new objects; the records frame behind them is shared — never mutate it;
* nothing here is invalidated by hand: an import or roll-back bumps the data version and the next
  call builds a new timeline (the old one is dropped with its snapshot).
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .crosswalk.project import PROJECTED_COLUMNS, project_scheme, unit_parts
from .crosswalk.read import FROM_EDITION, TO_EDITION
from .crosswalk.rules import FALLBACK_RULE, load_rules
from .crosswalk.service import project_old_records, stored_pairs
from .errors import NotFoundError
from .schemes import Catalogue
from .store.base import Store
from .store.snapshot import Snapshot, snapshot

#: the day after every date (a record without ``valid_to`` never ends)
NEVER = 99_999_999
_SPAN = 10 ** 8          # group id × _SPAN + yyyymmdd: one sorted key for every change point


def day_number(day) -> int:
    """``"2024-03-31"`` (or a date) → 20240331: the order of ISO days as integers."""
    text = day.isoformat() if isinstance(day, date) else str(day)
    return int(text[:4] + text[5:7] + text[8:10])


def _day_numbers(values, missing: int) -> np.ndarray:
    return np.fromiter((day_number(v) if isinstance(v, (str, date)) and v else missing for v in values),
                       dtype=np.int64, count=len(values))


class Timeline:
    """One edition's active status records as change points per (unit code, scheme)."""

    def __init__(self, records: pd.DataFrame):
        frame = records.sort_values(["code", "scheme", "valid_from", "id"], kind="mergesort") \
            if len(records) else records
        self.records = frame.reset_index(drop=True)
        n = len(frame)
        code = frame["code"].to_numpy(dtype=object)
        scheme = frame["scheme"].to_numpy(dtype=object)
        first = np.ones(n, dtype=bool)
        if n:
            first[1:] = (code[1:] != code[:-1]) | (scheme[1:] != scheme[:-1])
        self.group = np.cumsum(first) - 1                      # row → (code, scheme) group
        self.starts = np.flatnonzero(first)                    # group → its first row
        self.day_from = _day_numbers(frame["valid_from"].tolist(), 0)
        self.day_to = _day_numbers(frame["valid_to"].tolist(), NEVER)
        self.key = self.group.astype(np.int64) * _SPAN + self.day_from
        self.code, self.scheme = code, scheme
        self.status = frame["status"].to_numpy(dtype=object)
        self.is_demo = frame["is_demo"].to_numpy(dtype=object)
        self.province = frame["province_code"].to_numpy(dtype=object)
        self._rows: dict = {}

    def rows(self, province: str | None = None, scheme: str | None = None) -> np.ndarray:
        """Row positions of one province and scheme (None: all), in record order."""
        key = (province, scheme)
        found = self._rows.get(key)
        if found is None:
            mask = np.ones(len(self.records), dtype=bool)
            if province is not None:
                mask &= self.province == province
            if scheme is not None:
                mask &= self.scheme == scheme
            found = self._rows[key] = np.flatnonzero(mask)
        return found

    def _selected(self, province, scheme, codes) -> np.ndarray:
        rows = self.rows(province, scheme)
        if codes is not None:
            wanted = codes if isinstance(codes, (set, frozenset)) else set(codes)
            rows = rows[np.fromiter((c in wanted for c in self.code[rows]), dtype=bool, count=len(rows))]
        return rows

    def until(self, day, *, province=None, scheme=None, codes=None) -> pd.DataFrame:
        """The records with ``valid_from ≤ day`` (every record when ``day`` is None)."""
        rows = self._selected(province, scheme, codes)
        if day is not None:
            rows = rows[self.day_from[rows] <= day_number(day)]
        return self.records.iloc[rows].reset_index(drop=True)

    def in_force_rows(self, day, *, province=None, scheme=None, codes=None) -> np.ndarray:
        """Row positions of the records in force on ``day``: one bisect per (unit, scheme)."""
        return self.bisect(np.unique(self.group[self._selected(province, scheme, codes)]), day)

    def bisect(self, groups: np.ndarray, day) -> np.ndarray:
        """Row positions of the records of ``groups`` (sorted group ids) in force on ``day``."""
        if not len(groups):
            return groups
        d = day_number(day)
        pos = np.searchsorted(self.key, groups.astype(np.int64) * _SPAN + d, side="right") - 1
        started = pos >= self.starts[groups]
        pos = pos[started]
        return pos[self.day_to[pos] >= d]

    def in_force(self, day, **where) -> pd.DataFrame:
        """One row per (code, scheme): the record in force on ``day`` (:func:`geoapp.status.as_of`)."""
        return self.records.iloc[self.in_force_rows(day, **where)].reset_index(drop=True)


def timeline(store: Store, edition: str, snap: Snapshot | None = None) -> Timeline:
    """The timeline of ``edition`` for the store's current data version (built once per version)."""
    snap = snap or snapshot(store)
    return snap.memo(("timeline", edition), lambda: Timeline(snap.status_records(edition)))


def in_force(store: Store, edition: str, day, *, province: str | None = None, scheme: str | None = None,
             codes=None) -> pd.DataFrame:
    """The records in force on ``day`` — equal to ``status.as_of(store.status_records(…, as_of=day), day)``."""
    return timeline(store, edition).in_force(day, province=province, scheme=scheme, codes=codes)


def records_until(store: Store, edition: str, day=None, *, province: str | None = None,
                  scheme: str | None = None, codes=None) -> pd.DataFrame:
    """Active records with ``valid_from ≤ day`` — equal to ``store.status_records(…, as_of=day)``."""
    return timeline(store, edition).until(day, province=province, scheme=scheme, codes=codes)


# -- across the reform -------------------------------------------------------------------------
class _Projection:
    """The date-independent part of projecting one 2025 province (or all) through the crosswalk:
    each unit's old parts, with a memo of rows per (unit, scheme, statuses of the parts)."""

    def __init__(self, store: Store, snap: Snapshot, province: str | None):
        units_new = snap.units(TO_EDITION, province)
        if units_new.empty:
            raise NotFoundError(f"no units of edition {TO_EDITION}" + (f" in province {province}" if province else ""),
                                message_vi=f"không có đơn vị của phiên bản {TO_EDITION}")
        pairs = snap.crosswalk(FROM_EDITION, TO_EDITION)
        if pairs.empty:
            pairs = stored_pairs(store)          # raises the "no crosswalk stored yet" error
        pairs = pairs[pairs["new_code"].isin(set(units_new["code"]))]
        units_pre = snap.units(FROM_EDITION)
        self.names = dict(zip(pairs["old_code"], pairs["old_name"]))
        self.names.update({c: n for c, n in zip(units_pre["code"], units_pre["full_name"]) if n})
        area = units_pre.set_index("code")["area_km2"].astype(float).to_dict()
        groups = {k: g for k, g in pairs.groupby("new_code", sort=False)}
        self.units = [(u, unit_parts(groups.get(u.code), area)) for u in units_new.itertuples(index=False)]
        self.old_codes = frozenset(pairs["old_code"])
        self.rules = load_rules(None)
        self.memo: dict = {}
        self.groups = None          # the old timeline's groups of self.old_codes (set on first use)

    def rows(self, old: Timeline, catalogue: Catalogue, day, schemes: list[str]) -> list[dict]:
        if self.groups is None:
            self.groups = np.unique(old.group[old.rows()[np.fromiter(
                (c in self.old_codes for c in old.code), dtype=bool, count=len(old.code))]])
        at = old.bisect(self.groups, day)
        status = {(c, s): (v, bool(d)) for c, s, v, d in zip(old.code[at], old.scheme[at], old.status[at],
                                                             old.is_demo[at])}
        out = []
        for unit, parts in self.units:
            for code in schemes:
                key = (unit.code, code, tuple(status.get((oc, code), ("", False)) for oc in parts["old_codes"]))
                row = self.memo.get(key)
                if row is None:
                    row = self.memo[key] = project_scheme(unit, parts, code, catalogue,
                                                          self.rules.get(code, FALLBACK_RULE), status, self.names)
                out.append(row)
        return out


def projected_rows(store: Store, catalogue: Catalogue, day, province: str | None = None,
                   schemes: list[str] | None = None) -> list[dict]:
    """The rows of :func:`projected` as dicts (shared: never mutate one), units in code order."""
    snap = snapshot(store)
    snap.pinned[id(catalogue)] = catalogue        # its id is part of the key below
    prep = snap.memo(("projection", province, id(catalogue)), lambda: _Projection(store, snap, province))
    return prep.rows(timeline(store, FROM_EDITION, snap), catalogue, day,
                     list(catalogue.schemes) if schemes is None else list(schemes))


def projected(store: Store, catalogue: Catalogue, day, province: str | None = None, *,
              scheme: str | None = None) -> pd.DataFrame:
    """Statuses of old communes on ``day`` projected onto the 2025 units — equal to
    ``project_statuses(store, catalogue, day, province)`` (default rules; one ``scheme``'s rows when given)."""
    province = province.zfill(2) if province else None
    rows = projected_rows(store, catalogue, day, province, None if scheme is None else [scheme])
    frame = pd.DataFrame(rows, columns=[c for c in PROJECTED_COLUMNS if c != "as_of"])
    frame.insert(0, "as_of", day.isoformat() if isinstance(day, date) else str(day))
    return frame.sort_values(["code", "scheme"]).reset_index(drop=True)


def late_old_records(store: Store, catalogue: Catalogue) -> pd.DataFrame:
    """``project_old_records(store, catalogue)`` (old-code records dated after the reform, projected),
    computed once per data version; an empty frame when no crosswalk is stored. Shared: never mutate it."""
    snap = snapshot(store)
    snap.pinned[id(catalogue)] = catalogue

    def produce():
        if snap.crosswalk(FROM_EDITION, TO_EDITION).empty:
            return pd.DataFrame(columns=list(PROJECTED_COLUMNS) + ["from_old_codes"])
        return project_old_records(store, catalogue)
    return snap.memo(("late_old_records", id(catalogue)), produce)
