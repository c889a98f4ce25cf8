"""``geoapp status …``: import, list, roll back, export and template status designations.

Also home of the records import shared with ``geoapp indicators import`` (same options, same
report). Trips people up: an import is all rows or none — a refusal exits 2 (JSON body on
stdout with ``--format json``); ``batches`` and ``rollback`` cover indicator batches too.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import GeoappError
from .common import Context, GeoappGroup, edition_option, fail, parse_as_of, pass_ctx, write_or_print


@click.group("status", cls=GeoappGroup)
def status_group():
    """Status designations (key complex areas, converted, drug-free …)."""


def records_import_options(f):
    """The argument and options of ``status import`` and ``indicators import``."""
    for opt in reversed([
        click.argument("file", type=click.Path(exists=True, dir_okay=False)),
        edition_option,
        click.option("--province", help="Only accept units of this province (code)."),
        click.option("--dry-run", is_flag=True, help="Validate and report; write nothing."),
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text"),
        click.option("--header-row", type=click.IntRange(min=1), default=None,
                     help="Spreadsheet row of the column names (found automatically when left out)."),
        pass_ctx,
    ]):
        f = opt(f)
    return f


def print_records_report(report: dict, fmt: str, key: str):
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        return
    verb = "checked (dry run, nothing written)" if report["dry_run"] else f"imported as batch {report['batch']}"
    click.echo(f"{report['file']}: {report['records']} records from {report['rows']} rows {verb}")
    for row in report[key]:
        click.echo("  " + "  ".join(str(v) for v in row.values()))
    if report.get("header_row"):
        click.echo(f"  header read from row {report['header_row']}")
    for skipped in report.get("skipped", []):
        click.echo("  skipped " + "  ".join(str(v) for v in skipped.values()))
    for notice in report.get("notices", []):
        click.echo(f"  note: {notice if isinstance(notice, str) else notice.get('message', notice)}")


def records_import(ctx: Context, kind: str, file, edition, province, dry_run, fmt, header_row=None, scheme=None):
    """Import a status (``kind='status'``) or indicator file and print the report."""
    from ..records import import_indicator_file, import_status_file

    fn = import_status_file if kind == "status" else import_indicator_file
    extra = {"header_row": header_row, **({"scheme": scheme} if kind == "status" else {})}
    try:
        report = fn(ctx.store, file, edition, ctx.catalogue, province=province, dry_run=dry_run, **extra)
    except GeoappError as exc:
        fail(exc, fmt)
    print_records_report(report, fmt, "by_status" if kind == "status" else "by_indicator")


@status_group.command("import")
@records_import_options
@click.option("--scheme", default=None, help="Scheme of rows that name none (a file without a scheme column).")
def status_import(ctx, file, edition, province, dry_run, fmt, header_row, scheme):
    """Import a CSV/XLSX of designations: all rows or none."""
    records_import(ctx, "status", file, edition, province, dry_run, fmt, header_row, scheme)


@status_group.command("batches")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def status_batches(ctx, fmt):
    """List import batches (every kind), newest first."""
    frame = ctx.store.batches()
    if fmt == "json":
        click.echo(frame.to_json(orient="records", force_ascii=False))
        return
    for b in frame.itertuples():
        demo = " demo" if b.is_demo else ""
        click.echo(f"{b.id:>5}  {b.kind:<11} {b.edition:<8} {b.state:<12} {b.started_at}  {b.user:<8} "
                   f"{b.row_count:>7} rows  {b.source[:60]}{demo}")


@status_group.command("rollback")
@click.argument("batch_id", type=int)
@pass_ctx
def status_rollback(ctx, batch_id):
    """Roll back a status or indicator batch (recorded; nothing is deleted)."""
    from ..records import rollback

    info = rollback(ctx.store, batch_id)
    click.echo(f"batch {batch_id} ({info['kind']}, {info['row_count']} rows) rolled back at {info['rolled_back_at']}")


@status_group.command("export")
@edition_option
@click.option("--province")
@click.option("--as-of", "as_of", help="Date (YYYY-MM-DD); default today.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv")
@click.option("--out", type=click.Path(dir_okay=False))
@pass_ctx
def status_export(ctx, edition, province, as_of, fmt, out):
    """What is valid on a date: one row per unit and scheme, with labels and provenance."""
    from ..records import export_statuses

    data = export_statuses(ctx.store, edition, ctx.catalogue, fmt, province=province, as_of=parse_as_of(as_of))
    if not out and fmt == "xlsx":
        raise click.UsageError("--format xlsx needs --out FILE")
    write_or_print(data, out)


@status_group.command("history")
@edition_option
@click.argument("code")
@pass_ctx
def status_history(ctx, edition, code):
    """Every designation of one unit, oldest first."""
    from ..records import unit_history

    frame = unit_history(ctx.store, edition, code)
    if frame.empty:
        click.echo(f"{code}: no records")
        return
    for r in frame.itertuples():
        flag = "" if r.batch_state == "active" else "  [rolled back]"
        until = r.effective_to if isinstance(r.effective_to, str) else "…"
        click.echo(f"{r.scheme:<7} {r.status:<28} {r.valid_from} – {until:<10}  {r.decision_no or '-':<18} "
                   f"batch {r.batch_id}{flag}")


@status_group.command("template")
@edition_option
@click.option("--province", required=True)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx")
@click.option("--out", type=click.Path(dir_okay=False), required=True)
@pass_ctx
def status_template(ctx, edition, province, fmt, out):
    """A file pre-filled with the province's units and drop-down lists of valid statuses."""
    from ..records import template

    Path(out).write_bytes(template(ctx.store, edition, province, ctx.catalogue, fmt))
    click.echo(f"wrote {out}", err=True)
