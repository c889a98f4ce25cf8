"""What the figure of a map view says: title, subtitle (date, edition, period), legend and colours
from the view's payload, the sources line, the demo flag and, on request, the hot-spot table.

Trip-wires:

* the caller passes the view's ``(payload, frame)`` when it has them (a pack computes them once
  and writes the figure and the tables from the same data);
* the whole edition is drawn at level of detail 3 (coarse), one province at 1;
* the hot-spot table is only for an indicator view with ``hotspots``: the ten hottest units by
  Gi* with FDR-adjusted p-values.
"""
from __future__ import annotations

from ..columns import parse_period
from ..editions import PERIODS, in_period, show_date
from ..hotspots.legend import result_rows
from ..hotspots.service import run_hotspots
from ..mapview import MapView
from ..mapview.classes import NONE_COLOUR
from ..schemes import Catalogue
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


def hotspot_table(store: Store, catalogue: Catalogue, view: MapView) -> list[dict]:
    """The ten hottest units of an indicator view (code, name, z, FDR p, class), in the view's language."""
    frame, _ = run_hotspots(store, catalogue, view.edition, view.province, indicator=view.indicator,
                            period=view.chosen_period, rate=view.rate)
    rows = result_rows(frame[frame["class"].str.startswith("hot")].head(10), view.lang)
    vi = view.lang == "vi"
    return [{"Mã" if vi else "Code": r["code"], "Tên" if vi else "Name": r["full_name"] or r["name"],
             "z": round(r["z"], 2) if r["z"] is not None else None,
             "p (FDR)": f"{r['p_adjusted']:.2g}" if r["p_adjusted"] is not None else "", "": r["label"]}
            for r in rows]


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
    table = hotspot_table(store, catalogue, view) if view.hotspots and view.indicator else None
    geo = store.geometries(view.edition, view.province, lod=1 if view.province else 3)
    fig = FigureSpec(title=title(store, catalogue, view), subtitle=subtitle(store, view, payload), colours=colours,
                     legend=legend, legend_title=legend_title, sources=sources_line(view.edition, lang), demo=bool(payload.get("demo")),
                     table=table, table_title="Điểm nóng (Gi*, FDR)" if lang == "vi" else "Hot spots (Gi*, FDR)",
                     lang=lang, figures=figure_texts(payload.get("figures") or [], lang))
    return fig, len(frame), geo


def figure_texts(figures: list[dict], lang: str) -> list[dict]:
    """The figures a briefing prints: text (with the unit list counted) and definition, in ``lang``."""
    out = []
    for f in figures:
        text = f["text_en" if lang == "en" else "text_vi"]
        if not f["no_data"]:
            text += f" ({f['unit_list']['text_en' if lang == 'en' else 'text_vi']})"
        out.append({"text": text, "definition": f["definition_en" if lang == "en" else "definition_vi"]})
    return out
