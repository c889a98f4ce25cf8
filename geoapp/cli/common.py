"""What every ``geoapp`` command module shares: the context (settings, store), options, clean errors.

Trips people up: a :class:`GeoappError` must end as a message and exit code 2, never a
traceback — raise it, :class:`GeoappGroup` turns it into :func:`fail`; only commands that
have a ``--format json`` catch it themselves to print the JSON body. The store is opened
lazily (``--help`` and ``config table`` must work without a database).
"""
from __future__ import annotations

import json
import sys
import time
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


def stage_printer():
    """A function printing ``[  12.3s] label`` on stderr, timed from its creation."""
    start = time.perf_counter()

    def show(label: str):
        click.echo(f"  [{time.perf_counter() - start:6.1f}s] {label}", err=True)
    return show


@contextmanager
def fetch_progress(label: str):
    """A progress bar on stderr, yielding the ``progress(done, total, label)`` callback fetch takes."""
    with click.progressbar(length=1, label=label, file=sys.stderr) as bar:
        def progress(done, total, label):
            bar.length = total
            bar.update(done - bar.pos)
        yield progress


def write_or_print(data: bytes, out: str | None):
    """Write ``data`` to the file ``out`` (saying so on stderr), or to standard output."""
    if out:
        Path(out).write_bytes(data)
        click.echo(f"wrote {len(data):,} bytes to {out}", err=True)
    else:
        sys.stdout.buffer.write(data)
