"""JSON API under /api/v1. Every response that depends on data is cached by data version (ETag)."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify

from ..errors import InputError
from ..ingest import export_units
from ..mapview import geojson, payloads
from ..mapview.dates import period_fields
from ..records import unit_history
from . import openapi, strict_json
from .cache import cached
from .policy import readable
from .store_access import catalogue, store
from .views import map_view

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _json(obj) -> bytes:
    """Compact UTF-8 JSON; NaN/Infinity (numpy too, at any depth) become null, never invalid JSON."""
    return strict_json.dumps(obj)


def _view():
    """The map view of this API request (``lang`` from the query, ``as_of`` default the latest date with data)."""
    return map_view(g.params, g.params.lang)


def _scope_key() -> str:
    """Part of the cache key for responses filtered by who asks (same data, another scope)."""
    p = g.principal
    return "all" if p.public_read or p.is_admin or p.all_provinces else ",".join(sorted(p.provinces))


@bp.get("/editions")
def editions():
    """Editions with unit counts."""
    return cached(lambda: _json(store().editions().to_dict("records")), "application/json")


@bp.get("/<edition>/provinces")
def provinces(edition: str):
    """Provinces of an edition with unit counts."""

    def produce():
        frame = store().provinces(edition)
        return _json(frame[frame["code"].isin(readable(edition, frame["code"]))].to_dict("records"))
    return cached(produce, "application/json", extra=_scope_key())


@bp.get("/<edition>/units")
def units(edition: str):
    """Units of a province as GeoJSON (``lod`` 0–3, default 2) or CSV; geometry only, no statuses."""
    province = g.params.province
    lod = g.params.lod if g.params.lod is not None else (2 if province else 3)
    if province is None and lod < 2:
        # 7 M vertices of full-resolution GeoJSON freeze a browser: the country comes simplified
        raise InputError("the whole edition is served at lod 2 or 3; ask for one province for more detail",
                         message_vi="cả nước chỉ phục vụ ở mức chi tiết 2 hoặc 3; hãy chọn một tỉnh để xem chi tiết hơn")
    if g.params.format == "csv":
        return cached(lambda: export_units(store(), edition, province, "csv"), "text/csv; charset=utf-8")
    return cached(lambda: geojson.units_geojson(store().geometries(edition, province, lod=lod),
                                                geojson.precision_for(lod), province=province is None),
                  "application/geo+json", max_age=3600)


@bp.get("/<edition>/statuses")
def statuses(edition: str):
    """Status of every unit of a province on ``as_of`` for ``scheme``, with the legend and counts."""
    view = _view()
    return cached(lambda: _json({**payloads.statuses_payload(store(), catalogue(), view), **period_fields(view)}),
                  "application/json", extra=view.lang)


@bp.get("/<edition>/indicators")
def indicators(edition: str):
    """Values of one indicator for a period, classed with breaks shared by all periods."""
    view = _view()
    return cached(lambda: _json(payloads.indicators_payload(store(), catalogue(), view)), "application/json",
                  extra=view.lang)


@bp.get("/<edition>/provinces.geojson")
def provinces_geojson(edition: str):
    """Province outlines with, per province, units per status of ``scheme`` on ``as_of``."""
    view = _view()

    def produce():
        s = store()
        outlines = geojson.province_outlines(s.geometries(edition, lod=3))
        summary = payloads.province_summary(s, catalogue(), view)
        visible = set(readable(edition, [code for code, _ in outlines]))
        outlines = [(code, geom) for code, geom in outlines if code in visible]
        return geojson.provinces_geojson(outlines, s.provinces(edition), summary)
    return cached(produce, "application/geo+json", extra=_scope_key())


@bp.get("/<edition>/outlines")
def outlines(edition: str):
    """Province outlines of the whole edition, or district outlines of one province (pre-2025)."""
    level, province = g.params.level, g.params.province

    def produce():
        return payloads.outlines_payload(store(), edition, level, province)
    return cached(produce, "application/geo+json", max_age=3600)


@bp.get("/<edition>/hotspots")
def hotspots(edition: str):
    """Local hot-spot statistics for an indicator (Gi*, Local Moran) or a status (join count: the scheme's
    declared ``hotspot_statuses`` unless ``status`` names others)."""
    from ..hotspots.payload import hotspots_payload

    q = g.params

    def produce():
        return _json(hotspots_payload(
            store(), catalogue(), edition, q.province, lang=q.lang, permutations=q.permutations,
            indicator=q.indicator, scheme=q.scheme, status=q.status, period=q.period, as_of=q.as_of,
            method=q.method, weights=q.weights, seed=q.seed, fdr=q.fdr, rate=q.rate))
    return cached(produce, "application/json", extra=q.lang)


@bp.get("/<edition>/emerging")
def emerging(edition: str):
    """Emerging hot spots of an indicator over the yearly series (Gi* per year + Mann–Kendall)."""
    view = _view()
    return cached(lambda: _json(payloads.emerging_payload(store(), catalogue(), view)), "application/json",
                  extra=view.lang)


@bp.get("/<edition>/stats")
def stats(edition: str):
    """Units per status of a scheme on a date, for a province or the whole edition."""
    view = _view()
    return cached(lambda: _json({**payloads.stats_payload(store(), catalogue(), view), **period_fields(view)}),
                  "application/json", extra=view.lang)


@bp.get("/<edition>/units/<code>")
def unit(edition: str, code: str):
    """One unit with its attributes and full status history."""
    code = g.params.code
    units = store().units(edition)
    row = units[units["code"] == code]
    history = unit_history(store(), edition, code)
    keep = ["scheme", "status", "valid_from", "valid_to", "effective_to", "decision_no", "decision_date", "source",
            "note", "batch_id", "batch_state", "is_demo"]
    body = {"unit": row.iloc[0].to_dict(),
            "history": history.reindex(columns=keep).astype(object).where(history.reindex(columns=keep).notna(), None)
            .to_dict("records")}
    return Response(_json(body), mimetype="application/json")


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi.document(current_app))
