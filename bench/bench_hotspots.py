"""Benchmark: hot-spot analysis on the whole 2025 edition (3,321 units) and a 10-year panel.

Prints figures only:

* reading the 34 provinces; queen weights on the raw polygons and on the cleaned level 1
  (and the time to make level 1), islands and connected components;
* Gi* with 999 permutations on a seeded Poisson field over all units — the numba JIT
  compile (paid once per process), then warm runs with ``n_jobs=1`` and ``n_jobs=-1``,
  against the 5 s target (and with numba, when it is installed);
* Local Moran and Local Join Count on the same weights;
* emerging hot spots over 10 years on Lâm Đồng (2025).

Run: ``/work/venv/bin/python bench/bench_hotspots.py``
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geoapp import hotspots as hs  # noqa: E402
from geoapp.boundaries import read_boundaries  # noqa: E402
from geoapp.lod import levels_of_detail  # noqa: E402

DATA = Path(os.environ.get("GEOAPP_DATA_MIRROR", ROOT.parent / "shared" / "data"))
TARGET_S = 5.0


def timed(label, fn, *a, **kw):
    t = time.perf_counter()
    out = fn(*a, **kw)
    dt = time.perf_counter() - t
    print(f"{label:<58s} {dt:8.2f} s")
    return out, dt


def numba_seconds(perms: int) -> str:
    """Gi* with numba, if it is installed (geoapp does not depend on it): first call and warm."""
    import importlib.util

    if importlib.util.find_spec("numba") is None:
        return "numba not installed (geoapp does not use it: ~13 s JIT per process, see hotspots/esda_calls.py)"
    code = textwrap.dedent(f"""
        import sys, time, glob, numpy as np
        sys.path.insert(0, {str(ROOT)!r})
        from geoapp.boundaries import read_boundaries
        from geoapp import hotspots as hs
        u = read_boundaries(sorted(glob.glob({str(DATA / 'boundaries' / '2025' / '*.zip')!r}))).units
        w, rep = hs.build_weights(u)
        y = np.random.default_rng(7).poisson(4.0, len(u)).astype(float)
        for _ in range(2):
            t = time.perf_counter()
            hs.local_statistic(u, y, 'gi_star', weights=(w, rep), permutations={perms})
            print(time.perf_counter() - t)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900)
    if out.returncode:
        return out.stderr[-2000:]
    first, warm = (float(v) for v in out.stdout.split()[-2:])
    return f"with numba: first call {first:.2f} s (JIT), warm {warm:.2f} s"


def main() -> None:
    files = sorted((DATA / "boundaries" / "2025").glob("*.zip"))
    if len(files) != 34:
        sys.exit(f"expected 34 province files under {DATA / 'boundaries' / '2025'}, found {len(files)}")
    import importlib.util
    numba = "installed" if importlib.util.find_spec("numba") else "not installed"
    print(f"esda {__import__('esda').__version__}, libpysal {__import__('libpysal').__version__}, "
          f"numba {numba}, {os.cpu_count()} CPUs")

    read, _ = timed("read 34 provinces (read_boundaries)", read_boundaries, files)
    units = read.units
    print(f"units: {len(units)}")

    (w_raw, rep_raw), _ = timed("queen weights, raw lod 0 (tolerance 10 m)", hs.build_weights, units)
    (w_exact, _), _ = timed("queen weights, raw lod 0 (exact, tolerance 0)", hs.build_weights, units,
                            tolerance_m=0)
    lods, _ = timed("make level 1 (coverage clean + simplify 30 m)", levels_of_detail,
                    np.asarray(units.geometry.values, dtype=object), {1: 30.0})
    lod1 = units.assign(geometry=lods[1])
    (w, rep), _ = timed("queen weights, lod 1 (tolerance 10 m)", hs.build_weights, lod1)
    pairs = lambda ww: int(ww.sparse.nnz // 2)  # noqa: E731
    print(f"neighbour pairs: raw exact {pairs(w_exact)}, raw 10 m {pairs(w_raw)}, lod1 10 m {pairs(w)}")
    print(f"islands: {len(rep['islands'])} ({', '.join(rep['islands'])})")
    print(f"components: {rep['components']}; sizes of the largest: {rep['component_sizes'][:6]}; "
          f"neighbours min/mean/max {rep['neighbours']['min']}/{rep['neighbours']['mean']:.2f}/"
          f"{rep['neighbours']['max']}")
    (_, rep_rook), _ = timed("rook weights, lod 1", hs.build_weights, lod1, "rook")
    timed("knn weights (k=6)", hs.build_weights, lod1, "knn")
    (_, rep_d), _ = timed("distance-band weights (10 km)", hs.build_weights, lod1, "distance",
                          distance_km=10)
    print(f"rook neighbours per unit (mean) {rep_rook['neighbours']['mean']:.2f}; "
          f"distance 10 km islands {len(rep_d['islands'])}, components {rep_d['components']}")

    y = np.random.default_rng(7).poisson(4.0, len(units)).astype(float)
    _, first = timed("Gi* 999 perms, first call in the process", hs.local_statistic,
                     units, y, "gi_star", weights=(w, rep))
    res, warm1 = timed("Gi* 999 perms, warm, n_jobs=1", hs.local_statistic, units, y, "gi_star",
                       weights=(w, rep), n_jobs=1)
    _, warm_all = timed("Gi* 999 perms, warm, n_jobs=-1", hs.local_statistic, units, y, "gi_star",
                        weights=(w, rep), n_jobs=-1)
    best = min(warm1, warm_all)
    print(f"Gi* 999 permutations on {len(units)} units: {best:.2f} s warm vs target {TARGET_S:.0f} s "
          f"-> {'OK' if best <= TARGET_S else 'MISSED'}; first call {first:.2f} s")
    counts = res["class"].value_counts()
    print("random Poisson field, classes after FDR: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    false_hot = int(res["class"].str.startswith(("hot", "cold")).sum())
    print(f"false hot/cold after FDR: {false_hot} of {len(units)}; "
          f"without FDR: {int((hs.local_statistic(units, y, 'gi_star', weights=(w, rep), fdr_alpha=None)['confidence'] > 0).sum())}")
    print(f"Gi* 999 perms {numba_seconds(999)}")
    codes = list(units["code"])
    centre = max(codes, key=lambda c: (len(w.neighbors[c]), c))
    block = [centre] + list(w.neighbors[centre])
    planted = y.copy()
    inside = units["code"].isin(block).to_numpy()
    planted[inside] = np.random.default_rng(8).poisson(20.0, inside.sum())
    for inference in ("z_sim", "pseudo"):
        r = hs.local_statistic(units, planted, "gi_star", weights=(w, rep), inference=inference)
        hot = r["class"].str.startswith("hot").to_numpy()
        touching = units["code"].isin({n for b in block for n in w.neighbors[b]}).to_numpy() & ~inside
        print(f"planted block of {len(block)} (x4 mean), whole country, p={inference:6s}: "
              f"{int(hot[inside].sum())}/{len(block)} hot; touching it {int(hot[touching].sum())}/"
              f"{int(touching.sum())} hot; further away {int(hot[~inside & ~touching].sum())} hot")

    timed("Local Moran 999 perms (warm after first call)", hs.local_statistic, units, y, "local_moran",
          weights=(w, rep))
    timed("Local Moran 999 perms, warm", hs.local_statistic, units, y, "local_moran", weights=(w, rep))
    status = (y >= 6).astype(float)
    timed("Local Join Count 999 perms (first call)", hs.local_statistic, units, status, "join_count",
          weights=(w, rep))
    timed("Local Join Count 999 perms, warm", hs.local_statistic, units, status, "join_count",
          weights=(w, rep))

    prov = units[units["province_code"] == "68"].reset_index(drop=True)
    rng = np.random.default_rng(11)
    pcodes = list(prov["code"])
    (wp, repp), _ = timed(f"queen weights, Lâm Đồng ({len(prov)} units, raw)", hs.build_weights, prov)
    first = max(pcodes, key=lambda c: len(wp.neighbors[c]))
    rising = {first, *wp.neighbors[first]}
    second = next(c for c in pcodes if c not in rising and not rising & {c, *wp.neighbors[c]}
                  and not rising & {n for m in wp.neighbors[c] for n in wp.neighbors[m]}
                  and len(wp.neighbors[c]) >= 4)
    new = {second, *wp.neighbors[second]}
    rows = []
    for t, year in enumerate(range(2015, 2025)):
        for c in pcodes:
            v = 25 + 5 * t if c in rising else (60 if c in new and year == 2024 else rng.poisson(5))
            rows.append({"code": c, "period": year, "value": float(v)})
    panel = pd.DataFrame(rows)
    print(f"panel: a rising block of {len(rising)} units, a block of {len(new)} hot in 2024 only")
    out, _ = timed("emerging hot spots, Lâm Đồng, 10 years x 999 perms", hs.emerging_hotspots, prov,
                   panel, weights=(wp, repp))
    print("categories: " + ", ".join(f"{k} {v}" for k, v in out["category"].value_counts().items()))
    cat = out.set_index("code")["category"]
    for label, group in (("rising block", rising), ("2024-only block", new)):
        print(f"  {label}: " + ", ".join(f"{k} {v}" for k, v in cat[sorted(group)].value_counts().items()))


if __name__ == "__main__":
    main()
