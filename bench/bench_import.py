"""Benchmark: import the whole 2025 edition (7.1 M vertices) into a fresh embedded store.

Prints wall time per step, peak memory, and per level of detail: vertices, WKB bytes, and the
gzipped GeoJSON size of Lai Châu and of the whole country — against the naive alternative
(per-polygon ``simplify``, which opens gaps and overlaps between neighbours).
"""
from __future__ import annotations

import gzip
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geoapp.crs import EQUAL_AREA  # noqa: E402
from geoapp.ingest import import_boundaries  # noqa: E402
from geoapp.lod import LEVELS  # noqa: E402
from geoapp.store.sqlite import SQLiteStore  # noqa: E402

DATA = Path(__import__("os").environ.get("GEOAPP_DATA_MIRROR", ROOT.parent / "shared" / "data"))


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 6))


def main() -> None:
    files = sorted((DATA / "boundaries" / "2025").glob("*.zip"))
    if not files:
        sys.exit(f"no 2025 boundaries under {DATA}")
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "bench.sqlite")
        store.upgrade()
        t0 = time.perf_counter()
        report = import_boundaries(store, files, "2025")
        wall = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        db_mb = (Path(tmp) / "bench.sqlite").stat().st_size / 1e6
        print(f"import whole 2025 edition: {report['units']} units in {wall:.1f} s "
              f"(read {report['timings']['read_s']} s, levels {report['timings']['lod_s']} s, "
              f"write {report['timings']['write_s']} s); peak RSS {peak_mb:,.0f} MB; database {db_mb:,.0f} MB")
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


if __name__ == "__main__":
    main()
