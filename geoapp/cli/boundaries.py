"""``geoapp boundaries …``: import boundary files, or fetch them from a mirror/upstream and import.

Trips people up: ``--format json`` prints the report (or the refusal) as JSON on stdout and
turns off the progress on stderr (so does ``--quiet``); a refused file exits 2 and changes nothing.
Levels of detail come from the ``LOD_CACHE`` folder when the same polygons were imported before.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

from ..errors import GeoappError
from .common import Context, GeoappGroup, fail, fetch_progress, pass_ctx, quiet_option


@click.group("boundaries", cls=GeoappGroup)
def boundaries_group():
    """Commune boundary files."""


def boundary_options(f):
    for opt in reversed([
        click.option("--edition", type=click.Choice(["2025", "pre2025"]), required=True,
                     help="Administrative map edition the file belongs to."),
        click.option("--crs", help="CRS of the coordinates when the file has none (e.g. EPSG:9205)."),
        click.option("--code-field", help="Field holding the 5-digit commune code."),
        click.option("--name-field", help="Field holding the commune name."),
        click.option("--district-field", help="Field holding the district code or name."),
        click.option("--province-field", help="Field holding the province code or name."),
        click.option("--encoding", help="Text encoding of the attribute table (UTF-8, cp1258 …)."),
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text"),
        quiet_option,
    ]):
        f = opt(f)
    return f


def print_import(report: dict, fmt: str):
    """Print an import report of :func:`geoapp.ingest.import_boundaries` as text or JSON."""
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    provinces = ", ".join(f"{c} {n}" for c, n in report["provinces"].items())
    click.echo(f"imported {report['units']} units of edition {report['edition']} "
               f"(batch {report['batch']}): {provinces}")
    for p in report["problems"]:
        click.echo(f"  [{p['level']}] {p['where']}: {p['message']}")
    t = report["timings"]
    cached = {"hit": " (reused from the cache)", "miss": " (computed, now cached)"}.get(report.get("lod_cache"), "")
    click.echo(f"  read {t['read_s']}s, levels of detail {t['lod_s']}s{cached}, write {t['write_s']}s")


@boundaries_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@boundary_options
@pass_ctx
def boundaries_import(ctx: Context, paths, edition, crs, code_field, name_field, district_field,
                      province_field, encoding, fmt):
    """Validate boundary files (.shp/.zip/.gpkg/.geojson) and replace their provinces."""
    from ..boundaries import FieldOptions
    from ..ingest import import_boundaries

    fields = FieldOptions(code_field, name_field, district_field, province_field)
    try:
        report = import_boundaries(ctx.store, paths, edition, crs=crs, encoding=encoding, fields=fields,
                                   progress=ctx.reporter() if fmt == "text" else None, lod_cache=ctx.lod_cache)
    except GeoappError as exc:
        fail(exc, fmt)
    print_import(report, fmt)


@boundaries_group.command("fetch")
@click.option("--edition", type=click.Choice(["2025", "pre2025"]), required=True)
@click.option("--province", "provinces", multiple=True, help="Province code (repeatable); default all.")
@click.option("--source", help="Mirror folder or URL laid out like ../shared/data, or 'upstream'. "
                               "Default: GEOAPP_DATA_MIRROR, else upstream.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@quiet_option
@pass_ctx
def boundaries_fetch(ctx: Context, edition, provinces, source, fmt):
    """Fetch boundary files from a mirror or the pinned upstream, check and import them."""
    from ..fetch import fetch_boundaries
    from ..ingest import import_boundaries
    from ..progress import Reporter

    source = source or ctx.settings["DATA_MIRROR"] or "upstream"
    wanted = list(provinces) or None
    reporter = ctx.reporter() if fmt == "text" else Reporter("quiet")   # JSON: stdout only, nothing else
    with tempfile.TemporaryDirectory(prefix="geoapp-fetch-") as tmp:
        with fetch_progress(f"fetching {edition} from {source}", reporter) as progress:
            files = fetch_boundaries(edition, wanted, source, Path(tmp),
                                     timeout=ctx.settings["FETCH_TIMEOUT"],
                                     upstream_base=ctx.settings["UPSTREAM_2025"], progress=progress)
        report = import_boundaries(ctx.store, files, edition, provinces=wanted, user="cli",
                                   progress=reporter, lod_cache=ctx.lod_cache)
    print_import(report, fmt)
