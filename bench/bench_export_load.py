"""Export storm on loopback: 16 parallel whole-country briefing packs while a signed-out reader times /about.

    python bench/bench_export_load.py                       # quick instance, built in a temp folder
    BENCH_INSTANCE=instance python bench/bench_export_load.py   # a real demo instance (`geoapp demo`)

Without ``BENCH_INSTANCE`` it builds the instance of ``bench_backends`` (both unit lists, Lai Châu
and Điện Biên boundaries from ../shared/data, random 2025 statuses; 300 synthetic communes when the
data folder is missing), so "the whole country" is what that instance holds; with a demo instance
it is all 3,321 units of 2025. The app is served by waitress (``BENCH_THREADS``, default 8 like
production) on 127.0.0.1 and a free port.

``BENCH_PACKS`` (16) clients, each a different user with an API token, ask at once for
``/export/2025/all.zip`` on different dates (so nothing is cached and every pack is real work);
meanwhile one signed-out client fetches ``/about`` in a loop. Printed: /about p50 and max while
the storm lasts (target: max under 1 s), how many packs were answered 200 and how many 429
(``EXPORT_JOBS``/``EXPORT_JOBS_PER_USER`` as configured), then the time of one new pack and of
the same pack asked again (served from the export cache). Everything stops by itself: every
request has a timeout and the storm a deadline (``BENCH_SECONDS``, default 600).
"""
from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from waitress.server import create_server  # noqa: E402

from geoapp import access, create_app  # noqa: E402

PACKS = int(os.environ.get("BENCH_PACKS", 16))
THREADS = int(os.environ.get("BENCH_THREADS", 8))
DEADLINE = float(os.environ.get("BENCH_SECONDS", 600))
TIMEOUT = 300


def _app(folder: Path):
    """The app on BENCH_INSTANCE, or on a quick instance built in ``folder``."""
    given = os.environ.get("BENCH_INSTANCE")
    if given:
        return create_app({"INSTANCE_PATH": str(Path(given).resolve()), "COOKIE_SECURE": False}), f"instance {given}"
    from bench_backends import build_sqlite
    url, provinces = build_sqlite(folder)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(folder), "SECRET_KEY": "bench",
                      "COOKIE_SECURE": False})
    return app, f"quick instance (2025 boundaries of provinces {', '.join(provinces)})"


def _tokens(app, n: int) -> list[str]:
    store = app.extensions["geoapp.store"]
    tokens = []
    for i in range(n):
        name = f"bench.export{i}"
        if store.user(name) is None:
            access.add_user(store, name, "viewer", [], f"bench-export-password-{i}", all_provinces=True)
        tokens.append(access.create_token(store, name, "export load test"))
    return tokens


def _get(url: str, token: str | None = None) -> tuple[int, float]:
    """(HTTP status, seconds); a refused or failed request is a status too (0: no answer)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=TIMEOUT) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    except OSError:
        status = 0
    return status, time.perf_counter() - t0


def storm(base: str, tokens: list[str]) -> tuple[list[float], list[int]]:
    """/about latencies during PACKS parallel country packs, and the packs' statuses."""
    statuses, about, done = [], [], threading.Event()
    lock = threading.Lock()
    stop_at = time.monotonic() + DEADLINE

    def pack(i: int, token: str):
        day = f"2025-{7 + i % 6:02d}-{1 + i:02d}"
        status, _ = _get(f"{base}/export/2025/all.zip?scheme=antt&as_of={day}", token)
        with lock:
            statuses.append(status)

    def reader():
        while not done.is_set() and time.monotonic() < stop_at:
            status, seconds = _get(base + "/about")
            about.append(seconds if status == 200 else float("inf"))
            time.sleep(0.05)
    poller = threading.Thread(target=reader)
    poller.start()
    packs = [threading.Thread(target=pack, args=(i, t)) for i, t in enumerate(tokens)]
    [t.start() for t in packs]
    [t.join(max(1.0, stop_at - time.monotonic())) for t in packs]
    done.set()
    poller.join()
    return about, statuses


def main():
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        app, what = _app(Path(tmp))
        tokens = _tokens(app, PACKS + 1)
        print(f"{what}; built in {time.perf_counter() - t0:.1f} s; EXPORT_JOBS {app.config['EXPORT_JOBS']}, "
              f"per user {app.config['EXPORT_JOBS_PER_USER']}, {THREADS} server threads", flush=True)
        server = create_server(app, host="127.0.0.1", port=0, threads=THREADS)
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{server.effective_port}"
        quiet = sorted(_get(base + "/about")[1] for _ in range(10))
        print(f"/about alone: p50 {statistics.median(quiet) * 1000:.0f} ms", flush=True)

        t0 = time.perf_counter()
        about, statuses = storm(base, tokens[:PACKS])
        storm_s = time.perf_counter() - t0
        ok = sorted(a for a in about if a != float("inf"))
        print(f"{PACKS} parallel whole-country packs ({storm_s:.1f} s): {statuses.count(200)} × 200, "
              f"{statuses.count(429)} × 429, {len(statuses) - statuses.count(200) - statuses.count(429)} other; "
              f"/about during the storm: {len(about)} requests, "
              f"p50 {statistics.median(ok) * 1000:.0f} ms, max {max(ok) * 1000:.0f} ms, "
              f"{len(about) - len(ok)} failed" if ok else "no /about answered", flush=True)

        url = f"{base}/export/2025/all.zip?scheme=ma_tuy&as_of=2025-12-24"
        first_status, first = _get(url, tokens[-1])
        again_status, again = _get(url, tokens[-1])
        print(f"one new country pack: {first:.2f} s ({first_status}); the same again: {again * 1000:.0f} ms "
              f"({again_status}, from the export cache)", flush=True)
        time.sleep(0.5)      # let waitress finish writing before its sockets close
        logging.getLogger("waitress").setLevel(logging.CRITICAL)
        server.close()
        store = app.extensions["geoapp.store"]
        if hasattr(store, "close"):
            store.close()


if __name__ == "__main__":
    main()
