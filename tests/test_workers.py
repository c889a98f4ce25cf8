"""Several workers, two instances on different ports, one database: an import on one is seen by both."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from geoapp.ingest import import_boundaries
from geoapp.records import import_status_file
from geoapp.schemes import load_catalogue
from geoapp.store import open_store

from .conftest import ROOT, communes, gunicorn_path, write_shp

GUNICORN = str(gunicorn_path())
pytestmark = pytest.mark.requires("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(url: str, instance: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GEOAPP_")},
           "GEOAPP_DATABASE_URL": url, "GEOAPP_INSTANCE_PATH": str(instance), "GEOAPP_SECRET_KEY": "t",
           "GEOAPP_PUBLIC_READ": "1"}
    proc = subprocess.Popen([GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{port}", "geoapp.wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90     # generous: importing geoapp takes long on a busy machine
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(base + "/api/v1/editions", timeout=5).read()
            return proc, base
        except OSError:
            time.sleep(0.2)
    code = proc.poll()
    stop(proc)
    raise RuntimeError(f"gunicorn did not start (exit code {code})" if code is not None
                       else "gunicorn did not answer within 90 s")


def stop(*procs: subprocess.Popen) -> None:
    """Stop gunicorn arbiters: SIGTERM, then SIGKILL for one still shutting down after 60 s.

    A graceful stop waits for the workers (up to gunicorn's 30 s graceful timeout); on a busy
    machine (the suite runs on all cores) that took over 10 s, and a plain ``wait(10)`` failed
    the test after every assertion had passed.
    """
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def get(url: str) -> dict:
    return json.loads(urllib.request.urlopen(url, timeout=10).read())




def test_two_instances_with_several_workers_agree_after_an_import(each_backend_url, tmp_path):
    database = each_backend_url
    store = open_store(database)
    store.upgrade()
    import_boundaries(store, [write_shp(communes(3), tmp_path / "s")], "2025")
    a, base_a = start(database, tmp_path / "a", workers=2)
    b, base_b = start(database, tmp_path / "b", workers=2)
    try:
        query = "/api/v1/2025/statuses?province=12&scheme=ma_tuy&as_of=2025-12-31"
        for _ in range(6):                      # warm every worker's cache
            assert get(base_a + query)["statuses"] == {} and get(base_b + query)["statuses"] == {}
        csv = tmp_path / "st.csv"
        csv.write_text("ma_xa,trang_thai,tu_ngay\n3388,khong_ma_tuy,2025-09-01\n")
        import_status_file(store, csv, "2025", load_catalogue())
        for _ in range(6):                      # every worker of both instances sees it at once
            assert get(base_a + query)["statuses"]["03388"]["status"] == "khong_ma_tuy"
            assert get(base_b + query)["statuses"]["03388"]["status"] == "khong_ma_tuy"
    finally:
        stop(a, b)
