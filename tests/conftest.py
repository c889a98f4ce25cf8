"""Shared fixtures: a store in a temp folder, small communes built in code, the real data folder;
and the one rule for what the environment must provide.

**Requirements.** A test that needs something from outside Python (a PostgreSQL/PostGIS server,
Chromium, poppler's ``pdftotext``/``pdftoppm``, ``../shared/data``, gunicorn, the map libraries of
the xstatic packages) says so with ``@pytest.mark.requires("poppler")`` or calls ``require("postgis")`` /
``need(what, reason)``. Missing, it is *skipped* on a developer's machine — but it *fails* when
the run requires everything: ``CI=true`` (``.ci/run`` sets it) or ``GEOAPP_REQUIRE_ALL=1``, and
for PostGIS also when ``GEOAPP_TEST_BACKEND=postgis`` asked for it. Never call ``pytest.skip``
for a missing tool directly: CI would be green with nothing tested (``.ci/run`` also fails on
any skip not listed in ``.ci/allowed-skips``). Skips that are right in some pass (SQLite-file
tests in the PostGIS pass) carry the reason prefix ``sqlite_only:`` (:func:`sqlite_pass_only`).

**Files.** Tests write only under ``tmp_path`` / ``tmp_path_factory``. When the run requires
everything, the session fails if a file appeared in the project folder or the system temp folder
(``pytest_sessionfinish`` below; on a shared machine other people's files show up too).
"""
from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path
from typing import NoReturn

import geopandas as gpd
import pytest
import shapely
from hypothesis import settings as hypothesis_settings

from geoapp.store import open_store

pytest_plugins = ["tests.browser"]

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
STATIC = ROOT / "static"
#: Lai Châu is on VN-2000 / TM-3 103-00 (EPSG:9205); 103.4E 22.3N lies inside it
LAI_CHAU_CRS = "EPSG:9205"

#: no example database (hypothesis would keep one in ./.hypothesis/); see also _hypothesis_home
hypothesis_settings.register_profile("geoapp", database=None)
hypothesis_settings.load_profile("geoapp")


#: the backend the suite runs on: ``sqlite`` (default) or ``postgis`` (needs GEOAPP_TEST_DATABASE_URL;
#: CI runs the whole suite once on each)
TEST_BACKEND = os.environ.get("GEOAPP_TEST_BACKEND", "sqlite")
PG_ENV = "GEOAPP_TEST_DATABASE_URL"


# -- requirements: skip on a laptop, fail in CI ----------------------------------------------------
def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def why_required(what: str) -> str | None:
    """Why this run must have ``what`` (the setting that says so), or None when a skip is fine."""
    if _flag("GEOAPP_REQUIRE_ALL"):
        return "GEOAPP_REQUIRE_ALL=1"
    if _flag("CI"):
        return "CI=true"
    if what == "postgis" and TEST_BACKEND == "postgis":
        return "GEOAPP_TEST_BACKEND=postgis"
    return None


def need(what: str, reason: str) -> NoReturn:
    """Stop this test because ``what`` is missing: a failure when the run requires it, else a skip.

    The one exit for environment problems (see the module docstring); ``reason`` says what is
    missing and how to get it. Works in tests, fixtures (any scope) and setup hooks.
    """
    required = why_required(what)
    if required:
        pytest.fail(f"{what} is required ({required}) but missing: {reason}", pytrace=False)
    pytest.skip(f"needs {what}: {reason}")


def libpq_url(url: str) -> str:
    """``url`` as libpq (psycopg) takes it: no SQLAlchemy driver suffix."""
    return url.replace("postgresql+psycopg://", "postgresql://").replace("postgres://", "postgresql://", 1)


def masked(url: str) -> str:
    """``url`` with its password hidden (for messages)."""
    from sqlalchemy.engine import make_url
    return make_url(libpq_url(url)).render_as_string(hide_password=True)


def _postgis_problem() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        return f"{PG_ENV} is not set (eval \"$(bash scripts/postgres_ci.sh)\" starts a throwaway server; ./test does)"
    lacking = [m for m in ("psycopg", "sqlalchemy") if importlib.util.find_spec(m) is None]
    if lacking:
        return f"the postgis extra is not installed ({', '.join(lacking)}): pip install -e '.[postgis]'"
    import psycopg
    try:
        with psycopg.connect(libpq_url(url), connect_timeout=5) as con:
            if con.execute("SELECT 1 FROM pg_extension WHERE extname='postgis'").fetchone() is None:
                return f"{masked(url)} has no postgis extension (CREATE EXTENSION postgis as a superuser)"
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        return f"{masked(url)} is unreachable: {first}"
    return None


def _chromium_problem() -> str | None:
    from .browser import CHROMIUM
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set GEOAPP_CHROMIUM)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


def _poppler_problem() -> str | None:
    lacking = [tool for tool in ("pdftotext", "pdftoppm") if shutil.which(tool) is None]
    return f"{' and '.join(lacking)} not on PATH (apt-get install poppler-utils)" if lacking else None


def _shared_data_problem() -> str | None:
    return None if SHARED_DATA.is_dir() else "../shared/data is not beside the project"


def _gunicorn_problem() -> str | None:
    return None if gunicorn_path().exists() else "gunicorn is not installed (pip install -e '.[postgis]')"


def _assets_problem() -> str | None:
    from geoapp.mapview.assets import INSTALL_HINT, missing_assets
    lacking = missing_assets()
    return f"map files missing ({', '.join(lacking)}): {INSTALL_HINT}" if lacking else None


#: what a test may need -> a probe saying what is wrong (None: it is there)
PROBES = {
    "postgis": _postgis_problem,
    "chromium": _chromium_problem,
    "poppler": _poppler_problem,
    "shared data": _shared_data_problem,
    "gunicorn": _gunicorn_problem,
    "assets": _assets_problem,
}


@functools.cache
def missing(what: str) -> str | None:
    """What is wrong with requirement ``what`` (a key of :data:`PROBES`), or None; probed once per process."""
    return PROBES[what]()


def require(*whats: str) -> None:
    """:func:`need` each of ``whats`` that is missing; a no-op when all are there."""
    for what in whats:
        problem = missing(what)
        if problem:
            need(what, problem)


def gunicorn_path() -> Path:
    return Path(shutil.which("gunicorn") or Path(sys.executable).parent / "gunicorn")


@pytest.hookimpl(trylast=True)                 # after pytest's tmp_path plugin is configured
def pytest_configure(config):
    config.addinivalue_line("markers", "requires(*whats): needs postgis, chromium, poppler, shared data, "
                                       "gunicorn or assets (skip locally, fail under CI=true)")
    _hypothesis_home(config)


def _hypothesis_home(config) -> None:
    """Hypothesis's own files in pytest's temp folder, not ./.hypothesis in the working tree.

    Its pytest plugin caches each test module's constants there while *collecting*, before any
    fixture runs, so this cannot be a session fixture. (``_tmp_path_factory`` is the factory
    behind ``tmp_path_factory``; pytest has no public handle on it at configure time.)
    """
    from hypothesis.configuration import set_hypothesis_home_dir
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is not None:
        set_hypothesis_home_dir(factory.mktemp("hypothesis"))


def pytest_runtest_setup(item):
    for mark in item.iter_markers("requires"):
        require(*mark.args)


# -- nothing written outside pytest's temp folders (checked when the run requires everything) --------
#: folders of the working tree a run may fill (set-up output and caches), and system-temp entries
#: that are not the tests' own (pytest's base temp; what Chromium and Playwright make and remove)
_TREE_SKIP = {".git", ".venv", "__pycache__", "geoapp.egg-info"}
_TEMP_OK = ("pytest-of-", "playwright", "org.chromium.")


def _tree_files() -> set[str]:
    found = set()
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in _TREE_SKIP]
        found.update(os.path.relpath(os.path.join(folder, f), ROOT) for f in files)
    return found


def _temp_entries() -> set[str]:
    # GEOAPP_TEST_TEMP_IGNORE: more name prefixes to ignore, comma-separated — for a machine where other
    # programs write into the system temp folder while the suite runs (a shared developer box)
    extra = tuple(p for p in os.environ.get("GEOAPP_TEST_TEMP_IGNORE", "").split(",") if p)
    return {e for e in os.listdir(tempfile.gettempdir()) if not e.startswith(_TEMP_OK + extra)}


def pytest_sessionstart(session):
    if why_required("files") and not hasattr(session.config, "workerinput"):
        session.config.stash[_BEFORE] = (_tree_files(), _temp_entries())


def pytest_sessionfinish(session):
    before = session.config.stash.get(_BEFORE, None)
    if before is None:
        return
    leaks = sorted(f"project folder: {f}" for f in _tree_files() - before[0]) + \
        sorted(f"{tempfile.gettempdir()}: {e}" for e in _temp_entries() - before[1])
    session.config.stash[_LEAKS] = leaks
    if leaks and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config):
    leaks = config.stash.get(_LEAKS, [])
    if leaks:
        terminalreporter.section("written outside pytest's temp folders (use tmp_path)", red=True)
        for line in leaks:
            terminalreporter.write_line(line)


_BEFORE = pytest.StashKey[tuple]()
_LEAKS = pytest.StashKey[list]()


def requires_shared():
    """Marker: the test reads ../shared/data (fails under CI=true when it is not there)."""
    return pytest.mark.requires("shared data")


def sqlite_pass_only(why: str):
    """Marker: the test runs only in the SQLite pass (the reason carries ``sqlite_only:``, allowed in CI)."""
    return pytest.mark.skipif(TEST_BACKEND != "sqlite", reason=f"sqlite_only: {why}")


# -- databases -------------------------------------------------------------------------------------
def db_url(folder: Path, name: str = "geoapp", backend: str | None = None) -> str:
    """A fresh, empty database for one test: an SQLite file, or a new schema on the PostGIS server."""
    if (backend or TEST_BACKEND) == "sqlite":
        return f"sqlite:///{Path(folder) / name}.sqlite"
    require("postgis")
    base = os.environ[PG_ENV]
    return f"{base}{'&' if '?' in base else '?'}schema=t_{uuid.uuid4().hex[:12]}"


def new_store(folder: Path, name: str = "geoapp"):
    url = db_url(folder, name)
    s = open_store(url)
    s.upgrade()
    s.test_url = url          # with its password (a PostGIS store's .url hides it)
    return s


def load_unit_lists(store, lists: dict):
    """Store official unit lists ``{edition: DataFrame(code, name, …, province_code, province_name)}``, one
    batch per edition, as ``geoapp units import-list`` would; returns ``store``."""
    from geoapp.store.base import BatchInfo

    for edition, units in lists.items():
        with store.transaction() as tx:
            batch = store.add_batch(tx, BatchInfo("unit_list", edition, "test", "", "t", len(units)))
            store.upsert_unit_list(tx, edition, units, dict(zip(units.province_code, units.province_name)), batch)
    return store


DEMO_ZIPS_2025 = ("12_lai_chau.zip", "14_son_la.zip", "15_lao_cai.zip", "68_lam_dong.zip")


def demo_app(folder: Path, name: str = "demo"):
    """The demo instance built in ``folder`` (both unit lists, the pre-2025 layer, four 2025 provinces,
    the demo records with the demo's seed), public read: the Flask app. Needs ``../shared/data``."""
    from geoapp import create_app
    from geoapp.demo.instance import generate_demo
    from geoapp.ingest import import_boundaries, import_unit_list
    from geoapp.schemes import load_catalogue

    require("shared data")
    app = create_app({"DATABASE_URL": db_url(folder, name), "INSTANCE_PATH": str(folder), "SECRET_KEY": "t",
                      "PUBLIC_READ": True})
    store = app.extensions["geoapp.store"]
    import_unit_list(store, "pre2025", SHARED_DATA)
    import_unit_list(store, "2025", SHARED_DATA)
    import_boundaries(store, [SHARED_DATA / "boundaries" / "pre2025" / "xa_4tinh_truoc2025_xapxi.zip"], "pre2025")
    import_boundaries(store, [SHARED_DATA / "boundaries" / "2025" / z for z in DEMO_ZIPS_2025], "2025")
    generate_demo(store, load_catalogue(), seed=20250701, data_dir=SHARED_DATA)
    return app


@pytest.fixture(params=["sqlite", "postgis"])
def each_backend_url(request, tmp_path) -> str:
    """One database URL per backend, whatever pass the suite runs in (PostGIS: see :func:`need`)."""
    return db_url(tmp_path, "shared", backend=request.param)


#: for tests that use SQLite itself (its file, sqlite3, a second process on the same file)
sqlite_only = sqlite_pass_only("exercises the SQLite file itself")


@pytest.fixture
def store(tmp_path):
    return new_store(tmp_path)


def communes(n: int = 3, *, crs: str = "EPSG:4326", province: str = "12", start: int = 3388,
             size_m: float = 2000.0) -> gpd.GeoDataFrame:
    """``n`` adjacent square communes in a row near 103.4°E 22.3°N, in ``crs``."""
    origin = gpd.GeoSeries([shapely.Point(103.4, 22.3)], crs=4326).to_crs(LAI_CHAU_CRS).iloc[0]
    boxes = [shapely.box(origin.x + i * size_m, origin.y, origin.x + (i + 1) * size_m, origin.y + size_m)
             for i in range(n)]
    frame = gpd.GeoDataFrame({
        "MaXa": [f"{start + i:05d}" for i in range(n)],
        "TenXa": [f"Xã Thử {chr(0x41 + i)}ắc" for i in range(n)],
        "MaTinh": [province] * n,
        "TenTinh": ["Tỉnh Lai Châu"] * n,
    }, geometry=boxes, crs=LAI_CHAU_CRS)
    return frame.to_crs(crs)


def write_shp(frame: gpd.GeoDataFrame, folder: Path, name: str = "xa", *, prj: bool = True,
              cpg: str | None = "UTF-8", encoding: str = "UTF-8") -> Path:
    """Write a shapefile set; drop the .prj / change the .cpg to imitate files from the wild."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.shp"
    frame.to_file(path, engine="pyogrio", encoding=encoding)
    if not prj:
        path.with_suffix(".prj").unlink()
    cpg_path = path.with_suffix(".cpg")
    if cpg is None:
        cpg_path.unlink(missing_ok=True)
    else:
        cpg_path.write_text(cpg)
    return path
