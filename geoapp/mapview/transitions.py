"""Change between two dates: what happened to each unit from ``since`` (A) to ``as_of`` (B).

ONE definition, used by the map, the API, the CLI and every export (``?as_of=B&since=A``). Which
statuses are *key*, *converted* (released from key) and *certified* is data: the scheme's
``[schemes.X.transitions]`` (:class:`geoapp.schemes.Notions`), never a code list here.

Each unit gets exactly one change, the first that applies (the legend's rows total the units):

``no_data``
    its province reports nothing of the scheme on A or on B (the three states of
    :mod:`geoapp.mapview.figures`): nothing to compare — **never** shown as unchanged or 0;
``relapsed``
    it entered a key status in (A, B] after having been released: it had been key before (at any
    time, before A included — or it was in a *converted* status, which implies it) and was in a
    non-key state just before. The **whole history between A and B** is read, not the two ends:
    converted on A → key on B; key on A → converted → key again on B; and also key → converted →
    key → converted again by B (it relapsed in the window, even if released again since);
``newly_key``
    key on B, not key on A, and no relapse (its first designation, as far as the records go);
``converted``
    on B in a *converted* status and key at some time in [A, B];
``newly_certified``
    on B in a *certified* status, not certified on A (a key commune certified within the window
    counts here; its path says it was key);
``unchanged``
    the same state on A and B and no change in between (not designated on both counts here);
``other``
    any other change (a key commune reclassified within key, a certification lost, a designation
    that lapsed …) — listed, never hidden in ``unchanged``.

Trip-wires:

* the path is built with the as-of rule of :mod:`geoapp.status` (the latest record with
  ``valid_from`` ≤ D; an ended record leaves no status) on every day a record starts or ends in
  (A, B]; repeated records of the same status are no change;
* on the 2025 edition, A before the reform has projected end states and no history before the
  reform: a relapse is then seen only from a *converted* state on A or within the 2025 records.
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from .. import locale, strings
from ..strings import N_
from ..schemes import Notions, Scheme

#: the changes, in legend order (most urgent first)
CHANGES = ("relapsed", "newly_key", "converted", "newly_certified", "other", "unchanged", "no_data")
#: their fixed colours (no data: white, like the status map)
COLOURS = {"relapsed": "#6a1b9a", "newly_key": "#c62828", "converted": "#f9a825", "newly_certified": "#2e7d32",
           "other": "#64b5f6", "unchanged": "#e0e0e0", "no_data": "#ffffff"}
#: the gettext keys of their labels (literal, so ``pybabel extract`` finds them), and of a change table's columns
LABEL_KEYS = (N_("change_relapsed"), N_("change_newly_key"), N_("change_converted"), N_("change_newly_certified"),
              N_("change_other"), N_("change_unchanged"), N_("change_no_data"))
COLUMN_KEYS = (N_("col_transition"), N_("col_before"), N_("col_after"), N_("col_changes"))


def label(change: str, lang: str) -> str:
    """The label of a change in ``lang`` ("Tái trọng điểm …" / "Relapsed …")."""
    return strings.translate(f"change_{change}", lang)


def title(since: str, as_of: str, lang: str) -> str:
    """"Thay đổi 31/12/2022 – 31/12/2024" / "Change 31/12/2022 – 31/12/2024"."""
    word = strings.translate("change_title", lang)
    return f"{word} {locale.day(since, 'vi')} – {locale.day(as_of, 'vi')}"


def collapse(states: list) -> list:
    """``states`` without consecutive repeats."""
    out: list = []
    for s in states:
        if not out or out[-1] != s:
            out.append(s)
    return out


def classify(before: str | None, after: str | None, path: list[str], notions: Notions, *,
             was_key: bool = False) -> str:
    """The change of one unit (see the module docstring).

    ``before`` / ``after``: its status on A / B (``""`` not designated, None no data); ``path``:
    the statuses it went through in (A, B], in order (may repeat ``before`` or ``after``);
    ``was_key``: whether it was ever key before A.
    """
    if before is None or after is None:
        return "no_data"
    key, converted, certified = set(notions.key), set(notions.converted), set(notions.certified)
    seq = collapse([before, *path, after])
    keyed = was_key or before in key or before in converted
    relapsed = False
    for prev, cur in zip(seq, seq[1:]):
        if cur in key and prev not in key:
            relapsed = relapsed or keyed
        keyed = keyed or cur in key
    if relapsed:
        return "relapsed"
    if after in key and before not in key:
        return "newly_key"
    if after in converted and any(s in key for s in seq):
        return "converted"
    if after in certified and before not in certified:
        return "newly_certified"
    return "unchanged" if len(seq) == 1 else "other"


def _next_day(iso: str) -> str:
    return (date.fromisoformat(iso) + timedelta(days=1)).isoformat()


def _state(rows: list[tuple], day: str) -> str:
    """The status of one unit on ``day`` from its rows (valid_from, id, status, valid_to), as-of rule."""
    started = [r for r in rows if r[0] <= day]
    if not started:
        return ""
    last = max(started, key=lambda r: (r[0], r[1]))
    return "" if isinstance(last[3], str) and last[3] < day else last[2]


def paths(records: pd.DataFrame, since: str, as_of: str) -> dict[str, list[tuple[str, str, dict]]]:
    """``{code: [(day, status, record fields), …]}``: each unit's state on every day in (A, B] a record
    of it starts or ends, repeats left out (units with no such day are absent)."""
    if records.empty:
        return {}
    frame = records.assign(id=records["id"] if "id" in records else range(len(records)))
    ends = frame["valid_to"].where(frame["valid_to"].map(lambda v: isinstance(v, str)), None)
    touched = ((frame["valid_from"] > since) & (frame["valid_from"] <= as_of)) | \
        ends.map(lambda v: isinstance(v, str) and since <= v < as_of)
    out = {}
    for code, own in frame[frame["code"].isin(set(frame.loc[touched, "code"]))].groupby("code"):
        rows = list(zip(own["valid_from"], own["id"], own["status"], own["valid_to"]))
        info = {r.valid_from: {"decision": r.decision_no if isinstance(getattr(r, "decision_no", ""), str) else ""}
                for r in own.itertuples(index=False)}
        days = {d for d in own["valid_from"] if since < d <= as_of}
        days |= {_next_day(e) for e in own["valid_to"] if isinstance(e, str) and since <= e < as_of}
        steps, last = [], _state(rows, since)
        for day in sorted(days):
            now = _state(rows, day)
            if now != last:
                steps.append((day, now, info.get(day, {})))
                last = now
        if steps:
            out[str(code)] = steps
    return out


def keyed_before(records: pd.DataFrame, since: str, notions: Notions) -> set[str]:
    """Units with a key record that started on or before A."""
    if records.empty:
        return set()
    hit = (records["valid_from"] <= since) & records["status"].isin(set(notions.key))
    return set(records.loc[hit, "code"].astype(str))


def changes(before: dict, after: dict, records: pd.DataFrame, scheme: Scheme, since: str,
            as_of: str) -> dict[str, dict]:
    """``{code: {change, before, after, path}}`` for every unit of ``after`` (``{code: status | "" |
    None}`` on B; ``before`` the same on A), from the scheme's ``records`` up to B."""
    sub = records[records["scheme"] == scheme.code] if len(records) else records
    steps = paths(sub, since, as_of)
    keyed = keyed_before(sub, since, scheme.notions)
    out = {}
    for code, b in after.items():
        a = before.get(code)
        path = steps.get(code, [])
        change = classify(a, b, [s for _, s, _ in path], scheme.notions, was_key=code in keyed)
        out[code] = {"change": change, "before": a, "after": b, "path": path}
    return out


def path_text(scheme: Scheme, row: dict, since: str, lang: str) -> str:
    """"Trọng điểm … (31/12/2022) → Đã chuyển hóa … (15/03/2023) → …": the unit's path with its dates."""
    def name(code):
        if code is None:
            return label("no_data", lang)
        return scheme.status(code).label(lang) if code else strings.translate("no_designation", lang)
    parts = [f"{name(row['before'])} ({locale.day(since, 'vi')})"]
    parts += [f"{name(s)} ({locale.day(day, 'vi')})" for day, s, _ in row["path"]]
    return " → ".join(parts)
