"""Province page and API throughput with gunicorn at 1, 2 and 4 workers, SQLite and PostGIS side by side.

    GEOAPP_TEST_DATABASE_URL=postgresql://… python bench/bench_workers.py

Builds the same instance as ``bench_backends`` (copied to a fresh PostGIS schema when a server is
given), starts ``gunicorn -w N geoapp.wsgi:app`` on a free loopback port for each backend and N,
and lets BENCH_CLIENTS client threads (in this process) fetch a mix of map pages and API calls
on random dates for BENCH_SECONDS. Prints req/s · p50 · p99 · errors.
"""
from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_backends import build_sqlite  # noqa: E402

from geoapp.store import open_store  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", 8))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 16))
GUNICORN = shutil.which("gunicorn") or str(Path(sys.executable).parent / "gunicorn")


def serve(url: str, workers: int, instance: Path):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GEOAPP_")}, "GEOAPP_DATABASE_URL": url,
           "GEOAPP_INSTANCE_PATH": str(instance), "GEOAPP_SECRET_KEY": "bench", "GEOAPP_PUBLIC_READ": "1"}
    proc = subprocess.Popen([GUNICORN, "-w", str(workers), "--threads", "2", "-b", f"127.0.0.1:{port}",
                             "geoapp.wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/api/v1/editions", timeout=2).read()
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def load(base: str, provinces: list[str]) -> dict:
    lat, errors, lock = [], [0], threading.Lock()
    stop = time.monotonic() + SECONDS

    def client():
        while time.monotonic() < stop:
            p = random.choice(provinces)
            day = f"2025-{random.randint(7, 12):02d}-{random.randint(1, 28):02d}"
            url = random.choice([f"/map/2025/{p}?as_of={day}", f"/api/v1/2025/statuses?province={p}&as_of={day}",
                                 f"/api/v1/2025/units?province={p}&lod=2"])
            t0 = time.perf_counter()
            try:
                urllib.request.urlopen(urllib.request.Request(base + url, headers={"Accept-Encoding": "gzip"}),
                                       timeout=30).read()
            except Exception:  # noqa: BLE001 — every failure counts
                with lock:
                    errors[0] += 1
            with lock:
                lat.append(time.perf_counter() - t0)
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    t0 = time.perf_counter()
    [t.start() for t in threads]
    [t.join() for t in threads]
    q = statistics.quantiles(sorted(lat), n=100)
    return {"rps": len(lat) / (time.perf_counter() - t0), "p50": q[49] * 1000, "p99": q[98] * 1000, "errors": errors[0]}


def main():
    if not Path(GUNICORN).exists():
        sys.exit("gunicorn is not installed (pip install 'geoapp[postgis]')")
    pg_base = os.environ.get("GEOAPP_TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        lite, provinces = build_sqlite(tmp)
        backends = {"sqlite": lite}
        if pg_base:
            from geoapp.store.copy import copy_store
            pg = pg_base + ("&" if "?" in pg_base else "?") + f"schema=bw_{uuid.uuid4().hex[:8]}"
            copy_store(open_store(lite), open_store(pg))
            backends["postgis"] = pg
        print(f"{CLIENTS} clients × {SECONDS:.0f} s per cell, gunicorn --threads 2 (req/s · p50 ms · p99 ms · errors)")
        print(f"{'workers':>7}" + "".join(f" {n:>34}" for n in backends))
        for workers in (1, 2, 4):
            cells = []
            for name, url in backends.items():
                proc, base = serve(url, workers, tmp / f"i_{name}_{workers}")
                try:
                    r = load(base, provinces)
                finally:
                    proc.terminate()
                    proc.wait(10)
                cells.append(f"{r['rps']:>9.1f} r/s {r['p50']:>7.1f} {r['p99']:>7.1f} {r['errors']:>3} err")
            print(f"{workers:>7} " + " ".join(cells))


if __name__ == "__main__":
    main()
