"""A map view: what one map shows, checked once (by the web's declared parameters or the CLI's options).

The same object drives the map page, the API payloads, the exports and the briefing pack, so a
figure in a PDF is computed from exactly the view the page drew. ``province`` None means the whole
edition. ``as_of`` is always an ISO date (the web fills in today when it is absent); ``since`` is
the start of a change view (None: a single date). No Flask here: web and CLI build it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class MapView:
    edition: str
    province: str | None
    as_of: str
    scheme: str = "antt"
    indicator: str | None = None
    since: str | None = None
    lang: str = "vi"
    classes: str = "quantiles"
    k: int = 5
    breaks: tuple[float, ...] = field(default_factory=tuple)
    rate: bool = False
    period: str | None = None
    hotspots: bool = False
    #: the statuses whose clusters a scheme's hot-spot layer shows (None: the scheme's ``hotspot_statuses``)
    status: str | None = None

    @property
    def layer(self) -> str:
        """The code of what is drawn: the indicator, or else the status scheme."""
        return self.indicator or self.scheme

    @property
    def chosen_period(self) -> str:
        """The indicator period drawn: the one asked for, or the as-of year."""
        return self.period or self.as_of[:4]

    def as_dict(self) -> dict:
        return asdict(self)
