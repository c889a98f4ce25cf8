"""Where the files geoapp needs at run time live, and whether they are all there. No Flask.

The one place that knows the layout:

* ``templates/`` and ``static/`` (our pages, scripts and styles) stay at the top of the repository.
  A wheel carries them in ``geoapp/_data/`` (``setup.py`` copies them there at build time, together
  with the fetch manifests of ``shapefiles/``); a checkout or an editable install reads the
  top-level folders. :data:`DATA_ROOT` is whichever of the two holds ``templates/``.
* the browser libraries come from PyPI's xstatic packages (``xstatic-leaflet``, ``xstatic-jquery``),
  each with its files in ``BASE_DIR``; they are served under ``/static/lib/<name>/`` (:data:`LIBRARIES`,
  :func:`static_roots`). Nothing is fetched from npm or a CDN.
* ``schemes.toml``, the SQL migrations and the translation catalogues are package data of ``geoapp``.

:func:`require_all` (called by ``create_app``, so ``geoapp serve`` too) refuses to start when any
of them is missing, naming every missing file and the fix: a page must never be served with a map
that cannot draw.

Trip-wires: a new template must be added to :data:`TEMPLATES` (a test compares the list with the
folder); the static files a page needs are found by reading the templates (``url_for('static',
filename=...)`` and literal ``/static/...`` links), so a new script needs no list here. Functions
read :data:`DATA_ROOT` and the xstatic ``BASE_DIR`` at call time (tests monkeypatch them).
"""
from __future__ import annotations

import importlib
import re
from pathlib import Path

from .errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent
#: in a wheel: ``geoapp/_data``; in a checkout (editable install): the repository root
DATA_ROOT = PACKAGE_DIR / "_data" if (PACKAGE_DIR / "_data" / "templates").is_dir() else PACKAGE_DIR.parent

#: URL folder under /static/ -> the xstatic module whose BASE_DIR holds the files
LIBRARIES = {"lib/leaflet": "xstatic.pkg.leaflet", "lib/jquery": "xstatic.pkg.jquery"}
#: library files the maps need (leaflet.css refers to the images), as paths under /static/
LIBRARY_FILES = (
    "lib/leaflet/leaflet.js", "lib/leaflet/leaflet.css",
    "lib/leaflet/images/layers.png", "lib/leaflet/images/layers-2x.png", "lib/leaflet/images/marker-icon.png",
    "lib/leaflet/images/marker-icon-2x.png", "lib/leaflet/images/marker-shadow.png",
    "lib/jquery/jquery.min.js",
)
#: every template in templates/ (tests/test_resources.py checks the list against the folder)
TEMPLATES = (
    "_embed_origins.html", "_leaflet_head.html", "_map_panel.html", "about.html", "admin_audit.html",
    "admin_embedding.html", "admin_shares.html", "admin_users.html", "base.html", "compare.html", "embed.html",
    "error.html", "index.html", "login.html", "map.html", "overview.html", "province_units.html",
    "share_done.html", "standalone.html", "unit.html", "upload.html", "upload_done.html",
)
#: the fetch manifests (shapefiles/ in the repository; geoapp/_data/shapefiles in a wheel)
MANIFESTS = ("mirror_2025.csv", "upstream_2025.csv")
LANGUAGES = ("vi", "en")
DIALECTS = ("sqlite", "postgis")

REINSTALL_HINT = ("reinstall geoapp: pip install --force-reinstall geoapp (from a checkout: pip install -e .; "
                  "the browser libraries come from the xstatic-leaflet and xstatic-jquery packages)")

_STATIC_REF = re.compile(r"""url_for\(\s*['"]static['"]\s*,\s*filename\s*=\s*['"]([^'"]+)['"]"""
                         r"""|["'(]/static/([^"'?#)]+)""")


class ResourcesMissingError(ConfigError):
    """Files geoapp needs at run time are missing; ``missing`` lists every one (absolute paths)."""

    def __init__(self, missing: list[str]):
        self.missing = list(missing)
        shown = "\n".join(f"  {m}" for m in self.missing)
        super().__init__(f"geoapp cannot start: {len(self.missing)} file(s) it needs are missing:\n{shown}\n"
                         f"Fix: {REINSTALL_HINT}",
                         message_vi=f"geoapp không thể khởi động: thiếu {len(self.missing)} tệp (danh sách ở "
                                    "trên). Cách sửa: cài lại geoapp: pip install --force-reinstall geoapp "
                                    "(từ mã nguồn: pip install -e .)")


def templates_dir() -> Path:
    return DATA_ROOT / "templates"


def static_dir() -> Path:
    """Our own scripts and styles (not the libraries: see :func:`static_roots`)."""
    return DATA_ROOT / "static"


def manifests_dir() -> Path:
    """The folder of the fetch manifests (``mirror_2025.csv``, ``upstream_2025.csv``)."""
    return DATA_ROOT / "shapefiles"


def library_dir(prefix: str) -> Path | None:
    """The folder of the xstatic package served under ``/static/<prefix>/``; None when not installed."""
    try:
        module = importlib.import_module(LIBRARIES[prefix])
    except ImportError:
        return None
    return Path(module.BASE_DIR)


def static_roots() -> list[tuple[str, Path]]:
    """``[(URL prefix under /static/, folder)]``: the libraries first, then our ``static/`` (prefix "")."""
    roots = [(prefix + "/", folder) for prefix in LIBRARIES if (folder := library_dir(prefix)) is not None]
    return roots + [("", static_dir())]


def static_file(rel: str) -> Path:
    """The file behind ``/static/<rel>`` (it may not exist); ``lib/<name>/...`` is in the xstatic package."""
    rel = rel.lstrip("/")
    for prefix in LIBRARIES:
        if rel.startswith(prefix + "/"):
            folder = library_dir(prefix)
            base = folder if folder is not None else Path("<" + LIBRARIES[prefix] + " is not installed>")
            return base / rel[len(prefix) + 1:]
    return static_dir() / rel


def static_files() -> list[tuple[str, Path]]:
    """Every servable file: ``[(path under /static/, file)]`` — our ``static/`` folder, and of each
    library only :data:`LIBRARY_FILES` (not its sources and source maps)."""
    out = [(rel, static_file(rel)) for rel in LIBRARY_FILES if static_file(rel).is_file()]
    folder = static_dir()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.suffix not in (".gz", ".br") and not path.name.startswith("."):
                out.append((path.relative_to(folder).as_posix(), path))
    return out


def referenced_static() -> list[str]:
    """The paths under /static/ the templates link to (read from the templates that exist)."""
    found: set[str] = set()
    for name in TEMPLATES:
        path = templates_dir() / name
        if path.is_file():
            for m in _STATIC_REF.finditer(path.read_text(encoding="utf-8")):
                found.add(m.group(1) or m.group(2))
    return sorted(found)


def _migration_problems() -> list[str]:
    """Missing migration files: both dialects must have the same versions, numbered 1..N without gaps."""
    root = PACKAGE_DIR / "store" / "migrations"
    found = {d: {p.name[:4]: p.name for p in (root / d).glob("[0-9][0-9][0-9][0-9]_*.sql")} for d in DIALECTS}
    versions = set().union(*(set(v) for v in found.values()))
    top = max((int(v) for v in versions), default=0)
    problems = []
    for dialect in DIALECTS:
        for n in range(1, top + 1):
            key = f"{n:04d}"
            if key not in found[dialect]:
                other = next((found[d][key] for d in DIALECTS if key in found[d]), f"{key}_*.sql")
                problems.append(str(root / dialect / other))
    return problems if top else [str(root / d / "0001_*.sql") for d in DIALECTS]


def missing_files() -> list[str]:
    """Every file geoapp needs that is not there (absolute paths), in a stable order; empty when all are."""
    wanted = [templates_dir() / name for name in TEMPLATES]
    wanted += [static_file(rel) for rel in sorted(set(LIBRARY_FILES) | set(referenced_static()))]
    wanted += [PACKAGE_DIR / "schemes.toml"]
    wanted += [PACKAGE_DIR / "translations" / lang / "LC_MESSAGES" / "messages.po" for lang in LANGUAGES]
    return [str(p) for p in wanted if not p.is_file()] + _migration_problems()


def require_all() -> None:
    """Raise :class:`ResourcesMissingError` naming every missing file and the fix, unless all are there."""
    missing = missing_files()
    if missing:
        raise ResourcesMissingError(missing)
