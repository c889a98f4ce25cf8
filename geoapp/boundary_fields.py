"""Map a boundary layer's fields onto geoapp's unit columns and normalise their values.

:func:`map_fields` finds which file field holds which unit column (the user's
``--code-field`` … first, then :data:`FIELD_ALIASES`); :func:`unit_attributes` builds the
unit columns of one layer — codes zero-padded, text as text, names required — and records every
problem it finds instead of stopping at the first. Geometry is not handled here
(:mod:`geoapp.boundary_geometry`).

Trip-wires:

* codes are read as text; a code that lost its leading zeros ("3388", or "3388.0" from a
  spreadsheet) is padded and reported as a warning, never silently;
* ``--district-field`` / ``--province-field`` may name a field of codes *or* of names: the
  first 50 values decide (all digits → code column, else name column);
* field names are compared case- and underscore-insensitively ("MA_XA" is "maxa"), but an
  exact match wins, and one file field is never mapped to two unit columns.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from .csvtext import CODE_WIDTH
from .errors import Problem

#: unit column → field names seen in the wild (compared case- and underscore-insensitively)
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("MaXa", "ma_xa", "maxa", "code", "ma", "ma_dvhc", "wardcode", "xa_id"),
    "name": ("TenXa", "ten_xa", "tenxa", "name", "ten", "ward", "ten_dvhc"),
    "full_name": ("TenDayDu", "ten_day_du", "fullname", "full_name"),
    "name_en": ("TenTA", "ten_ta", "nameen", "name_en"),
    "unit_type": ("LoaiDV", "loai", "loai_dv", "unit_type", "type", "cap"),
    "district_code": ("MaHuyen", "ma_huyen", "district_code", "districtcode"),
    "district_name": ("TenHuyen", "ten_huyen", "huyen", "district", "district_name"),
    "province_code": ("MaTinh", "ma_tinh", "province_code", "provincecode"),
    "province_name": ("TenTinh", "ten_tinh", "tinh", "province", "province_name"),
}
TEXT_COLUMNS = ("name", "full_name", "name_en", "unit_type", "district_name", "province_name")
_DIGITS = re.compile(r"^\d+(\.0+)?$")
_REQUIRED_FLAGS = {"code": "--code-field", "name": "--name-field", "province_code": "--province-field"}


@dataclass
class FieldOptions:
    """Field names the user gave (``--code-field`` …); ``None`` means detect."""

    code: str | None = None
    name: str | None = None
    district: str | None = None
    province: str | None = None


def _key(name: str) -> str:
    return name.lower().replace("_", "").replace(" ", "")


def map_fields(columns: list[str], opts: FieldOptions, label: str) -> tuple[dict[str, str], list[Problem]]:
    """Return {unit column: file field}, and problems for fields the user named but are absent."""
    problems: list[Problem] = []
    by_key = {_key(c): c for c in columns}
    mapping: dict[str, str] = {}
    given = {"code": opts.code, "name": opts.name}
    for col, wanted in given.items():
        if wanted:
            if wanted in columns or _key(wanted) in by_key:
                mapping[col] = wanted if wanted in columns else by_key[_key(wanted)]
            else:
                problems.append(Problem("error", f"field {wanted!r} (--{col}-field) is not in the file; "
                                        f"fields: {', '.join(columns)}", label,
                                        f"không có trường {wanted!r}; các trường: {', '.join(columns)}"))
    for role, wanted in (("district", opts.district), ("province", opts.province)):
        if not wanted:
            continue
        real = wanted if wanted in columns else by_key.get(_key(wanted))
        if real is None:
            problems.append(Problem("error", f"field {wanted!r} (--{role}-field) is not in the file; "
                                    f"fields: {', '.join(columns)}", label,
                                    f"không có trường {wanted!r}; các trường: {', '.join(columns)}"))
        else:
            mapping[f"{role}_given"] = real
    for col, aliases in FIELD_ALIASES.items():
        if col in mapping:
            continue
        for alias in aliases:
            if _key(alias) in by_key and by_key[_key(alias)] not in mapping.values():
                mapping[col] = by_key[_key(alias)]
                break
    return mapping, problems


def unit_attributes(frame: gpd.GeoDataFrame, fields: FieldOptions, label: str,
                    problems: list[Problem]) -> pd.DataFrame | None:
    """The unit columns of one layer (no geometry), one row per feature, problems appended.

    ``None`` when the layer lacks a required field (an error is recorded) or has no features.
    """
    columns = [c for c in frame.columns if c != "geometry"]
    mapping, field_problems = map_fields(columns, fields, label)
    problems.extend(field_problems)
    _place_given_roles(mapping, frame)
    missing = [c for c in ("code", "name", "province_code") if c not in mapping]
    if missing:
        problems.append(Problem(
            "error", f"required field(s) not found: {', '.join(missing)}; fields in the file: "
            f"{', '.join(columns)}; name them with " + ", ".join(_REQUIRED_FLAGS[m] for m in missing), label,
            f"thiếu trường bắt buộc: {', '.join(missing)}; các trường: {', '.join(columns)}"))
        return None
    if not len(frame):
        return None
    out = pd.DataFrame({col: frame[src].to_numpy() for col, src in mapping.items()})
    for col, width in CODE_WIDTH.items():
        out[col] = _codes(out[col], col, width, label, problems) if col in out else ""
    for col in TEXT_COLUMNS:
        out[col] = out[col].fillna("").astype(str) if col in out else ""
    for i, name in enumerate(out["name"]):
        if not name:
            problems.append(Problem("error", "empty name", f"{label} feature {i + 1} (code {out['code'][i]})",
                                    "tên trống"))
    return out


def _place_given_roles(mapping: dict[str, str], frame: gpd.GeoDataFrame) -> None:
    """Turn ``district_given`` / ``province_given`` into the code or the name column, by the values."""
    for given, code_col, name_col in (("district_given", "district_code", "district_name"),
                                      ("province_given", "province_code", "province_name")):
        if given in mapping:
            real = mapping.pop(given)
            sample = frame[real].dropna().astype(str).head(50)
            target = code_col if len(sample) and sample.map(lambda v: bool(_DIGITS.match(v.strip()))).all() else name_col
            mapping[target] = real


def _codes(raw_values: pd.Series, col: str, width: int, label: str, problems: list[Problem]) -> list[str]:
    """Zero-padded codes of one column; a bad code is an error and becomes ""."""
    values = []
    for i, raw in enumerate(raw_values):
        code, padded = _normalise_code(raw, width)
        where = f"{label} feature {i + 1}"
        if code is None:
            if col == "code" or (raw is not None and str(raw).strip() not in ("", "nan")):
                problems.append(Problem("error", f"{col} {raw!r} is not a number of at most {width} digits",
                                        where, f"mã {raw!r} không hợp lệ (tối đa {width} chữ số)"))
            code = ""
        elif padded and col == "code":
            problems.append(Problem("warning", f"code {raw!r} padded to {code!r}", where,
                                    f"mã {raw!r} được bổ sung số 0 thành {code!r}"))
        values.append(code)
    return values


def _normalise_code(value, width: int) -> tuple[str | None, bool]:
    """Return (code, was_padded) or (None, False) when the value is not a code."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None, False
    text = str(value).strip()
    if not _DIGITS.match(text):
        return None, False
    digits = str(int(float(text))) if "." in text else text
    if len(digits) > width:
        return None, False
    return digits.zfill(width), digits.zfill(width) != text
