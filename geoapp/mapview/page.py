"""The map page's settings: everything ``_map_panel.html`` and ``static/map.js`` read to draw one
map view, the same for the web page, its embed and the standalone file. No Flask.

Trip-wires:

* the service URLs map.js fetches from (:data:`URL_KEYS`) come from the caller: the web passes
  ``url_for`` URLs, a standalone file passes none (it has no service) and they stay empty strings;
* the base map is fitted to the view's units at the coarsest level of detail (lod 3), the page
  fetches them at lod 2 for one province and lod 3 for the whole edition;
* the province name is the one the store lists for the view's edition (the edition's label for
  the whole edition); a caller that already read it (the web, which answers 404 for an unknown
  province) passes it in.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import shapely

from .. import locale
from ..editions import last_day, period_notice, slider_years
from ..records import DEMO_MARK
from ..schemes import Catalogue
from ..store.base import Store
from ..strings import map_strings
from .basemap import base_map, map_parts
from .classes import NONE_COLOUR
from .view import MapView

#: the map config keys of the service URLs map.js fetches from (empty in a file without a service)
URL_KEYS = ("unitsUrl", "statusesUrl", "indicatorsUrl", "outlinesUrl", "hotspotsUrl", "emergingUrl", "unitUrl")


def layer_label(catalogue: Catalogue, view: MapView) -> str:
    """The label of what the view draws (indicator, or else status scheme) in the view's language."""
    if view.indicator:
        return catalogue.indicators[view.indicator].label(view.lang)
    return catalogue.schemes[view.scheme].label(view.lang)


def edition_label(store: Store, edition: str, lang: str) -> str:
    """The label of ``edition`` in ``lang``, as the store lists it."""
    return store.editions().set_index("edition").at[edition, f"label_{lang}"]


def place_name(store: Store, view: MapView) -> str:
    """The view's province as the store names it in the view's edition; the edition's label for all of it."""
    if not view.province:
        return edition_label(store, view.edition, view.lang)
    provinces = store.provinces(view.edition).set_index("code")["name"]
    return provinces.get(view.province, view.province)


def map_config(catalogue: Catalogue, view: MapView, map_id: str, province_name: str,
               urls: Mapping[str, str] | None = None) -> dict:
    """What static/map.js reads: the view, the service URLs it fetches from, labels and strings."""
    urls = urls or {}
    return {
        "mapName": map_id, "edition": view.edition, "province": view.province or "all", "lang": view.lang,
        "scheme": view.scheme, "asOf": view.as_of, "today": date.today().isoformat(),
        "lastDay": last_day(view.edition),
        **{k: urls.get(k, "") for k in URL_KEYS},
        "noneColour": NONE_COLOUR, "demoMark": DEMO_MARK, "provinceName": province_name,
        "schemeLabels": {c: s.label(view.lang) for c, s in catalogue.schemes.items()},
        "strings": map_strings(view.lang),
    }


def _bounds(store: Store, view: MapView) -> tuple[float, float, float, float] | None:
    """(minx, miny, maxx, maxy) of the view's units with geometry; None when there are none."""
    geoms = store.geometries(view.edition, view.province, lod=3)
    if not len(geoms):
        return None
    return tuple(float(v) for v in shapely.total_bounds(np.asarray(geoms.geometry.values)))


def page_context(store: Store, catalogue: Catalogue, view: MapView, *, urls: Mapping[str, str] | None = None,
                 tiles: str = "none", interactive: bool = True, show_table: bool = True,
                 province_name: str | None = None) -> dict:
    """Everything a template needs to draw the map of ``view`` (``config`` is what map.js reads)."""
    map_id, map_html, map_script = map_parts(base_map(_bounds(store, view), tiles, view.lang))
    name = place_name(store, view) if province_name is None else province_name
    day = date.fromisoformat(view.as_of)
    return dict(edition=view.edition, edition_label=edition_label(store, view.edition, view.lang),
                map_html=map_html, map_script=map_script, config=map_config(catalogue, view, map_id, name, urls),
                years=slider_years(view.edition), period_notice=period_notice(view.edition, view.as_of, view.lang),
                schemes=catalogue.schemes.values(),
                indicators=catalogue.indicators.values(), as_of=view.as_of, tiles=tiles, interactive=interactive,
                show_table=show_table, layer_label=layer_label(catalogue, view),
                as_of_label=locale.day(day, view.lang))
