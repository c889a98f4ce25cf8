"""``geoapp units …``: load the official unit lists; export units as GeoJSON or CSV.

Trips people up: without ``--out`` the export goes to standard output as raw bytes (pipe it);
the unit list needs a data mirror folder (``--source`` or GEOAPP_DATA_MIRROR).
"""
from __future__ import annotations

import click

from .common import Context, GeoappGroup, pass_ctx, quiet_option, write_or_print


@click.group("units", cls=GeoappGroup)
def units_group():
    """Official unit lists and unit exports."""


@units_group.command("import-list")
@click.option("--edition", type=click.Choice(["2025", "pre2025"]), required=True)
@click.option("--source", type=click.Path(file_okay=False), help="Folder laid out like ../shared/data.")
@pass_ctx
def units_import_list(ctx: Context, edition, source):
    """Load the official list of units, so units without polygons exist too."""
    from ..ingest import import_unit_list

    report = import_unit_list(ctx.store, edition, ctx.data_dir(source))
    click.echo(f"listed {report['units']} units in {report['provinces']} provinces of edition "
               f"{edition} (batch {report['batch']})")


@units_group.command("export")
@click.option("--edition", type=click.Choice(["2025", "pre2025"]), required=True)
@click.option("--province", help="Province code; default all.")
@click.option("--format", "fmt", type=click.Choice(["geojson", "csv"]), default="geojson")
@click.option("--lod", type=click.IntRange(0, 3), default=0, help="Level of detail (0 = as imported).")
@click.option("--out", type=click.Path(dir_okay=False), help="File to write; default standard output.")
@quiet_option
@pass_ctx
def units_export(ctx: Context, edition, province, fmt, lod, out):
    """Export units as GeoJSON (with geometry) or CSV (every unit, with has_geometry)."""
    from ..ingest import export_seconds, export_units

    if province:
        data = export_units(ctx.store, edition, province, fmt, lod)
    else:                     # the whole country at lod 0 is 7 M vertices: half a minute, with progress
        with ctx.reporter().estimate(f"exporting every {edition} unit ({fmt}, lod {lod})",
                                     export_seconds(ctx.store, edition, fmt, lod)):
            data = export_units(ctx.store, edition, province, fmt, lod)
    write_or_print(data, out)
