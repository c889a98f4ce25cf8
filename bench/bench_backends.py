"""Province page and API throughput on the embedded SQLite store and on PostGIS, side by side.

    GEOAPP_TEST_DATABASE_URL=postgresql://… python bench/bench_backends.py

Builds one SQLite instance (from ../shared/data when present: both unit lists, Lai Châu and
Điện Biên 2025 boundaries; otherwise 300 synthetic communes) with random 2025 status
records, copies it to a fresh PostgreSQL schema with :func:`geoapp.store.copy.copy_store`
(dropped afterwards), then serves each with waitress (in-process, ``BENCH_THREADS`` threads) and
lets ``BENCH_CLIENTS`` client threads fetch for ``BENCH_SECONDS`` each:

* page — ``/map/2025/<p>?as_of=<random day>`` (the province map page);
* api  — ``/api/v1/2025/statuses?province=<p>&as_of=<random day>`` and ``/units?province=<p>&lod=2``.

Each mix runs with the response cache as configured ("warm": repeated URLs are served from
the in-process cache after one data_version query) and with it disabled ("cold": every
request reaches the database). Clients run in the same process as the server, so absolute
numbers are pessimistic; the comparison between backends is the point.
"""
from __future__ import annotations

import logging
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from geoapp import create_app  # noqa: E402
from geoapp.store import open_store  # noqa: E402
from geoapp.store.base import BatchInfo  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", 8))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 16))
THREADS = int(os.environ.get("BENCH_THREADS", 8))
DATA = ROOT.parent / "shared" / "data"


def build_sqlite(folder: Path) -> tuple[str, list[str]]:
    from geoapp.ingest import import_boundaries, import_unit_list
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    store = open_store(url)
    store.upgrade()
    files = [DATA / "boundaries" / "2025" / f for f in ("12_lai_chau.zip", "11_dien_bien.zip")]
    if all(f.exists() for f in files):
        import_unit_list(store, "2025", DATA)
        for f in files:
            import_boundaries(store, [f], "2025", user="bench")
        provinces = ["12", "11"]
    else:
        import geopandas as gpd
        import shapely
        from geoapp.ingest import import_boundaries
        boxes = [shapely.box(103 + (i % 20) * 0.02, 22 + (i // 20) * 0.02, 103.02 + (i % 20) * 0.02,
                             22.02 + (i // 20) * 0.02) for i in range(300)]
        frame = gpd.GeoDataFrame({"MaXa": [f"{3000 + i:05d}" for i in range(300)],
                                  "TenXa": [f"Xã {i}" for i in range(300)], "MaTinh": ["12"] * 300,
                                  "TenTinh": ["Tỉnh Lai Châu"] * 300}, geometry=boxes, crs=4326)
        path = folder / "synthetic.shp"
        frame.to_file(path, engine="pyogrio", encoding="UTF-8")
        import_boundaries(store, [path], "2025", user="bench")
        provinces = ["12"]
    units = store.units("2025")
    rng = np.random.default_rng(1)
    statuses = ["trong_diem_phuc_tap", "da_chuyen_hoa"]
    rows = []
    for code in units["code"]:
        day = pd.Timestamp("2025-07-01") + pd.Timedelta(days=int(rng.integers(0, 200)))
        rows.append({"code": code, "scheme": "antt", "status": statuses[int(rng.integers(0, 2))],
                     "valid_from": day.date().isoformat(), "valid_to": None, "decision_no": "",
                     "decision_date": None, "source": "bench", "note": "", "row_number": None})
    with store.transaction() as tx:
        batch = store.add_batch(tx, BatchInfo("status", "2025", "bench", "", "bench", len(rows)))
        store.add_status_records(tx, "2025", pd.DataFrame(rows), batch, "bench")
    return url, provinces


def run(url: str, provinces: list[str], mix: str, cold: bool, instance: Path) -> dict:
    from geoapp.web import cache
    cache.clear()
    saved = cache.MAX_ENTRIES
    if cold:
        cache.MAX_ENTRIES = 0   # every entry is evicted as soon as it is stored: every request misses
    from waitress.server import create_server
    app = create_app({"DATABASE_URL": url, "PUBLIC_READ": True, "INSTANCE_PATH": str(instance),
                      "SECRET_KEY": "bench", "COOKIE_SECURE": False})
    server = create_server(app, host="127.0.0.1", port=0, threads=THREADS)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"
    rnd = random.Random(7)

    def pick():
        p = rnd.choice(provinces)
        day = f"2025-{rnd.randint(7, 12):02d}-{rnd.randint(1, 28):02d}"
        if mix == "page":
            return f"/map/2025/{p}?as_of={day}"
        return rnd.choice([f"/api/v1/2025/statuses?province={p}&as_of={day}",
                           f"/api/v1/2025/units?province={p}&lod=2"])

    for _ in range(3):   # warm-up: imports, first connections
        urllib.request.urlopen(base + pick(), timeout=60).read()
    lat, errors, lock = [], [], threading.Lock()
    stop = time.monotonic() + SECONDS

    def client():
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(urllib.request.Request(base + pick(), headers={"Accept-Encoding": "gzip"}),
                                            timeout=60) as resp:
                    resp.read()
                    ok = resp.status == 200
            except Exception as exc:  # noqa: BLE001
                ok = False
                with lock:
                    errors.append(repr(exc))
            with lock:
                lat.append(time.perf_counter() - t0)
                if not ok and not errors:
                    errors.append("non-200")
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    t0 = time.perf_counter()
    [t.start() for t in threads]
    [t.join() for t in threads]
    elapsed = time.perf_counter() - t0
    time.sleep(0.5)   # let waitress finish writing the last responses before closing its sockets
    logging.getLogger("waitress").setLevel(logging.CRITICAL)
    server.close()
    store = app.extensions["geoapp.store"]
    if hasattr(store, "close"):
        store.close()
    cache.MAX_ENTRIES = saved
    cache.clear()
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [0] * 99
    return {"req_s": len(lat) / elapsed, "p50_ms": q[49] * 1000, "p95_ms": q[94] * 1000, "errors": len(errors)}


def main():
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    pg_base = os.environ.get("GEOAPP_TEST_DATABASE_URL") or os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        lite_url, provinces = build_sqlite(tmp)
        print(f"instance: {len(open_store(lite_url).units('2025'))} units of 2025 "
              f"(provinces {', '.join(provinces)}), built in {time.perf_counter() - t0:.1f} s")
        backends = {"sqlite": lite_url}
        schema = None
        if pg_base:
            from geoapp.store.copy import copy_store
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            pg_url = pg_base + ("&" if "?" in pg_base else "?") + f"schema={schema}"
            pg = open_store(pg_url)
            t0 = time.perf_counter()
            result = copy_store(open_store(lite_url), pg)
            pg.close()
            print(f"copied to PostGIS in {time.perf_counter() - t0:.1f} s; checksums match: {result['match']}")
            backends["postgis"] = pg_url
        else:
            print("GEOAPP_TEST_DATABASE_URL is not set: SQLite only")
        try:
            rows = []
            for mix in ("page", "api"):
                for cold in (False, True):
                    line = {"mix": mix, "cache": "cold" if cold else "warm"}
                    for name, url in backends.items():
                        line[name] = run(url, provinces, mix, cold, tmp / f"inst_{name}")
                    rows.append(line)
            print(f"\n{CLIENTS} clients, waitress {THREADS} threads, {SECONDS:.0f} s per cell "
                  f"(req/s · p50 ms · p95 ms · errors)")
            head = f"{'mix':6} {'cache':6}" + "".join(f" {name:>32}" for name in backends)
            print(head)
            for line in rows:
                cells = "".join(f" {r['req_s']:>9.1f} r/s {r['p50_ms']:>6.1f} {r['p95_ms']:>7.1f} {r['errors']:>3} err"
                                for r in (line[n] for n in backends))
                print(f"{line['mix']:6} {line['cache']:6}{cells}")
        finally:
            if schema:
                import sqlalchemy as sa
                eng = sa.create_engine(open_store(pg_base).sa_url)
                with eng.begin() as con:
                    con.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                eng.dispose()


if __name__ == "__main__":
    main()
