"""The ``geoapp`` command line. Commands are thin: they parse, call :mod:`geoapp.ingest`, print."""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import click

from . import config as cfg
from .cli_common import GeoappGroup
from .cli_common import fail as _fail
from .errors import GeoappError
from .records import DEMO_MARK
from .store import open_store


#: accounts `geoapp demo` creates (printed by it, listed in the README): name, role, scope, all, password
DEMO_ACCOUNTS = (
    ("admin", "admin", [], True, "quantri-demo-2025"),
    ("laichau", "viewer", ["2025:12", "pre2025:12"], False, "laichau-demo-2025"),
    ("lamdong.editor", "editor", ["2025:68", "pre2025:68"], False, "lamdong-demo-2025"),
    ("national", "viewer", [], True, "toanquoc-demo-2025"),
)


class Context:
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
        from .schemes import load_catalogue
        return load_catalogue(self.settings.get("SCHEMES_FILE") or None)

    def data_dir(self, source: str | None = None) -> Path:
        folder = source or self.settings["DATA_MIRROR"]
        if not folder or not Path(folder).is_dir():
            raise click.UsageError("no data mirror folder: set GEOAPP_DATA_MIRROR to a folder laid out "
                                   "like ../shared/data, or pass --source")
        return Path(folder)


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def _stage_printer():
    start = time.perf_counter()

    def show(label: str):
        click.echo(f"  [{time.perf_counter() - start:6.1f}s] {label}", err=True)
    return show


@click.group(cls=GeoappGroup)
def main():
    """geoapp — commune maps of security and drug-prevention status in Vietnam."""


@main.group(cls=GeoappGroup)
def db():
    """Database schema."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context):
    """Apply pending schema migrations."""
    store = open_store(cfg.database_url(ctx.settings))
    applied = store.upgrade()
    click.echo(f"{store.url}: schema version {store.schema_version()}"
               + (f" (applied {', '.join(map(str, applied))})" if applied else " (up to date)"))


@db.command("copy")
@click.option("--to", "to_url", required=True, help="postgresql://… URL of an EMPTY PostGIS database.")
@pass_ctx
def db_copy(ctx, to_url):
    """Copy this instance (every table, ids kept) into an empty PostGIS database and verify it."""
    from .store.copy import copy_store

    dst = open_store(to_url)
    result = copy_store(ctx.store, dst)
    for name, t in result["tables"].items():
        click.echo(f"  {name:18} {t['rows']:>9} rows  {t['sha256'][:12]}  {'ok' if t['match'] else 'DIFFERS'}")
    click.echo(f"copied {ctx.store.url} -> {dst.url}: row counts and checksums match")


@main.group(cls=GeoappGroup)
def boundaries():
    """Commune boundary files."""


def _boundary_options(f):
    for opt in reversed([
        click.option("--edition", type=click.Choice(["2025", "pre2025"]), required=True,
                     help="Administrative map edition the file belongs to."),
        click.option("--crs", help="CRS of the coordinates when the file has none (e.g. EPSG:9205)."),
        click.option("--code-field", help="Field holding the 5-digit commune code."),
        click.option("--name-field", help="Field holding the commune name."),
        click.option("--district-field", help="Field holding the district code or name."),
        click.option("--province-field", help="Field holding the province code or name."),
        click.option("--encoding", help="Text encoding of the attribute table (UTF-8, cp1258 …)."),
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text"),
    ]):
        f = opt(f)
    return f


def _print_import(report: dict, fmt: str):
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    provinces = ", ".join(f"{c} {n}" for c, n in report["provinces"].items())
    click.echo(f"imported {report['units']} units of edition {report['edition']} "
               f"(batch {report['batch']}): {provinces}")
    for p in report["problems"]:
        click.echo(f"  [{p['level']}] {p['where']}: {p['message']}")
    t = report["timings"]
    click.echo(f"  read {t['read_s']}s, levels of detail {t['lod_s']}s, write {t['write_s']}s")


@boundaries.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@_boundary_options
@pass_ctx
def boundaries_import(ctx: Context, paths, edition, crs, code_field, name_field, district_field,
                      province_field, encoding, fmt):
    """Validate boundary files (.shp/.zip/.gpkg/.geojson) and replace their provinces."""
    from .boundaries import FieldOptions
    from .ingest import import_boundaries

    fields = FieldOptions(code_field, name_field, district_field, province_field)
    try:
        report = import_boundaries(ctx.store, paths, edition, crs=crs, encoding=encoding, fields=fields,
                                   progress=_stage_printer() if fmt == "text" else None)
    except GeoappError as exc:
        _fail(exc, fmt)
    _print_import(report, fmt)


@boundaries.command("fetch")
@click.option("--edition", type=click.Choice(["2025", "pre2025"]), required=True)
@click.option("--province", "provinces", multiple=True, help="Province code (repeatable); default all.")
@click.option("--source", help="Mirror folder or URL laid out like ../shared/data, or 'upstream'. "
                               "Default: GEOAPP_DATA_MIRROR, else upstream.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def boundaries_fetch(ctx: Context, edition, provinces, source, fmt):
    """Fetch boundary files from a mirror or the pinned upstream, check and import them."""
    from .fetch import fetch_boundaries
    from .ingest import import_boundaries

    source = source or ctx.settings["DATA_MIRROR"] or "upstream"
    with tempfile.TemporaryDirectory(prefix="geoapp-fetch-") as tmp:
        with click.progressbar(length=1, label=f"fetching {edition} from {source}", file=sys.stderr) as bar:
            def progress(done, total, label):
                bar.length = total
                bar.update(done - bar.pos)
            files = fetch_boundaries(edition, list(provinces) or None, source, Path(tmp),
                                     timeout=ctx.settings["FETCH_TIMEOUT"],
                                     upstream_base=ctx.settings["UPSTREAM_2025"], progress=progress)
        wanted = list(provinces) or None
        if edition == "pre2025" and not wanted:
            wanted = None
        report = import_boundaries(ctx.store, files, edition, provinces=wanted, user="cli",
                                   progress=_stage_printer() if fmt == "text" else None)
    _print_import(report, fmt)


@main.group(cls=GeoappGroup)
def units():
    """Official unit lists and unit exports."""


@units.command("import-list")
@click.option("--edition", type=click.Choice(["2025", "pre2025"]), required=True)
@click.option("--source", type=click.Path(file_okay=False), help="Folder laid out like ../shared/data.")
@pass_ctx
def units_import_list(ctx: Context, edition, source):
    """Load the official list of units, so units without polygons exist too."""
    from .ingest import import_unit_list

    report = import_unit_list(ctx.store, edition, ctx.data_dir(source))
    click.echo(f"listed {report['units']} units in {report['provinces']} provinces of edition "
               f"{edition} (batch {report['batch']})")


@units.command("export")
@click.option("--edition", type=click.Choice(["2025", "pre2025"]), required=True)
@click.option("--province", help="Province code; default all.")
@click.option("--format", "fmt", type=click.Choice(["geojson", "csv"]), default="geojson")
@click.option("--lod", type=click.IntRange(0, 3), default=0, help="Level of detail (0 = as imported).")
@click.option("--out", type=click.Path(dir_okay=False), help="File to write; default standard output.")
@pass_ctx
def units_export(ctx: Context, edition, province, fmt, lod, out):
    """Export units as GeoJSON (with geometry) or CSV (every unit, with has_geometry)."""
    from .ingest import export_units

    data = export_units(ctx.store, edition, province, fmt, lod)
    if out:
        Path(out).write_bytes(data)
        click.echo(f"wrote {len(data):,} bytes to {out}", err=True)
    else:
        sys.stdout.buffer.write(data)


@main.command()
@click.option("--source", type=click.Path(file_okay=False), help="Folder laid out like ../shared/data.")
@pass_ctx
def demo(ctx: Context, source):
    """Turn an empty instance into the demo: all 2025 units, the pre-2025 four provinces, unit lists.

    Without a mirror folder the 2025 boundaries come from the pinned upstream over HTTP; the
    pre-2025 layer and the unit lists exist only in mirrors, and are skipped with a warning.
    """
    from .demo import demo_batches
    from .ingest import import_boundaries, import_unit_list

    if not demo_batches(ctx.store).empty:
        click.echo("the demo data is already loaded: " + cfg.database_url(ctx.settings))
        return
    show = _stage_printer()
    folder = source or ctx.settings["DATA_MIRROR"]
    if folder and Path(folder).is_dir():
        data = Path(folder)
        for edition in ("pre2025", "2025"):
            report = import_unit_list(ctx.store, edition, data, user="demo")
            show(f"{edition}: {report['units']} units listed")
        files = sorted((data / "boundaries" / "2025").glob("*.zip"))
        report = import_boundaries(ctx.store, files, "2025", user="demo", progress=show)
        show(f"2025: {report['units']} units with boundaries")
        report = import_boundaries(ctx.store, [data / "boundaries" / "pre2025" / "xa_4tinh_truoc2025_xapxi.zip"],
                                   "pre2025", user="demo", progress=show)
        show(f"pre2025: {report['units']} units with boundaries")
        from . import crosswalk as cw

        report = cw.import_crosswalk(ctx.store, data, user="demo")
        show(f"crosswalk: {report['pairs']} pairs, {report['split_communes']} split communes")
        report = cw.update_area_weights(ctx.store, user="demo")
        by = report.get("by_method", {})
        show(f"crosswalk weights: {by.get('area', 0)} pairs by area overlay, {by.get('crosswalk', 0)} by the crosswalk alone")
        from .demo import generate_demo

        summary = generate_demo(ctx.store, ctx.catalogue, user="demo", data_dir=data)
        show(f"demo designations and indicators (seed {summary['seed']}): {summary['records']}")
        for name, check in summary["checks"].items():
            show(f"  {name}: {check.get('reached')} (published {check.get('target')})"
                 f"{'' if check.get('ok') else '  MISMATCH'}")
        click.echo("every demo record is flagged: " + DEMO_MARK)
    else:
        from .fetch import fetch_boundaries

        click.echo("no mirror folder (GEOAPP_DATA_MIRROR): fetching the 2025 boundaries from the "
                   "pinned upstream; the pre-2025 layer and unit lists need a mirror and are skipped", err=True)
        target = cfg.instance_path(ctx.settings) / "fetched" / "2025"
        target.mkdir(parents=True, exist_ok=True)
        with click.progressbar(length=1, label="fetching 2025", file=sys.stderr) as bar:
            def progress(done, total, label):
                bar.length = total
                bar.update(done - bar.pos)
            files = fetch_boundaries("2025", None, "upstream", target, timeout=ctx.settings["FETCH_TIMEOUT"],
                                     upstream_base=ctx.settings["UPSTREAM_2025"], progress=progress)
        report = import_boundaries(ctx.store, files, "2025", user="demo", progress=show)
        show(f"2025: {report['units']} units with boundaries")
    from . import access
    if ctx.store.user("admin") is None:
        for name, role, scope, everything, password in DEMO_ACCOUNTS:
            access.add_user(ctx.store, name, role, scope, password, all_provinces=everything, by="demo")
    click.echo("demo accounts (change or disable them before any real use):")
    for name, role, scope, everything, password in DEMO_ACCOUNTS:
        click.echo(f"  {name:<14} {password:<22} {role:<7} {'all provinces' if everything else ', '.join(scope)}")
    click.echo("demo instance ready: " + cfg.database_url(ctx.settings))


def _print_records_report(report: dict, fmt: str, key: str):
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        return
    verb = "checked (dry run, nothing written)" if report["dry_run"] else f"imported as batch {report['batch']}"
    click.echo(f"{report['file']}: {report['records']} records from {report['rows']} rows {verb}")
    for row in report[key]:
        click.echo("  " + "  ".join(str(v) for v in row.values()))


def _records_import(ctx, kind, file, edition, province, dry_run, fmt):
    from .records import import_indicator_file, import_status_file

    fn = import_status_file if kind == "status" else import_indicator_file
    try:
        report = fn(ctx.store, file, edition, ctx.catalogue, province=province, dry_run=dry_run)
    except GeoappError as exc:
        _fail(exc, fmt)
    _print_records_report(report, fmt, "by_status" if kind == "status" else "by_indicator")


_edition_opt = click.option("--edition", type=click.Choice(["2025", "pre2025"]), required=True)


@main.group(cls=GeoappGroup)
def status():
    """Status designations (key complex areas, converted, drug-free …)."""


def _records_import_options(f):
    for opt in reversed([
        click.argument("file", type=click.Path(exists=True, dir_okay=False)),
        _edition_opt,
        click.option("--province", help="Only accept units of this province (code)."),
        click.option("--dry-run", is_flag=True, help="Validate and report; write nothing."),
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text"),
        pass_ctx,
    ]):
        f = opt(f)
    return f


@status.command("import")
@_records_import_options
def status_import(ctx, file, edition, province, dry_run, fmt):
    """Import a CSV/XLSX of designations: all rows or none."""
    _records_import(ctx, "status", file, edition, province, dry_run, fmt)


@status.command("batches")
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


@status.command("rollback")
@click.argument("batch_id", type=int)
@pass_ctx
def status_rollback(ctx, batch_id):
    """Roll back a status or indicator batch (recorded; nothing is deleted)."""
    from .records import rollback

    info = rollback(ctx.store, batch_id)
    click.echo(f"batch {batch_id} ({info['kind']}, {info['row_count']} rows) rolled back at {info['rolled_back_at']}")


@status.command("export")
@_edition_opt
@click.option("--province")
@click.option("--as-of", "as_of", help="Date (YYYY-MM-DD); default today.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv")
@click.option("--out", type=click.Path(dir_okay=False))
@pass_ctx
def status_export(ctx, edition, province, as_of, fmt, out):
    """What is valid on a date: one row per unit and scheme, with labels and provenance."""
    from .imports import parse_date
    from .records import export_statuses

    day = parse_date(as_of) if as_of else None
    if as_of and not day:
        raise click.BadParameter(f"{as_of!r} is not a date", param_hint="--as-of")
    data = export_statuses(ctx.store, edition, ctx.catalogue, fmt, province=province, on=day)
    if out:
        Path(out).write_bytes(data)
        click.echo(f"wrote {len(data):,} bytes to {out}", err=True)
    elif fmt == "xlsx":
        raise click.UsageError("--format xlsx needs --out FILE")
    else:
        sys.stdout.buffer.write(data)


@status.command("history")
@_edition_opt
@click.argument("code")
@pass_ctx
def status_history(ctx, edition, code):
    """Every designation of one unit, oldest first."""
    from .records import unit_history

    frame = unit_history(ctx.store, edition, code)
    if frame.empty:
        click.echo(f"{code}: no records")
        return
    for r in frame.itertuples():
        flag = "" if r.batch_state == "active" else "  [rolled back]"
        until = r.effective_to if isinstance(r.effective_to, str) else "…"
        click.echo(f"{r.scheme:<7} {r.status:<28} {r.valid_from} – {until:<10}  {r.decision_no or '-':<18} "
                   f"batch {r.batch_id}{flag}")


@status.command("template")
@_edition_opt
@click.option("--province", required=True)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx")
@click.option("--out", type=click.Path(dir_okay=False), required=True)
@pass_ctx
def status_template(ctx, edition, province, fmt, out):
    """A file pre-filled with the province's units and drop-down lists of valid statuses."""
    from .records import template

    Path(out).write_bytes(template(ctx.store, edition, province, ctx.catalogue, fmt))
    click.echo(f"wrote {out}", err=True)


@main.group(cls=GeoappGroup)
def indicators():
    """Numeric indicators per unit and period."""


@indicators.command("import")
@_records_import_options
def indicators_import(ctx, file, edition, province, dry_run, fmt):
    """Import a CSV/XLSX of indicator values: all rows or none."""
    _records_import(ctx, "indicators", file, edition, province, dry_run, fmt)


@main.command()
@_edition_opt
@click.option("--province", help="Province code; default the whole edition.")
@click.option("--indicator", help="Indicator to analyse (Gi*, Local Moran).")
@click.option("--scheme", help="Status scheme (with --status) for a join count.")
@click.option("--status", help="Status code(s), comma-separated, or 'key'.")
@click.option("--period", help="Indicator period (default the latest).")
@click.option("--as-of", "as_of", help="Date of the statuses (default today).")
@click.option("--rate", is_flag=True, help="Per 1,000 people (dan_so).")
@click.option("--method", type=click.Choice(["gi_star", "local_moran", "join_count"]))
@click.option("--weights", type=click.Choice(["queen", "rook", "knn", "distance"]), default="queen")
@click.option("--k", type=int, default=6, help="Neighbours for --weights knn.")
@click.option("--distance-km", type=float, help="Band for --weights distance.")
@click.option("--permutations", type=int, default=999)
@click.option("--seed", type=int, default=12345)
@click.option("--fdr", default="0.05", help="False-discovery-rate alpha, or 'none'.")
@click.option("--emerging", is_flag=True, help="Emerging hot spots over the yearly series (with --indicator).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "geojson"]), default="csv")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi")
@pass_ctx
def hotspots(ctx, edition, province, indicator, scheme, status, period, as_of, rate, method, weights, k, distance_km,
             permutations, seed, fdr, emerging, fmt, lang):
    """Hot spots of an indicator or of a status, with permutation inference and FDR."""
    from dataclasses import asdict

    from . import analysis
    from .imports import parse_date
    from .safecells import csv_text

    if emerging:
        if not indicator:
            raise click.UsageError("--emerging needs --indicator")
        frame, periods = analysis.run_emerging(ctx.store, ctx.catalogue, edition, province and province.zfill(2),
                                               indicator, rate=rate, weights=weights, permutations=permutations,
                                               seed=seed, fdr=None if fdr.lower() in ("none", "off") else float(fdr))
        if fmt == "geojson":
            click.echo(frame.to_json(drop_id=True, ensure_ascii=False))
        elif fmt == "json":
            click.echo(frame.drop(columns="geometry").to_json(orient="records", force_ascii=False))
        else:
            sys.stdout.write(csv_text(frame.drop(columns=["geometry", "colour"])))
        summary = frame["category"].value_counts().to_dict()
        click.echo(f"# emerging hot spots over {periods[0]}–{periods[-1]}: {summary}", err=True)
        return

    day = parse_date(as_of) if as_of else None
    if as_of and not day:
        raise click.BadParameter(f"{as_of!r} is not a date", param_hint="--as-of")
    try:
        alpha = None if fdr.lower() in ("none", "off") else float(fdr)
    except ValueError:
        raise click.BadParameter("a number or 'none'", param_hint="--fdr") from None
    frame, run = analysis.run_hotspots(ctx.store, ctx.catalogue, edition, province and province.zfill(2),
                                       indicator=indicator, scheme=scheme, status=status, period=period, as_of=day,
                                       method=method, weights=weights, permutations=permutations, seed=seed, fdr=alpha,
                                       rate=rate, k=k, distance_km=distance_km)
    rows = analysis.result_rows(frame, lang)
    if fmt == "json":
        click.echo(json.dumps({"run": asdict(run), "rows": rows}, ensure_ascii=False, default=str, indent=1))
    elif fmt == "geojson":
        click.echo(frame.assign(label=[r["label"] for r in rows]).to_json(drop_id=True, ensure_ascii=False))
    else:
        import pandas as pd
        sys.stdout.write(csv_text(pd.DataFrame(rows).drop(columns=["colour"])))
    summary = ", ".join(f"{r['units']} {r['label']}" for r in analysis.legend(frame, lang) if r["units"])
    click.echo(f"# {run.method}, {run.weights} weights, {run.permutations} permutations, seed {run.seed}, "
               f"FDR {run.fdr}: {summary}", err=True)
    for note in run.notes:
        click.echo(f"# note: {note}", err=True)


@main.command()
@_edition_opt
@click.option("--province", required=True, help="Province code, or 'all'.")
@click.option("--scheme", help="Status scheme (default antt).")
@click.option("--indicator", help="An indicator instead of a scheme.")
@click.option("--hotspots", is_flag=True, help="With --indicator: add the table of hot-spot communes.")
@click.option("--rate", is_flag=True, help="With --indicator: per 1,000 people.")
@click.option("--period", help="With --indicator: the period (default the year of --as-of).")
@click.option("--as-of", "as_of", help="Date (YYYY-MM-DD); default today.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi")
@click.option("--dpi", type=click.Choice(["150", "300"]), default="150", help="PNG resolution.")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="FILE.png, FILE.pdf, FILE.html or FILE.zip")
def render(edition, province, scheme, indicator, hotspots, rate, period, as_of, lang, dpi, out):
    """Render a map view to PNG/PDF (no browser), standalone HTML, or a briefing pack (.zip)."""
    from urllib.parse import urlencode

    from flask import g

    from .access import Principal
    from .web import create_app

    fmt = Path(out).suffix.lstrip(".").lower()
    if fmt not in ("png", "pdf", "html", "zip"):
        raise click.BadParameter("use a .png, .pdf, .html or .zip file name", param_hint="--out")
    query = {k: v for k, v in {"scheme": scheme, "indicator": indicator, "as_of": as_of, "lang": lang,
                               "hotspots": "1" if hotspots else None, "rate": "1000" if rate else None,
                               "period": period, "dpi": dpi}.items() if v}
    app = create_app()
    # the same code path as the web export, run in a request context: the CLI is a trusted local user
    with app.test_request_context(f"/export/{edition}/{province}.{fmt}?{urlencode(query)}"):
        g.lang = lang
        g.principal = Principal(name="cli", role="admin", all_provinces=True, via="cli")
        from .web.exports import export_view
        from .web.params import ExportParams, parse
        g.params = parse(ExportParams)          # the same declared parameters as the web export
        resp = export_view(edition, province.zfill(2) if province != "all" else "all", fmt)
    Path(out).write_bytes(resp.get_data())
    alt = resp.headers.get("X-Alt-Text")
    click.echo(f"wrote {out} ({len(resp.get_data()):,} bytes)", err=True)
    if alt:
        click.echo(alt.encode().decode("unicode_escape"), err=True)   # the header carries \\u escapes


@main.group(cls=GeoappGroup)
def users():
    """User accounts, roles and province scopes."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "editor", "viewer"]), required=True)
@click.option("--province", "provinces", multiple=True,
              help="Province the user may read/edit: 12 or edition:code (2025:12, pre2025:12); repeatable.")
@click.option("--all-provinces", is_flag=True, help="Every province (viewers reading all, national editors).")
@click.option("--password", help="Leave out to be asked (not echoed).")
@pass_ctx
def users_add(ctx, name, role, provinces, all_provinces, password):
    """Create a user."""
    from . import access

    if not password:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    user = access.add_user(ctx.store, name, role, provinces, password, all_provinces=all_provinces)
    scope = "all provinces" if user["all_provinces"] else ", ".join(user["provinces"])
    click.echo(f"user {name} ({role}) created: {scope}")


@users.command("list")
@pass_ctx
def users_list(ctx):
    """List users."""
    for u in ctx.store.users().itertuples():
        scope = "*" if u.all_provinces else ",".join(u.provinces)
        state = "disabled" if u.disabled else ("locked" if u.locked_until else "active")
        click.echo(f"{u.name:<20} {u.role:<7} {state:<8} {scope}")


@users.command("disable")
@click.argument("name")
@pass_ctx
def users_disable(ctx, name):
    """Disable a user: sessions end, tokens are revoked."""
    from . import access

    access.disable_user(ctx.store, name)
    click.echo(f"user {name} disabled")


@users.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(["admin", "editor", "viewer"]))
@click.option("--province", "provinces", multiple=True, help="Replace the province scope.")
@click.option("--all-provinces/--own-provinces", default=None)
@pass_ctx
def users_set_role(ctx, name, role, provinces, all_provinces):
    """Change a user's role (and optionally scope)."""
    from . import access

    access.set_role(ctx.store, name, role, list(provinces) if provinces else None, all_provinces=all_provinces)
    click.echo(f"user {name} is now {role}")


@users.command("token")
@click.argument("name")
@click.option("--label", default="", help="What the token is for.")
@pass_ctx
def users_token(ctx, name, label):
    """Create an API token for scripts (shown once; send it as `Authorization: Bearer …`)."""
    from . import access

    click.echo(access.create_token(ctx.store, name, label))


@main.command()
@click.option("--host", help="Address to listen on (default GEOAPP_HOST).")
@click.option("--port", type=int, help="Port (default GEOAPP_PORT).")
@pass_ctx
def serve(ctx: Context, host, port):
    """Serve the web app with waitress (a production WSGI server)."""
    import waitress

    from .web import create_app

    app = create_app()
    host = host or ctx.settings["HOST"]
    port = port or ctx.settings["PORT"]
    click.echo(f"geoapp on http://{host}:{port}/  (Ctrl+C stops)")
    waitress.serve(app, host=host, port=port, threads=ctx.settings["THREADS"])


@main.group(cls=GeoappGroup)
def config():
    """Settings."""


@config.command("table")
@click.option("--readme", type=click.Path(exists=True, dir_okay=False), help="Rewrite the table in this README.")
def config_table(readme):
    """Print the settings table (Markdown), or rewrite it in the README."""
    table = cfg.settings_table_markdown()
    if not readme:
        click.echo(table)
        return
    text = Path(readme).read_text(encoding="utf-8")
    start = text.index("<!-- settings table")
    start = text.index("\n", start) + 1
    end = text.index("<!-- end of settings table -->")
    Path(readme).write_text(text[:start] + table + "\n" + text[end:], encoding="utf-8")
    click.echo(f"updated {readme}")


@config.command("show")
@pass_ctx
def config_show(ctx: Context):
    """Print the settings in force (the secret key hidden)."""
    for name, value in ctx.settings.items():
        if name == "SECRET_KEY" and value:
            value = "(set)"
        click.echo(f"{cfg.PREFIX}{name}={value}")
    click.echo(f"# database: {cfg.database_url(ctx.settings)}")


def _register_plugins():
    from .cli_crosswalk import crosswalk
    main.add_command(crosswalk)


_register_plugins()
