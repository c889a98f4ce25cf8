"""What the demo generator reads: the units and boundaries of its provinces from the store, and
the old → new crosswalk from the reference data folder (a mirror of ``shared/data``).

Trip-wires:

* the store must already hold both unit lists and the boundaries (``geoapp demo`` imports them
  first, see :mod:`geoapp.demo.instance`); :func:`read_inputs` refuses, naming what to import;
* the crosswalk is read with the one reader, :func:`geoapp.crosswalk.read.read_crosswalk_file`, and
  never matched by code: old and new codes are different code lists;
* centroids are in :data:`geoapp.crs.EQUAL_AREA` (metres), because the hotspot surface's
  bandwidths are distances on the ground; units without geometry have no centroid.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..crosswalk.read import read_crosswalk_file
from ..crs import EQUAL_AREA
from ..errors import InputError
from ..store.base import Store
from .plan import PROVINCES_2025, PROVINCES_PRE

#: the pre-2025 boundary layer (all four old provinces), inside a data folder
PRE2025_LAYER = Path("boundaries") / "pre2025" / "xa_4tinh_truoc2025_xapxi.zip"
#: the 2025 boundary files (one zip per new province), inside a data folder
BOUNDARIES_2025 = Path("boundaries") / "2025"
#: columns of the units the generator reads
UNIT_COLUMNS = ["code", "name", "province_code", "area_km2", "population", "has_geometry"]


@dataclass
class DemoInputs:
    """What the generator reads from the store and the reference data, nothing else.

    Attributes
    ----------
    units_pre, units_2025 : pandas.DataFrame
        Units of the four old / four new provinces (``code``, ``name``, ``province_code``,
        ``area_km2``, ``population``), sorted by code.
    xy_pre, xy_2025 : pandas.DataFrame
        ``code``, ``x``, ``y``: centroids in :data:`geoapp.crs.EQUAL_AREA` of the units that
        have geometry.
    crosswalk : pandas.DataFrame
        ``old_code``, ``old_province``, ``new_code``, ``new_province`` for the new provinces.
    part_area : dict
        Area (km², NaN when unknown) of every old commune named in ``crosswalk``.
    """

    units_pre: pd.DataFrame
    units_2025: pd.DataFrame
    xy_pre: pd.DataFrame
    xy_2025: pd.DataFrame
    crosswalk: pd.DataFrame
    part_area: dict = field(default_factory=dict)


def read_crosswalk(path) -> pd.DataFrame:
    """The old-commune → new-unit pairs, as the demo uses them.

    Parameters
    ----------
    path : str or pathlib.Path
        ``crosswalk/xa_truoc2025_sang_2025.csv`` (or a data folder holding it).

    Returns
    -------
    pandas.DataFrame
        ``old_code``, ``old_province``, ``new_code``, ``new_province``: 5- and 2-digit strings,
        one row per (old, new) pair, sorted by new then old code. Rows without an old commune
        (island districts that had no communes) are left out.
    """
    rows = read_crosswalk_file(path).rows
    return rows[["old_code", "old_province", "new_code", "new_province"]].reset_index(drop=True)


def centroids(store: Store, edition: str, provinces) -> pd.DataFrame:
    """``code``, ``x``, ``y``: centroids in metres (equal-area CRS) of the units with geometry."""
    frames = [store.geometries(edition, p) for p in provinces]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({"code": [], "x": [], "y": []})
    geoms = pd.concat(frames, ignore_index=True).set_crs("EPSG:4326", allow_override=True)
    pts = geoms.to_crs(EQUAL_AREA).geometry.centroid
    return pd.DataFrame({"code": geoms["code"].to_numpy(), "x": pts.x.to_numpy(), "y": pts.y.to_numpy()}) \
        .sort_values("code").reset_index(drop=True)


def data_folder(data_dir=None) -> Path:
    """The reference data folder: ``data_dir``, else the ``DATA_MIRROR`` setting.

    Raises
    ------
    InputError
        When there is no such folder.
    """
    if data_dir is None:
        from ..config import load_settings
        data_dir = load_settings().get("DATA_MIRROR") or ""
    if not data_dir or not Path(data_dir).is_dir():
        raise InputError("no reference data folder for the crosswalk; set GEOAPP_DATA_MIRROR to a folder laid "
                         "out like ../shared/data",
                         message_vi="không có thư mục dữ liệu tham chiếu (bảng chuyển đổi); đặt GEOAPP_DATA_MIRROR")
    return Path(data_dir)


def missing_units(units_pre: pd.DataFrame, units_2025: pd.DataFrame) -> list[str]:
    """What to import before the demo: provinces without units or without any boundary."""
    need = []
    for p in PROVINCES_PRE:
        sub = units_pre[units_pre["province_code"] == p]
        if sub.empty or not sub["has_geometry"].any():
            need.append(f"pre2025 province {p} (unit list + {PRE2025_LAYER.as_posix()})")
    for p in PROVINCES_2025:
        sub = units_2025[units_2025["province_code"] == p]
        if sub.empty or not sub["has_geometry"].any():
            need.append(f"2025 province {p} (unit list + {BOUNDARIES_2025.as_posix()}/{p}_*.zip)")
    return need


def read_inputs(store: Store, data_dir=None) -> DemoInputs:
    """Collect what :func:`geoapp.demo.build.build_demo` needs, refusing when a precondition is missing.

    Parameters
    ----------
    store : Store
        Holds the pre-2025 list and four-province boundaries, and the 2025 list and the
        boundaries of provinces 12, 14, 15, 68.
    data_dir : path, optional
        Folder laid out like ``../shared/data`` (for the crosswalk); default the
        ``DATA_MIRROR`` setting.

    Raises
    ------
    InputError
        When units, boundaries or the crosswalk are missing — naming what to import.
    """
    folder = data_folder(data_dir)
    pre = store.units("pre2025")
    units_pre = pre[pre["province_code"].isin(PROVINCES_PRE)][UNIT_COLUMNS].reset_index(drop=True)
    new = store.units("2025")
    units_2025 = new[new["province_code"].isin(PROVINCES_2025)][UNIT_COLUMNS].reset_index(drop=True)
    need = missing_units(units_pre, units_2025)
    if need:
        raise InputError("the demo needs these units first: " + "; ".join(need),
                         message_vi="dữ liệu minh họa cần nhập trước: " + "; ".join(need))
    crosswalk = read_crosswalk(folder)
    crosswalk = crosswalk[crosswalk["new_province"].isin(PROVINCES_2025)
                          & crosswalk["new_code"].isin(set(units_2025["code"]))].reset_index(drop=True)
    area = pre.set_index("code")["area_km2"]
    part_area = {c: float(area.get(c)) if pd.notna(area.get(c)) else float("nan")
                 for c in sorted(set(crosswalk["old_code"]))}
    return DemoInputs(units_pre, units_2025, centroids(store, "pre2025", PROVINCES_PRE),
                      centroids(store, "2025", PROVINCES_2025), crosswalk, part_area)
