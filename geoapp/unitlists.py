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

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from .editions import EDITIONS
from .errors import InputError, NotFoundError
from .names import APOSTROPHES, fold

#: columns returned by :func:`read_unit_list`, in this order
LIST_COLUMNS = ("code", "name", "full_name", "name_en", "unit_type", "district_code",
                "district_name", "province_code", "province_name", "area_km2", "population")
CODE_WIDTH = {"code": 5, "district_code": 3, "province_code": 2}

PRE2025_LIST = Path("units") / "xa_truoc2025_gso_2025-06-30.csv"
LIST_2025 = Path("units") / "xa_2025_sapnhap.csv"
CROSSWALK = Path("crosswalk") / "xa_truoc2025_sang_2025.csv"
MISSING_POLYGONS = Path("boundaries") / "pre2025" / "xa_4tinh_truoc2025_thieu_hinh.csv"

_PRE2025_COLUMNS = ("Mã", "Tên", "Tên Tiếng Anh", "Cấp", "Mã QH", "Quận Huyện", "Mã TP",
                    "Tỉnh / Thành Phố")
_CROSSWALK_COLUMNS = ("newWardCode", "newWard", "newWardShort", "newWardType",
                      "newProvinceCode", "newProvince", "newWardAreaKm2")
_LIST_2025_COLUMNS = ("tentinh", "loai", "tenhc", "dientichkm2", "dansonguoi")
_MISSING_COLUMNS = ("ma_xa", "ten_xa", "loai", "ma_tinh")

_UNIT_PREFIX = re.compile(r"^\s*(xã|phường|thị trấn)\s+", re.IGNORECASE)
_TYPE_PREFIX = re.compile(r"^\s*(xã|phường|đặc khu)\s+", re.IGNORECASE)
_PROVINCE_PREFIX = re.compile(r"^(thu do|thanh pho|tinh)\s+")
# every apostrophe-like sign seen in ethnic-minority names (M'gar, M’Drắk, Đạ M'ri …)
_DIGITS = re.compile(r"^\d+(\.0+)?$")
_INT = re.compile(r"^\d+$")
_GROUPED_INT = re.compile(r"^\d{1,3}([.,]\d{3})+$")
_DECIMAL = re.compile(r"^\d+(\.\d+)?$")


# -- text helpers ------------------------------------------------------------------------------
def _clean(text) -> str | None:
    """NFC, one space between words, no surrounding blanks; missing stays ``None``."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return None
    out = re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(text))).strip()
    return out or None


def _exact_key(text) -> str:
    """Case-folded NFC text with unified apostrophes: distinguishes "Tân Thành" from "Tân Thạnh"."""
    return (_clean(text) or "").lower().translate(APOSTROPHES)


def _province_key(name) -> str:
    """Folded province name without its title: "Thủ đô Hà Nội", "Thành phố Hà Nội" → "ha noi"."""
    return _PROVINCE_PREFIX.sub("", fold(name or ""))


def _strip_unit_prefix(full_name: str | None) -> str | None:
    """ "Phường Phúc Xá" → "Phúc Xá"; a name that is only a prefix is left whole."""
    if full_name is None:
        return None
    bare = _UNIT_PREFIX.sub("", full_name).strip()
    return bare or full_name


# -- file helpers ------------------------------------------------------------------------------
def _read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """Read a UTF-8 CSV as text only, or raise :class:`InputError` naming what is wrong."""
    if not path.is_file():
        raise InputError(f"{path}: file not found; the unit lists are expected under the data "
                         "folder (see shared/data/README.md)",
                         message_vi=f"{path}: không tìm thấy tệp danh mục đơn vị hành chính")
    try:
        # keep_default_na=False: only an empty cell is missing ("NA", "None" could be names)
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False,
                            na_values=[""])
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc})",
                         message_vi=f"{path}: không phải văn bản UTF-8 ({exc})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: cannot be read as CSV ({exc})",
                         message_vi=f"{path}: không đọc được dạng CSV ({exc})") from None
    # utf-8-sig removes a leading BOM, but files glued together can carry one mid-header
    frame.columns = [unicodedata.normalize("NFC", str(c).replace("\ufeff", "")).strip()
                     for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; "
                         f"columns found: {', '.join(frame.columns)}",
                         message_vi=f"{path}: thiếu cột {', '.join(missing)}; "
                                    f"các cột có: {', '.join(frame.columns)}")
    return frame


def _pad_codes(values: pd.Series, width: int, path: Path, column: str) -> pd.Series:
    """Zero-pad code text ("3388", "3388.0" → "03388"); refuse anything that is not a code."""
    def pad(value):
        text = "" if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) \
            else str(value).strip()
        if not _DIGITS.match(text):
            return None
        core = text.split(".")[0].lstrip("0") or "0"
        return core.zfill(width) if len(core) <= width else None
    out = values.map(pad)
    bad = values[out.isna()]
    if len(bad):
        shown = ", ".join(repr(v) for v in bad.head(5))
        raise InputError(f"{path}: column {column!r} has {len(bad)} value(s) that are not "
                         f"{width}-digit codes, e.g. {shown}",
                         message_vi=f"{path}: cột {column!r} có {len(bad)} giá trị không phải mã "
                                    f"{width} chữ số, ví dụ {shown}")
    return out.astype(object)


def _parse_count(value) -> int | None:
    """A head count: "102136", "30,509" or "8.718.000" → int; "đang cập nhật" → ``None``."""
    text = (_clean(value) or "").replace(" ", "")
    if _INT.match(text):
        return int(text)
    if _GROUPED_INT.match(text):
        # a person count has no fractional part, so "." or "," followed by 3 digits is grouping
        return int(re.sub(r"[.,]", "", text))
    return None


def _parse_area(value) -> float:
    """Area in km² as the commune list writes it ("28.69", point as decimal mark) → float."""
    text = (_clean(value) or "").replace(" ", "")
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
    ``newWard`` because ``newWardType`` swaps four units' types (see ``_types_2025``).
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
        return _read_pre2025(data_dir)
    if edition == "2025":
        return _read_2025(data_dir)
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
    raw = _read_csv(path, _MISSING_COLUMNS)
    full = raw["ten_xa"].map(_clean)
    return pd.DataFrame({
        "code": _pad_codes(raw["ma_xa"], 5, path, "ma_xa"),
        "name": full.map(_strip_unit_prefix).astype(object),
        "full_name": full.astype(object),
        "unit_type": raw["loai"].map(_clean).astype(object),
        "province_code": _pad_codes(raw["ma_tinh"], 2, path, "ma_tinh"),
    })


# -- editions ----------------------------------------------------------------------------------
def _read_pre2025(data_dir: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    path = data_dir / PRE2025_LIST
    raw = _read_csv(path, _PRE2025_COLUMNS)
    full = raw["Tên"].map(_clean)
    units = _frame({
        "code": _pad_codes(raw["Mã"], 5, path, "Mã"),
        "name": full.map(_strip_unit_prefix),
        "full_name": full,
        "name_en": raw["Tên Tiếng Anh"].map(_clean),
        "unit_type": raw["Cấp"].map(_clean),
        "district_code": _pad_codes(raw["Mã QH"], 3, path, "Mã QH"),
        "district_name": raw["Quận Huyện"].map(_clean),
        "province_code": _pad_codes(raw["Mã TP"], 2, path, "Mã TP"),
        "province_name": raw["Tỉnh / Thành Phố"].map(_clean),
        "area_km2": np.nan,
        "population": [None] * len(raw),
    })
    _refuse_duplicate_codes(units, path)
    units = units.sort_values("code", kind="stable").reset_index(drop=True)
    return units, _provinces(units)


def _read_2025(data_dir: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    cw_path = data_dir / CROSSWALK
    crosswalk = _read_csv(cw_path, _CROSSWALK_COLUMNS)
    crosswalk = crosswalk[crosswalk["newWardCode"].notna()]
    # the crosswalk has one row per *old* commune; a new unit appears once per predecessor,
    # always with the same attributes, so its first row describes it
    new = crosswalk.drop_duplicates("newWardCode").reset_index(drop=True)
    full = new["newWard"].map(_clean)
    units = _frame({
        "code": _pad_codes(new["newWardCode"], 5, cw_path, "newWardCode"),
        "name": new["newWardShort"].map(_clean).where(new["newWardShort"].notna(),
                                                      full.map(_strip_unit_prefix)),
        "full_name": full,
        "name_en": [None] * len(new),
        "unit_type": _types_2025(full, new["newWardType"]),
        "district_code": [None] * len(new),
        "district_name": [None] * len(new),
        "province_code": _pad_codes(new["newProvinceCode"], 2, cw_path, "newProvinceCode"),
        "province_name": new["newProvince"].map(_clean),
        "area_km2": new["newWardAreaKm2"].map(_parse_area),
        "population": [None] * len(new),
    })
    _refuse_duplicate_codes(units, cw_path)

    list_path = data_dir / LIST_2025
    facts = _read_csv(list_path, _LIST_2025_COLUMNS)
    matched, report = _match_2025(units, facts)
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


def _types_2025(full_names: pd.Series, given: pd.Series) -> pd.Series:
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
    return from_name.where(from_name.notna(), given.map(_clean))


def _match_2025(units: pd.DataFrame, facts: pd.DataFrame) -> tuple[np.ndarray, dict]:
    """For each unit, the row of ``facts`` describing it (-1 when none); plus statistics.

    Province first (names differ only in title and case: "Thủ đô Hà Nội" / "Thành phố Hà Nội",
    "tỉnh Ninh BÌnh"), then type + name inside the province, exact key before folded key.
    """
    u_prov = units["province_name"].map(_province_key).to_numpy()
    f_prov = facts["tentinh"].map(_province_key).to_numpy()
    u_type = units["unit_type"].map(fold).to_numpy()
    f_type = facts["loai"].map(fold).to_numpy()
    u_exact = units["name"].map(_exact_key).to_numpy()
    f_exact = facts["tenhc"].map(_exact_key).to_numpy()
    u_fold = units["name"].map(fold).to_numpy()
    f_fold = facts["tenhc"].map(fold).to_numpy()

    matched = np.full(len(units), -1)
    taken = np.zeros(len(facts), dtype=bool)
    # the type is part of the key first (it separates e.g. xã and phường of one name); the last
    # two stages drop it, because the list's ``loai`` is wrong for four units (:func:`_types_2025`)
    none_u, none_f = [""] * len(units), [""] * len(facts)
    stages = (("exact", u_type, f_type, u_exact, f_exact), ("folded", u_type, f_type, u_fold, f_fold),
              ("exact_other_type", none_u, none_f, u_exact, f_exact),
              ("folded_other_type", none_u, none_f, u_fold, f_fold))
    stats = {name: 0 for name, *_ in stages}
    for stage, u_t, f_t, u_name, f_name in stages:
        u_key = pd.Series([f"{p}|{t}|{n}" for p, t, n in zip(u_prov, u_t, u_name)])
        f_key = pd.Series([f"{p}|{t}|{n}" for p, t, n in zip(f_prov, f_t, f_name)])
        u_open = u_key[matched < 0]
        f_open = f_key[~taken]
        # a key shared by two open units (or two open rows) is ambiguous: leave it unmatched
        # rather than guess, so a homonym can never receive its neighbour's population
        u_once = u_open[~u_open.duplicated(keep=False)]
        f_once = f_open[~f_open.duplicated(keep=False)]
        lookup = pd.Series(f_once.index, index=f_once.to_numpy())
        for i, key in u_once.items():
            j = lookup.get(key)
            if j is not None:
                matched[i] = j
                taken[j] = True
                stats[stage] += 1
    report = {
        "units": len(units),
        "list_rows": len(facts),
        **stats,
        "unmatched": units.loc[matched < 0, "code"].tolist(),
        "unmatched_list_rows": [f"{facts.at[j, 'tentinh']}: {facts.at[j, 'loai']} {facts.at[j, 'tenhc']}"
                                for j in np.flatnonzero(~taken)],
    }
    return matched, report


def _refuse_duplicate_codes(units: pd.DataFrame, path: Path) -> None:
    dup = units.loc[units["code"].duplicated(keep=False), "code"]
    if len(dup):
        shown = ", ".join(sorted(set(dup))[:10])
        raise InputError(f"{path}: unit codes occur more than once: {shown}",
                         message_vi=f"{path}: mã đơn vị bị trùng: {shown}")


def _provinces(units: pd.DataFrame) -> dict[str, str]:
    names = units.groupby("province_code", sort=True)["province_name"].first()
    return {code: name for code, name in names.items()}
