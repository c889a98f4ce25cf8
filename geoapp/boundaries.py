"""Read commune boundary files into one clean GeoDataFrame in EPSG:4326, or refuse them.

:func:`read_boundaries` reads every layer of every path, resolves its CRS and text encoding,
maps its fields onto geoapp's unit columns, and validates — collecting **every** problem
before deciding. Errors refuse the whole input (:class:`~geoapp.errors.ValidationError`);
repairs and warnings are returned for the import report.

This module runs the steps and decides; each step has its own module:
:mod:`geoapp.boundary_layers` (one layer read with the right encoding and CRS),
:mod:`geoapp.boundary_fields` (fields → unit columns, codes padded, names required) and
:mod:`geoapp.boundary_geometry` (valid polygons in EPSG:4326, inside Vietnam).
``FieldOptions`` and ``map_fields`` are re-exported here, where callers import them.

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
  layer's label instead, never a path;
* codes must be unique across *all* paths read together, not only within one file; the area
  (``area_km2``) is computed in an equal-area CRS after validation, never taken from the file.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from . import crs as vncrs
from .boundary_fields import (
    CODE_WIDTH,
    FIELD_ALIASES,
    TEXT_COLUMNS,
    FieldOptions,
    map_fields,
    unit_attributes,
)
from .boundary_geometry import check_extent, wgs84_geometries
from .boundary_layers import read_layer
from .errors import Problem, ValidationError
from .progress import as_reporter
from .sources import Layer, open_layers

__all__ = [
    "CODE_WIDTH",
    "FIELD_ALIASES",
    "TEXT_COLUMNS",
    "BoundaryRead",
    "FieldOptions",
    "map_fields",
    "read_boundaries",
]


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
    progress : Reporter or callable, optional
        A bar over the files read (:func:`geoapp.progress.as_reporter`).

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
    paths = list(paths)
    # the bar's last step is the last file *and* the checks and areas of all (a second or two)
    with as_reporter(progress).task("reading", len(paths), "files") as step:
        for i, path in enumerate(paths):
            for layer in open_layers(path):
                result.sources.append(layer.label)
                frame, crs_used, enc_used = read_layer(layer, encoding, crs, problems)
                result.crs[layer.label], result.encodings[layer.label] = crs_used, enc_used
                frames.append(_normalise_layer(layer, frame, fields, problems))
            step.update(1 if i < len(paths) - 1 else 0)
        units = _checked_units(frames, problems)
        step.update(1 if paths else 0)
    result.units = units.sort_values("code").reset_index(drop=True)
    result.problems = problems
    return result


def _checked_units(frames, problems: list[Problem]) -> gpd.GeoDataFrame:
    """All layers' units in one frame with their areas; raise when any problem is an error."""
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
    units["area_km2"] = areas_km2(units.geometry.values)
    return units


def areas_km2(geoms_wgs84) -> np.ndarray:
    """Areas in km² (4 decimals) in the equal-area CRS: one vectorised transform (the same numbers as
    ``GeoSeries.to_crs``, a second less on the whole country's 7 M vertices)."""
    to_metres = Transformer.from_crs(vncrs.WGS84, vncrs.EQUAL_AREA, always_xy=True)
    geoms = np.asarray(geoms_wgs84, dtype=object)
    metres = shapely.transform(geoms, lambda xy: np.column_stack(to_metres.transform(xy[:, 0], xy[:, 1])))
    return np.round(shapely.area(metres) / 1e6, 4)


def _normalise_layer(layer: Layer, frame: gpd.GeoDataFrame, fields: FieldOptions,
                     problems: list[Problem]) -> gpd.GeoDataFrame | None:
    """One layer's units with unit columns and EPSG:4326 geometry; refused features left out."""
    out = unit_attributes(frame, fields, layer.label, problems)
    if out is None:
        return None
    geometries, keep = wgs84_geometries(layer.label, frame, out["code"], problems)
    out["geometry"] = geometries
    out = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
    check_extent(layer, frame, out[keep], problems)
    return out[keep].copy()


def _check_duplicates(units, problems):
    if "code" not in units or not len(units):
        return
    dup = units[units["code"].duplicated(keep=False) & (units["code"] != "")]
    for code, group in dup.groupby("code"):
        names = ", ".join(sorted(set(group["name"].astype(str))))
        problems.append(Problem("error", f"code {code} appears {len(group)} times ({names}); codes must be "
                                "unique — if these are parts of one unit, dissolve them first",
                                f"code {code}", f"mã {code} lặp lại {len(group)} lần ({names})"))
