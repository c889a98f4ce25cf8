"""Read each edition's source files under the data folder into the unit-list frame.

Where the files are (the one home of those paths), which columns they must have, and how each
edition's rows become :data:`LIST_COLUMNS`. :mod:`geoapp.unitlists` is the public face
(:func:`~geoapp.unitlists.read_unit_list` documents the sources and their anomalies).

Trip-wires:

* the 2025 codes come from the crosswalk (``newWardCode``), one row per *old* commune, so a new
  unit appears once per predecessor; the list ``xa_2025_sapnhap.csv`` only adds area and
  population, joined by names (:mod:`geoapp.unitlist_match`);
* this module opens the crosswalk file itself for the *columns of the new units*
  (``newWardShort``, ``newWardType``, ``newProvince``, ``newWardAreaKm2``), which the one
  reader of old → new pairs, :func:`geoapp.crosswalk.read.read_crosswalk_file`, does not
  return; it also sits below the ``crosswalk`` package and may not import it;
* the crosswalk's ``newWardType`` swaps xã/phường for four units, so the type is read from the
  full name (:func:`types_2025`);
* population is "102136", "30,509" or "đang cập nhật" (→ missing, never 0).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .csvtext import CODE_WIDTH, clean_text, pad_codes, read_csv_text
from .errors import InputError
from .names import fold
from .unitlist_match import match_2025

#: columns returned by :func:`geoapp.unitlists.read_unit_list`, in this order
LIST_COLUMNS = ("code", "name", "full_name", "name_en", "unit_type", "district_code",
                "district_name", "province_code", "province_name", "area_km2", "population")

PRE2025_LIST = Path("units") / "xa_truoc2025_gso_2025-06-30.csv"
LIST_2025 = Path("units") / "xa_2025_sapnhap.csv"
#: the old → new crosswalk under the data folder (one home for its path; :mod:`geoapp.crosswalk.read` reads it)
CROSSWALK = Path("crosswalk") / "xa_truoc2025_sang_2025.csv"
MISSING_POLYGONS = Path("boundaries") / "pre2025" / "xa_4tinh_truoc2025_thieu_hinh.csv"

_PRE2025_COLUMNS = ("Mã", "Tên", "Tên Tiếng Anh", "Cấp", "Mã QH", "Quận Huyện", "Mã TP",
                    "Tỉnh / Thành Phố")
_CROSSWALK_COLUMNS = ("newWardCode", "newWard", "newWardShort", "newWardType",
                      "newProvinceCode", "newProvince", "newWardAreaKm2")
_LIST_2025_COLUMNS = ("tentinh", "loai", "tenhc", "dientichkm2", "dansonguoi")

_UNIT_PREFIX = re.compile(r"^\s*(xã|phường|thị trấn)\s+", re.IGNORECASE)
_TYPE_PREFIX = re.compile(r"^\s*(xã|phường|đặc khu)\s+", re.IGNORECASE)
_INT = re.compile(r"^\d+$")
_GROUPED_INT = re.compile(r"^\d{1,3}([.,]\d{3})+$")
_DECIMAL = re.compile(r"^\d+(\.\d+)?$")


# -- cell values -------------------------------------------------------------------------------
def strip_unit_prefix(full_name: str | None) -> str | None:
    """ "Phường Phúc Xá" → "Phúc Xá"; a name that is only a prefix is left whole."""
    if full_name is None:
        return None
    bare = _UNIT_PREFIX.sub("", full_name).strip()
    return bare or full_name


def _parse_count(value) -> int | None:
    """A head count: "102136", "30,509" or "8.718.000" → int; "đang cập nhật" → ``None``."""
    text = (clean_text(value) or "").replace(" ", "")
    if _INT.match(text):
        return int(text)
    if _GROUPED_INT.match(text):
        # a person count has no fractional part, so "." or "," followed by 3 digits is grouping
        return int(re.sub(r"[.,]", "", text))
    return None


def _parse_area(value) -> float:
    """Area in km² as the commune list writes it ("28.69", point as decimal mark) → float."""
    text = (clean_text(value) or "").replace(" ", "")
    return float(text) if _DECIMAL.match(text) else np.nan


def _frame(rows: dict[str, list | pd.Series]) -> pd.DataFrame:
    """Assemble the result with :data:`LIST_COLUMNS` and stable dtypes."""
    out = pd.DataFrame({c: rows[c] for c in LIST_COLUMNS})
    text_cols = [c for c in LIST_COLUMNS if c not in ("area_km2", "population")]
    for c in text_cols:
        # object dtype on both pandas 2 and 3, so codes can never be inferred as numbers
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    out["area_km2"] = pd.to_numeric(out["area_km2"], errors="coerce").astype("float64")
    # nullable integers: a missing population is NA, not a float NaN that turns counts into floats
    out["population"] = pd.array(out["population"], dtype="Int64")
    return out.reset_index(drop=True)


# -- editions ----------------------------------------------------------------------------------
def read_pre2025(data_dir: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The GSO list of the 63-province structure, sorted by code, and its provinces."""
    path = data_dir / PRE2025_LIST
    raw = read_csv_text(path, _PRE2025_COLUMNS)
    full = raw["Tên"].map(clean_text)
    units = _frame({
        "code": pad_codes(raw["Mã"], 5, path, "Mã"),
        "name": full.map(strip_unit_prefix),
        "full_name": full,
        "name_en": raw["Tên Tiếng Anh"].map(clean_text),
        "unit_type": raw["Cấp"].map(clean_text),
        "district_code": pad_codes(raw["Mã QH"], 3, path, "Mã QH"),
        "district_name": raw["Quận Huyện"].map(clean_text),
        "province_code": pad_codes(raw["Mã TP"], 2, path, "Mã TP"),
        "province_name": raw["Tỉnh / Thành Phố"].map(clean_text),
        "area_km2": np.nan,
        "population": [None] * len(raw),
    })
    _refuse_duplicate_codes(units, path)
    units = units.sort_values("code", kind="stable").reset_index(drop=True)
    return units, _provinces(units)


def read_2025(data_dir: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The units of the 34-province structure with area and population, and their provinces."""
    units = _units_2025(data_dir)
    facts = read_csv_text(data_dir / LIST_2025, _LIST_2025_COLUMNS)
    matched, report = match_2025(units, facts)
    area = facts["dientichkm2"].map(_parse_area).to_numpy()
    count = facts["dansonguoi"].map(_parse_count).to_numpy(dtype=object)
    has = matched >= 0
    idx = matched[has]
    # the list's area is preferred (it is the source the population comes from); the crosswalk
    # value only fills a gap
    list_area = np.full(len(units), np.nan)
    list_area[has] = area[idx]
    units["area_km2"] = np.where(np.isnan(list_area), units["area_km2"], list_area)
    population = np.full(len(units), None, dtype=object)
    population[has] = count[idx]
    units["population"] = pd.array(population, dtype="Int64")

    report["population_missing"] = units.loc[units["population"].isna(), "code"].tolist()
    report["area_missing"] = units.loc[units["area_km2"].isna(), "code"].tolist()
    units = units.sort_values("code", kind="stable").reset_index(drop=True)
    units.attrs["match"] = report
    return units, _provinces(units)


def _units_2025(data_dir: Path) -> pd.DataFrame:
    """One row per distinct ``newWardCode`` of the crosswalk, with the crosswalk's area."""
    cw_path = data_dir / CROSSWALK
    crosswalk = read_csv_text(cw_path, _CROSSWALK_COLUMNS)
    crosswalk = crosswalk[crosswalk["newWardCode"].notna()]
    # the crosswalk has one row per *old* commune; a new unit appears once per predecessor,
    # always with the same attributes, so its first row describes it
    new = crosswalk.drop_duplicates("newWardCode").reset_index(drop=True)
    full = new["newWard"].map(clean_text)
    units = _frame({
        "code": pad_codes(new["newWardCode"], 5, cw_path, "newWardCode"),
        "name": new["newWardShort"].map(clean_text).where(new["newWardShort"].notna(),
                                                          full.map(strip_unit_prefix)),
        "full_name": full,
        "name_en": [None] * len(new),
        "unit_type": types_2025(full, new["newWardType"]),
        "district_code": [None] * len(new),
        "district_name": [None] * len(new),
        "province_code": pad_codes(new["newProvinceCode"], 2, cw_path, "newProvinceCode"),
        "province_name": new["newProvince"].map(clean_text),
        "area_km2": new["newWardAreaKm2"].map(_parse_area),
        "population": [None] * len(new),
    })
    _refuse_duplicate_codes(units, cw_path)
    return units


def types_2025(full_names: pd.Series, given: pd.Series) -> pd.Series:
    """The unit type of each 2025 unit, read from its full name's prefix.

    The crosswalk's ``newWardType`` (and the list's ``loai``) swap the type of two pairs of
    units, against their own full names, the 2025 boundary layer and their predecessors:
    10543 Phường Việt Hòa / 11848 Xã Vĩnh Hòa (Hải Phòng) and 31213 Phường Tân Lộc /
    31299 Xã Phong Điền (Cần Thơ). The prefix is the official name, so it wins; ``newWardType``
    is used only when a name has no known prefix.
    """
    prefix = full_names.map(lambda n: _TYPE_PREFIX.match(n or ""))
    canonical = {fold(t): t for t in ("Xã", "Phường", "Đặc khu")}
    from_name = prefix.map(lambda m: canonical.get(fold(m.group(1))) if m else None)
    return from_name.where(from_name.notna(), given.map(clean_text))


def _refuse_duplicate_codes(units: pd.DataFrame, path: Path) -> None:
    dup = units.loc[units["code"].duplicated(keep=False), "code"]
    if len(dup):
        shown = ", ".join(sorted(set(dup))[:10])
        raise InputError(f"{path}: unit codes occur more than once: {shown}",
                         message_vi=f"{path}: mã đơn vị bị trùng: {shown}")


def _provinces(units: pd.DataFrame) -> dict[str, str]:
    names = units.groupby("province_code", sort=True)["province_name"].first()
    return {code: name for code, name in names.items()}
