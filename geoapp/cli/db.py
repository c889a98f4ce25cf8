"""``geoapp db …``: apply schema migrations; copy an instance into an empty PostGIS database.

Trips people up: ``db upgrade`` opens the store without the automatic upgrade every other
command does, so it can report what it applied; ``db copy`` refuses a non-empty target.
"""
from __future__ import annotations

import click

from .. import config as cfg
from ..store import open_store
from .common import Context, GeoappGroup, pass_ctx


@click.group("db", cls=GeoappGroup)
def db_group():
    """Database schema."""


@db_group.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context):
    """Apply pending schema migrations."""
    store = open_store(cfg.database_url(ctx.settings))
    applied = store.upgrade()
    click.echo(f"{store.url}: schema version {store.schema_version()}"
               + (f" (applied {', '.join(map(str, applied))})" if applied else " (up to date)"))


@db_group.command("copy")
@click.option("--to", "to_url", required=True, help="postgresql://… URL of an EMPTY PostGIS database.")
@pass_ctx
def db_copy(ctx, to_url):
    """Copy this instance (every table, ids kept) into an empty PostGIS database and verify it."""
    from ..store.copy import copy_store

    dst = open_store(to_url)
    result = copy_store(ctx.store, dst)
    for name, t in result["tables"].items():
        click.echo(f"  {name:18} {t['rows']:>9} rows  {t['sha256'][:12]}  {'ok' if t['match'] else 'DIFFERS'}")
    click.echo(f"copied {ctx.store.url} -> {dst.url}: row counts and checksums match")
