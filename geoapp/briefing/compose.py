"""What the figure of a map view says: title, subtitle (date, edition, period), legend and colours
from the view's payload, the sources line, the demo flag and, on request, the hot-spot table.

Trip-wires:

* the caller passes the view's ``(payload, frame)`` when it has them (a pack computes them once
  and writes the figure and the tables from the same data);
* the whole edition is drawn at level of detail 3 (coarse), one province at 1;
* a view with ``hotspots`` (an indicator: Gi*; a scheme: Local Join Count of its declared
  ``hotspot_statuses``) is coloured by hot-spot class, with the hot-spot legend, and lists the
  hottest units (whole names, class in words, FDR p as people read it: ``p < 0,001``).
"""
from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from weakref import WeakKeyDictionary

import pandas as pd

from ..columns import parse_period
from ..editions import PERIODS, in_period, show_date
from ..hotspots.legend import CLASS_STYLES, result_rows
from ..hotspots.legend import legend as hotspot_legend
from ..hotspots.service import event_label, run_hotspots
from ..mapview import MapView
from ..mapview.classes import NONE_COLOUR
from ..mapview.transitions import CHANGES
from ..schemes import Catalogue
from ..strings import translate
from ..store.base import Store
from .figure import FigureSpec
from .texts import sources_line, title


def subtitle(store: Store, view: MapView, payload: dict) -> str:
    """"Tính đến 31/12/2025 · <edition>" (vi) or "As of 2025-12-31 · <edition>": the date the figure was
    computed for. An indicator names its period and that period's last day instead ("Kỳ 2024 (đến
    31/12/2024)"), never the view's as-of date (by default today); then the rate, the projection note
    when statuses were projected onto 2025 units, and a note when the date is outside the edition's period."""
    lang, vi = view.lang, view.lang != "en"
    edition_label = store.editions().set_index("edition").at[view.edition, f"label_{lang}"]
    period = parse_period(str(payload.get("period") or "")) if view.indicator else None
    if period:
        end = show_date(period[2], lang)
        text = f"Kỳ {period[0]} (đến {end})" if vi else f"Period {period[0]} (to {end})"
    elif view.since:                 # a change view: both days
        a, b = show_date(view.since, lang), show_date(view.as_of, lang)
        text = f"Từ {a} đến {b}" if vi else f"From {a} to {b}"
    else:
        text = f"{'Tính đến' if vi else 'As of'} {show_date(view.as_of, lang)}"
    text += f" · {edition_label}"
    if view.indicator and view.rate:
        text += " · /1.000 dân" if vi else " · per 1,000 people"
    elif payload.get("projected"):
        text += " · " + ("chiếu lên đơn vị 2025" if vi else "projected onto 2025 units")
    if not period and not in_period(view.edition, view.as_of):
        end = show_date(PERIODS[view.edition][1], lang)
        text += " · " + (f"ngoài thời gian hiệu lực của bản đồ (đến {end})" if vi else f"outside the map's period (to {end})")
    return text


def view_hotspot_options(view: MapView) -> dict:
    """The options of :func:`run_hotspots` for ``view``: its indicator (Gi*) or its scheme (join count)."""
    if view.indicator:
        return {"indicator": view.indicator, "period": view.chosen_period, "rate": view.rate}
    return {"scheme": view.scheme, "as_of": view.as_of, "status": view.status}


#: the last few hot-spot runs of each store (held weakly), by data version, catalogue and view: one export
#: asks for them more than once (the table's columns, then the figure and its ranking), and 999
#: permutations of the country take seconds
_RUNS: "WeakKeyDictionary[Store, OrderedDict]" = WeakKeyDictionary()
_RUNS_LOCK = Lock()
_RUNS_KEPT = 4


def run_view_hotspots(store: Store, catalogue: Catalogue, view: MapView):
    """``(frame, run)`` of the view's hot spots: Gi* of its indicator, or the join count of its scheme.
    Computed once per store data version, catalogue and view (the frame handed out is a copy)."""
    options = view_hotspot_options(view)
    key = (store.data_version(), id(catalogue), view.edition, view.province, tuple(sorted(options.items())))
    with _RUNS_LOCK:
        hit = _RUNS.get(store, {}).get(key)
    if hit is None:
        hit = run_hotspots(store, catalogue, view.edition, view.province, **options)
        with _RUNS_LOCK:
            runs = _RUNS.setdefault(store, OrderedDict())
            runs[key] = hit
            while len(runs) > _RUNS_KEPT:
                runs.popitem(last=False)
    return hit[0].copy(), hit[1]


def with_hotspots(store: Store, catalogue: Catalogue, view: MapView, data: tuple) -> tuple:
    """``(payload, frame)`` of a hot-spot view with the hot-spot columns added to the frame (class in words,
    z, p, FDR-adjusted p), so the CSV, XLSX, GeoJSON, GIS files and the pack list what the map draws;
    other views unchanged."""
    if not view.hotspots:
        return data
    payload, frame = data
    hot, _ = run_view_hotspots(store, catalogue, view)
    rows = pd.DataFrame([{"code": r["code"], "hotspot": r["label"], "hotspot_z": r.get("z"),
                          "hotspot_p": r.get("p"), "hotspot_p_fdr": r.get("p_adjusted")}
                         for r in result_rows(hot, view.lang)],
                        columns=["code", "hotspot", "hotspot_z", "hotspot_p", "hotspot_p_fdr"])
    return payload, frame.merge(rows, on="code", how="left")


def hotspot_table(store: Store, catalogue: Catalogue, view: MapView, frame=None) -> list[dict]:
    """The ten hottest units of a view (name, district, class in words, FDR p as read), in its language."""
    if frame is None:
        frame, _ = run_view_hotspots(store, catalogue, view)
    rows = result_rows(frame[frame["class"].str.startswith("hot")].head(10), view.lang)
    vi, districts = view.lang == "vi", any(r["district_name"] for r in rows)     # none after the 2025 reform
    return [{"Tên" if vi else "Name": r["full_name"] or r["name"],
             **({"Huyện" if vi else "District": r["district_name"] or ""} if districts else {}),
             "Phân loại" if vi else "Class": r["label"], "p (FDR)": r["p_adjusted_text"]}
            for r in rows]


def hotspot_panel(store: Store, catalogue: Catalogue, view: MapView) -> dict:
    """What a hot-spot view draws instead of its layer: colours and legend by hot-spot class, the table."""
    frame, run = run_view_hotspots(store, catalogue, view)
    lang, vi = view.lang, view.lang == "vi"
    subject = event_label(catalogue, run, lang) or catalogue.indicators[view.indicator].label(lang)
    method = "Gi*" if view.indicator else ("đếm liên kết cục bộ" if vi else "Local Join Count")
    return {"colours": dict(zip(frame["code"], frame["class"].map(lambda c: CLASS_STYLES.get(c, ("#cccccc",))[0]))),
            "legend": [{**r, "nodata": r["class"] == "no_data"} for r in hotspot_legend(frame, lang)],
            "legend_title": f"{'Điểm nóng' if vi else 'Hot spots'}: {subject}",
            "table": hotspot_table(store, catalogue, view, frame),
            "table_title": f"{'Điểm nóng' if vi else 'Hot spots'} ({method}, FDR)"}


def change_panel(payload: dict, frame, lang: str) -> dict:
    """The table of a change view's figure: the communes that changed, most urgent change first (the
    legend's order), with the day of their last change (the figure continues or counts what does not fit)."""
    order = {code: i for i, code in enumerate(CHANGES)}
    names = dict(zip(frame["code"], frame["full_name"].fillna(frame["name"])))
    changed = sorted(((order[v["status"]], names.get(c, c), v) for c, v in payload["statuses"].items()
                      if v["status"] != "unchanged"), key=lambda r: (r[0], r[1]))
    vi = lang != "en"
    rows = [{"Tên" if vi else "Name": name, "Thay đổi" if vi else "Change": v["label"],
             "Ngày" if vi else "Date": show_date(v["decision_date"], lang) if v["decision_date"] else ""}
            for _, name, v in changed]
    return {"table": rows, "table_title": translate("change_list", lang)} if rows else {}


def figure_spec(store: Store, catalogue: Catalogue, view: MapView, data: tuple) -> tuple[FigureSpec, int, object]:
    """(FigureSpec, number of units, geometry frame) of a view, from its ``data`` = ``(payload, frame)``."""
    payload, frame = data
    lang = view.lang
    legend = [{"label": r["label"], "colour": r["colour"], "units": r["units"],
               "nodata": bool(r.get("nodata")) or r.get("class") == -1} for r in payload["legend"]]
    if view.indicator:
        colours = {c: v["colour"] for c, v in payload["values"].items() if v["class"] >= 0}
        legend_title = payload["label"]
    else:                          # not designated: its own colour; no data: uncoloured (hatched)
        nodata = set(payload.get("no_data", []))
        colours = {c: NONE_COLOUR for c in frame["code"] if c not in nodata}
        colours.update({c: v["colour"] for c, v in payload["statuses"].items()})
        legend_title = catalogue.schemes[view.scheme].label(lang)
    hot = hotspot_panel(store, catalogue, view) if view.hotspots else {}
    if hot:
        colours, legend, legend_title = hot["colours"], hot["legend"], hot["legend_title"]
    extra = hot or (change_panel(payload, frame, lang) if view.since and not view.indicator else {})
    geo = store.geometries(view.edition, view.province, lod=1 if view.province else 3)
    fig = FigureSpec(title=title(store, catalogue, view), subtitle=subtitle(store, view, payload), colours=colours,
                     legend=legend, legend_title=legend_title, sources=sources_line(view.edition, lang), demo=bool(payload.get("demo")),
                     table=extra.get("table"), table_title=extra.get("table_title", ""),
                     lang=lang, figures=figure_texts(payload.get("figures") or [], lang)
                     if in_period(view.edition, view.as_of) else [])      # outside: the subtitle says why
    return fig, len(frame), geo


def figure_texts(figures: list[dict], lang: str) -> list[dict]:
    """The figures a briefing prints: text (with the unit list counted — once, on the first figure
    that counts it) and definition, in ``lang``."""
    out, said = [], None
    for f in figures:
        text = f["text_en" if lang == "en" else "text_vi"]
        unit_text = f["unit_list"]["text_en" if lang == "en" else "text_vi"] if not f["no_data"] else None
        if unit_text and unit_text != said:
            text, said = f"{text} ({unit_text})", unit_text
        out.append({"text": text, "definition": f["definition_en" if lang == "en" else "definition_vi"]})
    return out
