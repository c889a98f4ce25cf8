"""Static files — ours (``static/``) and the xstatic libraries (``/static/lib/<name>/``) — served by
WhiteNoise in front of Flask: gzip/brotli-compressed, with versioned URLs that caches keep for a year.

How: at start-up each file is copied once into a cache folder (``<instance>/static-cache``) under a
versioned name, ``leaflet.js`` → ``lib/leaflet/leaflet.<12 hex of its sha256>.js``, with ``.gz``
and ``.br`` siblings beside it (what WhiteNoise serves when the browser accepts them). Then

* ``url_for('static', filename=...)`` (templates, folium's links via ``assets.static_url``) gives
  the versioned URL (a ``url_defaults`` hook), answered with ``Cache-Control: public,
  max-age=31536000, immutable``;
* the plain URL (``/static/map.js``) and a versioned URL of another version (a page from before an
  upgrade) still answer, with the current file and a short cache (:data:`SHORT_MAX_AGE`).

Trip-wires: WhiteNoise answers before Flask, so no ``before/after_request`` hook runs for these files
(no gate: static files are public; ``security.cache_headers`` never sees them) — the headers they
carry are set here. The cache folder is content-addressed (safe to share between processes and
restarts; files are written atomically; old versions are not pruned) and built once per process for
the same sources; a read-only instance folder falls back to one in the system temp folder. Files
are read at start-up: after editing ``static/map.js`` restart the server (a file *added* meanwhile is
served by Flask's own static view, unversioned, until then).
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from pathlib import Path

from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from .. import resources

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT_MAX_AGE = 300
#: ``name.<12 hex>.ext`` — a versioned file name
VERSIONED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<ext>\.[^./]+)$")
_built: dict[tuple, tuple[Path, dict[str, str]]] = {}
_lock = threading.Lock()


def versioned_name(rel: str, digest: str) -> str:
    """``lib/leaflet/leaflet.js`` + digest → ``lib/leaflet/leaflet.<digest>.js``."""
    folder, _, name = rel.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    out = f"{stem}.{digest}.{ext}" if dot and stem else f"{name}.{digest}"
    return f"{folder}/{out}" if folder else out


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _compressed(path: Path, data: bytes, compressor: Compressor) -> None:
    """``path.gz`` / ``path.br`` beside ``path`` when they are worth it (not for images, fonts …)."""
    if not compressor.should_compress(path.name) or len(data) < 256:
        return
    encoders = [(".gz", compressor.compress_gzip)] + ([(".br", compressor.compress_brotli)]
                                                      if compressor.use_brotli else [])
    for suffix, encode in encoders:
        out = path.with_name(path.name + suffix)
        if not out.is_file():
            packed = encode(data)
            if len(packed) < len(data) * 0.95:
                _write(out, packed)


def build(cache_dir: Path) -> tuple[Path, dict[str, str]]:
    """Fill ``cache_dir`` with every static file under its versioned name (+ compressed copies); return
    ``(folder, {path under /static/: versioned path})``. Files already there are kept (same name, same
    bytes). Built once per process for the same sources: a second app (tests) gets the first one's folder."""
    sources = resources.static_files()
    key = tuple((rel, str(p), p.stat().st_size, p.stat().st_mtime_ns) for rel, p in sources)
    with _lock:
        done = _built.get(key)
        if done and all((done[0] / v).is_file() for v in done[1].values()):
            return done
        compressor = Compressor(quiet=True)
        manifest = {}
        for rel, path in sources:
            data = path.read_bytes()
            versioned = versioned_name(rel, hashlib.sha256(data).hexdigest()[:12])
            target = cache_dir / versioned
            if not (target.is_file() and target.stat().st_size == len(data)):
                _write(target, data)
            _compressed(target, data, compressor)
            manifest[rel] = versioned
        _built[key] = (cache_dir, manifest)
        return cache_dir, manifest


class StaticFiles(WhiteNoise):
    """WhiteNoise with geoapp's cache policy: versioned URLs immutable for a year, others short."""

    def __init__(self, application, folder: Path, manifest: dict[str, str], prefix: str = "/static/"):
        super().__init__(application, max_age=SHORT_MAX_AGE, allow_all_origins=False,
                         add_headers_function=_extra_headers)
        self.prefix = prefix
        self.versioned_urls = {prefix + versioned for versioned in manifest.values()}
        for rel, versioned in manifest.items():
            self.add_file_to_dictionary(prefix + versioned, str(folder / versioned))
            self.add_file_to_dictionary(prefix + rel, str(folder / versioned))

    def add_cache_headers(self, headers, path, url):
        headers["Cache-Control"] = IMMUTABLE if url in self.versioned_urls else f"public, max-age={SHORT_MAX_AGE}"
        m = VERSIONED.match(Path(path).name)
        if m:
            headers["ETag"] = f'"{m["digest"]}"'

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.prefix) and path not in self.files:
            folder, _, name = path.rpartition("/")
            m = VERSIONED.match(name)
            stale = self.files.get(f"{folder}/{m['stem']}{m['ext']}") if m else None
            if stale is not None:                  # another version's URL: today's file, short cache
                return self.serve(stale, environ, start_response)
        return super().__call__(environ, start_response)


def _extra_headers(headers, path, url) -> None:
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"


def init_app(app) -> None:
    """Serve /static/ through :class:`StaticFiles` and make ``url_for('static', ...)`` versioned."""
    try:
        folder, manifest = build(Path(app.instance_path) / "static-cache")
    except PermissionError:         # a read-only instance folder (SECRET_KEY and DATABASE_URL set): a temp one
        folder, manifest = build(Path(tempfile.gettempdir()) / f"geoapp-static-{os.getuid()}")
    app.wsgi_app = StaticFiles(app.wsgi_app, folder, manifest, prefix=app.static_url_path.rstrip("/") + "/")
    app.extensions["geoapp.static_manifest"] = manifest

    @app.url_defaults
    def versioned_static(endpoint, values):
        if endpoint == "static" and "filename" in values:
            values["filename"] = manifest.get(values["filename"], values["filename"])
