"""``geoapp hotspots``: hot spots of an indicator or a status, or emerging hot spots, as CSV/JSON/GeoJSON.

Trips people up: the table goes to stdout and the summary (method, weights, seed, FDR, notes)
to stderr as ``# …`` lines, so ``> file.csv`` keeps only the table. The analysis is
:mod:`geoapp.hotspots.service` (shown with :mod:`geoapp.hotspots.legend`); this module only
parses and prints.
"""
from __future__ import annotations

import json
import sys

import click

from .common import Context, edition_option, parse_as_of, pass_ctx


def parse_fdr(fdr: str) -> float | None:
    """``--fdr``: a number, or 'none'/'off' for no false-discovery-rate correction."""
    try:
        return None if fdr.lower() in ("none", "off") else float(fdr)
    except ValueError:
        raise click.BadParameter("a number or 'none'", param_hint="--fdr") from None


def print_emerging(frame, periods, fmt: str):
    from ..briefing.tabular import csv_text

    if fmt == "geojson":
        click.echo(frame.to_json(drop_id=True, ensure_ascii=False))
    elif fmt == "json":
        click.echo(frame.drop(columns="geometry").to_json(orient="records", force_ascii=False))
    else:
        sys.stdout.write(csv_text(frame.drop(columns=["geometry", "colour"])))
    summary = frame["category"].value_counts().to_dict()
    click.echo(f"# emerging hot spots over {periods[0]}–{periods[-1]}: {summary}", err=True)


def print_hotspots(frame, run, fmt: str, lang: str):
    from dataclasses import asdict

    import pandas as pd

    from ..hotspots.legend import legend, result_rows
    from ..briefing.tabular import csv_text

    rows = result_rows(frame, lang)
    if fmt == "json":
        click.echo(json.dumps({"run": asdict(run), "rows": rows}, ensure_ascii=False, default=str, indent=1))
    elif fmt == "geojson":
        click.echo(frame.assign(label=[r["label"] for r in rows]).to_json(drop_id=True, ensure_ascii=False))
    else:
        sys.stdout.write(csv_text(pd.DataFrame(rows).drop(columns=["colour"])))
    summary = ", ".join(f"{r['units']} {r['label']}" for r in legend(frame, lang) if r["units"])
    click.echo(f"# {run.method}, {run.weights} weights, {run.permutations} permutations, seed {run.seed}, "
               f"FDR {run.fdr}: {summary}", err=True)
    for note in run.notes:
        click.echo(f"# note: {note}", err=True)


@click.command("hotspots")
@edition_option
@click.option("--province", help="Province code; default the whole edition.")
@click.option("--indicator", help="Indicator to analyse (Gi*, Local Moran).")
@click.option("--scheme", help="Status scheme for a join count (of its hot-spot statuses, schemes.toml).")
@click.option("--status", help="Status code(s), comma-separated, or 'key'; default the scheme's hot-spot statuses.")
@click.option("--period", help="Indicator period (default the latest).")
@click.option("--as-of", "as_of", help="Date of the statuses (default the date the edition's map opens at).")
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
def hotspots_command(ctx: Context, edition, province, indicator, scheme, status, period, as_of, rate, method,
                     weights, k, distance_km, permutations, seed, fdr, emerging, fmt, lang):
    """Hot spots of an indicator or of a status, with permutation inference and FDR."""
    from ..hotspots.service import run_emerging, run_hotspots

    province = province and province.zfill(2)
    if emerging:
        if not indicator:
            raise click.UsageError("--emerging needs --indicator")
        frame, periods = run_emerging(ctx.store, ctx.catalogue, edition, province, indicator, rate=rate,
                                      weights=weights, permutations=permutations, seed=seed,
                                      fdr=parse_fdr(fdr))
        print_emerging(frame, periods, fmt)
        return
    as_of = parse_as_of(as_of)
    alpha = parse_fdr(fdr)
    frame, run = run_hotspots(ctx.store, ctx.catalogue, edition, province,
                              indicator=indicator, scheme=scheme, status=status, period=period, as_of=as_of,
                              method=method, weights=weights, permutations=permutations, seed=seed, fdr=alpha,
                              rate=rate, k=k, distance_km=distance_km)
    print_hotspots(frame, run, fmt, lang)
