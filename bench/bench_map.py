"""Benchmark: province and country maps in Chromium — bytes transferred and time until drawn (first load
and warm), server time (new date, warm page) — next to the naive approach.

For Lai Châu (12), Lâm Đồng (68) and the whole 2025 country, against the naive approach
(``folium.Choropleth`` on the full-resolution GeoDataFrame, its HTML served as one file).
Needs a demo instance (``geoapp demo``; GEOAPP_INSTANCE_PATH picks it) and Debian's Chromium.
``--naive-country`` also builds the naive whole-country page (≈ 100 s and 350 MB of HTML).

What is measured:

* **first load**: a fresh browser context (empty cache) opens the map page; *drawn* is the time from
  the start of navigation until the units are drawn **and** coloured (``#map[data-drawn][data-as-of]``;
  the naive page: its first path), then painted (two animation frames), in the page's own clock;
  *KB* is every byte the browser received for it (headers and compressed bodies, from the DevTools
  protocol: Leaflet, CSS, scripts, page, GeoJSON, statuses, outlines);
* **warm**: the same context opens the page again (static files from the browser cache, API answers
  revalidated);
* **new date**: server time of a province's statuses on dates never asked before (the response
  cache misses; the status timeline answers by bisect), mean of several dates;
* **warm page**: server time of the page and its API requests once cached.

Targets (issue 15): the country drawn ≤ 1.5 s and ≤ 600 KB on first load; a province drawn ≤ 0.5 s and
≤ 250 KB; a warm page ≤ 30 ms server time; a province's statuses on a new date ≤ 10 ms.
"""
from __future__ import annotations

import gzip
import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import folium  # noqa: E402
from flask import Flask, send_file  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from waitress.server import create_server  # noqa: E402

from geoapp import create_app  # noqa: E402
from geoapp.mapview.assets import localize  # noqa: E402
from geoapp.web import cache, static_files  # noqa: E402

CASES = [("12", "Lai Châu"), ("68", "Lâm Đồng"), ("all", "whole country")]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
READY = "#map[data-drawn]:not([data-drawn=''])[data-as-of]"
TARGETS = {"province": {"drawn_s": 0.5, "kb": 250}, "country": {"drawn_s": 1.5, "kb": 600},
           "warm_page_ms": 30, "new_date_ms": 10}


def serve(app):
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    return server, f"http://127.0.0.1:{server.effective_port}"


def load(context, url: str, ready: str, timeout_ms: int = 300_000, offline: bool = False) -> tuple[float, int]:
    """(seconds until ``ready`` and painted, bytes received) for one navigation in ``context``.

    ``offline`` aborts requests that leave 127.0.0.1 (the naive page names CDNs); Playwright's routing
    turns the HTTP cache off, so geoapp's pages (which name nothing outside) are loaded without it."""
    page = context.new_page()
    if offline:
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort())
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    received = []
    cdp.on("Network.loadingFinished", lambda e: received.append(e["encodedDataLength"]))
    # the moment, in the page's own clock from the start of navigation, when ``ready`` first matches
    # and the next frame is painted (no polling or driver round trips in the figure)
    page.add_init_script("""(ready => { const seen = () => {
        if (window.__drawnAt || !document.querySelector(ready)) return;
        window.__drawnAt = -1;
        requestAnimationFrame(() => requestAnimationFrame(() => { window.__drawnAt = performance.now(); }));
      };
      new MutationObserver(seen).observe(document, { subtree: true, childList: true, attributes: true });
    })(%s);""" % json.dumps(ready))
    page.goto(url, timeout=timeout_ms)
    page.wait_for_function("() => window.__drawnAt > 0", timeout=timeout_ms)
    seconds = page.evaluate("() => window.__drawnAt") / 1000
    page.wait_for_timeout(300)          # late requests (outlines) still count as bytes of the first load
    page.close()
    return seconds, int(sum(received))


def naive_page(app, province: str, folder: Path, static: str) -> tuple[Path, float]:
    store = app.extensions["geoapp.store"]
    frame = store.geometries("2025", None if province == "all" else province, lod=0)
    frame["value"] = range(len(frame))
    t0 = time.perf_counter()
    m = folium.Map(tiles=None)
    choropleth = folium.Choropleth(frame, data=frame, columns=["code", "value"], key_on="feature.properties.code")
    # its legend needs d3 from a CDN; drop it so the naive page can draw offline like ours
    choropleth._children.pop(choropleth.color_scale.get_name(), None)
    choropleth.add_to(m)
    m.fit_bounds(m.get_bounds())
    localize(m, static, strict=False)   # the same Leaflet from the same server, so only the approach differs
    path = folder / f"naive_{province}.html"
    m.save(str(path))
    return path, time.perf_counter() - t0


def server_times(client, province: str, lod: int) -> dict:
    """Server milliseconds: statuses on new dates (response cache missed), the warm page with its API calls."""
    urls = [f"/map/2025/{province}?scheme=ma_tuy&as_of=2025-12-31",
            f"/api/v1/2025/units?province={province}&lod={lod}",
            f"/api/v1/2025/statuses?province={province}&scheme=ma_tuy&as_of=2025-12-31&lang=vi",
            f"/api/v1/2025/outlines?level=province"]
    headers = {"Accept-Encoding": "gzip"}
    cache.clear()                                    # cold: response cache empty (a data version's first answers)
    t0 = time.perf_counter()
    for u in urls:
        client.get(u, headers=headers)
    cold = (time.perf_counter() - t0) * 1000
    # once per data version: the projection of the 2025 units before the reform (its parts, a memo)
    client.get(f"/api/v1/2025/statuses?province={province}&scheme=antt&as_of=2024-12-31&lang=en", headers=headers)
    rng = random.Random(province)
    days = [f"{rng.randint(2016, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" for _ in range(12)]
    t0 = time.perf_counter()
    for day in days:
        client.get(f"/api/v1/2025/statuses?province={province}&scheme=antt&as_of={day}&lang=en", headers=headers)
    new_date = (time.perf_counter() - t0) / len(days) * 1000   # mean
    warm = []
    for _ in range(5):
        t0 = time.perf_counter()
        for u in urls:
            client.get(u, headers=headers)
        warm.append((time.perf_counter() - t0) * 1000)
    return {"new_date_ms": new_date, "warm_ms": sorted(warm)[len(warm) // 2], "cold_ms": cold}


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main():
    naive_country = "--naive-country" in sys.argv
    app = create_app({"PUBLIC_READ": True})
    client = app.test_client()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        server, base = serve(app)
        naive_app = Flask("naive", static_folder=str(ROOT / "static"))
        static_files.init_app(naive_app)   # /static/lib/ (xstatic Leaflet) served as geoapp serves it
        pages = {}
        naive_app.add_url_rule("/n/<name>", "n", lambda name: send_file(pages[name]))
        nserver, nbase = serve(naive_app)
        for province, label in CASES:
            row = {"case": label, "kind": "country" if province == "all" else "province",
                   **server_times(client, province, 3 if province == "all" else 2)}
            # a new browser (empty cache) on a date the server was not asked yet (the statuses are computed)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            url = f"{base}/map/2025/{province}?scheme=ma_tuy&as_of=2025-11-30"
            row["drawn_s"], row["bytes"] = load(context, url, READY)
            row["warm_drawn_s"], row["warm_bytes"] = load(context, url, READY)
            context.close()
            if province != "all" or naive_country:
                path, build = naive_page(app, province, Path(tmp), f"{base}/static")
                pages[path.name] = path
                html = path.read_bytes()
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                drawn, received = load(context, f"{nbase}/n/{path.name}", "path.leaflet-interactive", offline=True)
                context.close()
                row.update(naive_gz=len(gzip.compress(html, 6)), naive_build_s=build, naive_drawn_s=drawn,
                           naive_bytes=received)
            rows.append(row)
        server.close()
        nserver.close()
        browser.close()
    report(rows)


def report(rows: list[dict]) -> None:
    print(f"{'map':<14} {'first KB':>8} {'drawn s':>8} {'warm KB':>8} {'warm s':>7} {'new date ms':>11} "
          f"{'warm page ms':>12} {'cold ms':>8} | {'naive KB':>9} {'naive gz KB':>11} {'drawn s':>8} "
          f"{'faster':>7} {'lighter':>8}")
    for r in rows:
        naive = (f"{r['naive_bytes'] / 1e3:>9.0f} {r['naive_gz'] / 1e3:>11.0f} {r['naive_drawn_s']:>8.2f} "
                 f"{r['naive_drawn_s'] / r['drawn_s']:>6.1f}× {r['naive_bytes'] / r['bytes']:>7.0f}×") \
            if "naive_bytes" in r else f"{'(naive skipped: --naive-country)':>48}"
        print(f"{r['case']:<14} {r['bytes'] / 1e3:>8.0f} {r['drawn_s']:>8.2f} {r['warm_bytes'] / 1e3:>8.0f} "
              f"{r['warm_drawn_s']:>7.2f} {r['new_date_ms']:>11.1f} {r['warm_ms']:>12.1f} {r['cold_ms']:>8.0f} | {naive}")
    print("targets (issue 15):")
    for r in rows:
        t = TARGETS[r["kind"]]
        print(f"  {r['case']:<14} drawn {r['drawn_s']:.2f} s ≤ {t['drawn_s']} s: {verdict(r['drawn_s'] <= t['drawn_s'])}; "
              f"first load {r['bytes'] / 1e3:.0f} KB ≤ {t['kb']} KB: {verdict(r['bytes'] / 1e3 <= t['kb'])}; "
              f"warm page {r['warm_ms']:.1f} ms ≤ {TARGETS['warm_page_ms']} ms: "
              f"{verdict(r['warm_ms'] <= TARGETS['warm_page_ms'])}"
              + (f"; new date {r['new_date_ms']:.1f} ms ≤ {TARGETS['new_date_ms']} ms: "
                 f"{verdict(r['new_date_ms'] <= TARGETS['new_date_ms'])}" if r["kind"] == "province" else ""))


if __name__ == "__main__":
    main()
