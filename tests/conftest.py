"""Shared fixtures: a store in a temp folder, small communes built in code, the real data folder."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geoapp.store.sqlite import SQLiteStore

pytest_plugins = ["tests.browser"]

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
#: Lai Châu is on VN-2000 / TM-3 103-00 (EPSG:9205); 103.4E 22.3N lies inside it
LAI_CHAU_CRS = "EPSG:9205"


def requires_shared():
    return pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data is not beside the project")


@pytest.fixture
def store(tmp_path) -> SQLiteStore:
    s = SQLiteStore(tmp_path / "geoapp.sqlite")
    s.upgrade()
    return s


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
