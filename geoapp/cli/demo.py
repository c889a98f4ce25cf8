"""``geoapp demo``: turn an empty instance into the demo (units, boundaries, crosswalk, records, accounts).

The work is :mod:`geoapp.demo.instance`; this module picks mirror or upstream and prints.
Trips people up: without a mirror folder only the 2025 boundaries can be loaded (from the
pinned upstream); while demo batches are active a second run changes nothing. The accounts
and their passwords are listed in the README — change them before any real use.
"""
from __future__ import annotations

from pathlib import Path

import click

from .. import config as cfg
from .common import Context, fetch_progress, pass_ctx, stage_printer


def load_from_mirror(ctx: Context, data: Path, show):
    """Unit lists, both editions' boundaries, the crosswalk and its weights, then the demo records."""
    from ..demo import instance
    from ..records import DEMO_MARK

    instance.load_from_mirror(ctx.store, ctx.catalogue, data, progress=show)
    click.echo("every demo record is flagged: " + DEMO_MARK)


def load_from_upstream(ctx: Context, show):
    """Only the 2025 boundaries, fetched from the pinned upstream into the instance folder."""
    from ..demo import instance

    click.echo("no mirror folder (GEOAPP_DATA_MIRROR): fetching the 2025 boundaries from the "
               "pinned upstream; the pre-2025 layer and unit lists need a mirror and are skipped", err=True)
    target = cfg.instance_path(ctx.settings) / "fetched" / "2025"
    with fetch_progress("fetching 2025") as progress:
        files = instance.fetch_upstream_2025(target, timeout=ctx.settings["FETCH_TIMEOUT"],
                                             upstream_base=ctx.settings["UPSTREAM_2025"], progress=progress)
    instance.import_upstream_2025(ctx.store, files, progress=show)


def add_demo_accounts(ctx: Context):
    """Create the demo accounts unless an admin exists, and print them."""
    from ..demo import instance

    instance.add_demo_accounts(ctx.store)
    click.echo("demo accounts (change or disable them before any real use):")
    for name, role, scope, everything, password in instance.DEMO_ACCOUNTS:
        click.echo(f"  {name:<14} {password:<22} {role:<7} {'all provinces' if everything else ', '.join(scope)}")


@click.command("demo")
@click.option("--source", type=click.Path(file_okay=False), help="Folder laid out like ../shared/data.")
@pass_ctx
def demo_command(ctx: Context, source):
    """Turn an empty instance into the demo: all 2025 units, the pre-2025 four provinces, unit lists.

    Without a mirror folder the 2025 boundaries come from the pinned upstream over HTTP; the
    pre-2025 layer and the unit lists exist only in mirrors, and are skipped with a warning.
    """
    from ..demo import instance

    if not instance.demo_batches(ctx.store).empty:
        click.echo("the demo data is already loaded: " + cfg.database_url(ctx.settings))
        return
    show = stage_printer()
    folder = source or ctx.settings["DATA_MIRROR"]
    if folder and Path(folder).is_dir():
        load_from_mirror(ctx, Path(folder), show)
    else:
        load_from_upstream(ctx, show)
    add_demo_accounts(ctx)
    click.echo("demo instance ready: " + cfg.database_url(ctx.settings))
