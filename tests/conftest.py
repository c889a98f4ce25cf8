"""Shared fixtures: a store in a temp folder, small communes built in code, the real data folder."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geoapp.store import open_store

pytest_plugins = ["tests.browser"]

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
#: Lai Châu is on VN-2000 / TM-3 103-00 (EPSG:9205); 103.4E 22.3N lies inside it
LAI_CHAU_CRS = "EPSG:9205"


def requires_shared():
    return pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data is not beside the project")


#: the backend the suite runs on: ``sqlite`` (default) or ``postgis`` (needs GEOAPP_TEST_DATABASE_URL;
#: CI runs the whole suite once on each)
TEST_BACKEND = os.environ.get("GEOAPP_TEST_BACKEND", "sqlite")


def db_url(folder: Path, name: str = "geoapp", backend: str | None = None) -> str:
    """A fresh, empty database for one test: an SQLite file, or a new schema on the PostGIS server."""
    if (backend or TEST_BACKEND) == "sqlite":
        return f"sqlite:///{Path(folder) / name}.sqlite"
    base = os.environ.get("GEOAPP_TEST_DATABASE_URL")
    if not base:
        pytest.skip("GEOAPP_TEST_BACKEND=postgis needs GEOAPP_TEST_DATABASE_URL (bash scripts/postgres_ci.sh)")
    return f"{base}{'&' if '?' in base else '?'}schema=t_{uuid.uuid4().hex[:12]}"


def new_store(folder: Path, name: str = "geoapp"):
    url = db_url(folder, name)
    s = open_store(url)
    s.upgrade()
    s.test_url = url          # with its password (a PostGIS store's .url hides it)
    return s


@pytest.fixture(params=["sqlite", "postgis"])
def each_backend_url(request, tmp_path) -> str:
    """One database URL per backend, whatever pass the suite runs in (PostGIS skipped without a server)."""
    return db_url(tmp_path, "shared", backend=request.param)


#: for tests that use SQLite itself (its file, sqlite3, a second process on the same file)
sqlite_only = pytest.mark.skipif(TEST_BACKEND != "sqlite", reason="exercises the SQLite file itself")


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
