"""Load test on loopback: many concurrent readers of province pages and the API, bounded in time.

Serves a demo instance (GEOAPP_INSTANCE_PATH) with waitress (8 threads) on 127.0.0.1 and a free port
**in its own process** (the clients must not share the server's interpreter lock: real readers are
other machines), signs readers in with an API token, and for DURATION seconds lets CLIENTS threads
fetch a mix of province map pages and API calls (statuses on random dates — every new date a miss of
the response cache, answered from the status timeline —, units, indicators). Prints throughput,
latency percentiles, the error count and the targets of issue 15: ≥ 200 req/s, p95 ≤ 200 ms, 0 errors.
"""
from __future__ import annotations

import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from waitress.server import create_server  # noqa: E402

from geoapp import access, create_app  # noqa: E402

DURATION = float(os.environ.get("BENCH_SECONDS", 20))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 16))
TARGETS = {"req_s": 200, "p95_ms": 200, "errors": 0}


def _serve(ports) -> None:
    """The server process: the app on a free port (sent back through ``ports``) until terminated."""
    import logging
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)   # "task queue depth" is the point of a load test
    server = create_server(create_app(), host="127.0.0.1", port=0, threads=8)
    ports.put(server.effective_port)
    server.run()


def main():
    import logging
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)   # "task queue depth" is the point of a load test
    app = create_app()
    store = app.extensions["geoapp.store"]
    if store.user("bench.reader") is None:
        access.add_user(store, "bench.reader", "viewer", [], "bench-reader-password", all_provinces=True)
    token = access.create_token(store, "bench.reader", "load test")
    ports = multiprocessing.get_context("fork").Queue()
    process = multiprocessing.get_context("fork").Process(target=_serve, args=(ports,), daemon=True)
    process.start()
    base = f"http://127.0.0.1:{ports.get(timeout=120)}"
    provinces = [("2025", "12"), ("2025", "68"), ("2025", "14"), ("pre2025", "12"), ("pre2025", "68")]
    latencies, errors, lock = [], [], threading.Lock()
    stop = time.monotonic() + DURATION

    def pick():
        edition, p = random.choice(provinces)
        year = random.randint(2016, 2026)
        return random.choice([
            f"/map/{edition}/{p}?scheme=ma_tuy&as_of={year}-06-30",
            f"/api/v1/{edition}/statuses?province={p}&scheme=antt&as_of={year}-{random.randint(1, 12):02d}-28",
            f"/api/v1/{edition}/units?province={p}&lod=2",
            f"/api/v1/{edition}/indicators?province={p}&indicator=so_vu_pham_toi&period={min(year, 2024)}",
        ])

    def reader():
        while time.monotonic() < stop:
            req = urllib.request.Request(base + pick(), headers={"Authorization": f"Bearer {token}",
                                                                "Accept-Encoding": "gzip"})
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    resp.read()
                    ok = resp.status == 200
            except Exception as exc:  # any failure counts: the target is zero
                ok = False
                with lock:
                    errors.append(repr(exc))
            with lock:
                latencies.append(time.perf_counter() - t0)
                if not ok and not errors:
                    errors.append("non-200")
    threads = [threading.Thread(target=reader) for _ in range(CLIENTS)]
    t0 = time.perf_counter()
    [t.start() for t in threads]
    [t.join() for t in threads]
    elapsed = time.perf_counter() - t0
    process.terminate()
    process.join(10)
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=100)
    print(f"{CLIENTS} clients × {DURATION:.0f} s: {len(lat):,} requests, {len(lat) / elapsed:,.0f} req/s; "
          f"latency p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms, "
          f"max {lat[-1] * 1000:.0f} ms; errors {len(errors)}")
    if errors:
        print("first errors:", errors[:3])
    rate, p95 = len(lat) / elapsed, q[94] * 1000
    print(f"targets (issue 15): ≥ {TARGETS['req_s']} req/s: {'met' if rate >= TARGETS['req_s'] else 'NOT met'}; "
          f"p95 ≤ {TARGETS['p95_ms']} ms: {'met' if p95 <= TARGETS['p95_ms'] else 'NOT met'}; "
          f"errors {len(errors)} = 0: {'met' if not errors else 'NOT met'}")


if __name__ == "__main__":
    main()
