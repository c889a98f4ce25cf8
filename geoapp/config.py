"""One table of settings. Only this module reads the environment.

Each setting is ``GEOAPP_<NAME>`` in the environment and ``<NAME>`` in the Flask config.
The README's configuration table is generated from :data:`SETTINGS`
(``geoapp config table``) and a test checks that the two agree.

Trip-wire: ``DATA_MIRROR`` defaults to ``../shared/data`` *relative to the project root*
(the folder holding ``pyproject.toml``), and only when that folder exists; otherwise it is
empty and fetches go to the public upstream.
"""
from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "GEOAPP_"


def _default_mirror() -> str:
    candidate = PROJECT_ROOT.parent / "shared" / "data"
    return str(candidate) if candidate.is_dir() else ""


def _int(value: str) -> int:
    return int(value)


def _count(value: str) -> int:
    n = int(value)
    if n < 0:
        raise ValueError("must be 0 or more")
    return n


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise ValueError("must be 1 or more")
    return n


def _megabytes(value: str) -> float:
    mb = float(value)
    if not mb >= 0 or mb == float("inf"):
        raise ValueError("must be a finite number of MB, 0 or more")
    return mb


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise ValueError("must be 1 or more")
    return n


def _bool(value: str) -> bool:
    v = str(value).strip().lower()
    if v in {"1", "true", "yes", "on"}:
        return True
    if v in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    parse: Callable[[str], object] = str

    @property
    def env(self) -> str:
        return PREFIX + self.name


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "",
            "Where the data lives. Empty: an SQLite file `geoapp.sqlite` in the instance folder. "
            "`sqlite:///PATH` for another file; `postgresql://user:pw@host/db[?schema=NAME]` for PostGIS "
            "(`pip install 'geoapp[postgis]'`)."),
    Setting("DATA_MIRROR", None,
            "A local folder laid out like `../shared/data` to fetch reference files from. "
            "Default: `../shared/data` beside the project when it exists, else the public upstream."),
    Setting("SECRET_KEY", "",
            "Key that signs sessions and links. Empty: a random key kept in `instance/secret_key`."),
    Setting("TILES", "none",
            "Basemap: `none`, `osm` (OpenStreetMap) or a tile URL template with {z}/{x}/{y}."),
    Setting("INSTANCE_PATH", "",
            "The instance folder (database, secret key, fetched files, compressed static files). Empty: "
            "`instance/` in the project; for an installed wheel, `var/geoapp-instance` in the environment "
            "(`sys.prefix`)."),
    Setting("LOD_CACHE", "",
            "Folder keeping computed levels of detail, named by the SHA-256 of their inputs (geometries, "
            "parameters, code and GEOS version) and checked against a checksum on every read, so a re-import "
            "or another instance reuses them instead of recomputing (a minute for the whole country). Empty: "
            "`lod-cache/` in the instance folder; `off`: no cache. A `lod-cache/` folder in the data mirror is "
            "read too."),
    Setting("UPSTREAM_2025", "https://raw.githubusercontent.com/thanglequoc/vietnamese-provinces-database/"
            "cd58063299585146ded3981f2272946ef19ced54",
            "Base URL of the 2025 boundaries upstream (pinned commit)."),
    Setting("SCHEMES_FILE", "",
            "A TOML file adding or replacing status schemes and indicators (layout of `geoapp/schemes.toml`)."),
    Setting("FETCH_TIMEOUT", 60, "Seconds to wait for one HTTP request of a fetch.", _int),
    Setting("PUBLIC_READ", False, "1: anyone may read every map without signing in (public deployments). "
            "Default: sign-in required.", _bool),
    Setting("COOKIE_SECURE", True, "Send the session cookie over HTTPS only (browsers treat 127.0.0.1 and "
            "localhost as secure). Set 0 only behind a plain-HTTP intranet proxy.", _bool),
    Setting("TRUSTED_PROXIES", 0, "How many reverse proxies (e.g. 1 for nginx) stand in front of geoapp and set "
            "X-Forwarded-For/-Proto/-Host. 0: those headers are ignored (any client could forge them). Must equal "
            "the real number of hops; see docs/deploy.md.", _count),
    Setting("EMBED_ORIGINS", "'self'", "Sites allowed to frame /embed/ views (CSP frame-ancestors), space-separated, "
            "e.g. `'self' https://intranet.ca.gov.vn`."),
    Setting("MAX_UPLOAD_MB", 100, "Largest file accepted by the web upload, in MB.", _int),
    Setting("UPLOAD_TTL_HOURS", 24, "Hours a previewed upload waits to be committed; older previews are removed "
            "on each upload (and by `geoapp.uploads.sweep`).", _positive),
    Setting("CACHE_MB", 64, "Memory for the response cache (API answers: body + gzipped body), in MB. A single "
            "answer larger than a quarter of it is served but not kept. 0: no response cache.", _megabytes),
    Setting("EXPORT_CACHE_MB", 256, "Memory for finished exports (CSV, XLSX, PNG, PDF, briefing packs) kept per "
            "view and data version, in MB. A single file larger than a quarter of it is served but not kept.",
            _megabytes),
    Setting("EXPORT_JOBS", 2, "Exports computed at the same time, in all (PNG, PDF, zip packs, standalone HTML and "
            "anything of the whole country). More answer 429 with Retry-After.", _positive),
    Setting("EXPORT_JOBS_PER_USER", 1, "Exports computed at the same time for one user (signed out: one address).",
            _positive),
    Setting("HOST", "127.0.0.1", "Address `geoapp serve` listens on."),
    Setting("PORT", 5000, "Port `geoapp serve` listens on.", _int),
    Setting("THREADS", 8, "Worker threads of the production server (waitress).", _int),
)


def load_settings(environ: dict | None = None) -> dict:
    """Return ``{NAME: value}`` for every setting, from ``environ`` (default ``os.environ``).

    Malformed values raise :class:`ConfigError` naming the variable; unknown ``GEOAPP_*``
    variables raise too, because a typo in a setting name would otherwise be ignored silently.
    """
    environ = os.environ if environ is None else environ
    known = {s.env for s in SETTINGS}
    # GEOAPP_TEST_* belong to the test suite (backend, server URL), not to the app
    unknown = sorted(k for k in environ if k.startswith(PREFIX) and k not in known
                     and not k.startswith(PREFIX + "TEST_"))
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(unknown)}; known: "
                          + ", ".join(s.env for s in SETTINGS))
    values = {}
    for s in SETTINGS:
        if s.env in environ:
            try:
                values[s.name] = s.parse(environ[s.env])
            except ValueError as exc:
                raise ConfigError(f"{s.env}={environ[s.env]!r} is not valid: {exc}") from None
        else:
            values[s.name] = _default_mirror() if s.name == "DATA_MIRROR" else s.default
    return values


def instance_path(settings: dict) -> Path:
    """``INSTANCE_PATH``, else ``instance/`` of the checkout, else (an installed wheel, no
    ``pyproject.toml`` beside the package) ``<sys.prefix>/var/geoapp-instance`` as Flask does."""
    if settings.get("INSTANCE_PATH"):
        return Path(settings["INSTANCE_PATH"])
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / "instance"
    return Path(sys.prefix) / "var" / "geoapp-instance"


def lod_cache_folders(settings: dict) -> tuple[Path | None, list[Path]]:
    """Where levels of detail are cached: ``(folder written and read, [folders only read])``.

    ``LOD_CACHE=off`` gives ``(None, [])``; the mirror's ``lod-cache/`` is read-only (a shared copy)."""
    value = (settings.get("LOD_CACHE") or "").strip()
    if value.lower() == "off":
        return None, []
    folder = Path(value) if value else instance_path(settings) / "lod-cache"
    mirror = settings.get("DATA_MIRROR") or ""
    extra = [Path(mirror) / "lod-cache"] if mirror and "://" not in mirror else []
    return folder, [p for p in extra if p != folder]


def database_url(settings: dict) -> str:
    url = settings.get("DATABASE_URL") or ""
    if not url:
        url = "sqlite:///" + str(instance_path(settings) / "geoapp.sqlite")
    return url


def secret_key(settings: dict) -> str:
    """The configured key, else one generated once and kept in the instance folder (mode 600)."""
    if settings.get("SECRET_KEY"):
        return settings["SECRET_KEY"]
    folder = instance_path(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def settings_table_markdown() -> str:
    """The README's configuration table, generated from :data:`SETTINGS`."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for s in SETTINGS:
        default = "`../shared/data` if present" if s.name == "DATA_MIRROR" else (
            f"`{s.default}`" if s.default not in ("", None) else "(empty)")
        rows.append(f"| `{s.env}` | {default} | {s.help} |")
    return "\n".join(rows)
