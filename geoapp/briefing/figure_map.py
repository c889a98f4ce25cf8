"""The map part of a briefing figure: units coloured in a projected CRS, outlines, scale bar, north arrow.

Trip-wires:

* the map is drawn in a projected CRS (UTM 48N/49N by the data's centre longitude, or
  :data:`geoapp.crs.EQUAL_AREA` when the data spans more than one zone), never in degrees, so the
  scale bar measures metres (corrected by the projection's scale factor at the map centre);
* the north arrow is turned by the grid convergence at the map centre: in UTM, grid north is not
  true north away from the central meridian;
* detail finer than half a pixel at 300 dpi is dropped with a *coverage* simplification, so
  shared borders stay shared (no slivers between neighbours).
"""
from __future__ import annotations

import math

import numpy as np
import shapely
from matplotlib import transforms as mtransforms
from matplotlib.collections import PathCollection
from matplotlib.patches import FancyBboxPatch, Polygon, Rectangle
from matplotlib.path import Path
from pyproj import CRS, Proj, Transformer

from ..crs import EQUAL_AREA, WGS84
from ..errors import InputError
from .drawing import MAP_BOX, NODATA_EDGE, NODATA_FILL, NODATA_HATCH, UNIT_EDGE, colour, text, words


def projected_crs(frame) -> CRS:
    """UTM 48N/49N … by the centre longitude of ``frame`` (EPSG:4326), or EQUAL_AREA for wide data."""
    if len(frame) == 0:
        return EQUAL_AREA
    minx, miny, maxx, maxy = frame.total_bounds
    if not np.all(np.isfinite([minx, miny, maxx, maxy])) or maxx - minx > 6:
        return EQUAL_AREA
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    zone = min(60, max(1, int((lon + 180) // 6) + 1))
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def in_wgs84(units):
    """``code`` and geometry of ``units`` (a GeoDataFrame) in EPSG:4326, empty geometries left out."""
    import geopandas as gpd

    if not isinstance(units, gpd.GeoDataFrame):
        raise InputError("units must be a GeoDataFrame")
    if "code" not in units.columns:
        raise InputError("units have no 'code' column")
    frame = units[["code", units.geometry.name]].copy()
    frame["code"] = frame["code"].astype(str)
    if frame.crs is None:
        frame = frame.set_crs(WGS84)
    elif not frame.crs.equals(WGS84):
        frame = frame.to_crs(WGS84)
    return frame[~(frame.geometry.isna() | frame.geometry.is_empty)]


def _paths(geoms) -> list[Path | None]:
    """One compound Path per (multi)polygon: exteriors counter-clockwise, holes clockwise."""
    geoms = np.asarray(geoms, dtype=object)
    out: list[Path | None] = [None] * len(geoms)
    if not len(geoms):
        return out
    geoms = shapely.orient_polygons(geoms)
    parts, part_geom = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    if not len(rings):
        return out
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
    starts = np.r_[0, np.flatnonzero(np.diff(coord_ring)) + 1]
    ends = np.r_[starts[1:], len(coords)] - 1
    codes[starts] = Path.MOVETO
    codes[ends] = Path.CLOSEPOLY
    coord_geom = part_geom[ring_part[coord_ring]]
    bounds = np.searchsorted(coord_geom, np.arange(len(geoms) + 1))
    for i in range(len(geoms)):
        a, b = bounds[i], bounds[i + 1]
        if b > a:
            out[i] = Path(coords[a:b], codes[a:b])
    return out


def _outline_geoms(outlines, crs):
    import geopandas as gpd

    if outlines is None:
        return []
    if isinstance(outlines, (gpd.GeoDataFrame, gpd.GeoSeries)):
        series = outlines.geometry if isinstance(outlines, gpd.GeoDataFrame) else outlines
        if series.crs is None:
            series = series.set_crs(WGS84)
        return list(series.to_crs(crs).values)
    geoms = [g for _, g in outlines] if outlines and isinstance(outlines[0], tuple) else list(outlines)
    return list(gpd.GeoSeries(geoms, crs=WGS84).to_crs(crs).values)


def draw_map(fig, ax, proj, spec, crs: CRS) -> int:
    """Units, outlines, scale bar and north arrow of ``spec`` (a FigureSpec); return the number of
    units without a colour."""
    x0, y0, x1, y1, per_inch = _extent(proj)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    # detail finer than half a pixel at 300 dpi is invisible: drop it (borders stay shared)
    paths = _paths(_simplify(proj.geometry.values, per_inch / 600))
    filled, fills, empty = [], [], []
    for code, path in zip(proj["code"].tolist(), paths):
        if path is None:
            continue
        fill = spec.colours.get(code)
        if fill:
            filled.append(path)
            fills.append(colour(fill))
        else:
            empty.append(path)
    if empty:
        ax.add_collection(PathCollection(empty, facecolors=NODATA_FILL, edgecolors=NODATA_EDGE,
                                         linewidths=0.3, hatch=NODATA_HATCH, zorder=2), autolim=False)
    if filled:
        ax.add_collection(PathCollection(filled, facecolors=fills, edgecolors=UNIT_EDGE, linewidths=0.3,
                                         zorder=3), autolim=False)
    outline_paths = [p for p in _paths(_simplify(_outline_geoms(spec.outlines, crs), per_inch / 600))
                     if p is not None]
    if outline_paths:
        ax.add_collection(PathCollection(outline_paths, facecolors="none", edgecolors="#202020",
                                         linewidths=1.1, zorder=4), autolim=False)
    if len(proj):
        _scale_bar(ax, crs, (x0, y0, x1, y1), per_inch)
        _north_arrow(fig, ax, crs, ((x0 + x1) / 2, (y0 + y1) / 2), words(spec.lang)["north"])
    return len(empty)


def _extent(proj) -> tuple[float, float, float, float, float]:
    """Map limits at one scale on both axes (the box is fixed), and map units per inch."""
    bw, bh = MAP_BOX[2], MAP_BOX[3]
    if len(proj):
        minx, miny, maxx, maxy = (float(v) for v in proj.total_bounds)
    else:
        minx, miny, maxx, maxy = 0.0, 0.0, 1000.0, 1000.0
    # room (inches) kept free around the data: more at the bottom for the scale bar
    pad_l, pad_r, pad_t, pad_b = 0.2, 0.2, 0.2, 0.6
    dw, dh = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    per_inch = max(dw / (bw - pad_l - pad_r), dh / (bh - pad_t - pad_b))
    cx = (minx + maxx) / 2 + (pad_l - pad_r) / 2 * per_inch
    cy = (miny + maxy) / 2 - (pad_t - pad_b) / 2 * per_inch
    return (cx - bw / 2 * per_inch, cy - bh / 2 * per_inch, cx + bw / 2 * per_inch, cy + bh / 2 * per_inch,
            per_inch)


def _simplify(geoms, tolerance: float):
    """Coverage-aware simplification (shared borders stay shared); plain simplify if that fails."""
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms) or not tolerance > 0:
        return geoms
    try:
        return shapely.coverage_simplify(geoms, tolerance)
    except (shapely.errors.GEOSException, ValueError, TypeError, AttributeError):
        return shapely.simplify(geoms, tolerance, preserve_topology=True)


def _nice(target: float) -> tuple[float, int]:
    """The largest 1, 2 or 5 × 10ⁿ not above ``target``, and its leading digit."""
    exp = math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * 10 ** exp <= target:
            return m * 10 ** exp, m
    return 10 ** exp, 1


def _scale_factor(crs: CRS, x: float, y: float) -> float:
    """Grid distance per ground metre along a parallel at projected point (x, y)."""
    try:
        lon, lat = Transformer.from_crs(crs, WGS84, always_xy=True).transform(x, y)
        k = Proj(crs).get_factors(lon, lat).parallel_scale
        return float(k) if np.isfinite(k) and 0.5 < k < 2 else 1.0
    except Exception:   # noqa: BLE001 - a cosmetic correction, never worth failing a figure
        return 1.0


def _scale_bar(ax, crs, box, per_inch):
    x0, y0, x1, y1 = box
    k = _scale_factor(crs, (x0 + x1) / 2, (y0 + y1) / 2)
    ground_width = (x1 - x0) / k
    length, lead = _nice(ground_width * 0.22)
    segs = 4 if lead == 2 else 5
    bar_x, bar_y = x0 + 0.3 * per_inch, y0 + 0.22 * per_inch
    bar_h = 0.07 * per_inch
    grid_len = length * k
    step = grid_len / segs
    unit, div = ("km", 1000.0) if length >= 1000 else ("m", 1.0)
    ax.add_patch(FancyBboxPatch((bar_x - 0.12 * per_inch, bar_y - 0.1 * per_inch),
                                grid_len + 0.55 * per_inch, bar_h + 0.38 * per_inch,
                                boxstyle=f"round,pad=0,rounding_size={0.05 * per_inch}",
                                facecolor="white", edgecolor="none", alpha=0.85, zorder=5))
    for i in range(segs):
        ax.add_patch(Rectangle((bar_x + i * step, bar_y), step, bar_h, facecolor="black" if i % 2 == 0 else "white",
                               edgecolor="black", linewidth=0.6, zorder=6))
    labels = {0: "0", segs: f"{length / div:g} {unit}"}
    if segs == 4:
        labels[2] = f"{length / 2 / div:g}"
    else:
        labels[1] = f"{length / segs / div:g}"
    for i, s in labels.items():
        text(ax, bar_x + i * step, bar_y + bar_h + 0.05 * per_inch, s, ha="center", va="bottom", fontsize=8,
             zorder=7)


def _north_arrow(fig, ax, crs, centre, letter):
    """An arrow pointing to true north at the map centre (grid convergence applied)."""
    try:
        to_geo = Transformer.from_crs(crs, WGS84, always_xy=True)
        to_map = Transformer.from_crs(WGS84, crs, always_xy=True)
        lon, lat = to_geo.transform(*centre)
        nx, ny = to_map.transform(lon, lat + 0.05)
        angle = math.atan2(nx - centre[0], ny - centre[1])   # clockwise from grid north
    except Exception:   # noqa: BLE001
        angle = 0.0
    anchor = mtransforms.ScaledTranslation(1 - 0.45 / MAP_BOX[2], 1 - 0.85 / MAP_BOX[3], ax.transAxes)
    trans = fig.dpi_scale_trans + anchor
    w, h = 0.12, 0.42
    rot = np.array([[math.cos(angle), math.sin(angle)], [-math.sin(angle), math.cos(angle)]])

    def turn(pts):
        return np.asarray(pts) @ rot.T

    ax.add_patch(FancyBboxPatch((-0.24, -0.12), 0.48, 0.82, boxstyle="round,pad=0,rounding_size=0.06",
                                transform=trans, facecolor="white", edgecolor="none", alpha=0.85, zorder=5))
    ax.add_patch(Polygon(turn([(0, h), (-w, 0), (0, 0.12)]), closed=True, transform=trans,
                         facecolor="black", edgecolor="black", linewidth=0.6, zorder=6))
    ax.add_patch(Polygon(turn([(0, h), (0, 0.12), (w, 0)]), closed=True, transform=trans,
                         facecolor="white", edgecolor="black", linewidth=0.6, zorder=6))
    tx, ty = turn([(0, h + 0.05)])[0]
    text(ax, tx, ty, letter, transform=trans, ha="center", va="bottom", fontsize=12, fontweight="bold", zorder=7)
