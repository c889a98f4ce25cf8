"""Status records over time: what held on a date, a unit's history, transitions, counts.

The rule (trip-wire: read it before changing a query): for one unit and scheme, the status on
date D is the **latest record with valid_from ≤ D** (ties: the later-recorded one); if that
record has a ``valid_to`` before D, the unit has **no** status then. A later record therefore
ends an earlier open one without editing it, and history is never rewritten.

Functions take the DataFrame of records a store returns (``Store.status_records``) and return
DataFrames; no store, no Flask.
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from .schemes import Scheme

NONE = ""   # no status


def _iso(d) -> str:
    return d.isoformat() if isinstance(d, date) else str(d)


def as_of(records: pd.DataFrame, on) -> pd.DataFrame:
    """One row per (code, scheme): the record in force on ``on`` (records that ended are dropped)."""
    day = _iso(on)
    if records.empty:
        return records.copy()
    started = records[records["valid_from"] <= day]
    latest = started.sort_values(["code", "scheme", "valid_from", "id"]).groupby(
        ["code", "scheme"], sort=False).tail(1)
    ended = latest["valid_to"].notna() & (latest["valid_to"].fillna("9999") < day)
    return latest[~ended].sort_values(["code", "scheme"]).reset_index(drop=True)


def history(records: pd.DataFrame) -> pd.DataFrame:
    """Records of one unit with ``effective_to``: when each really stopped (its own end, or the day
    before the next record started)."""
    if records.empty:
        return records.assign(effective_to=pd.Series(dtype=object))
    frame = records.sort_values(["scheme", "valid_from", "id"]).reset_index(drop=True)
    nxt = frame.groupby("scheme")["valid_from"].shift(-1)
    day_before = nxt.map(lambda d: (date.fromisoformat(d) - timedelta(days=1)).isoformat() if isinstance(d, str) else None)
    own = frame["valid_to"]
    eff = []
    for a, b in zip(own, day_before):
        candidates = [x for x in (a, b) if isinstance(x, str)]
        eff.append(min(candidates) if candidates else None)
    frame["effective_to"] = pd.Series(eff, index=frame.index, dtype=object)
    return frame


def counts(current: pd.DataFrame, scheme: Scheme, total_units: int) -> pd.DataFrame:
    """Units per status of ``scheme`` (in severity order), plus ``none`` for units without one."""
    sub = current[current["scheme"] == scheme.code] if not current.empty else current
    tally = sub["status"].value_counts() if not sub.empty else pd.Series(dtype=int)
    rows = [{"status": s.code, "label_vi": s.label_vi, "label_en": s.label_en, "colour": s.colour,
             "units": int(tally.get(s.code, 0))} for s in scheme.statuses]
    rows.append({"status": NONE, "label_vi": "Không xếp loại", "label_en": "No designation",
                 "colour": "#bdbdbd", "units": int(total_units - len(sub))})
    return pd.DataFrame(rows)


def classify(before: str, after: str, scheme: Scheme, *, was_key_before: bool = False) -> str:
    """Name the change of one unit from status ``before`` to ``after`` ("" = none).

    ``newly_designated``: into a key status from anything not key and never key before;
    ``relapsed``: into a key (or problem) status from a converted/good one after having been key
    (or, for a good status, from good back into a problem); ``converted``: out of a key status into
    a non-key one; ``worsened`` / ``improved`` by severity otherwise; ``unchanged``.
    """
    if before == after:
        return "unchanged"
    kind = {s.code: s.kind for s in scheme.statuses}
    sev = {s.code: s.severity for s in scheme.statuses}
    kb, ka = kind.get(before, ""), kind.get(after, "")
    if ka == "key" and kb != "key":
        if kb in ("converted", "good") or was_key_before:
            return "relapsed"
        return "newly_designated"
    if kb == "key" and ka != "key":
        return "converted"
    if kb == "good" and ka == "problem":
        return "relapsed"
    if sev.get(after, -1) > sev.get(before, -1):
        return "worsened"
    return "improved"


def transitions(records: pd.DataFrame, scheme: Scheme, start, end) -> pd.DataFrame:
    """Per unit: status on ``start``, status on ``end`` and the kind of change (unchanged omitted).

    Reads the two end points only. The map's change view (``?since=``, every export) uses
    :mod:`geoapp.mapview.transitions` instead: the whole history between the dates, the scheme's
    declared notions, and "no data" apart."""
    sub = records[records["scheme"] == scheme.code] if not records.empty else records
    a = as_of(sub, start).set_index("code")["status"] if not sub.empty else pd.Series(dtype=object)
    b = as_of(sub, end).set_index("code")["status"] if not sub.empty else pd.Series(dtype=object)
    key_codes = {s.code for s in scheme.statuses if s.kind == "key"}
    rows = []
    for code in sorted(set(a.index) | set(b.index)):
        before, after = a.get(code, NONE), b.get(code, NONE)
        earlier = sub[(sub["code"] == code) & (sub["valid_from"] <= _iso(start))]
        was_key = bool(earlier["status"].isin(key_codes).any())
        change = classify(before, after, scheme, was_key_before=was_key)
        if change != "unchanged":
            rows.append({"code": code, "before": before, "after": after, "change": change})
    return pd.DataFrame(rows, columns=["code", "before", "after", "change"])
