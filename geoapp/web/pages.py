"""HTML pages: the editions/provinces overview and the unit list of a province."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..errors import NotFoundError
from ..ingest import check_edition
from .store_access import store

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """Editions with their provinces and unit counts."""
    s = store()
    editions = s.editions().to_dict("records")
    provinces = {e["edition"]: s.provinces(e["edition"]).to_dict("records") for e in editions}
    return render_template("index.html", editions=editions, provinces=provinces)


@bp.get("/units/<edition>/<province>")
def province_units(edition: str, province: str):
    """Every unit of one province, those without geometry flagged."""
    check_edition(edition)
    s = store()
    prov = s.provinces(edition)
    row = prov[prov["code"] == province]
    if row.empty:
        raise NotFoundError(f"no province {province} in edition {edition}",
                            message_vi=f"không có tỉnh {province} trong phiên bản {edition}")
    units = s.units(edition, province).to_dict("records")
    return render_template("province_units.html", edition=edition, province=row.iloc[0].to_dict(), units=units)


@bp.get("/about")
def about():
    """Data sources, licences and attribution."""
    return render_template("about.html")
