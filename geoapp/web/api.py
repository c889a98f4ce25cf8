"""JSON API under /api/v1 (editions, provinces, units as GeoJSON)."""
from __future__ import annotations


from flask import Blueprint, Response, jsonify, request

from ..errors import InputError
from ..ingest import check_edition, export_units
from .store_access import store

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/editions")
def editions():
    """Editions with unit counts."""
    return jsonify(store().editions().to_dict("records"))


@bp.get("/<edition>/provinces")
def provinces(edition: str):
    """Provinces of an edition with unit counts."""
    check_edition(edition)
    return jsonify(store().provinces(edition).to_dict("records"))


@bp.get("/<edition>/units")
def units(edition: str):
    """Units of a province as GeoJSON (``province`` required, ``lod`` 0–3, default 2) or CSV."""
    check_edition(edition)
    province = request.args.get("province")
    if not province:
        raise InputError("give ?province=<code>", message_vi="cần tham số ?province=<mã tỉnh>")
    try:
        lod = int(request.args.get("lod", 2))
    except ValueError:
        raise InputError("lod must be 0, 1, 2 or 3") from None
    if lod not in (0, 1, 2, 3):
        raise InputError("lod must be 0, 1, 2 or 3")
    fmt = request.args.get("format", "geojson")
    data = export_units(store(), edition, province, fmt, lod)
    mime = "application/geo+json" if fmt == "geojson" else "text/csv; charset=utf-8"
    return Response(data, mimetype=mime)
