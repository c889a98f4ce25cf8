"""The standalone HTML of a map view: one file with the page, its scripts, styles and data inside,
that draws with no network at all (opened from a mail attachment or a USB stick).

The page is ``templates/standalone.html`` rendered here with a plain jinja2 Environment (no Flask),
from the map page's settings (:func:`geoapp.mapview.page.page_context`, the same as the web page's)
with the view's payload and unit geometry inlined in the map config, then the local scripts and
styles inlined by :func:`geoapp.mapview.assets.inline_assets`.

Trip-wires:

* the service's URLs belong to the caller: it passes them as :class:`PageText` (the web with
  ``url_for``; the CLI with none, as a file has no service); the words come from :mod:`geoapp.strings`;
* ``tojson`` escapes ``<``, ``>``, ``&`` and ``'`` (jinja2's HTML-safe JSON) and writes no NaN, so a
  note such as ``</script><script>…`` stays text inside the config;
* nothing may point outside the file: after inlining, links to the service become ``href="#"``; every
  payload map.js fetches for the view (units, its layer, the province and district outlines) is in
  ``config.inline``, so opened from a file the page makes no request;
* a configured remote basemap (``GEOAPP_TILES``) is still asked for: the file draws without it.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import resources
from ..hotspots.payload import hotspots_payload
from ..mapview import MapView, geojson, payloads
from ..mapview.assets import inline_assets
from ..mapview.page import page_context
from ..schemes import Catalogue
from ..store.base import Store
from ..strings import translator
from .compose import view_hotspot_options
from .texts import sources_line, title


@dataclass(frozen=True)
class PageText:
    """What the page needs from its caller: the service URLs of its map config (see
    :data:`geoapp.mapview.page.URL_KEYS`); missing keys are empty, as in a file from the CLI."""

    urls: Mapping[str, str] = field(default_factory=dict)


def _finite(obj):
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def _plain(o):
    return o.item() if isinstance(o, np.generic) else str(o)


def strict_dumps(obj, **kw) -> str:
    """JSON for ``tojson``: keys sorted, ASCII, dates as text, never NaN/Infinity (``null`` instead)."""
    kw.update(default=_plain, allow_nan=False)
    try:
        return json.dumps(obj, **kw)
    except ValueError:
        return json.dumps(_finite(obj), **kw)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The jinja2 Environment of the templates folder (:func:`geoapp.resources.templates_dir`), escaping as
    Flask does."""
    env = Environment(loader=FileSystemLoader(str(resources.templates_dir())),
                      autoescape=select_autoescape(["html", "htm", "xml", "xhtml", "svg"]))
    env.policies["json.dumps_function"] = strict_dumps
    env.policies["json.dumps_kwargs"] = {"sort_keys": True}
    return env


def inline_data(store: Store, catalogue: Catalogue, view: MapView) -> dict:
    """The view's data for the map config's ``inline``: unit geometry, the payload map.js would fetch and the
    context outlines it draws (provinces; districts of a pre-2025 province) — the file asks nothing of a server."""
    payload, _ = payloads.view_data(store, catalogue, view)
    units = store.geometries(view.edition, view.province, lod=2 if view.province else 3)
    near = None
    if view.province and not units.empty:           # a province's file: its neighbours, not the whole country
        x0, y0, x1, y1 = units.to_crs(4326).total_bounds
        margin = max(x1 - x0, y1 - y0)
        near = (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
    data = {"units": json.loads(geojson.units_geojson(units)),
            "indicators" if view.indicator else "statuses": payload,
            "outline_province": json.loads(payloads.outlines_payload(store, view.edition, "province", near=near))}
    if view.hotspots:                                  # the clusters the page draws, and their ranking
        data["hotspots"] = hotspots_payload(store, catalogue, view.edition, view.province, lang=view.lang,
                                            **view_hotspot_options(view))
    if view.edition == "pre2025" and view.province:
        data["outline_district"] = json.loads(payloads.outlines_payload(store, view.edition, "district", view.province))
    return data


def standalone_context(store: Store, catalogue: Catalogue, view: MapView, text: PageText, tiles: str = "none") -> dict:
    """Everything ``standalone.html`` (and ``_map_panel.html``) reads for ``view``."""
    context = page_context(store, catalogue, view, urls=text.urls, tiles=tiles, interactive=False, show_table=True)
    context["config"].update(inline=inline_data(store, catalogue, view), standalone=True)
    return dict(context, t=translator(view.lang), lang=view.lang, title=title(store, catalogue, view),
                sources=sources_line(view.edition, view.lang))


def standalone_html(store: Store, catalogue: Catalogue, view: MapView, text: PageText, tiles: str = "none") -> str:
    """One HTML file with scripts, styles and data inside: works with no network at all."""
    context = standalone_context(store, catalogue, view, text, tiles)
    html = environment().get_template("standalone.html").render(**context)
    html = inline_assets(html, static_url="/static")      # ours from static/, Leaflet from xstatic-leaflet
    # nothing may point outside the file: links to the service become plain text
    return re.sub(r'href="/(?!/)[^"]*"', 'href="#"', html)
