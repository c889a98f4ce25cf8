"""How a map colours its units: the status entry of one unit, status legends, indicator classes.

Trip-wires:

* indicator classes are computed on the values of **all periods together**, so the same colour
  means the same range in every year;
* "no data" is its own class and never painted as a value;
* a unit's status entry is built by :func:`status_entry` only — recorded, projected before the
  reform and late old-code records all leave here with the same keys (``projected`` only when true).
"""
from __future__ import annotations

import mapclassify
import numpy as np
import pandas as pd

from .. import locale, strings
from ..errors import InputError
from ..schemes import Scheme

NO_DATA_COLOUR = "#ffffff"
#: the colour of a unit without a status (legend row ``none``, and the map page's default fill)
NONE_COLOUR = "#e0e0e0"
#: sequential palettes (ColorBrewer) by number of classes; reversed for "higher is better"
REDS = {3: ["#fee0d2", "#fc9272", "#de2d26"], 4: ["#fee5d9", "#fcae91", "#fb6a4a", "#cb181d"],
        5: ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"],
        6: ["#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"],
        7: ["#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#99000d"]}
BLUES = {3: ["#deebf7", "#9ecae1", "#3182bd"], 4: ["#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"],
         5: ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
         6: ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"],
         7: ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"]}
METHODS = {"quantiles": mapclassify.Quantiles, "fisher_jenks": mapclassify.FisherJenks,
           "equal_interval": mapclassify.EqualInterval}


def _text_or_none(value):
    return value if isinstance(value, str) else None


def status_entry(scheme: Scheme, status: str, lang: str, *, since=None, until=None, decision="",
                 decision_date=None, note="", demo=False, projected: bool = False) -> dict:
    """What the map knows of one unit's status: ``{status, label, colour, severity, since, until, decision,
    decision_date, note, demo}`` and ``projected: True`` when it was projected across the reform.
    ``severity`` is the scheme's declared rank (0 = best): the map's table sorts by it, never by label."""
    st = scheme.status(status)
    entry = {"status": status, "label": st.label(lang), "colour": st.colour, "severity": st.severity, "since": since,
             "until": _text_or_none(until), "decision": decision or "", "decision_date": _text_or_none(decision_date),
             "note": note or "", "demo": bool(demo)}
    if projected:
        entry["projected"] = True
    return entry


def status_layer(current: pd.DataFrame, scheme: Scheme, lang: str = "vi") -> dict:
    """``{code: status entry}`` of the records in force (statuses unknown to ``scheme`` left out)."""
    known = set(scheme.codes)
    sub = current[current["scheme"] == scheme.code] if not current.empty else current
    return {r.code: status_entry(scheme, r.status, lang, since=r.valid_from, until=r.valid_to,
                                 decision=r.decision_no, decision_date=r.decision_date, note=r.note, demo=r.is_demo)
            for r in sub.itertuples(index=False) if r.status in known}


def legend(scheme: Scheme, counts: pd.DataFrame, lang: str = "vi") -> list[dict]:
    """Legend rows of a status map from :func:`geoapp.status.counts`."""
    rows = []
    for r in counts.itertuples(index=False):
        label = r.label_en if lang == "en" else r.label_vi
        rows.append({"status": r.status, "label": label, "colour": r.colour if r.status else NONE_COLOUR,
                     "units": int(r.units)})
    return rows


def class_breaks(values: np.ndarray, method: str = "quantiles", k: int = 5,
                 user_breaks: list[float] | None = None) -> list[float]:
    """Upper bounds of classes for ``values`` (NaN ignored) by a mapclassify method or user breaks."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if user_breaks:
        b = sorted(float(x) for x in user_breaks)
        if finite.size and b[-1] < finite.max():
            b.append(float(finite.max()))
        return b
    if method not in METHODS:
        raise InputError(f"unknown classification {method!r}; use {', '.join(METHODS)} or breaks=")
    if finite.size == 0:
        return []
    unique = np.unique(finite)
    k = max(2, min(k, len(unique), 7))
    if len(unique) <= k:
        return [float(v) for v in unique]
    bins = METHODS[method](finite, k=k).bins
    return [float(b) for b in np.unique(bins)]


def classify(values: pd.Series, breaks: list[float], higher_is_worse: bool = True,
             lang: str = "vi") -> tuple[dict, list[dict]]:
    """``({code: {value, class, colour}}, legend rows)``; missing values get the no-data class; the rows'
    labels (``562,2 – 2.789``) in ``lang``."""
    k = len(breaks)
    family = REDS if higher_is_worse else BLUES
    palette = family[max(3, min(k, 7))][-k:] if k else []
    out = {}
    counts = [0] * k
    nodata = 0
    for code, v in values.items():
        if v is None or not np.isfinite(v):
            out[code] = {"value": None, "class": -1, "colour": NO_DATA_COLOUR}
            nodata += 1
            continue
        idx = min(int(np.searchsorted(breaks, v, side="left")) if k else 0, k - 1)
        counts[idx] += 1
        out[code] = {"value": float(v), "class": idx, "colour": palette[idx]}
    return out, _class_legend(breaks, palette, counts, nodata, lang)


def _class_legend(breaks: list[float], palette: list[str], counts: list[int], nodata: int,
                  lang: str = "vi") -> list[dict]:
    rows = []
    low = None
    for i, upper in enumerate(breaks):
        label = locale.number_range(low, upper, lang)
        rows.append({"class": i, "label": label, "colour": palette[i], "units": counts[i]})
        low = upper
    rows.append({"class": -1, "label": strings.map_strings(lang)["no_data"], "colour": NO_DATA_COLOUR,
                 "units": nodata})
    return rows
