"""``geoapp crosswalk …``: import and check the old → new crosswalk, weigh it, project statuses.

Trips people up: after ``import`` the weights are crosswalk-only (1/n) until ``weights``
runs; ``project`` writes nothing (old records stay on the old communes); its CSV is plain RFC 4180
(the header first) and demo rows say so in their ``is_demo`` column.
"""
from __future__ import annotations

import json
import sys

import click

from .common import Context, GeoappGroup, parse_as_of, pass_ctx, quiet_option


def print_checks(report: dict):
    """Print the counts and problems of a crosswalk check report."""
    click.echo(f"  {report['pairs']:,} pairs: {report['old_communes']:,} old communes → "
               f"{report['new_units']:,} new units; {report['split_communes']} split communes "
               f"({report['split_pairs']:,} pairs)")
    for key, label in (("old_not_mapped", "old communes mapped nowhere"), ("new_not_reached", "new units not reached"),
                       ("old_unknown", "old codes unknown to pre2025"), ("new_unknown", "new codes unknown to 2025"),
                       ("split_flag_mismatch", "split flags that disagree"), ("name_differs", "names that differ"),
                       ("no_old_commune", "new units without an old commune")):
        click.echo(f"  {label}: {len(report.get(key) or [])}")
    for p in report["problems"]:
        click.echo(f"  [{p.level}] {p.where}: {p.message}")


def print_weights(r: dict, lod: int):
    """Print the report of :func:`geoapp.crosswalk.update_area_weights`."""
    click.echo(f"{r['pairs']:,} pairs weighted (lod {lod}): "
               + ", ".join(f"{n:,} by {m}" for m, n in r["by_method"].items())
               + "; old communes: " + ", ".join(f"{n:,} by {m}" for m, n in r["old_by_method"].items()))
    if r["coverage"]:
        c = r["coverage"]
        click.echo(f"  share of the old polygons inside their listed new units: min {c['min']:.2f}, "
                   f"median {c['median']:.2f}, mean {c['mean']:.2f} (renormalised to 1)")
    click.echo(f"  {r['unlisted_overlaps_dropped']:,} overlaps with units the crosswalk does not list were dropped; "
               f"{r['floored']} pairs kept the floor share {r['floor_share']}; "
               f"{len(r['low_coverage'])} communes below {r['min_coverage']} coverage fell back to the crosswalk")
    for m in r["unlisted_major"]:
        click.echo(f"  [warning] old {m['old_code']}: {m['share']:.0%} of its (approximate) polygon lies in "
                   f"unlisted {m['new_code']}")


@click.group("crosswalk", cls=GeoappGroup)
def crosswalk_group():
    """Old communes → 2025 units: the crosswalk, its weights, projected statuses."""


@crosswalk_group.command("import")
@click.option("--source", type=click.Path(file_okay=False), help="Folder laid out like ../shared/data.")
@pass_ctx
def crosswalk_import(ctx: Context, source):
    """Read, check and store the crosswalk (replaces the stored one)."""
    from ..crosswalk.service import import_crosswalk

    report = import_crosswalk(ctx.store, ctx.data_dir(source))
    click.echo(f"imported {report['source']} (sha256 {report['sha256'][:12]}…) as batch {report['batch']}")
    print_checks(report)
    click.echo("weights are crosswalk-only (1/n) until `geoapp crosswalk weights` runs")


@crosswalk_group.command("check")
@pass_ctx
def crosswalk_check(ctx: Context):
    """Check the stored crosswalk against both editions' units."""
    from ..crosswalk.service import stored_check

    report = stored_check(ctx.store)
    click.echo(f"{report['source']} (sha256 {report['sha256'][:12]}…), batch {report['batch']}; weights: "
               + ", ".join(f"{n:,} {m}" for m, n in report["methods"].items()))
    print_checks(report)


@crosswalk_group.command("weights")
@click.option("--lod", type=click.IntRange(0, 3), default=1, show_default=True,
              help="Level of detail of the polygons to overlay (1 = coverage-cleaned).")
@quiet_option
@pass_ctx
def crosswalk_weights(ctx: Context, lod):
    """Compute area weights where both editions have polygons; store them."""
    from ..crosswalk.service import update_area_weights

    # an estimate: ~1 s for the demo's four provinces at lod 1, several times that on raw polygons
    with ctx.reporter().estimate("crosswalk weights (area overlay)", 2.0 if lod else 10.0):
        report = update_area_weights(ctx.store, lod=lod)
    print_weights(report, lod)


@crosswalk_group.command("project")
@click.option("--as-of", "as_of", required=True, help="Date (YYYY-MM-DD) of the old statuses.")
@click.option("--province", help="2025 province code; default all.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", help="Language of the composition (csv).")
@click.option("--rules", type=click.Path(exists=True, dir_okay=False),
              help="TOML file with [projection.<scheme>] rule/threshold overrides.")
@pass_ctx
def crosswalk_project(ctx: Context, as_of, province, fmt, lang, rules):
    """Old statuses projected onto the 2025 units, with what each unit was formed from."""
    from ..crosswalk.service import project_statuses
    from ..records import DEMO_MARK
    from ..briefing.tabular import csv_text

    as_of = parse_as_of(as_of, required=True)
    frame = project_statuses(ctx.store, ctx.catalogue, as_of, province, rules=rules)
    demo = bool(frame["is_demo"].any()) if len(frame) else False
    if fmt == "json":
        click.echo(json.dumps({"as_of": as_of, "demo": demo, "mark": DEMO_MARK if demo else "",
                               "rows": frame.to_dict("records")}, ensure_ascii=False, default=str, indent=1))
        return
    other = "formed_from_en" if lang == "vi" else "formed_from_vi"
    out = frame.drop(columns=[other]).assign(
        composition=[json.dumps(c, ensure_ascii=False) for c in frame["composition"]])
    sys.stdout.write(csv_text(out))
