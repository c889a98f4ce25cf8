"""Read the official lists of commune-level units, before and after the 1 July 2025 reform.

:func:`read_unit_list` turns one edition's list into a DataFrame with the unit columns of
:data:`geoapp.store.base.UNIT_COLUMNS` (minus ``in_list`` / ``has_geometry``, which only the
importer can know) plus a ``{province_code: province_name}`` dict.

Sources, under ``<data_dir>``:

* ``pre2025`` — ``units/xa_truoc2025_gso_2025-06-30.csv``, the GSO list of the 63-province
  structure (10,035 xã / phường / thị trấn) with GSO commune, district and province codes.
* ``2025`` — the units of the 34-province structure (3,321 xã / phường / đặc khu). Their codes
  come from the crosswalk ``crosswalk/xa_truoc2025_sang_2025.csv`` (``newWardCode``), because
  the list ``units/xa_2025_sapnhap.csv`` only carries the map site's own ids (``ma``,
  ``maxa``). Area and population are taken from that list by matching province and unit
  *names*; see :func:`read_unit_list` for how and for the statistics.

This module is the public face (what callers import); the work is below it:
:mod:`geoapp.unitlist_read` (file paths, columns, one reader per edition),
:mod:`geoapp.unitlist_match` (joining the 2025 list by names) and :mod:`geoapp.csvtext`
(CSV as text, clean cells, padded codes — shared with the crosswalk reader).

Trip-wires:

* every CSV is read with ``dtype=str`` and only empty cells count as missing, so codes keep
  their leading zeros and text such as "NA" or "None" never becomes a missing value;
* ``xa_2025_sapnhap.csv`` holds 560 non-NFC strings, curly apostrophes ("Cư M’gar" against
  the crosswalk's "Cư M'gar"), an odd capital ("tỉnh Ninh BÌnh") and names that differ only by
  a tone mark inside one province ("Tân Thành" / "Tân Thạnh"): matching on fully folded names
  alone would pair the wrong units, so exact (NFC, case-folded) names are matched first and
  the diacritic-free :func:`fold` is only a fallback that must be unambiguous on both sides;
* the list's ``loai`` and the crosswalk's ``newWardType`` swap xã/phường for four units, so
  the 2025 type is read from the full name and a last matching stage ignores the type;
* population is written "102136", sometimes "30,509" (thousands separator) and 66 times
  "đang cập nhật" ("being updated"), which becomes a missing value, never 0.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .csvtext import clean_text, pad_codes, read_csv_text
from .editions import EDITIONS
from .errors import NotFoundError
from .unitlist_read import (
    CODE_WIDTH,
    CROSSWALK,
    LIST_2025,
    LIST_COLUMNS,
    MISSING_POLYGONS,
    PRE2025_LIST,
    read_2025,
    read_pre2025,
    strip_unit_prefix,
)

__all__ = ["CODE_WIDTH", "CROSSWALK", "LIST_2025", "LIST_COLUMNS", "MISSING_POLYGONS", "PRE2025_LIST",
           "missing_polygons", "read_unit_list"]

_MISSING_COLUMNS = ("ma_xa", "ten_xa", "loai", "ma_tinh")


# -- public API --------------------------------------------------------------------------------
def read_unit_list(edition: str, data_dir: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read the official list of commune-level units of one edition.

    Parameters
    ----------
    edition : {"pre2025", "2025"}
        ``pre2025``: the GSO list of the 63-province structure (10,035 units);
        ``2025``: the units after the 1 July 2025 reform (3,321 units, 34 provinces).
    data_dir : pathlib.Path
        The reference data folder (``shared/data``) holding ``units/`` and ``crosswalk/``.

    Returns
    -------
    units : pandas.DataFrame
        One row per unit, sorted by code, with the columns :data:`LIST_COLUMNS`. Codes
        (``code`` 5, ``district_code`` 3, ``province_code`` 2 characters) are zero-padded
        strings; ``name`` is the name without its type prefix ("Phúc Xá"), ``full_name`` the
        name with it ("Phường Phúc Xá"); ``area_km2`` is float (NaN when unknown) and
        ``population`` nullable ``Int64`` (NA when unknown). ``pre2025`` has no area or
        population; ``2025`` has no district. For ``2025``, ``units.attrs["match"]`` reports
        how the population/area list was joined (see Notes).
    provinces : dict of str to str
        ``{province_code: province_name}`` of the edition, sorted by code.

    Raises
    ------
    NotFoundError
        ``edition`` is not one of :data:`EDITIONS`.
    InputError
        A source file is missing, is not UTF-8 CSV, lacks an expected column, or holds a
        code that is not a number of the expected width.

    Notes
    -----
    ``pre2025``: ``unit_type`` is the list's ``Cấp`` column as published. In three rows GSO's
    ``Cấp`` ("Xã") disagrees with the name's prefix: 15061 "Thị trấn Ngọc Lặc", 27046
    "Phường 5", 27076 "Phường 15"; they are kept as published (the crosswalk repeats them).
    Numbered wards get ``name`` "5", "15" … once the prefix is removed, and only one prefix
    is removed: 19780 "Phường Phường Đúc" (Huế) is named "Phường Đúc".

    ``2025``: one row per distinct ``newWardCode`` of the crosswalk, with ``newWardShort``,
    ``newWard``, ``newProvinceCode`` and ``newProvince``; ``unit_type`` is the prefix of
    ``newWard`` because ``newWardType`` swaps four units' types (see :func:`geoapp.unitlist_read.types_2025`).
    ``population`` (``dansonguoi``) and ``area_km2`` (``dientichkm2``) come from
    ``units/xa_2025_sapnhap.csv``, matched by province (folded name without "Thủ đô" /
    "Thành phố" / "tỉnh") and then by unit type plus name: first on the exact NFC, case-folded
    name with apostrophes unified, then, for what is left, on the :func:`fold` key, and last on
    the name alone (type ignored); every stage only pairs keys that are unique on both sides.
    With the data of 2025-07 all 3,321 units match, one to one: 3,309 exactly (7 of them only
    because curly apostrophes are unified, e.g. "Cư M’gar" / "Cư M'gar"), 8 on the folded key
    (all tone placement "Hoà" / "Hòa", e.g. 07330 Phúc Hòa) and 4 on the name alone (the
    swapped types above); no unit is unmatched. As a check, the list's area equals the
    crosswalk's ``newWardAreaKm2`` for every unit that has both.

    Values stay missing where the source has none: population of 66 units ("đang cập nhật",
    so 98.0 % of units have one) and the area of 2 units (Quảng Trị: 19159 xã Đông Trạch,
    19147 xã Thượng Trạch), which the crosswalk lacks too; a missing list area would otherwise
    fall back to ``newWardAreaKm2``. Source anomalies kept as published: Tây Ninh's xã Tân
    Thành / Tân Thạnh carry exactly the area and population of Đồng Tháp's namesakes
    (64.8 km², 30,611; 70.8 km², 35,806); the crosswalk codes xã Ba Chẽ (Quảng Ninh) 06970
    while the 2025 boundary layer codes it 06978; and the boundary layer already calls ten
    Đồng Nai units "Phường" that this list, dated July 2025, has as "Xã" (e.g. 25270 Lộc Ninh).

    ``units.attrs["match"]`` holds the count per stage (``exact``, ``folded``,
    ``exact_other_type``, ``folded_other_type``), ``unmatched`` (codes),
    ``unmatched_list_rows`` (list rows no unit took), ``population_missing`` and
    ``area_missing`` (codes).

    Examples
    --------
    >>> units, provinces = read_unit_list("2025", Path("shared/data"))  # doctest: +SKIP
    >>> units.set_index("code").loc["03388", "full_name"]               # doctest: +SKIP
    'Phường Đoàn Kết'
    """
    data_dir = Path(data_dir)
    if edition == "pre2025":
        return read_pre2025(data_dir)
    if edition == "2025":
        return read_2025(data_dir)
    raise NotFoundError(f"unknown edition {edition!r}; editions: {', '.join(EDITIONS)}",
                        message_vi=f"không có phiên bản {edition!r}; các phiên bản: "
                                   f"{', '.join(EDITIONS)}")


def missing_polygons(data_dir: Path) -> pd.DataFrame:
    """List the pre-reform communes of the four-province layer that have no polygon.

    Parameters
    ----------
    data_dir : pathlib.Path
        The reference data folder (``shared/data``).

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (5-character string), ``name`` (without type prefix), ``full_name``,
        ``unit_type`` and ``province_code`` (2-character string), one row per commune of
        ``boundaries/pre2025/xa_4tinh_truoc2025_thieu_hinh.csv`` (16 rows).

    Raises
    ------
    InputError
        The file is missing or lacks an expected column.

    Notes
    -----
    Only 12 of the 16 are in the GSO list of 2025-06-30 (:func:`read_unit_list` ``"pre2025"``).
    The other four — 25102 Xã Đạ M'ri, 25174 Xã Mỹ Lâm, 25177 Xã Tư Nghĩa, 25186 Xã Phù Mỹ
    (Lâm Đồng, district 682) — are no longer in that list nor in the crosswalk: they were
    merged away before the reform, so they have no polygon because they no longer exist.
    """
    path = Path(data_dir) / MISSING_POLYGONS
    raw = read_csv_text(path, _MISSING_COLUMNS)
    full = raw["ten_xa"].map(clean_text)
    return pd.DataFrame({
        "code": pad_codes(raw["ma_xa"], 5, path, "ma_xa"),
        "name": full.map(strip_unit_prefix).astype(object),
        "full_name": full.astype(object),
        "unit_type": raw["loai"].map(clean_text).astype(object),
        "province_code": pad_codes(raw["ma_tinh"], 2, path, "ma_tinh"),
    })
