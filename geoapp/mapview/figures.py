"""The summary figures of a status map — ONE computation for the map summary, the overview, the API
(``figures``), the PNG/PDF, the standalone page and the CSV/XLSX summaries.

What is counted is data: each scheme declares its figures in ``schemes.toml``
(:class:`geoapp.schemes.Figure`: ``now``, ``ever`` — cumulative — or ``transition``).

Trip-wires:

* **no data is never zero.** A unit is in one of three states: a status; *not designated* (its
  province reports the scheme, the unit has no designation); *no data* (its province has no
  record of the scheme on or before the date). A figure counts only the units of provinces that
  report; with none it has ``value`` None and says "no data", never "0/126 (0.0 %)";
* a legend counts every unit drawn exactly once (:func:`state_legend`): its rows total the units;
* a figure states the unit list it counts (``unit_list``: "theo danh mục 30/6/2025: 137 xã"),
  because a province's report may count another list (Lâm Đồng 2022: 142 communes); where a
  published row (:mod:`geoapp.published`: same pre-2025 province, the figure's ``published``
  indicator, the month of the date) counted another number, it states the difference too
  ("báo cáo tỉnh tính trên 142 xã; danh mục này có 137 — 5 xã đã sáp nhập 2023–2025");
* ``ever`` and ``transition`` read the history of the records; on 2025 units before the reform
  (statuses projected across the crosswalk) there is no such history: only ``now`` figures.
"""
from __future__ import annotations

from collections import Counter

import pandas as pd

from .. import locale
from .. import status as st
from ..published import PublishedRow, published_row
from ..schemes import Figure, Scheme
from ..status_timeline import records_until
from ..store.base import Store
from .view import MapView

#: the unit list each edition counts: (vi, en) date of the list
UNIT_LISTS = {"pre2025": ("30/6/2025", "30 June 2025"), "2025": ("1/7/2025", "1 July 2025")}
NO_DESIGNATION = ("Không xếp loại", "No designation")
NO_DATA = ("Không có số liệu", "No data")
#: the legend colour of "no data" (the map page's and the figure's no-data fill)
NO_DATA_COLOUR = "#ffffff"


def number(n: float, lang: str, digits: int = 0) -> str:
    """``10.035`` / ``28,9`` in Vietnamese, ``10,035`` / ``28.9`` in English (:func:`geoapp.locale.number`)."""
    return locale.number(n, lang, digits)


def percent(share: float | None, lang: str) -> str:
    """``28,9 %`` (vi) / ``28.9%`` (en); empty without a share (:func:`geoapp.locale.percent`)."""
    return "" if share is None else locale.percent(share, lang)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def scheme_history(store: Store, view: MapView) -> pd.DataFrame:
    """The view's scheme's records of its unit set with ``valid_from`` on or before the date (from the
    in-memory timeline: equal to ``store.status_records(…, as_of=view.as_of)``)."""
    return records_until(store, view.edition, view.as_of, province=view.province, scheme=view.scheme)


def reporting(history: pd.DataFrame, layer: dict, units: pd.DataFrame) -> set[str]:
    """Province codes that report the scheme: a record on or before the date, or a unit drawn with a status."""
    found = set(history["province_code"].tolist()) if len(history) else set()
    if layer:      # plain lists: iterating pandas string columns is slow, and this runs on every request
        found |= {p for c, p in zip(units["code"].tolist(), units["province_code"].tolist()) if c in layer}
    return found


def unit_states(units: pd.DataFrame, layer: dict, reported: set[str]) -> dict[str, str | None]:
    """``{code: status | "" (not designated) | None (no data)}`` for every unit drawn."""
    return {c: (layer[c]["status"] if c in layer else "" if p in reported else None)
            for c, p in zip(units["code"].tolist(), units["province_code"].tolist())}


def state_legend(scheme: Scheme, states: dict, lang: str) -> list[dict]:
    """Legend rows: each status, *not designated* (when some province reports) and *no data* (when
    some unit has none) — every unit counted once, the rows total the units drawn."""
    count = dict(Counter(states.values()))
    nodata = sum(v for k, v in count.items() if k is None or k != k)
    rows = [{"status": s.code, "label": s.label(lang), "colour": s.colour, "severity": s.severity,
             "units": count.get(s.code, 0)} for s in scheme.statuses]
    if len(states) > nodata:
        rows.append({"status": "", "label": _pick(NO_DESIGNATION, lang), "colour": "#e0e0e0",
                     "units": count.get("", 0)})
    if nodata:
        rows.append({"status": None, "label": _pick(NO_DATA, lang), "colour": NO_DATA_COLOUR, "units": nodata,
                     "nodata": True})
    return rows


def coverage(units: pd.DataFrame, reported: set[str]) -> dict:
    """How much of the view's unit set reports: provinces and units, with the sentence saying so."""
    provinces = sorted(set(units["province_code"]))
    n_units = int(units["province_code"].isin(reported).sum())
    n_prov = len([p for p in provinces if p in reported])
    vi = f"số liệu của {n_prov}/{len(provinces)} tỉnh, {number(n_units, 'vi')} xã"
    en = f"data from {n_prov} of {len(provinces)} provinces, {number(n_units, 'en')} communes"
    return {"provinces": n_prov, "provinces_total": len(provinces), "units": n_units,
            "units_total": int(len(units)), "complete": n_prov == len(provinces), "text_vi": vi, "text_en": en}


def ever_codes(history: pd.DataFrame, statuses: set, start: str | None, day: str) -> set[str]:
    """Units that were in one of ``statuses`` on some day of [start, day] (the as-of rule at ``start``)."""
    if history.empty:
        return set()
    first = start or "0000-01-01"
    at_start = st.as_of(history, first) if start else history.iloc[0:0]
    codes = set(at_start.loc[at_start["status"].isin(statuses), "code"])
    within = history[(history["valid_from"] >= first) & (history["valid_from"] <= day)
                     & history["status"].isin(statuses)]
    return codes | set(within["code"])


def transition_codes(history: pd.DataFrame, before: set, after: set, start: str | None, day: str) -> set[str]:
    """Units whose record moved from one of ``before`` into one of ``after`` within [start, day]."""
    if history.empty:
        return set()
    frame = history.sort_values(["code", "valid_from", "id"])
    prev = frame.groupby("code")["status"].shift(1)
    moved = frame["status"].isin(after) & prev.isin(before) & (frame["valid_from"] <= day) \
        & (frame["valid_from"] >= (start or "0000-01-01"))
    return set(frame.loc[moved, "code"])


def _counted(fig: Figure, states: dict, history: pd.DataFrame, counted: set, day: str) -> int:
    wanted = set(fig.statuses)
    if fig.kind == "now":
        return sum(1 for c in counted if states.get(c) in wanted)
    if fig.kind == "ever":
        return len(ever_codes(history, wanted, fig.start, day) & counted)
    return len(transition_codes(history, set(fig.from_statuses), wanted, fig.start, day) & counted)


def _texts(fig: Figure, value, units: int, share, view: MapView) -> dict:
    start_year = (fig.start or "")[:4]
    out = {}
    for lang in ("vi", "en"):
        fields = {"value": number(value, lang), "units": number(units, lang), "share": percent(share, lang),
                  "start_year": start_year, "year": view.as_of[:4],
                  "start": _day(fig.start, lang) if fig.start else ""}
        out[f"text_{lang}"] = fig.text(lang).format(**fields)
        out[f"definition_{lang}"] = fig.definition(lang).format(**fields)
    return out


def _day(iso: str, lang: str) -> str:
    return locale.day(iso, lang)


def unit_list(view: MapView, units: int, report: PublishedRow | None = None) -> dict:
    """The sentence naming the unit list a figure counts: "theo danh mục 30/6/2025: 137 xã" — and,
    where the published ``report`` the figure restates counted another list, the difference."""
    vi, en = UNIT_LISTS.get(view.edition, ("", ""))
    out = {"date_vi": vi, "units": units, "text_vi": f"theo danh mục {vi}: {number(units, 'vi')} xã",
           "text_en": f"per the list of {en}: {number(units, 'en')} communes", "report": None}
    if report is not None and units and report.units != units:
        out["report"] = {"units": report.units, "month": report.month, "difference": report.units - units,
                         "source": report.source, **report_difference(report, units, vi[-4:])}
        for lang in ("vi", "en"):
            out[f"text_{lang}"] += f" ({out['report'][f'text_{lang}']})"
    return out


def report_difference(report: PublishedRow, units: int, list_year: str) -> dict:
    """"báo cáo tỉnh tính trên 142 xã; danh mục này có 137 — 5 xã đã sáp nhập 2023–2025" (vi, en)."""
    diff, first = report.units - units, str(int(report.month[:4]) + 1)
    years = f"{first}–{list_year}" if list_year and first < list_year else list_year or first
    n, r, d = ({lang: number(v, lang) for lang in ("vi", "en")} for v in (units, report.units, abs(diff)))
    if diff > 0:
        vi_why, en_why = f"{d['vi']} xã đã sáp nhập {years}", f"{d['en']} communes merged {years}"
    else:
        vi_why = f"nhiều hơn {d['vi']} xã thành lập, chia tách sau báo cáo"
        en_why = f"{d['en']} more communes created or split since the report"
    return {"text_vi": f"báo cáo tỉnh tính trên {r['vi']} xã; danh mục này có {n['vi']} — {vi_why}",
            "text_en": f"the provincial report counted {r['en']} communes; this list has {n['en']} — {en_why}"}


def _no_data(fig: Figure, scheme: Scheme, view: MapView, cover: dict) -> dict:
    texts = {f"text_{lang}": f"{_pick(NO_DATA, lang)}: {scheme.label(lang)}" for lang in ("vi", "en")}
    texts.update({f"definition_{lang}": fig.definition(lang).format(
        start=_day(fig.start, lang) if fig.start else "", value="", units="", share="", start_year="",
        year="") for lang in ("vi", "en")})
    return {"code": fig.code, "kind": fig.kind, "value": None, "units": 0, "share": None, "no_data": True,
            "headline": fig.headline, "coverage": cover, "unit_list": unit_list(view, 0), **texts}


def figures_from(scheme: Scheme, view: MapView, units: pd.DataFrame, layer: dict, history: pd.DataFrame,
                 *, projected: bool = False) -> list[dict]:
    """The scheme's figures for the units drawn, their current ``layer`` and the records ``history``."""
    reported = reporting(history, layer, units)
    states = unit_states(units, layer, reported)
    counted = {c for c, p in zip(units["code"].tolist(), units["province_code"].tolist()) if p in reported}
    cover = coverage(units, reported)
    out = []
    for fig in scheme.figures:
        if projected and fig.kind != "now":
            continue                                   # no history on projected 2025 units
        if not counted:
            out.append(_no_data(fig, scheme, view, cover))
            continue
        value = _counted(fig, states, history, counted, view.as_of)
        share = value / len(counted)
        row = {"code": fig.code, "kind": fig.kind, "value": value, "units": len(counted), "share": share,
               "no_data": False, "headline": fig.headline, "coverage": cover,
               "unit_list": unit_list(view, len(counted), published_row(view.edition, view.province, fig.published,
                                                                        view.as_of)),
               **_texts(fig, value, len(counted), share, view)}
        if not cover["complete"]:
            for lang in ("vi", "en"):
                row[f"text_{lang}"] += f" — {cover[f'text_{lang}']}"
        out.append(row)
    for row in out:
        row["text"] = row["text_en" if view.lang == "en" else "text_vi"]
        row["definition"] = row["definition_en" if view.lang == "en" else "definition_vi"]
    return out


def figure_lines(figures: list[dict], lang: str) -> list[str]:
    """One line per figure with its definition, and the unit list it counts (once, on the first figure
    that counts it) — the text of the README and the XLSX README sheet."""
    lines, said = [], None
    for f in figures:
        text = f["text_en" if lang == "en" else "text_vi"]
        unit_text = f["unit_list"]["text_en" if lang == "en" else "text_vi"] if not f["no_data"] else ""
        lines.append(f"{text}" + (f" ({unit_text})" if unit_text and unit_text != said else ""))
        said = unit_text or said
        lines.append("  " + f["definition_en" if lang == "en" else "definition_vi"])
    return lines
