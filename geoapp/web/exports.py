"""The export route: every map view leaves geoapp as a briefing needs it (standalone HTML, CSV/XLSX/
GeoJSON of exactly what the view shows, PNG/PDF figures, a briefing pack), computed by
:func:`geoapp.briefing.service.render`. Same access rules as the view itself.

Trip-wires:

* Exports are files officials open in Excel: every CSV/XLSX cell goes through
  :mod:`geoapp.briefing.tabular` (no live formula, whatever a note or a name says).
* A finished file is cached by :func:`export_key` (the parsed view, format, language, store URL and
  data version) in :data:`geoapp.web.cache.EXPORTS`, bounded by ``EXPORT_CACHE_MB``; identical
  requests in flight wait for the one computation.
* Computing one needs a job slot (:mod:`geoapp.web.jobs`, ``EXPORT_JOBS`` /
  ``EXPORT_JOBS_PER_USER``), except :data:`CHEAP` formats of one province (the tables and the GIS
  files: GeoPackage, zipped shapefile); no slot → 429 at once.
  A cache hit needs no slot.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, Response, current_app, g

from ..briefing import service
from ..briefing.standalone import PageText
from ..errors import InputError
from ..mapview import MapView
from .cache import EXPORTS, limit_bytes
from .jobs import export_slots, requester
from .pages import map_urls
from .store_access import catalogue, store
from .views import map_view

bp = Blueprint("exports", __name__, url_prefix="/export")

#: cheap enough for ONE province to skip the job limit (still cached and computed once); everything
#: else — figures, packs, standalone HTML, anything of the whole country — needs a job slot
CHEAP = frozenset({"csv", "xlsx", "geojson", "gpkg", "shp.zip"})
#: view parameters that change the file only in these formats (left out of the others' cache keys)
ONLY_FOR = {"dpi": ("png", "pdf"), "hotspots": ("png", "pdf", "zip")}


@dataclass(frozen=True)
class ExportFile:
    """A finished export, as cached and served."""

    data: bytes
    mimetype: str
    filename: str
    headers: tuple[tuple[str, str], ...] = ()

    def response(self) -> Response:
        resp = Response(self.data, mimetype=self.mimetype)
        resp.headers["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        resp.headers.update(dict(self.headers))
        return resp


def export_key(view: MapView, dpi: int, fmt: str) -> str:
    """What makes two exports the same file: view, format, language, store and its data version.

    Built from the parsed view (not the raw query string), so junk parameters reuse the entry.
    Today's date is in it because a view without ``as_of`` means "today".
    """
    spec = {k: v for k, v in {**view.as_dict(), "period": view.chosen_period, "dpi": dpi}.items()
            if fmt in ONLY_FOR.get(k, (fmt,))}
    s = store()
    return json.dumps([s.url, s.data_version(), fmt, spec, date.today().isoformat(),
                       current_app.config.get("TILES")], sort_keys=True, default=str)


def page_text(view: MapView) -> PageText:
    """The service URLs of the standalone page's map config (its words come from :mod:`geoapp.strings`)."""
    return PageText(urls=map_urls(view))


def produce(view: MapView, dpi: int, fmt: str) -> ExportFile:
    """Compute one export (no cache, no limit: see :func:`export_view`)."""
    text = page_text(view) if fmt == "html" else None
    data, mimetype, name, alt = service.render(store(), catalogue(), view, fmt, dpi, text=text,
                                               tiles=current_app.config.get("TILES", "none"))
    headers = (("X-Alt-Text", alt.encode("ascii", "backslashreplace").decode()),) if fmt in service.FIGURES else ()
    return ExportFile(data, mimetype, name, headers)


def _computed(key: str, make) -> ExportFile:
    """From the export cache, or computed once however many identical requests wait for it."""
    return EXPORTS.get_or_compute(key, make, lambda f: len(f.data), limit_bytes("EXPORT_CACHE_MB", 256))


# ``12.shp.zip``: the general rule alone would read province ``12.shp`` and format ``zip`` (greedy match)
@bp.get("/<edition>/<province>.shp.zip", defaults={"fmt": "shp.zip"})
@bp.get("/<edition>/<province>.<fmt>")
def export_view(edition: str, province: str, fmt: str):
    """The view as csv, xlsx, geojson, gpkg (GeoPackage), shp.zip (zipped shapefile), html (standalone, works
    offline), png, pdf or zip (briefing pack)."""
    if fmt not in service.MIMETYPES:
        raise InputError(f"unknown format {fmt!r}; use csv, xlsx, geojson, gpkg, shp.zip, html, png, pdf or zip",
                         message_vi=f"định dạng {fmt!r} không hỗ trợ; dùng csv, xlsx, geojson, gpkg, shp.zip, html, "
                                    "png, pdf hoặc zip")
    view, dpi = map_view(g.params, g.lang), g.params.dpi
    key = export_key(view, dpi, fmt)
    file = EXPORTS.get(key)
    if file is None:
        def make():
            return produce(view, dpi, fmt)
        if fmt in CHEAP and view.province:
            file = _computed(key, make)
        else:
            # the slot is held while waiting for an identical job too: a waiting thread is a busy thread
            with export_slots().slot(requester()):
                file = _computed(key, make)
    return file.response()
