"""HTML pages: editions overview, province map, unit list, commune page, about."""
from __future__ import annotations

from flask import Blueprint, current_app, g, render_template, url_for
from markupsafe import Markup

from ..briefing.charts import indicator_chart
from ..errors import NotFoundError
from ..mapview import MapView
from ..mapview.basemap import base_map, map_parts
from ..mapview.dates import default_as_of
from ..mapview.payloads import summary_figures
from ..mapview.page import page_context
from ..records import DEMO_MARK, unit_history
from ..store.snapshot import snapshot
from ..strings import map_strings
from .i18n import translate as t_
from .policy import readable
from .store_access import catalogue, store
from .views import map_view

bp = Blueprint("pages", __name__)


def _province_row(edition: str, province: str) -> dict:
    prov = snapshot(store()).provinces(edition)
    if province == "all":
        label = snapshot(store()).editions().set_index("edition").at[edition, f"label_{g.lang}"]
        return {"code": "all", "name": label, "units": int(prov["units"].sum()),
                "with_geometry": int(prov["with_geometry"].sum())}
    row = prov[prov["code"] == province]
    if row.empty:
        raise NotFoundError(f"no province {province} in edition {edition}",
                            message_vi=f"không có tỉnh {province} trong phiên bản {edition}")
    return row.iloc[0].to_dict()


@bp.get("/")
def index():
    """Editions with their provinces and unit counts."""
    s = store()
    editions = s.editions().to_dict("records")
    provinces = {}
    for e in editions:
        frame = s.provinces(e["edition"])
        provinces[e["edition"]] = frame[frame["code"].isin(readable(e["edition"], frame["code"]))].to_dict("records")
    return render_template("index.html", editions=editions, provinces=provinces)


@bp.get("/overview/<edition>")
def overview(edition: str):
    """Provinces of an edition coloured by a summary of a scheme on a date."""
    eds = store().editions().set_index("edition")
    as_of = map_view(g.params, g.lang).as_of
    m = base_map((102.1, 8.4, 109.5, 23.4), current_app.config.get("TILES", "none"), g.lang)
    map_id, map_html, map_script = map_parts(m)
    config = {"mapName": map_id, "lang": g.lang, "asOf": as_of,
              "provincesUrl": url_for("api.provinces_geojson", edition=edition),
              "mapUrl": url_for("pages.province_map", edition=edition, province="PROVINCE"),
              "strings": map_strings(g.lang)}
    return render_template("overview.html", edition=edition, edition_label=eds.at[edition, f"label_{g.lang}"],
                           map_html=map_html, map_script=map_script, config=config, as_of=as_of,
                           schemes=catalogue().schemes.values())


@bp.get("/units/<edition>/<province>")
def province_units(edition: str, province: str):
    """Every unit of one province, those without geometry flagged."""
    row = _province_row(edition, province)
    units = store().units(edition, g.params.province).to_dict("records")
    return render_template("province_units.html", edition=edition, province=row, units=units)


def map_context(view: MapView, *, interactive: bool = True, show_table: bool = True) -> dict:
    """Everything a template needs to draw a province map (page and embed) of ``view``; 404 for an unknown province."""
    row = _province_row(view.edition, view.province or "all")
    tiles = current_app.config.get("TILES", "none")
    context = page_context(store(), catalogue(), view, urls=map_urls(view), tiles=tiles, interactive=interactive,
                           show_table=show_table, province_name=row["name"])
    # the summary figures, drawn in the page too (map.js redraws them for another date or layer)
    return dict(context, province=row, figures=summary_figures(store(), catalogue(), view))


def map_urls(view: MapView) -> dict:
    """The service URLs map.js fetches ``view``'s data from (:data:`geoapp.mapview.page.URL_KEYS`)."""
    edition, province = view.edition, view.province or "all"
    return {"unitsUrl": url_for("api.units", edition=edition, province=province, lod=2 if view.province else 3),
            "statusesUrl": url_for("api.statuses", edition=edition),
            "indicatorsUrl": url_for("api.indicators", edition=edition),
            "outlinesUrl": url_for("api.outlines", edition=edition),
            "hotspotsUrl": url_for("api.hotspots", edition=edition),
            "emergingUrl": url_for("api.emerging", edition=edition),
            "unitUrl": url_for("pages.unit_page", edition=edition, code="CODE")}


@bp.get("/map/<edition>/<province>")
def province_map(edition: str, province: str):
    """The province choropleth: statuses or an indicator, as of a date."""
    return render_template("map.html", **map_context(map_view(g.params, g.lang)))


@bp.get("/embed/map/<edition>/<province>")
def embed_map(edition: str, province: str):
    """A map-only view for an iframe: title, date, edition, legend, sources, demo mark."""
    return render_template("embed.html", **map_context(map_view(g.params, g.lang), interactive=False,
                                                       show_table=False))


@bp.get("/compare/<province>")
def compare(province: str):
    """Old and new side by side: a pre-2025 province and the 2025 province it became, same date."""
    q = g.params
    row = _province_row("2025", q.province)
    pairs = store().crosswalk(new_province=q.province)
    old = sorted(set(pairs["old_province"])) if pairs is not None and len(pairs) else []
    olds = store().provinces("pre2025")
    olds = olds[olds["code"].isin(old) & (olds["with_geometry"] > 0)]
    olds = olds[olds["code"].isin(readable("pre2025", olds["code"]))].to_dict("records")
    chosen = q.old if q.old in {o["code"] for o in olds} else (olds[0]["code"] if olds else None)
    as_of = q.as_of or default_as_of(store(), "pre2025")     # both sides on a day the old map was in force
    scheme = q.scheme
    query = f"scheme={scheme}&as_of={as_of}&lang={g.lang}"
    return render_template("compare.html", province=row, olds=olds, chosen=chosen, as_of=as_of, scheme=scheme,
                           query=query, schemes=catalogue().schemes.values())


@bp.get("/unit/<edition>/<code>")
def unit_page(edition: str, code: str):
    """A commune: its status timeline, indicators over time and neighbours."""
    s = store()
    units = s.units(edition)
    unit = units[units["code"] == g.params.code].iloc[0].to_dict()
    cat = catalogue()
    history = unit_history(s, edition, unit["code"])
    history = history[history["batch_state"] == "active"] if len(history) else history
    timeline = []
    for r in history.sort_values(["scheme", "valid_from"]).itertuples() if len(history) else []:
        scheme = cat.schemes.get(r.scheme)
        status = scheme.status(r.status) if scheme and r.status in scheme.codes else None
        timeline.append({"scheme": scheme.label(g.lang) if scheme else r.scheme,
                         "label": status.label(g.lang) if status else r.status,
                         "colour": status.colour if status else "#999", "from": r.valid_from,
                         "to": r.effective_to if isinstance(r.effective_to, str) else None,
                         "decision": r.decision_no, "note": r.note, "demo": bool(r.is_demo)})
    values = s.indicator_values(edition, codes=[unit["code"]])
    charts = []
    for ind_code, group in values.groupby("indicator") if len(values) else []:
        ind = cat.indicators.get(ind_code)
        series = group.sort_values("period_start").dropna(subset=["value"])
        label = ind.label(g.lang) if ind else ind_code
        unit_text = (ind.unit_en if g.lang == "en" else ind.unit_vi) if ind else ""
        if len(series):     # matplotlib's SVG, its text escaped by the writer: safe to inline (CSP-clean)
            chart = indicator_chart(label, unit_text, zip(series["period"], series["value"].astype(float)), g.lang,
                                    salt=ind_code)
            charts.append({"label": label, "unit": unit_text, "svg": Markup(chart["svg"]), "rows": chart["rows"]})
    neighbours = []
    geoms = s.geometries(edition, unit["province_code"], lod=1)
    mine = geoms[geoms["code"] == unit["code"]]
    if len(mine):
        shape = mine.geometry.iloc[0]
        touching = geoms[geoms.geometry.intersects(shape.buffer(1e-6)) & (geoms["code"] != unit["code"])]
        neighbours = touching[["code", "name", "full_name"]].to_dict("records")
    demo = bool(history["is_demo"].astype(bool).any()) if len(history) else False
    # across the reform: what a 2025 unit was formed from, or what an old commune became
    if edition == "2025":
        pairs = s.crosswalk(new_codes=[unit["code"]])
        reform = {"title": t_("formed_from"), "edition": "pre2025",
                  "items": [{"code": r.old_code, "name": r.old_name, "share": r.weight, "split": bool(r.is_split)}
                            for r in pairs.itertuples()]}
    else:
        pairs = s.crosswalk(old_codes=[unit["code"]])
        reform = {"title": t_("became"), "edition": "2025",
                  "items": [{"code": r.new_code, "name": r.new_name, "share": r.weight, "split": bool(r.is_split)}
                            for r in pairs.itertuples()]}
    return render_template("unit.html", edition=edition, unit=unit, timeline=timeline, charts=charts,
                           neighbours=neighbours, reform=reform, demo=demo or bool(values["is_demo"].astype(bool).any() if len(values) else False),
                           demo_mark=DEMO_MARK)


@bp.get("/about")
def about():
    """Data sources, licences and attribution."""
    return render_template("about.html")
