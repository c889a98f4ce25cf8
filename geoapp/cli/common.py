"""What every ``geoapp`` command module shares: the context (settings, store), options, clean errors.

Trips people up: a :class:`GeoappError` must end as a message and exit code 2, never a
traceback — raise it, :class:`GeoappGroup` turns it into :func:`fail`; only commands that
have a ``--format json`` catch it themselves to print the JSON body. The store is opened
lazily (``--help`` and ``config table`` must work without a database).
"""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .. import config as cfg
from ..errors import GeoappError, ValidationError
from ..store import open_store


def fail(exc: GeoappError, fmt: str = "text"):
    """Print ``exc`` (as JSON, or in English and Vietnamese on stderr) and exit with code 2."""
    if fmt == "json":
        click.echo(json.dumps(exc.to_dict(), ensure_ascii=False, indent=2))
    elif isinstance(exc, ValidationError):
        click.echo(f"error: {exc.message}", err=True)
        click.echo(f"lỗi: {exc.message_vi}", err=True)
        for p in exc.problems:
            vi = f"\n      {p.message_vi}" if p.message_vi and p.message_vi != p.message else ""
            click.echo(f"  [{p.level}] {p.where}: {p.message}{vi}", err=True)
    else:
        click.echo(f"error: {exc}", err=True)
        if exc.message_vi != exc.message:
            click.echo(f"lỗi: {exc.message_vi}", err=True)
    sys.exit(2)


class GeoappGroup(click.Group):
    """Turns GeoappError into a clean message and exit code 2 (no traceback)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except GeoappError as exc:
            fail(exc)


class Context:
    """Settings read once per run; the store opened (and upgraded) on first use."""

    def __init__(self):
        self.settings = cfg.load_settings()
        self._store = None

    @property
    def store(self):
        if self._store is None:
            self._store = open_store(cfg.database_url(self.settings))
            self._store.upgrade()
        return self._store

    @property
    def quiet(self) -> bool:
        """``--quiet`` given (on ``geoapp`` or on the command): no progress bars or lines."""
        current = click.get_current_context(silent=True)
        return bool(current and current.meta.get(QUIET_KEY))

    def reporter(self):
        """Progress for this command (:func:`geoapp.progress.make_reporter`): bars on a terminal, plain
        lines otherwise, nothing with ``--quiet``."""
        from ..progress import make_reporter
        return make_reporter(self.quiet)

    @property
    def lod_cache(self):
        """The levels-of-detail cache of the settings (``LOD_CACHE``, the mirror's ``lod-cache/``)."""
        from ..lod_cache import LodCache
        folder, also = cfg.lod_cache_folders(self.settings)
        return LodCache(folder, also)

    @property
    def catalogue(self):
        from ..schemes import load_catalogue
        return load_catalogue(self.settings.get("SCHEMES_FILE") or None)

    def data_dir(self, source: str | None = None) -> Path:
        folder = source or self.settings["DATA_MIRROR"]
        if not folder or not Path(folder).is_dir():
            raise click.UsageError("no data mirror folder: set GEOAPP_DATA_MIRROR to a folder laid out "
                                   "like ../shared/data, or pass --source")
        return Path(folder)


pass_ctx = click.make_pass_decorator(Context, ensure=True)

QUIET_KEY = "geoapp.quiet"


def _set_quiet(ctx, param, value):
    if value:
        ctx.meta[QUIET_KEY] = True     # meta is shared by the group's and the command's contexts
    return value


#: ``--quiet`` / ``-q``: on the ``geoapp`` group and on each long command
quiet_option = click.option("--quiet", "-q", is_flag=True, expose_value=False, callback=_set_quiet,
                            help="No progress bars or progress lines (results and errors still print).")

#: ``--edition`` as most commands take it (required)
edition_option = click.option("--edition", type=click.Choice(["2025", "pre2025"]), required=True)


def parse_as_of(as_of: str | None, required: bool = False) -> str | None:
    """The ``--as-of`` text as an ISO date, None when not given (and not required); a bad date is a usage error."""
    from ..imports import parse_date

    given = bool(as_of) or required
    parsed = parse_date(as_of) if given else None
    if given and not parsed:
        raise click.BadParameter(f"{as_of!r} is not a date", param_hint="--as-of")
    return parsed


@contextmanager
def fetch_progress(label: str, reporter=None):
    """Progress of a fetch (``reporter``, default a bar on stderr), yielding the
    ``progress(done, total, label)`` callback fetch takes."""
    from ..progress import make_reporter

    with (reporter or make_reporter()).task(label, 0, "files") as step:
        def progress(done, total, _label):
            step.set_total(total)
            step.update(done - step.done)
        yield progress


def write_or_print(data: bytes, out: str | None):
    """Write ``data`` to the file ``out`` (saying so on stderr), or to standard output."""
    if out:
        Path(out).write_bytes(data)
        click.echo(f"wrote {len(data):,} bytes to {out}", err=True)
    else:
        sys.stdout.buffer.write(data)
