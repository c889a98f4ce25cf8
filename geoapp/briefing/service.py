"""The one way a map view becomes a file: ``render(store, catalogue, view, fmt, dpi)`` → ``(bytes,
mimetype, filename, alt_text)``, called by the web export route and by ``geoapp render`` alike.

Formats: ``csv``/``xlsx`` (the view's table, formula-safe), ``geojson`` (the table with geometry),
``html`` (standalone, works offline), ``png``/``pdf`` (the figure), ``zip`` (the briefing pack) and, for
the GIS desk, ``gpkg`` (GeoPackage) and ``shp.zip`` (zipped shapefile) — :mod:`.gis`.

Trip-wires:

* no cache and no job limit here: the web wraps this call in its export cache and job slots
  (:mod:`geoapp.web.exports`), the CLI runs it directly;
* the view's data comes from :func:`view_data` once per call (a pack included);
* ``alt_text`` is empty for formats that are not a figure or a pack;
* ``html`` needs the page's service URLs (:class:`~.standalone.PageText`, empty for a file) from the caller.
"""
from __future__ import annotations

from ..errors import InputError
from ..mapview import MapView
from ..mapview.payloads import view_data
from ..schemes import Catalogue
from ..store.base import Store
from .compose import figure_spec, with_hotspots
from .figure import alt_text
from .figure import render as render_figure
from .gis import gis_bytes
from .pack import briefing_pack, table_notes
from .standalone import PageText, standalone_html
from .tabular import table_bytes
from .texts import filename

#: format → mimetype of the file
MIMETYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "geojson": "application/geo+json", "html": "text/html", "png": "image/png", "pdf": "application/pdf",
             "zip": "application/zip", "gpkg": "application/geopackage+sqlite3", "shp.zip": "application/zip"}
#: the formats that are a figure (carry an alt text)
FIGURES = ("png", "pdf")


def _geojson(store: Store, view: MapView, frame) -> bytes:
    geo = store.geometries(view.edition, view.province, lod=1)[["code", "geometry"]]
    return geo.merge(frame, on="code", how="right").to_json(drop_id=True, ensure_ascii=False).encode("utf-8")


def _content(store: Store, catalogue: Catalogue, view: MapView, fmt: str, dpi: int, text: PageText | None,
             tiles: str) -> tuple[bytes, str]:
    if fmt == "html":
        if text is None:
            raise TypeError("a standalone page needs its PageText")
        return standalone_html(store, catalogue, view, text, tiles).encode("utf-8"), ""
    data = with_hotspots(store, catalogue, view, view_data(store, catalogue, view))
    if fmt in ("csv", "xlsx"):
        notes = table_notes(store, catalogue, view, data[1], data[0].get("figures") or [])
        return table_bytes(data[1], fmt, notes, lang=view.lang), ""
    if fmt == "geojson":
        return _geojson(store, view, data[1]), ""
    if fmt in ("gpkg", "shp.zip"):
        return gis_bytes(store, view, data[1], fmt, filename(view, "shp").removesuffix(".shp")), ""
    if fmt == "zip":
        return briefing_pack(store, catalogue, view, data)
    fig, total, geo = figure_spec(store, catalogue, view, data)
    return render_figure(geo, fig, fmt, dpi=dpi), alt_text(fig, total)


def render(store: Store, catalogue: Catalogue, view: MapView, fmt: str, dpi: int = 150, *,
           text: PageText | None = None, tiles: str = "none") -> tuple[bytes, str, str, str]:
    """``(bytes, mimetype, filename, alt_text)`` of ``view`` as ``fmt`` (see the module docstring).

    ``dpi`` is for PNG/PDF only (a pack always has a 150 dpi PDF and a 300 dpi PNG); ``text`` and
    ``tiles`` (the basemap setting) are for ``html`` only.
    """
    if fmt not in MIMETYPES:
        raise InputError(f"unknown format {fmt!r}; use csv, xlsx, geojson, gpkg, shp.zip, html, png, pdf or zip",
                         message_vi=f"định dạng {fmt!r} không hỗ trợ; dùng csv, xlsx, geojson, gpkg, shp.zip, html, png, "
                                    "pdf hoặc zip")
    data, alt = _content(store, catalogue, view, fmt, dpi, text, tiles)
    return data, MIMETYPES[fmt], filename(view, fmt), alt
