"""What every page template can call: the sources line of the editions drawn, the demo mark and the
notice of a date outside an edition's period.

Trip-wire: the words have one home each (:data:`geoapp.briefing.texts.SOURCES`,
:data:`geoapp.records.DEMO_MARK`); the templates reach them here, never as copies. ``demo_here``
asks the store, so a page without demo data carries no mark.
"""
from __future__ import annotations

from ..briefing.texts import sources_line
from ..editions import period_notice
from ..mapview.marks import has_demo
from ..records import DEMO_MARK
from .store_access import store


def demo_here(edition: str | None = None, province: str | None = None) -> bool:
    """Whether the page's edition (None: any) and province (None or "all": all of it) hold demo data."""
    return has_demo(store(), edition, None if province in (None, "all") else province)


def init_app(app) -> None:
    app.jinja_env.globals.update(sources_line=sources_line, demo_mark=DEMO_MARK, demo_here=demo_here,
                               period_notice_for=period_notice)
