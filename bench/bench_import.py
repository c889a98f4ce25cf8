"""Benchmark: the whole 2025 edition (3,321 units, 7.1 M vertices) — levels of detail before/after, and imports.

Prints, in one run on the same machine:

* levels of detail from the same polygons: **before** (one clean, then each level from the clean,
  one after the other — the algorithm up to issue 16), the same in parallel processes
  (``chained=False, workers=2``), and **after** (one clean, each level from the level before);
* a whole-edition import into a fresh store with an empty cache (computes and keeps the levels)
  and into another fresh store with that cache (**cache hit**: what a re-run or a second
  instance pays);
* peak memory, then per level: vertices, WKB bytes and gzipped GeoJSON of Lai Châu and of the
  country — against the naive alternative (per-polygon ``simplify``, which opens gaps and
  overlaps between neighbours).

Wall times on a shared 2-core machine move with the load: compare the lines of one run, and the
CPU seconds (this process plus its workers), which do not. The load average is printed first.
"""
from __future__ import annotations

import gzip
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geoapp.boundaries import read_boundaries  # noqa: E402
from geoapp.crs import EQUAL_AREA  # noqa: E402
from geoapp.ingest import import_boundaries  # noqa: E402
from geoapp.lod import LEVELS, levels_of_detail  # noqa: E402
from geoapp.lod_cache import LodCache  # noqa: E402
from geoapp.store.sqlite import SQLiteStore  # noqa: E402

DATA = Path(os.environ.get("GEOAPP_DATA_MIRROR", ROOT.parent / "shared" / "data"))


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 6))


def _cpu() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(label: str, fn, *args, **kwargs):
    """Run ``fn``; print wall time and CPU time (the CPU time does not move with other people's load)."""
    t0, c0 = time.perf_counter(), _cpu()
    out = fn(*args, **kwargs)
    seconds, cpu = time.perf_counter() - t0, _cpu() - c0
    print(f"  {label:<58} {seconds:6.1f} s wall {cpu:6.1f} s CPU", flush=True)
    return out, seconds


def compare_levels(files) -> None:
    """Levels of the same polygons three ways, no cache."""
    read, _ = timed("read 34 files (validate, repair, areas)", read_boundaries, files)
    geoms = np.asarray(read.units.geometry.values, dtype=object)
    print(f"levels of detail of {len(geoms):,} units, "
          f"{int(shapely.get_num_coordinates(geoms).sum()):,} vertices (no cache):")
    _, before = timed("before: one clean, levels from the clean, sequential", levels_of_detail, geoms,
                      chained=False, workers=1)
    _, parallel = timed("        one clean, levels from the clean, 2 processes", levels_of_detail, geoms,
                        chained=False, workers=2)
    _, after = timed("after:  one clean, each level from the one before", levels_of_detail, geoms)
    print(f"  → after/before {after / before:.2f} ({before - after:.0f} s saved); "
          f"2 processes/before {parallel / before:.2f}")


def imports(files, tmp: Path):
    """A whole-edition import with an empty cache, then into another store with that cache."""
    cache = tmp / "lod-cache"
    print("whole-edition import into a fresh store:")
    seconds, stores = [], []
    for name, label in (("one", "empty cache (computes and keeps the levels)"),
                        ("two", "cache hit (a re-run, a second instance)")):
        store = SQLiteStore(tmp / f"{name}.sqlite")
        store.upgrade()
        report, took = timed(label, import_boundaries, store, files, "2025", lod_cache=LodCache(cache))
        t = report["timings"]
        print(f"    read {t['read_s']} s, levels {t['lod_s']} s, write {t['write_s']} s; cache {report['lod_cache']}")
        seconds.append(took)
        stores.append(store)
    miss, hit = seconds
    size = sum(p.stat().st_size for p in cache.glob("lod-*.bin")) / 1e6
    print(f"  cache entry {size:,.0f} MB; import {miss:.1f} s → {hit:.1f} s with the cache")
    return stores[0], tmp / "one.sqlite"


def level_stats(store) -> None:
    stats = store.lod_stats("2025").set_index("lod")
    full = store.geometries("2025", lod=0)
    lai_full = full[full["province_code"] == "12"]
    base_country = gz(full.to_json(drop_id=True).encode())
    base_lai = gz(lai_full.to_json(drop_id=True).encode())
    print(f"{'lod':>3} {'tolerance':>9} {'vertices':>10} {'WKB MB':>7} {'Lai Châu gz KB':>15} "
          f"{'ratio':>6} {'country gz MB':>14} {'ratio':>6}")
    for lod, row in stats.iterrows():
        geo = full if lod == 0 else store.geometries("2025", lod=int(lod))
        lai = geo[geo["province_code"] == "12"]
        g_lai = gz(lai.to_json(drop_id=True).encode())
        g_all = gz(geo.to_json(drop_id=True).encode())
        tol = "as read" if lod == 0 else f"{LEVELS[int(lod)]:g} m"
        print(f"{lod:>3} {tol:>9} {int(row['vertices']):>10,} {row['wkb_bytes'] / 1e6:>7.1f} "
              f"{g_lai / 1e3:>15,.0f} {base_lai / g_lai:>6.1f} {g_all / 1e6:>14.2f} {base_country / g_all:>6.1f}")
    # the naive alternative: simplify each polygon alone
    metres = full.to_crs(EQUAL_AREA).geometry.values
    t0 = time.perf_counter()
    naive = shapely.simplify(np.asarray(metres, dtype=object), LEVELS[2])
    naive_s = time.perf_counter() - t0
    overlap_km2 = (shapely.area(naive).sum() - shapely.union_all(naive).area) / 1e6
    coverage = store.geometries("2025", lod=2).to_crs(EQUAL_AREA).geometry.values
    cov_overlap = (shapely.area(coverage).sum() - shapely.union_all(coverage).area) / 1e6
    print(f"naive per-polygon simplify at {LEVELS[2]:g} m: {naive_s:.1f} s, overlaps {overlap_km2:,.1f} km², "
          f"coverage valid: {shapely.coverage_is_valid(naive)}; "
          f"geoapp level 2: overlaps {cov_overlap:,.3f} km², coverage valid: "
          f"{shapely.coverage_is_valid(np.asarray(coverage, dtype=object))}")


def main() -> None:
    files = sorted((DATA / "boundaries" / "2025").glob("*.zip"))
    if not files:
        sys.exit(f"no 2025 boundaries under {DATA}")
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    compare_levels(files)
    with tempfile.TemporaryDirectory() as tmp:
        store, path = imports(files, Path(tmp))
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak RSS {own:,.0f} MB (a worker process: {workers:,.0f} MB); "
              f"database {path.stat().st_size / 1e6:,.0f} MB")
        if "--quick" not in sys.argv:
            level_stats(store)


if __name__ == "__main__":
    main()
