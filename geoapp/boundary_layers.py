"""Read one layer of a boundary file with the right text encoding and CRS, or refuse it.

:func:`read_layer` returns the layer's features as read (in their own CRS), the CRS and the
encoding it used; :func:`crs_error` is the refusal when no CRS puts the layer in Vietnam, with
the usual Vietnamese CRSs that would.

Trip-wires:

* a shapefile without ``.cpg`` is read as latin-1 and re-decoded with the detected encoding
  (reported as a warning when any text is not ASCII); with a ``.cpg`` GDAL decodes itself, so
  nothing is passed to it;
* text that still looks mis-decoded (mojibake) refuses the layer with advice
  (:class:`~geoapp.errors.EncodingError`) rather than importing garbled names;
* a GeoJSON without a ``crs`` member is WGS 84 by definition, so projected coordinates in one
  are caught later by the extent check (:mod:`geoapp.boundary_geometry`), not here;
* a geometry GEOS cannot even build (a ring that does not end where it starts) makes pyogrio
  raise for the whole layer: it is read again with such features as ``None``, and their
  reasons travel in ``frame.attrs["unbuildable"]``;
* GDAL's messages quote the path it opened (the server's upload folder): messages carry the
  layer's label instead, never a path.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from . import crs as vncrs
from . import textcodec
from .errors import CRSError, EncodingError, InputError, Problem
from .sources import Layer, without_paths

#: what pyogrio/GDAL raise on a file they cannot read (pyogrio's own errors are RuntimeErrors)
_GDAL_ERRORS = (RuntimeError, OSError, ValueError, LookupError, shapely.errors.GEOSException)


def read_layer(layer: Layer, encoding: str | None, crs_override: str | None,
               problems: list[Problem]) -> tuple[gpd.GeoDataFrame, str, str]:
    """Read one layer with the right encoding and CRS; return (frame, crs used, encoding used)."""
    chosen = encoding
    # with a .cpg, GDAL itself decodes (it knows "1252", "UTF-8", "65001" …): pass nothing
    detect = layer.kind == "shapefile" and not chosen and not layer.cpg
    info, frame, unbuildable = _read_frame(layer, "latin1" if detect else chosen)
    chosen = _decode_text(layer, frame, chosen, detect, problems)
    src = _source_crs(layer, info.get("crs"), frame, crs_override, problems)
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=src)
    frame.attrs["unbuildable"] = unbuildable
    used = chosen or (f"{layer.cpg} (.cpg)" if layer.cpg else "UTF-8")
    return frame, vncrs.describe(src), used


def _decode_text(layer: Layer, frame, chosen: str | None, detect: bool, problems: list[Problem]) -> str | None:
    """Fix the text columns in place (detected encoding, NFC, stripped); refuse mojibake.

    Returns the encoding chosen (the detected one when ``detect``).
    """
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
    return chosen


def _source_crs(layer: Layer, file_crs, frame, crs_override: str | None, problems: list[Problem]):
    """The CRS the layer's coordinates are in: ``--crs``, else the ``.prj`` or the file's own."""
    if crs_override:
        try:
            src = vncrs.resolve(crs_override)
        except Exception as exc:  # noqa: BLE001 - pyproj.exceptions.CRSError and friends
            raise InputError(f"--crs {crs_override!r} is not a CRS pyproj knows ({exc})") from None
        if file_crs and vncrs.resolve(file_crs) != src:
            problems.append(Problem("warning", f"--crs {crs_override} overrides the file's CRS "
                                    f"{vncrs.describe(vncrs.resolve(file_crs))}", layer.label))
        return src
    if file_crs:
        return vncrs.resolve(layer.prj or file_crs) if layer.prj else vncrs.resolve(file_crs)
    raise crs_error(layer, frame)


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


def _coords(frame) -> tuple[np.ndarray, np.ndarray]:
    geoms = frame.geometry.values
    pts = shapely.get_coordinates(np.asarray(geoms[~shapely.is_empty(np.asarray(geoms))], dtype=object))
    if len(pts) > 20000:
        pts = pts[:: len(pts) // 20000]
    return pts[:, 0], pts[:, 1]


def crs_error(layer: Layer, frame, said: str | None = None) -> CRSError:
    """The refusal of a layer whose CRS is missing (or, with ``said``, wrong), with candidate CRSs."""
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
