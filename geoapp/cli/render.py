"""``geoapp render``: one map view to PNG/PDF, standalone HTML or a briefing pack (.zip).

The same code as the web export (:func:`geoapp.briefing.service.render`), called directly: no
Flask, no request. Trips people up: the options are checked here as the web's declared
parameters check them (scheme, indicator, province of the edition); a standalone page from the
CLI has no service URLs in its map config (a file has no service to fetch from); its words come
from :mod:`geoapp.strings`, as the web's do.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from .common import edition_option, parse_as_of, pass_ctx


#: rough seconds to render one province per format (the whole country: four times as long); only
#: drives the progress bar's estimate, the real time is printed when it ends
RENDER_SECONDS = {"png": 1.5, "pdf": 1.5, "html": 1.0, "zip": 3.0, "gpkg": 1.0, "shp.zip": 1.0}


@click.command("render")
@edition_option
@click.option("--province", required=True, help="Province code, or 'all'.")
@click.option("--scheme", help="Status scheme (default antt).")
@click.option("--indicator", help="An indicator instead of a scheme.")
@click.option("--hotspots", is_flag=True, help="Colour by hot-spot class and list the hot-spot communes (Gi* of --indicator, or the join count of the scheme's hot-spot statuses).")
@click.option("--status", help="With --hotspots and a scheme: the statuses whose clusters are shown (codes, comma-separated; default the scheme's hot-spot statuses).")
@click.option("--rate", is_flag=True, help="With --indicator: per 1,000 people.")
@click.option("--period", help="With --indicator: the period (default the year of --as-of).")
@click.option("--as-of", "as_of", help="Date (YYYY-MM-DD); default the latest date with data in the edition's period.")
@click.option("--since", help="A change view of the scheme: colour communes by what changed from this date (YYYY-MM-DD, before --as-of) — relapsed, newly key, converted, newly certified, unchanged, no data.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi")
@click.option("--dpi", type=click.Choice(["150", "300"]), default="150", help="PNG resolution.")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="FILE.png, FILE.pdf, FILE.html, FILE.zip (briefing pack), FILE.gpkg or FILE.shp.zip (GIS)")
@pass_ctx
def render_command(ctx, edition, province, scheme, indicator, hotspots, status, rate, period, as_of, since, lang, dpi,
                   out):
    """Render a map view to PNG/PDF (no browser), standalone HTML, a briefing pack (.zip), or a GeoPackage
    (.gpkg) / zipped shapefile (.shp.zip) for the GIS desk."""
    from ..briefing import service
    from ..briefing.standalone import PageText

    fmt = "shp.zip" if out.lower().endswith(".shp.zip") else Path(out).suffix.lstrip(".").lower()
    if fmt not in ("png", "pdf", "html", "zip", "gpkg", "shp.zip"):
        raise click.BadParameter("use a .png, .pdf, .html, .zip, .gpkg or .shp.zip file name", param_hint="--out")
    view = _view(ctx, edition, province, scheme, indicator, hotspots, rate, period, as_of, lang)
    if status:
        view = replace(view, status=status)
    if since:
        view = replace(view, since=_since(view, since))
    text = PageText() if fmt == "html" else None
    # one opaque call: a bar against an estimate (the whole country takes seconds; a province well under)
    seconds = RENDER_SECONDS.get(fmt, 3.0) * (1.0 if view.province else 4.0)
    with ctx.reporter().estimate(f"rendering {view.province or 'every province'} ({fmt})", seconds):
        data, _, _, alt = service.render(ctx.store, ctx.catalogue, view, fmt, int(dpi), text=text,
                                         tiles=ctx.settings.get("TILES", "none"))
    Path(out).write_bytes(data)
    click.echo(f"wrote {out} ({len(data):,} bytes)", err=True)
    if alt and fmt in service.FIGURES:
        click.echo(alt, err=True)


def _since(view, since: str) -> str:
    """``--since`` as an ISO date, checked as the web checks ``since``: a scheme view, before --as-of, in the edition's period."""
    from ..editions import in_period
    from ..imports import parse_date

    day = parse_date(since)
    if not day:
        raise click.BadParameter(f"{since!r} is not a date", param_hint="--since")
    if view.indicator or view.hotspots:
        raise click.BadParameter("a change view is of a status scheme, without --indicator or --hotspots",
                                 param_hint="--since")
    if day >= view.as_of:
        raise click.BadParameter(f"{day} must be before --as-of ({view.as_of})", param_hint="--since")
    if not in_period(view.edition, day):
        raise click.BadParameter(f"{day} is outside the period of the {view.edition} map", param_hint="--since")
    return day


def _view(ctx, edition, province, scheme, indicator, hotspots, rate, period, as_of, lang):
    """The MapView of the options, checked as the web checks its parameters."""
    from ..mapview import MapView
    from ..mapview.dates import default_as_of

    catalogue = ctx.catalogue
    if scheme and scheme not in catalogue.schemes:
        raise click.BadParameter(f"use one of {', '.join(catalogue.schemes)}", param_hint="--scheme")
    if indicator and indicator not in catalogue.indicators:
        raise click.BadParameter(f"use one of {', '.join(catalogue.indicators)}", param_hint="--indicator")
    code = None if province == "all" else province.zfill(2)
    if code and code not in set(ctx.store.provinces(edition)["code"]):
        raise click.BadParameter(f"no province {province} in edition {edition}", param_hint="--province")
    values = {k: v for k, v in {"scheme": scheme, "indicator": indicator, "period": period}.items() if v}
    return MapView(edition=edition, province=code, as_of=parse_as_of(as_of) or default_as_of(ctx.store, edition),
                   lang=lang, rate=rate, hotspots=hotspots, **values)

