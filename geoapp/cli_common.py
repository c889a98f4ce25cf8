"""What every ``geoapp`` command group shares: clean errors and exit code 2, never a traceback."""
from __future__ import annotations

import json
import sys

import click

from .errors import GeoappError, ValidationError


def fail(exc: GeoappError, fmt: str = "text"):
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
