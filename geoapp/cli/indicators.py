"""``geoapp indicators …``: import numeric indicator values per unit and period.

Trips people up: it shares options and report with ``geoapp status import``
(:func:`geoapp.cli.status.records_import`); its batches are listed and rolled back with
``geoapp status batches`` / ``rollback``.
"""
from __future__ import annotations

import click

from .common import GeoappGroup
from .status import records_import, records_import_options


@click.group("indicators", cls=GeoappGroup)
def indicators_group():
    """Numeric indicators per unit and period."""


@indicators_group.command("import")
@records_import_options
def indicators_import(ctx, file, edition, province, dry_run, fmt, header_row):
    """Import a CSV/XLSX of indicator values: all rows or none."""
    records_import(ctx, "indicators", file, edition, province, dry_run, fmt, header_row)
