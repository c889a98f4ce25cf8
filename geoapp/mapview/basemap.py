"""The folium base map: the Leaflet map (basemap tiles, scale bar, fullscreen) a page draws its layers on.

The page does not inline commune polygons: folium builds the map (tiles, scale bar,
fullscreen), and ``static/map.js`` fetches the geometry at a level of detail from the cached
API and colours it by status or indicator class, so changing the date fetches only colours.

Trip-wire: folium's default template loads Leaflet, jQuery and Bootstrap from CDNs. We take
only the map's own script and element from folium (:func:`map_parts`) and serve Leaflet (from the
``xstatic-leaflet`` package) ourselves, so no page refers to anything outside the service. The
fullscreen button is ours (:class:`FullscreenControl`, ``static/fullscreen.js``): a page that draws
a base map must load ``fullscreen.js`` after Leaflet (``templates/_leaflet_head.html`` does).
"""
from __future__ import annotations

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from ..strings import translate

#: attribution for the OpenStreetMap basemap (shown by Leaflet)
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


class FullscreenControl(JSCSSMixin, MacroElement):
    """geoapp's fullscreen button (``static/fullscreen.js``, the browser's Fullscreen API).

    Replaces ``folium.plugins.Fullscreen``, whose leaflet.fullscreen script comes from a CDN; the
    links below are paths under /static/ that :mod:`geoapp.mapview.assets` localizes.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            L.control.geoappFullscreen({{ this.options|tojson }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """)
    default_js = [("geoapp_fullscreen", "fullscreen.js")]
    default_css = [("geoapp_fullscreen_css", "fullscreen.css")]

    def __init__(self, position: str = "topleft", title: str = "Full screen", title_cancel: str = "Exit full screen"):
        super().__init__()
        self._name = "FullscreenControl"
        self.options = {"position": position, "title": title, "titleCancel": title_cancel}


def base_map(bounds: tuple[float, float, float, float] | None, tiles: str = "none", lang: str = "vi", *,
             fit: bool = True) -> folium.Map:
    """A folium map fitted to ``bounds`` (minx, miny, maxx, maxy) with the configured basemap.

    ``fit=False`` only centres it on ``bounds``: the page's script fits the view itself (map.js does, at
    once and without animation — an animated fit still running when 3,000 communes are added redraws them).

    ``tiles``: ``none`` (no basemap: outlines and labels carry the map), ``osm``, or a tile URL
    template with ``{z}/{x}/{y}``.
    """
    if bounds:
        centre = [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    else:
        centre = [16.0, 106.0]
    m = folium.Map(location=centre, zoom_start=8, tiles=None, control_scale=True, zoom_control=True,
                   min_zoom=5, max_zoom=16)
    choice = (tiles or "none").strip()
    if choice.lower() == "osm":
        folium.TileLayer(OSM_URL, attr=OSM_ATTRIBUTION, name="OpenStreetMap", max_zoom=19).add_to(m)
    elif choice.lower() != "none":
        folium.TileLayer(choice, attr="basemap", name="basemap").add_to(m)
    FullscreenControl(title=translate("fullscreen", lang), title_cancel=translate("fullscreen_exit", lang)).add_to(m)
    if bounds and fit:
        m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return m


def map_parts(m: folium.Map) -> tuple[str, str, str]:
    """``(element id, map element HTML, map script)`` — without folium's CDN header."""
    fig = m.get_root()
    fig.render()
    return m.get_name(), fig.html.render(), fig.script.render()
