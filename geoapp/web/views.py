"""The one place a request's parsed parameters become a :class:`~geoapp.mapview.MapView`.

Trip-wire: route models differ (an API route has no ``hotspots``, the overview no ``province``), so
absent fields take the MapView defaults; ``as_of`` absent means the latest date with data inside the
edition's period (:func:`geoapp.mapview.dates.default_as_of`, never today for an edition that has
ended), filled in here and nowhere else.
"""
from __future__ import annotations

from ..mapview import MapView
from ..mapview.dates import default_as_of
from .store_access import store


def map_view(params, lang: str) -> MapView:
    """The view of this request from the gate's parsed params (``flask.g.params``)."""
    as_of = getattr(params, "as_of", None) or default_as_of(store(), params.edition)
    values = {name: getattr(params, name) for name in ("scheme", "indicator", "classes", "k", "breaks", "rate",
                                                         "period", "hotspots", "status") if getattr(params, name, None) is not None}
    if "breaks" in values:
        values["breaks"] = tuple(values["breaks"])
    if getattr(params, "since", None) and not values.get("indicator") and not values.get("hotspots"):
        values["since"] = params.since          # a change view: of a status scheme only
    return MapView(edition=params.edition, province=getattr(params, "province", None), as_of=as_of, lang=lang,
                   **values)
