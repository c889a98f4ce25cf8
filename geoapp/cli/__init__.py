"""The ``geoapp`` command line: the ``main`` group, one module per command group, all thin.

Each command parses its options, calls the use case that owns the work (ingest, records,
crosswalk, hotspots, demo, briefing …) and prints; what they share (the context
with settings and store, clean errors with exit code 2, common options) is in
:mod:`geoapp.cli.common`. Trips people up: modules here import from ``common``, never from
this package, so adding a command is one module plus one line in ``COMMANDS`` below; only
``cli`` and ``web`` may import click/flask. ``pyproject.toml`` points the ``geoapp`` script at
:func:`main`.
"""
from __future__ import annotations

import click

from .boundaries import boundaries_group
from .common import GeoappGroup, quiet_option
from .config import config_group
from .crosswalk import crosswalk_group
from .db import db_group
from .demo import demo_command
from .hotspots import hotspots_command
from .indicators import indicators_group
from .render import render_command
from .serve import serve_command
from .status import status_group
from .units import units_group
from .users import users_group

__all__ = ["main"]


@click.group(cls=GeoappGroup)
@quiet_option
def main():
    """geoapp — commune maps of security and drug-prevention status in Vietnam."""


COMMANDS = (db_group, boundaries_group, units_group, demo_command, status_group, indicators_group,
            hotspots_command, render_command, users_group, serve_command, config_group, crosswalk_group)
for _command in COMMANDS:
    main.add_command(_command)
