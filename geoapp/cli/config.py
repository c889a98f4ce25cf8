"""``geoapp config …``: print the settings table (or rewrite it in the README); show the settings in force.

Trips people up: the table comes from the one settings table in :mod:`geoapp.config`; the
README keeps it between ``<!-- settings table … -->`` and ``<!-- end of settings table -->``,
and ``show`` never prints the secret key.
"""
from __future__ import annotations

from pathlib import Path

import click

from .. import config as cfg
from .common import Context, GeoappGroup, pass_ctx


@click.group("config", cls=GeoappGroup)
def config_group():
    """Settings."""


def replace_settings_table(text: str, table: str) -> str:
    """``text`` (a README) with the lines between the settings-table markers replaced by ``table``."""
    start = text.index("<!-- settings table")
    start = text.index("\n", start) + 1
    end = text.index("<!-- end of settings table -->")
    return text[:start] + table + "\n" + text[end:]


@config_group.command("table")
@click.option("--readme", type=click.Path(exists=True, dir_okay=False), help="Rewrite the table in this README.")
def config_table(readme):
    """Print the settings table (Markdown), or rewrite it in the README."""
    table = cfg.settings_table_markdown()
    if not readme:
        click.echo(table)
        return
    text = Path(readme).read_text(encoding="utf-8")
    Path(readme).write_text(replace_settings_table(text, table), encoding="utf-8")
    click.echo(f"updated {readme}")


@config_group.command("show")
@pass_ctx
def config_show(ctx: Context):
    """Print the settings in force (the secret key hidden)."""
    for name, value in ctx.settings.items():
        if name == "SECRET_KEY" and value:
            value = "(set)"
        click.echo(f"{cfg.PREFIX}{name}={value}")
    click.echo(f"# database: {cfg.database_url(ctx.settings)}")
