"""Read commune boundary files into one clean GeoDataFrame in EPSG:4326, or refuse them.

:func:`read_boundaries` reads every layer of every path, resolves its CRS and text encoding,
maps its fields onto geoapp's unit columns, and validates — collecting **every** problem
before deciding. Errors refuse the whole input (:class:`~geoapp.errors.ValidationError`);
repairs and warnings are returned for the import report.

Trip-wires:

* codes are read as text; a code that lost its leading zeros ("3388", or "3388.0" from a
  spreadsheet) is padded and reported, never silently;
* an invalid polygon (bow-tie) is repaired with ``make_valid(method="structure")`` keeping only
  polygonal parts, and reported; an empty result is an error;
* a GeoJSON without a ``crs`` member is WGS 84 by definition, so projected coordinates in one
  are caught by the extent check and answered with CRS candidates;
* a geometry GEOS cannot even build (a ring that does not end where it starts) makes pyogrio
  raise for the whole layer: we read it again with such features as ``None`` and report each one;
* GDAL's messages quote the path it opened (the server's upload folder): messages carry the
  layer's label instead, never a path.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from . import crs as vncrs
from . import textcodec
from .errors import CRSError, EncodingError, InputError, Problem, ValidationError
from .sources import Layer, open_layers, without_paths

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
CODE_WIDTH = {"code": 5, "district_code": 3, "province_code": 2}
_DIGITS = re.compile(r"^\d+(\.0+)?$")
#: what pyogrio/GDAL raise on a file they cannot read (pyogrio's own errors are RuntimeErrors)
_GDAL_ERRORS = (RuntimeError, OSError, ValueError, LookupError, shapely.errors.GEOSException)


@dataclass
class FieldOptions:
    """Field names the user gave (``--code-field`` …); ``None`` means detect."""

    code: str | None = None
    name: str | None = None
    district: str | None = None
    province: str | None = None


@dataclass
class BoundaryRead:
    """The outcome of reading: units in EPSG:4326 plus what was repaired or noticed."""

    units: gpd.GeoDataFrame
    problems: list[Problem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    crs: dict[str, str] = field(default_factory=dict)        # layer label → CRS used
    encodings: dict[str, str] = field(default_factory=dict)  # layer label → encoding used

    @property
    def provinces(self) -> dict[str, str]:
        names = self.units.groupby("province_code")["province_name"].first()
        return {code: names.get(code, "") for code in sorted(self.units["province_code"].unique())}


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


def _read_layer(layer: Layer, encoding: str | None, crs_override: str | None,
                problems: list[Problem]) -> tuple[gpd.GeoDataFrame, str, str]:
    """Read one layer with the right encoding and CRS; return (frame, crs used, encoding used)."""
    chosen = encoding
    # with a .cpg, GDAL itself decodes (it knows "1252", "UTF-8", "65001" …): pass nothing
    detect = layer.kind == "shapefile" and not chosen and not layer.cpg
    info, frame, unbuildable = _read_frame(layer, "latin1" if detect else chosen)
    text_cols = [c for c in frame.columns if c != "geometry" and frame[c].dtype == object or
                 str(frame[c].dtype) in ("str", "string")]
    if detect:
        raw = [v.encode("latin1") for c in text_cols for v in frame[c].dropna() if isinstance(v, str)]
        chosen = textcodec.guess_bytes_encoding(raw)
        for c in text_cols:
            frame[c] = frame[c].map(lambda v: v.encode("latin1").decode(chosen) if isinstance(v, str) else v)
        if any(not b.isascii() for b in raw):
            problems.append(Problem("warning", f"no .cpg file: text read as {chosen} (detected); "
                                    "pass --encoding if names look wrong", layer.label,
                                    f"không có tệp .cpg: đọc văn bản theo {chosen} (tự nhận dạng)"))
    for c in text_cols:
        frame[c] = frame[c].map(lambda v: textcodec.nfc(v).strip() if isinstance(v, str) else v)
    values = [v for c in text_cols for v in frame[c].dropna()]
    verdict = textcodec.diagnose(values)
    if verdict:
        msg, msg_vi = textcodec.advice(*verdict, encoding_used=chosen or layer.cpg or "UTF-8")
        raise EncodingError(f"{layer.label}: {msg}", message_vi=f"{layer.label}: {msg_vi}")

    file_crs = info.get("crs")
    if crs_override:
        try:
            src = vncrs.resolve(crs_override)
        except Exception as exc:  # pyproj.exceptions.CRSError and friends
            raise InputError(f"--crs {crs_override!r} is not a CRS pyproj knows ({exc})") from None
        if file_crs and vncrs.resolve(file_crs) != src:
            problems.append(Problem("warning", f"--crs {crs_override} overrides the file's CRS "
                                    f"{vncrs.describe(vncrs.resolve(file_crs))}", layer.label))
    elif file_crs:
        src = vncrs.resolve(layer.prj or file_crs) if layer.prj else vncrs.resolve(file_crs)
    else:
        raise _no_crs(layer, frame)
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=src) if len(frame) else \
        gpd.GeoDataFrame(frame, geometry="geometry", crs=src)
    frame.attrs["unbuildable"] = unbuildable
    used = chosen or (f"{layer.cpg} (.cpg)" if layer.cpg else "UTF-8")
    return frame, vncrs.describe(src), used


def _read_frame(layer: Layer, encoding: str | None) -> tuple[dict, gpd.GeoDataFrame, dict[int, str]]:
    """Read the layer's info and features; raise :class:`InputError` (no path in it) if GDAL cannot.

    Returns ``(info, frame, unbuildable)``: ``unbuildable`` maps the index of each feature whose
    geometry GEOS refused to build (its geometry is ``None`` in ``frame``) to GEOS's reason.
    """
    path = layer.gdal_path
    try:
        info = pyogrio.read_info(path, encoding=encoding)
        try:
            return info, pyogrio.read_dataframe(path, encoding=encoding), {}
        except shapely.errors.GEOSException:
            frame = pyogrio.read_dataframe(path, encoding=encoding, on_invalid="ignore")
            wkb = pyogrio.raw.read(path, encoding=encoding, columns=[])[2]
            return info, frame, _unbuildable(wkb)
    except _GDAL_ERRORS as exc:
        text = without_paths(str(exc).replace(layer.gdal_path, layer.label))[:300]
        if "not recognized as being in a supported file format" in text:   # GDAL's hint is about drivers
            what = {"geojson": "GeoJSON (a FeatureCollection)", "gpkg": "GeoPackage"}.get(layer.kind, "shapefile")
            raise InputError(f"{layer.label}: not a {what} file that can be read; check the file and its type",
                             message_vi=f"{layer.label}: không phải tệp {what} đọc được; hãy kiểm tra tệp "
                                        "và loại tệp") from None
        raise InputError(f"{layer.label}: cannot be read ({text})",
                         message_vi=f"{layer.label}: không đọc được ({text})") from None


def _unbuildable(wkb) -> dict[int, str]:
    out = {}
    for i, blob in enumerate(wkb if wkb is not None else []):
        if blob is None:
            continue
        try:
            shapely.from_wkb(blob)
        except shapely.errors.GEOSException as exc:
            out[i] = str(exc).split(": ", 1)[-1]
    return out


def _unbuildable_problem(reason: str, where: str) -> Problem:
    if "closed" in reason:
        return Problem("error", f"a ring is not closed ({reason}); every ring must end at its first point",
                       where, "có vòng không khép kín; mỗi vòng phải kết thúc tại điểm đầu")
    return Problem("error", f"the geometry cannot be built ({reason})", where,
                   f"không dựng được hình học ({reason})")


def _coords(frame) -> tuple[np.ndarray, np.ndarray]:
    geoms = frame.geometry.values
    pts = shapely.get_coordinates(np.asarray(geoms[~shapely.is_empty(np.asarray(geoms))], dtype=object))
    if len(pts) > 20000:
        pts = pts[:: len(pts) // 20000]
    return pts[:, 0], pts[:, 1]


def _no_crs(layer: Layer, frame, said: str | None = None) -> CRSError:
    x, y = _coords(frame) if len(frame) else (np.array([0.0]), np.array([0.0]))
    cands = vncrs.candidates(x, y)
    what = "has no .prj" if layer.kind == "shapefile" else "declares no CRS"
    if said:
        what = f"says its CRS is {said}, but its coordinates are not in Vietnam in that CRS"
    hint = ("; pass --crs, likely one of:" if cands else
            "; no usual Vietnamese CRS puts these coordinates in Vietnam — check the file")
    return CRSError(f"{layer.label} {what}{hint}", cands,
                    message_vi=f"{layer.label}: không xác định được hệ tọa độ; hãy dùng --crs "
                               "(ví dụ EPSG:9205 cho VN-2000 / TM-3 103-00, Lai Châu)")


def _clean_geometry(geom, where: str, problems: list[Problem]):
    if geom is None or shapely.is_empty(geom):
        problems.append(Problem("error", "empty or missing geometry", where, "thiếu hình học"))
        return None
    if shapely.get_coordinate_dimension(geom) > 2:
        geom = shapely.force_2d(geom)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        if geom.geom_type == "GeometryCollection":
            polys = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
            if polys:
                geom = shapely.union_all(polys)
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(Problem("error", f"{geom.geom_type} is not a polygon; communes must be areas",
                                    where, f"{geom.geom_type} không phải vùng (polygon)"))
            return None
    if not shapely.is_valid(geom):
        reason = shapely.is_valid_reason(geom)
        fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
        if fixed.geom_type == "GeometryCollection":
            fixed = shapely.union_all([g for g in fixed.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
        if fixed.is_empty or fixed.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(Problem("error", f"invalid geometry ({reason}) that cannot be repaired",
                                    where, f"hình học lỗi ({reason}) không sửa được"))
            return None
        problems.append(Problem("repaired", f"invalid geometry repaired ({reason})", where,
                                f"đã sửa hình học lỗi ({reason})"))
        geom = fixed
    return geom


def read_boundaries(paths, *, crs: str | None = None, encoding: str | None = None,
                    fields: FieldOptions | None = None, progress=None) -> BoundaryRead:
    """Read, normalise and validate boundary files. Raise if anything is an error.

    Parameters
    ----------
    paths : iterable of path
        ``.shp`` / ``.zip`` / ``.gpkg`` / ``.geojson`` files; all are checked together
        (codes must be unique across them).
    crs, encoding : str, optional
        Override the CRS and text encoding of every file.
    fields : FieldOptions, optional
        Field names to use instead of detection.
    progress : callable, optional
        Called with each layer label as it is read.

    Returns
    -------
    BoundaryRead
        ``units`` has geoapp's unit columns (``code``, ``name`` … ``area_km2``) and geometry in
        EPSG:4326, sorted by code.

    Raises
    ------
    ValidationError
        with every problem found, when any is an error.
    CRSError, EncodingError, InputError
        when a file cannot be read at all.
    """
    fields = fields or FieldOptions()
    problems: list[Problem] = []
    frames = []
    result = BoundaryRead(units=gpd.GeoDataFrame())
    for path in paths:
        for layer in open_layers(path):
            if progress:
                progress(layer.label)
            result.sources.append(layer.label)
            frame, crs_used, enc_used = _read_layer(layer, encoding, crs, problems)
            result.crs[layer.label], result.encodings[layer.label] = crs_used, enc_used
            frames.append(_normalise_layer(layer, frame, fields, problems))
    frames = [f for f in frames if f is not None]
    units = pd.concat(frames, ignore_index=True) if frames else None
    if units is None or not len(units):
        problems.append(Problem("error", "no features to import", "", "không có đối tượng nào"))
        units = gpd.GeoDataFrame(columns=["code", "geometry"], geometry="geometry", crs=4326)
    units = gpd.GeoDataFrame(units, geometry="geometry", crs="EPSG:4326")
    _check_duplicates(units, problems)
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise ValidationError(f"refused: {len(errors)} problem(s) found; nothing was imported",
                              problems, message_vi=f"từ chối: {len(errors)} lỗi; chưa nhập gì")
    area = shapely.area(gpd.GeoSeries(units.geometry.values, crs=4326).to_crs(vncrs.EQUAL_AREA).values)
    units["area_km2"] = np.round(area / 1e6, 4)
    result.units = units.sort_values("code").reset_index(drop=True)
    result.problems = problems
    return result


def _normalise_layer(layer: Layer, frame: gpd.GeoDataFrame, fields: FieldOptions,
                     problems: list[Problem]) -> gpd.GeoDataFrame | None:
    columns = [c for c in frame.columns if c != "geometry"]
    mapping, field_problems = map_fields(columns, fields, layer.label)
    problems.extend(field_problems)
    for given, code_col, name_col in (("district_given", "district_code", "district_name"),
                                      ("province_given", "province_code", "province_name")):
        if given in mapping:
            real = mapping.pop(given)
            sample = frame[real].dropna().astype(str).head(50)
            target = code_col if len(sample) and sample.map(lambda v: bool(_DIGITS.match(v.strip()))).all() else name_col
            mapping[target] = real
    missing = [c for c in ("code", "name", "province_code") if c not in mapping]
    if missing:
        flags = {"code": "--code-field", "name": "--name-field", "province_code": "--province-field"}
        problems.append(Problem(
            "error", f"required field(s) not found: {', '.join(missing)}; fields in the file: "
            f"{', '.join(columns)}; name them with " + ", ".join(flags[m] for m in missing), layer.label,
            f"thiếu trường bắt buộc: {', '.join(missing)}; các trường: {', '.join(columns)}"))
        return None
    if not len(frame):
        return None
    out = pd.DataFrame({col: frame[src].to_numpy() for col, src in mapping.items()})
    for col, width in CODE_WIDTH.items():
        if col not in out:
            out[col] = ""
            continue
        values = []
        for i, raw in enumerate(out[col]):
            code, padded = _normalise_code(raw, width)
            where = f"{layer.label} feature {i + 1}"
            if code is None:
                if col == "code" or (raw is not None and str(raw).strip() not in ("", "nan")):
                    problems.append(Problem("error", f"{col} {raw!r} is not a number of at most {width} digits",
                                            where, f"mã {raw!r} không hợp lệ (tối đa {width} chữ số)"))
                code = ""
            elif padded and col == "code":
                problems.append(Problem("warning", f"code {raw!r} padded to {code!r}", where,
                                        f"mã {raw!r} được bổ sung số 0 thành {code!r}"))
            values.append(code)
        out[col] = values
    for col in TEXT_COLUMNS:
        out[col] = out[col].fillna("").astype(str) if col in out else ""
    for i, name in enumerate(out["name"]):
        if not name:
            problems.append(Problem("error", "empty name", f"{layer.label} feature {i + 1} (code {out['code'][i]})",
                                    "tên trống"))
    geoms = frame.geometry.values
    transformer = vncrs.to_wgs84(frame.crs)
    unbuildable = frame.attrs.get("unbuildable", {})
    cleaned = []
    for i, geom in enumerate(geoms):
        where = f"{layer.label} feature {i + 1} (code {out['code'][i]})"
        if i in unbuildable:
            problems.append(_unbuildable_problem(unbuildable[i], where))
            cleaned.append(None)
        else:
            cleaned.append(_clean_geometry(geom, where, problems))
    keep = np.array([g is not None for g in cleaned])
    arr = np.empty(len(cleaned), dtype=object)
    arr[:] = cleaned
    if keep.any():
        arr[keep] = shapely.transform(arr[keep], lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    out["geometry"] = arr
    out = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
    _check_extent(layer, frame, out[keep], problems)
    return out[keep].copy()


def _check_extent(layer, original, units, problems):
    if not len(units):
        return
    bounds = shapely.bounds(units.geometry.values)
    finite = np.isfinite(bounds).all(axis=1)
    lo_x, lo_y, hi_x, hi_y = vncrs.VIETNAM_BOUNDS
    inside = finite & (bounds[:, 0] >= lo_x) & (bounds[:, 2] <= hi_x) & (bounds[:, 1] >= lo_y) & (bounds[:, 3] <= hi_y)
    if inside.all():
        return
    if not inside.any():
        # nothing lands in Vietnam: the CRS is wrong, not the features
        raise _no_crs(layer, original, said=vncrs.describe(original.crs))
    for code, b in zip(units["code"][~inside], bounds[~inside]):
        problems.append(Problem("error", f"outside Vietnam's extent (bounds {np.round(b, 3).tolist()})",
                                f"{layer.label} code {code}", "nằm ngoài phạm vi lãnh thổ Việt Nam"))


def _check_duplicates(units, problems):
    if "code" not in units or not len(units):
        return
    dup = units[units["code"].duplicated(keep=False) & (units["code"] != "")]
    for code, group in dup.groupby("code"):
        names = ", ".join(sorted(set(group["name"].astype(str))))
        problems.append(Problem("error", f"code {code} appears {len(group)} times ({names}); codes must be "
                                "unique — if these are parts of one unit, dissolve them first",
                                f"code {code}", f"mã {code} lặp lại {len(group)} lần ({names})"))
