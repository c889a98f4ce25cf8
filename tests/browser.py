"""pytest plugin: a headless Chromium (Debian's, never a downloaded one) and a live Flask server.

Registered from ``tests/conftest.py`` (``pytest_plugins = ["tests.browser"]``).

* ``chromium`` — a session-wide Playwright ``Browser`` running ``/usr/bin/chromium``
  (``GEOAPP_CHROMIUM`` overrides the path). ``playwright install`` is never run: when the
  binary or the ``playwright`` package is missing, tests that use it are skipped, saying why.
* ``live_server`` — the test's ``app`` fixture (a Flask app) served with waitress on 127.0.0.1
  and a free port in a thread; yields the base URL and shuts the server down after the test.
  ``serve(app)`` is the same as a context manager, for apps built inside a test.
"""
from __future__ import annotations

import contextlib
import os
import socket
import threading
import time

import pytest

CHROMIUM = os.environ.get("GEOAPP_CHROMIUM", "/usr/bin/chromium")
#: flags for Debian's chromium in a container, as root, with no network beyond the test server
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    """A headless Playwright Chromium ``Browser`` (see the module docstring when it is missing)."""
    from .conftest import need, require
    require("chromium")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                         timeout=60_000)
        except PlaywrightError as exc:
            need("chromium", f"Chromium at {CHROMIUM} did not start: {str(exc).splitlines()[0]}")
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def serve(app, *, threads: int = 4):
    """Serve ``app`` with waitress on 127.0.0.1 and a free port in a thread; yields the base URL.

    The accept loop runs in short rounds so that leaving the block stops it promptly, and the
    sockets (keep-alive connections included) are closed by the server thread itself.
    """
    from waitress import wasyncore
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="geoapp-test")
    port = server.effective_port
    stop = threading.Event()

    def run():
        try:
            while not stop.is_set():
                wasyncore.loop(timeout=0.05, map=server._map, count=1)
        finally:
            server.task_dispatcher.shutdown()
            wasyncore.close_all(server._map)

    thread = threading.Thread(target=run, name=f"waitress-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while True:  # listening already (create_server binds), but wait until it answers
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the test server did not answer on 127.0.0.1:{port}")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(timeout=10)


@pytest.fixture
def live_server(app):
    """The ``app`` fixture (a Flask app; define it in the test module) served with waitress on
    127.0.0.1 and a free port, in a thread; yields the base URL (``http://127.0.0.1:PORT``)."""
    with serve(app) as base_url:
        yield base_url
