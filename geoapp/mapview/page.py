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
from functools import lru_cache

import numpy as np
import shapely

from .. import locale
from ..editions import last_day, period_notice, slider_years
from ..records import DEMO_MARK
from ..schemes import Catalogue
from ..store.base import Store
from ..store.snapshot import snapshot
from ..strings import map_strings
from . import transitions
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
    return snapshot(store).editions().set_index("edition").at[edition, f"label_{lang}"]


def place_name(store: Store, view: MapView) -> str:
    """The view's province as the store names it in the view's edition; the edition's label for all of it."""
    if not view.province:
        return edition_label(store, view.edition, view.lang)
    provinces = snapshot(store).provinces(view.edition).set_index("code")["name"]
    return provinces.get(view.province, view.province)


def map_config(catalogue: Catalogue, view: MapView, map_id: str, province_name: str,
               urls: Mapping[str, str] | None = None) -> dict:
    """What static/map.js reads: the view, the service URLs it fetches from, labels and strings."""
    urls = urls or {}
    return {
        "mapName": map_id, "edition": view.edition, "province": view.province or "all", "lang": view.lang,
        "scheme": view.scheme, "asOf": view.as_of, "today": date.today().isoformat(),
        # the parsed view (what the server checked): map.js starts from it, so a standalone file, which
        # has no query string, draws the same layer as the page it came from
        "view": {"indicator": view.indicator or "", "hotspots": view.hotspots, "status": view.status or "",
                 "classes": view.classes, "k": str(view.k), "rate": "1000" if view.rate else "",
                 "period": view.period or "", "since": view.since or ""},
        "lastDay": last_day(view.edition),
        **{k: urls.get(k, "") for k in URL_KEYS},
        "noneColour": NONE_COLOUR, "demoMark": DEMO_MARK, "provinceName": province_name,
        "schemeLabels": {c: s.label(view.lang) for c, s in catalogue.schemes.items()},
        "strings": map_strings(view.lang),
    }


def _bounds(store: Store, view: MapView) -> tuple[float, float, float, float] | None:
    """(minx, miny, maxx, maxy) of the view's units with geometry; None when there are none (read once
    per data version: every page asks)."""
    def produce():
        geoms = store.geometries(view.edition, view.province, lod=3)
        if not len(geoms):
            return None
        return fit_bounds(np.asarray(geoms.geometry.values))
    return snapshot(store).memo(("bounds", view.edition, view.province), produce)


#: a unit whose centre lies farther than this (degrees, ≈ 165 km) from every other unit's centre is
#: left out of the initial view (still drawn): the Hoàng Sa and Trường Sa special zones
FAR_OFFSHORE_DEG = 1.5


def fit_bounds(geoms: np.ndarray) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) to open a map at: the units' bounds without the far-offshore ones.

    Decision: the whole 2025 country spans 102–118°E, 7–23°N with the Trường Sa and Hoàng Sa special
    zones, which would shrink the mainland to a fifth of the map box; so the view fits the mainland and
    the near islands (Phú Quốc, Côn Đảo, Bạch Long Vĩ, Lý Sơn, Phú Quý: each within
    :data:`FAR_OFFSHORE_DEG` of another unit) and the far archipelagos are reached by zooming out. A
    province that holds one (Khánh Hoà, Đà Nẵng) opens on its mainland the same way."""
    from scipy.spatial import cKDTree

    centres = shapely.get_coordinates(shapely.centroid(geoms))
    keep = np.ones(len(geoms), dtype=bool)
    if len(geoms) > 2:
        distance, _ = cKDTree(centres).query(centres, k=2)
        keep = distance[:, 1] <= FAR_OFFSHORE_DEG
    return tuple(float(v) for v in shapely.total_bounds(geoms[keep] if keep.any() else geoms))


def _latlng(bounds) -> list | None:
    """``[[south, west], [north, east]]`` (what map.js fits the map to), or None."""
    return [[bounds[1], bounds[0]], [bounds[3], bounds[2]]] if bounds else None


@lru_cache(maxsize=64)
def _base_parts(bounds, tiles: str, lang: str) -> tuple[str, str, str]:
    """:func:`map_parts` of the base map: the same for every page of one place (rendering it takes
    longer than the rest of the page); its element id is shared by those pages, which is harmless."""
    return map_parts(base_map(bounds, tiles, lang, fit=False))     # map.js fits it (cfg.fit)


def page_context(store: Store, catalogue: Catalogue, view: MapView, *, urls: Mapping[str, str] | None = None,
                 tiles: str = "none", interactive: bool = True, show_table: bool = True,
                 province_name: str | None = None) -> dict:
    """Everything a template needs to draw the map of ``view`` (``config`` is what map.js reads)."""
    bounds = _bounds(store, view)
    map_id, map_html, map_script = _base_parts(bounds, tiles, view.lang)
    name = place_name(store, view) if province_name is None else province_name
    day = date.fromisoformat(view.as_of)
    return dict(edition=view.edition, edition_label=edition_label(store, view.edition, view.lang),
                map_html=map_html, map_script=map_script, config=dict(map_config(catalogue, view, map_id, name, urls),
                                                              fit=_latlng(bounds)),
                years=slider_years(view.edition), period_notice=period_notice(view.edition, view.as_of, view.lang),
                schemes=catalogue.schemes.values(),
                indicators=catalogue.indicators.values(), as_of=view.as_of, tiles=tiles, interactive=interactive,
                show_table=show_table, layer_label=layer_label(catalogue, view),
                as_of_label=locale.day(day, view.lang), since=view.since or "",
                change_title=transitions.title(view.since, view.as_of, view.lang) if view.since else "",
                preload=preload_urls(view, urls or {}))


def preload_urls(view: MapView, urls: Mapping[str, str]) -> list[str]:
    """The API URLs map.js fetches first (units, the status layer, province and district outlines),
    spelled exactly as map.js spells them, so ``<link rel=preload>`` starts them before the scripts run
    and map.js's ``fetch`` takes the preloaded answers. None without a service (a standalone file)."""
    if not urls.get("unitsUrl"):
        return []
    place = view.province or "all"
    out = [urls["unitsUrl"], f"{urls['outlinesUrl']}?level=province" + (f"&province={place}" if view.province else "")]
    if not view.indicator and not view.hotspots:
        since = f"&since={view.since}" if view.since and view.since < view.as_of else ""
        out.append(f"{urls['statusesUrl']}?province={place}&as_of={view.as_of}&lang={view.lang}"
                   f"&scheme={view.scheme}{since}")
    if view.edition == "pre2025" and view.province:
        out.append(f"{urls['outlinesUrl']}?level=district&province={place}")
    return out
