"""``geoapp demo``: turn an empty instance into the demo (units, boundaries, crosswalk, records, accounts).

The work is :mod:`geoapp.demo.instance`; this module picks mirror or upstream and prints.
Trips people up: without a mirror folder only the 2025 boundaries can be loaded (from the
pinned upstream); while demo batches are active a second run changes nothing but says how to see
the accounts again (``geoapp users list``). The accounts and their passwords are listed in the
README — change them before any real use. Progress goes to stderr (bars on a terminal, plain
lines otherwise, nothing with ``--quiet``); levels of detail are reused from ``LOD_CACHE``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import config as cfg
from .common import Context, fetch_progress, pass_ctx, quiet_option

#: what a re-run (and the first run) says about the accounts
ACCOUNTS_HINT = ("demo accounts and their published passwords: `{prog} users list` "
                 "(also in the README, 'Sign-in, roles and who sees what')")


def accounts_hint() -> str:
    """:data:`ACCOUNTS_HINT` naming the command as it was run (``.venv/bin/geoapp`` from ./run-demo)."""
    prog = sys.argv[0] if Path(sys.argv[0]).name == "geoapp" else "geoapp"
    return ACCOUNTS_HINT.format(prog=prog)


def load_from_mirror(ctx: Context, data: Path, reporter):
    """Unit lists, both editions' boundaries, the crosswalk and its weights, then the demo records."""
    from ..demo import instance
    from ..records import DEMO_MARK

    instance.load_from_mirror(ctx.store, ctx.catalogue, data, progress=reporter, lod_cache=ctx.lod_cache)
    click.echo("every demo record is flagged: " + DEMO_MARK)


def load_from_upstream(ctx: Context, reporter):
    """Only the 2025 boundaries, fetched from the pinned upstream into the instance folder."""
    from ..demo import instance

    click.echo("no mirror folder (GEOAPP_DATA_MIRROR): fetching the 2025 boundaries from the "
               "pinned upstream; the pre-2025 layer and unit lists need a mirror and are skipped", err=True)
    target = cfg.instance_path(ctx.settings) / "fetched" / "2025"
    with fetch_progress("fetching 2025", reporter) as progress:
        files = instance.fetch_upstream_2025(target, timeout=ctx.settings["FETCH_TIMEOUT"],
                                             upstream_base=ctx.settings["UPSTREAM_2025"], progress=progress)
    instance.import_upstream_2025(ctx.store, files, progress=reporter, lod_cache=ctx.lod_cache)


def add_demo_accounts(ctx: Context):
    """Create the demo accounts unless an admin exists, and print them."""
    from ..demo import instance

    instance.add_demo_accounts(ctx.store)
    click.echo("demo accounts (change or disable them before any real use):")
    for name, role, scope, everything, password in instance.DEMO_ACCOUNTS:
        click.echo(f"  {name:<14} {password:<22} {role:<7} {'all provinces' if everything else ', '.join(scope)}")


@click.command("demo")
@click.option("--source", type=click.Path(file_okay=False), help="Folder laid out like ../shared/data.")
@quiet_option
@pass_ctx
def demo_command(ctx: Context, source):
    """Turn an empty instance into the demo: all 2025 units, the pre-2025 four provinces, unit lists.

    Without a mirror folder the 2025 boundaries come from the pinned upstream over HTTP; the
    pre-2025 layer and the unit lists exist only in mirrors, and are skipped with a warning.
    """
    from ..demo import instance

    if not instance.demo_batches(ctx.store).empty:
        click.echo("the demo data is already loaded: " + cfg.database_url(ctx.settings))
        click.echo(accounts_hint())
        return
    reporter = ctx.reporter()
    folder = source or ctx.settings["DATA_MIRROR"]
    if folder and Path(folder).is_dir():
        load_from_mirror(ctx, Path(folder), reporter)
    else:
        load_from_upstream(ctx, reporter)
    add_demo_accounts(ctx)
    click.echo("demo instance ready: " + cfg.database_url(ctx.settings))
    click.echo(accounts_hint())
