"""Benchmark: province and country maps — bytes, server time (cold/warm), time until drawn.

For Lai Châu (12), Lâm Đồng (68) and the whole 2025 country, against the naive approach
(``folium.Choropleth`` on the full-resolution GeoDataFrame, its HTML served as one file).
Needs a demo instance (``geoapp demo``; GEOAPP_INSTANCE_PATH picks it) and Debian's Chromium.
``--naive-country`` also builds the naive whole-country page (≈ 100 s and 350 MB of HTML).

Targets (issue 4): a province ≤ 400 KB gzipped, ≤ 300 ms cold, ≤ 30 ms warm; the country
≤ 3 MB gzipped and drawn within 3 s.
"""
from __future__ import annotations

import gzip
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
from geoapp.web import cache  # noqa: E402
from geoapp.mapview.assets import localize  # noqa: E402

CASES = [("12", "Lai Châu"), ("68", "Lâm Đồng"), ("all", "whole country")]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def serve(app):
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    return server, f"http://127.0.0.1:{server.effective_port}"


def transferred(client, urls) -> int:
    return sum(len(client.get(u, headers={"Accept-Encoding": "gzip"}).data) for u in urls)


def draw_time(browser, url: str, ready: str, timeout_ms: int = 300_000) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort())
    t0 = time.perf_counter()
    page.goto(url, timeout=timeout_ms)
    page.wait_for_selector(ready, timeout=timeout_ms, state="attached")
    seconds = time.perf_counter() - t0
    context.close()
    return seconds


def naive_page(app, province: str, folder: Path) -> tuple[Path, float]:
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
    localize(m, "/static", strict=False)   # same local Leaflet, so only the approach differs
    path = folder / f"naive_{province}.html"
    m.save(str(path))
    return path, time.perf_counter() - t0


def main():
    naive_country = "--naive-country" in sys.argv
    app = create_app()
    client = app.test_client()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        server, base = serve(app)
        naive_app = Flask("naive", static_folder=str(ROOT / "static"))
        pages = {}
        naive_app.add_url_rule("/n/<name>", "n", lambda name: send_file(pages[name]))
        nserver, nbase = serve(naive_app)
        for province, label in CASES:
            lod = 3 if province == "all" else 2
            urls = [f"/map/2025/{province}?scheme=ma_tuy&as_of=2025-12-31",
                    f"/api/v1/2025/units?province={province}&lod={lod}",
                    f"/api/v1/2025/statuses?province={province}&scheme=ma_tuy&as_of=2025-12-31&lang=vi"]
            cache.clear()
            t0 = time.perf_counter()
            for u in urls[1:]:
                client.get(u, headers={"Accept-Encoding": "gzip"})
            cold = time.perf_counter() - t0
            t0 = time.perf_counter()
            for u in urls[1:]:
                client.get(u, headers={"Accept-Encoding": "gzip"})
            warm = time.perf_counter() - t0
            size = transferred(client, urls)
            drawn = draw_time(browser, base + urls[0], "#map[data-drawn]:not([data-drawn=''])")
            row = {"case": label, "bytes": size, "cold_ms": cold * 1000, "warm_ms": warm * 1000, "drawn_s": drawn}
            if province != "all" or naive_country:
                path, build = naive_page(app, province, Path(tmp))
                pages[path.name] = path
                html = path.read_bytes()
                row.update(naive_bytes=len(html), naive_gz=len(gzip.compress(html, 6)), naive_build_s=build,
                           naive_drawn_s=draw_time(browser, f"{nbase}/n/{path.name}", "path.leaflet-interactive"))
            rows.append(row)
        server.close()
        nserver.close()
        browser.close()
    print(f"{'map':<14} {'geoapp gz KB':>12} {'cold ms':>8} {'warm ms':>8} {'drawn s':>8} | "
          f"{'naive HTML MB':>13} {'naive gz MB':>11} {'build s':>8} {'drawn s':>8} {'bytes ratio':>11}")
    for r in rows:
        naive = (f"{r['naive_bytes'] / 1e6:>13.1f} {r['naive_gz'] / 1e6:>11.2f} {r['naive_build_s']:>8.1f} "
                 f"{r['naive_drawn_s']:>8.1f} {r['naive_bytes'] / r['bytes']:>10.0f}×") if "naive_bytes" in r else \
            f"{'(skipped: --naive-country)':>56}"
        print(f"{r['case']:<14} {r['bytes'] / 1e3:>12.0f} {r['cold_ms']:>8.0f} {r['warm_ms']:>8.1f} "
              f"{r['drawn_s']:>8.2f} | {naive}")
    print("targets: province ≤ 400 KB gz, ≤ 300 ms cold, ≤ 30 ms warm; country ≤ 3 MB gz, drawn ≤ 3 s")


if __name__ == "__main__":
    main()
