"""The data a map view draws, as the API serves it: statuses with legend and counts, indicator
classes, the per-province summary of the overview, emerging hot spots, and the table of a view.

Every function takes ``(store, catalogue, view)``; no Flask, so web, CLI and briefing share them.

Trip-wires:

* on the 2025 edition a date **before the reform** has no 2025 records: statuses are projected
  from the old communes each unit was formed from (the crosswalk rule is reported with them);
* after the reform, old-code records dated after it (reports still using old codes) are projected
  onto the 2025 units they fall in — they count only where no 2025 record is at least as recent;
* the API's indicator payload draws ``view.period`` (None: the latest with data) while
  :func:`view_data` (exports, briefing) draws :attr:`MapView.chosen_period` (default the as-of year).
"""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
import shapely

from .. import status as st
from ..crosswalk.rules import FALLBACK_RULE, load_rules, rule_text
from ..editions import REFORM_DATE, in_period
from ..records import DEMO_MARK, current_statuses, indicator_values, pick_period
from ..schemes import Catalogue
from ..status_timeline import in_force, late_old_records as projected_late, projected as projected_frame, \
    projected_rows
from ..strings import translate
from ..store.base import Store
from ..store.snapshot import snapshot
from . import geojson
from . import transitions as tr
from .classes import class_breaks, classify, status_entry, status_layer
from .figures import figures_from, reporting, scheme_history, state_legend, unit_states
from .view import MapView


def _any_demo(frame: pd.DataFrame) -> bool:
    return bool(frame["is_demo"].astype(bool).any()) if len(frame) else False


def _projected_entry(scheme, status: str, lang: str, row, since=None) -> dict:
    note = row.formed_from_en if lang == "en" else row.formed_from_vi
    return status_entry(scheme, status, lang, since=since, note=note, demo=row.is_demo, projected=True)


def status_counts(store: Store, catalogue: Catalogue, view: MapView):
    """(statuses in force, number of units, units per status) of the view's scheme on ``view.as_of``."""
    scheme = catalogue.schemes[view.scheme]
    current = current_statuses(store, view.edition, catalogue, province=view.province, as_of=view.as_of,
                               scheme=scheme.code)
    total = len(snapshot(store).units(view.edition, view.province))
    return current, total, st.counts(current, scheme, total)


def stats_payload(store: Store, catalogue: Catalogue, view: MapView) -> dict:
    """What /stats answers: units per state (each status, not designated, no data) and the figures."""
    payload = statuses_payload(store, catalogue, view)
    out = {k: payload[k] for k in ("edition", "province", "scheme", "as_of", "units", "demo", "coverage",
                                   "figures")} | {"counts": payload["legend"]}
    if "change" in payload:                          # a change view: the window and the count per change
        out["change"] = payload["change"]
    if not in_period(view.edition, view.as_of):      # outside the edition's period: no headline, only the notice
        out.update(figures=[], counts=[])
    return out


def with_states(store: Store, catalogue: Catalogue, view: MapView, payload: dict, *,
                projected: bool = False) -> dict:
    """``payload`` (edition … statuses) with the three-state legend, the no-data units, the
    coverage and the scheme's figures — the one place a status payload is finished."""
    scheme = catalogue.schemes[view.scheme]
    units = snapshot(store).units(view.edition, view.province)[["code", "province_code"]]
    history = scheme_history(store, view) if not projected else units.iloc[0:0].assign(status="")
    layer = payload["statuses"]
    states = unit_states(units, layer, reporting(history, layer, units))
    figures = figures_from(scheme, view, units, layer, history, projected=projected)
    payload["legend"] = state_legend(scheme, states, view.lang)
    payload["no_data"] = sorted(c for c, v in states.items() if v is None)
    payload["coverage"] = figures[0]["coverage"] if figures else None
    payload["figures"] = figures
    return payload


def summary_figures(store: Store, catalogue: Catalogue, view: MapView) -> list[dict]:
    """The summary figures of ``view`` (none for an indicator view): see :mod:`geoapp.mapview.figures`.
    Every map page asks: the recent ones are kept per data version (shared lists: never mutate one)."""
    if view.indicator:
        return []
    snap = snapshot(store)
    snap.pinned[id(catalogue)] = catalogue
    return snap.recent(("figures", id(catalogue), view), lambda: statuses_payload(store, catalogue, view)["figures"])


def statuses_payload(store: Store, catalogue: Catalogue, view: MapView) -> dict:
    """What /statuses answers: per-unit status, legend with counts (projected before the reform on 2025);
    with ``view.since`` the change from that day to ``as_of`` (:func:`change_payload`)."""
    if view.since:
        return change_payload(store, catalogue, view)
    if view.edition == "2025" and view.as_of < REFORM_DATE:
        return projected_statuses(store, catalogue, view)
    scheme = catalogue.schemes[view.scheme]
    # any date is a bisect on the in-memory timeline (geoapp.status_timeline), not a query
    current = in_force(store, view.edition, view.as_of, province=view.province, scheme=scheme.code)
    total = len(snapshot(store).units(view.edition, view.province))
    layer = status_layer(current, scheme, view.lang)
    if view.edition == "2025":
        layer.update(late_old_records(store, catalogue, view, current))
    return with_states(store, catalogue, view, {
        "edition": view.edition, "province": view.province, "scheme": scheme.code, "as_of": view.as_of,
        "units": total, "demo": _any_demo(current), "statuses": layer})


def _states(payload: dict, units) -> dict:
    """``{code: status | "" (not designated) | None (no data)}`` of a finished status payload."""
    nodata = set(payload["no_data"])
    return {c: (None if c in nodata else payload["statuses"][c]["status"] if c in payload["statuses"] else "")
            for c in units}


def change_payload(store: Store, catalogue: Catalogue, view: MapView) -> dict:
    """The change from ``view.since`` (A) to ``view.as_of`` (B) (:mod:`.transitions`): the same shape as a
    status payload — ``statuses`` holds one entry per unit with data (``status`` = the change, ``before``,
    ``after``, ``path`` with dates), ``legend`` one row per change with its units (they total the units),
    ``no_data`` the units without data on A or B; ``figures`` are those of B; ``change`` names the window."""
    scheme, lang = catalogue.schemes[view.scheme], view.lang
    at_b = statuses_payload(store, catalogue, replace(view, since=None))
    at_a = statuses_payload(store, catalogue, replace(view, since=None, as_of=view.since))
    units = snapshot(store).units(view.edition, view.province)["code"].tolist()
    rows = tr.changes(_states(at_a, units), _states(at_b, units), scheme_history(store, view), scheme,
                      view.since, view.as_of)
    entries, tally = {}, {c: 0 for c in tr.CHANGES}
    for code, row in rows.items():
        tally[row["change"]] += 1
        if row["change"] == "no_data":
            continue
        last = row["path"][-1] if row["path"] else None
        entries[code] = {"status": row["change"], "label": tr.label(row["change"], lang),
                         "colour": tr.COLOURS[row["change"]], "since": view.since, "until": view.as_of,
                         "decision": last[2].get("decision", "") if last else "", "decision_date": last[0] if last else None,
                         "note": tr.path_text(scheme, row, view.since, lang), "demo": at_b["demo"] or at_a["demo"],
                         "before": row["before"], "after": row["after"],
                         "path": [{"date": d, "status": s} for d, s, _ in row["path"]]}
    legend = [{"status": c, "label": tr.label(c, lang), "colour": tr.COLOURS[c], "units": n}
              for c, n in tally.items() if c not in ("other", "no_data") or n]
    for r in legend:
        if r["status"] == "no_data":
            r.update(status=None, nodata=True)
    return {**at_b, "since": view.since, "statuses": entries, "legend": legend,
            "no_data": sorted(c for c, r in rows.items() if r["change"] == "no_data"),
            "demo": at_b["demo"] or at_a["demo"],
            "change": {"since": view.since, "as_of": view.as_of, "title": tr.title(view.since, view.as_of, lang),
                       "counts": tally}}


def late_old_records(store: Store, catalogue: Catalogue, view: MapView, current: pd.DataFrame) -> dict:
    """Old-code records dated after the reform, projected onto the 2025 units they fall in (never
    re-coded): ``{code: status entry}`` where no 2025 record at least as recent exists."""
    late = projected_late(store, catalogue)      # computed once per data version
    if late.empty:
        return {}
    scheme = catalogue.schemes[view.scheme]
    late = late[(late["scheme"] == scheme.code) & (late["as_of"] <= view.as_of) & (late["status"] != "")]
    if view.province:
        late = late[late["province_code"] == view.province]
    late = late.sort_values("as_of").groupby("code").tail(1)
    since = dict(zip(current["code"], current["valid_from"])) if len(current) else {}
    return {r.code: _projected_entry(scheme, r.status, view.lang, r, since=r.as_of)
            for r in late.itertuples(index=False)
            if not (r.code in since and since[r.code] >= r.as_of)}   # a 2025 record at least as recent wins


def projected_statuses(store: Store, catalogue: Catalogue, view: MapView) -> dict:
    """2025 units before 1 July 2025: statuses projected from the old communes they were formed from."""
    scheme = catalogue.schemes[view.scheme]
    rows = projected_rows(store, catalogue, view.as_of, view.province, [scheme.code])   # memoised per unit
    rule = load_rules().get(scheme.code, FALLBACK_RULE)
    statuses = {r["code"]: _projected_entry(scheme, r["status"], view.lang, SimpleNamespace(**r)) for r in rows
                if r["status"]}
    total = len(snapshot(store).units("2025", view.province))
    return with_states(store, catalogue, view, {
        "edition": "2025", "province": view.province, "scheme": scheme.code, "as_of": view.as_of,
        "units": total, "demo": any(bool(r["is_demo"]) for r in rows),
        "projected": {"rule": rule.get("rule"), "threshold": rule.get("threshold"),
                      "text": rule_text(scheme.code, rule, view.lang)},
        "statuses": statuses}, projected=True)


def indicators_payload(store: Store, catalogue: Catalogue, view: MapView) -> dict:
    """What /indicators answers: values of a period classed with breaks shared by all periods."""
    ind = catalogue.indicators[view.indicator]
    values = indicator_values(store, view.edition, view.province, view.indicator, rate=view.rate)
    periods = sorted(values["period"].unique()) if len(values) else []
    chosen = pick_period(periods, view.period)
    breaks = class_breaks(values["value"].to_numpy(), view.classes, view.k, list(view.breaks))
    units = snapshot(store).units(view.edition, view.province)["code"]
    series = values[values["period"] == chosen].set_index("code")["value"].reindex(units)
    classes, rows = classify(series, breaks, ind.higher_is_worse, view.lang)
    return {"edition": view.edition, "province": view.province, "indicator": view.indicator,
            "label": ind.label(view.lang), "unit": ind.unit_en if view.lang == "en" else ind.unit_vi,
            "rate_per_1000": view.rate, "periods": periods, "period": chosen,
            "classes": view.classes if not view.breaks else "user", "breaks": breaks, "legend": rows,
            "values": classes, "demo": _any_demo(values)}


def view_data(store: Store, catalogue: Catalogue, view: MapView) -> tuple[dict, pd.DataFrame]:
    """(the payload the map draws, one row per unit of what the view shows) — what exports and the
    briefing pack write. An indicator is drawn for :attr:`MapView.chosen_period`. The frame's columns
    are names (``code``, ``label`` …); the CSV/XLSX writer heads them in the view's language."""
    units = snapshot(store).units(view.edition, view.province)[["code", "full_name", "name", "district_name",
                                                                "province_name"]]
    if view.indicator:
        payload = indicators_payload(store, catalogue, replace(view, period=view.chosen_period))
        labels = {r["class"]: r["label"] for r in payload["legend"]}
        rows = [{"code": c, "value": v["value"], "class": labels.get(v["class"], ""), "colour": v["colour"]}
                for c, v in payload["values"].items()]
        extra = {"indicator": view.indicator, "period": payload["period"], "rate_per_1000": view.rate}
    elif view.since:
        payload = statuses_payload(store, catalogue, view)
        rows = change_rows(catalogue.schemes[view.scheme], payload, view.lang)
        extra = {"scheme": view.scheme}
    else:
        payload = statuses_payload(store, catalogue, view)
        rows = [{"code": c, "status": v["status"], "label": v["label"], "colour": v["colour"], "since": v["since"],
                 "decision": v["decision"], "note": v["note"]} for c, v in payload["statuses"].items()]
        extra = {"scheme": view.scheme}
    frame = units.merge(pd.DataFrame(rows, columns=list(rows[0]) if rows else ["code"]), on="code", how="left")
    frame.insert(0, "as_of", view.as_of)
    frame.insert(1, "edition", view.edition)
    for k, v in extra.items():
        frame[k] = v
    frame["demo"] = DEMO_MARK if payload.get("demo") else ""
    if view.since and not view.indicator:      # a change view: no data is its own change, never blank
        nodata = frame["code"].isin(payload["no_data"])
        frame.loc[nodata, "transition"] = "no_data"
        frame.loc[nodata, "label"] = tr.label("no_data", view.lang)
    elif not view.indicator:                   # not designated and no data: two states, never blank
        state = {r["status"]: r["label"] for r in payload["legend"]}
        nodata = frame["code"].isin(payload["no_data"])
        for column in ("status", "label"):
            if column not in frame:
                frame[column] = None
        frame.loc[frame["status"].isna() & ~nodata, "label"] = state.get("", "")
        frame.loc[nodata, "label"] = state.get(None, "")
    return payload, frame


def change_rows(scheme, payload: dict, lang: str) -> list[dict]:
    """The table rows of a change view: the change (code and label), the status on A and on B (labels) and
    the path with its dates."""
    def name(code):
        return scheme.status(code).label(lang) if code else translate("no_designation", lang)
    columns = ("code", "since", "transition", "label", "colour", "before", "after", "changes", "decision")
    rows = [dict(zip(columns, (c, v["since"], v["status"], v["label"], v["colour"], name(v["before"]),
                               name(v["after"]), v["note"], v["decision"])))
            for c, v in payload["statuses"].items()]
    return rows


def _edition_layer(store: Store, catalogue: Catalogue, view: MapView) -> tuple[dict, pd.DataFrame, bool]:
    """({code: {status}} on the date, the records up to it, projected?) of the whole edition."""
    scheme = catalogue.schemes[view.scheme]
    if view.edition == "2025" and view.as_of < REFORM_DATE:
        projected = projected_frame(store, catalogue, view.as_of, None, scheme=scheme.code)
        current = projected[projected["status"] != ""]
        return {c: {"status": v} for c, v in zip(current["code"], current["status"])}, current.iloc[0:0], True
    records = scheme_history(store, replace(view, province=None))
    current = in_force(store, view.edition, view.as_of, scheme=scheme.code)
    return {c: {"status": v} for c, v in zip(current["code"], current["status"])}, records, False


def province_summary(store: Store, catalogue: Catalogue, view: MapView) -> dict:
    """Per province of the edition: ``{reported, counts, listed, key, target_share, figures}`` of the
    view's scheme on ``view.as_of`` — what the overview colours provinces by. A province with no
    record of the scheme is ``reported: False`` with ``target_share``/``key`` None: no data, never 0.
    On 2025 before the reform, statuses are the projected ones. A date outside the edition's period
    gives no headline (``figures`` empty, ``counts``/``key``/``target_share`` None, ``in_period`` False)."""
    scheme = catalogue.schemes[view.scheme]
    layer, history, projected = _edition_layer(store, catalogue, view)
    units = snapshot(store).units(view.edition)[["code", "province_code"]]
    summary = {}
    for code, own in units.groupby("province_code"):
        mine = {c: layer[c] for c in own["code"] if c in layer}
        hist = history[history["province_code"] == code] if len(history) else history
        figures = figures_from(scheme, replace(view, province=code), own, mine, hist, projected=projected)
        reported = (not figures[0]["no_data"]) if figures else (bool(mine) or len(hist) > 0)
        by = {k: 0 for k in scheme.codes}
        for v in mine.values():
            by[v["status"]] = by.get(v["status"], 0) + 1
        summary[code] = {"reported": reported, "counts": by if reported else None, "listed": int(len(own)),
                         "key": sum(v for k, v in by.items() if scheme.status(k).kind == "key") if reported else None,
                         "figures": figures}
        if scheme.target_status:
            summary[code]["target_share"] = by[scheme.target_status] / len(own) if reported else None
    if not in_period(view.edition, view.as_of):      # outside the edition's period: no headline, only the notice
        blank = {"counts": None, "key": None, "figures": [], "in_period": False}
        for row in summary.values():
            row.update(blank, **({"target_share": None} if "target_share" in row else {}))
    return summary


def emerging_payload(store: Store, catalogue: Catalogue, view: MapView) -> dict:
    """What /emerging answers: emerging hot spots of ``view.indicator`` over the yearly series
    (Gi* per year + Mann–Kendall), a legend of the categories found and one row per unit."""
    # libpysal and friends: imported when asked for, not with the map
    from ..hotspots.legend import EMERGING_COLOURS, emerging_label
    from ..hotspots.service import run_emerging

    frame, periods = run_emerging(store, catalogue, view.edition, view.province, view.indicator,
                                  rate=view.rate)
    frame["label"] = [emerging_label(c, view.lang) for c in frame["category"]]
    table = frame.drop(columns="geometry")
    rows = table.astype(object).where(table.notna(), None)
    counts = frame["category"].value_counts()
    return {"edition": view.edition, "province": view.province, "indicator": view.indicator, "periods": periods,
            "legend": [{"category": c, "label": emerging_label(c, view.lang),
                        "colour": EMERGING_COLOURS[c], "units": int(counts[c])}
                       for c in EMERGING_COLOURS if c in counts],
            "rows": rows.to_dict("records")}


def near_box(bounds) -> tuple[float, float, float, float] | None:
    """(minx, miny, maxx, maxy) around a province's ``bounds``: one province's size on each side."""
    x0, y0, x1, y1 = (float(v) for v in bounds)
    if any(v != v for v in (x0, y0, x1, y1)):     # NaN: the province has no geometry
        return None
    margin = max(x1 - x0, y1 - y0)
    return (x0 - margin, y0 - margin, x1 + margin, y1 + margin)


def outlines_payload(store: Store, edition: str, level: str = "province", province: str | None = None,
                     near: tuple[float, float, float, float] | None = None) -> bytes:
    """What /outlines answers (GeoJSON bytes): province outlines of the whole edition (lod 3, 3 decimals), or
    district outlines of one province (lod 2) — also inlined in the standalone HTML, where ``near`` (a
    lon/lat box) keeps only the provinces that touch it (a province's file need not carry the country).
    Province outlines asked with a ``province`` are those near it (:func:`near_box`): a province map's
    context, a third of the bytes of the country's."""
    if level == "province":
        frame = store.geometries(edition, lod=3)
        provinces = store.provinces(edition)
        names = dict(zip(provinces["code"], provinces["name"]))
        if near is None and province:
            near = near_box(frame[frame["province_code"] == province].total_bounds)
        outlines = geojson.dissolve(frame, "province_code")
        if near is not None:
            box = shapely.box(*near)
            outlines = [(code, geom) for code, geom in outlines if geom.intersects(box)]
        return geojson.outlines_geojson(outlines, names, precision=3)
    frame = store.geometries(edition, province, lod=2)
    names = dict(zip(frame["district_code"], frame["district_name"]))
    return geojson.outlines_geojson(geojson.dissolve(frame, "district_code"), names)
