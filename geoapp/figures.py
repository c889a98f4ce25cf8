"""Static briefing figures (PNG, PDF) rendered on the server, without a browser.

One layout for every output: an A4 landscape page (11.69 × 8.27 in) with the title and subtitle
on top, the map on the left (~70 %), the legend (with counts) and an optional table of communes on
the right, and a footer with the source and licence line and the generation date. PNG at 150 dpi
is for screens, 300 dpi for print; PDF is vector.

Trip-wires:

* nothing global is touched: a :class:`~matplotlib.figure.Figure` with its own Agg canvas, no
  ``pyplot``, so rendering is safe from several threads. The one exception: a PDF is saved with
  ``rcParams["pdf.fonttype"] = 42`` (TrueType), set and restored under a module lock. With the
  default Type 3 fonts matplotlib puts glyphs past U+00FF (ỉ, ậ, ự, —) in a second font that
  ``pdftotext`` misplaces, so Vietnamese words come out broken;
* every text is drawn with ``parse_math=False`` and ``usetex=False``: a ``$`` in a name is a
  dollar sign, not the start of mathtext;
* the map is drawn in a projected CRS (UTM 48N/49N by the data's centre longitude, or
  :data:`geoapp.crs.EQUAL_AREA` when the data spans more than one zone), never in degrees, so the
  scale bar measures metres; the north arrow is turned by the grid convergence at the map centre;
* the font is DejaVu Sans (ships with matplotlib and has every Vietnamese glyph); PDF text is
  embedded with a ToUnicode map, so ``pdftotext`` gives the Vietnamese text back.
"""
from __future__ import annotations

import datetime as _dt
import io
import math
import textwrap
import threading
from dataclasses import dataclass

import matplotlib
import numpy as np
import shapely
from matplotlib import colors as mcolors
from matplotlib import transforms as mtransforms
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Polygon, Rectangle
from matplotlib.path import Path
from pyproj import CRS, Proj, Transformer

from .crs import EQUAL_AREA, WGS84
from .errors import InputError

#: A4 landscape, inches
PAGE_W, PAGE_H = 11.69, 8.27
FONT = "DejaVu Sans"
DEMO_MARK = "DỮ LIỆU MINH HỌA — demo data"
DEMO_RED = "#c62828"
#: fill, edge and hatch of units that have no colour
NODATA_FILL = "#f0f0f0"
NODATA_EDGE = "#a0a0a0"
NODATA_HATCH = "////"
UNIT_EDGE = "#5a5a5a"
FORMATS = ("png", "pdf")
_PDF_LOCK = threading.Lock()

# page layout, inches from the bottom-left corner
_MARGIN = 0.35
_MAP_BOX = (_MARGIN, 0.78, 0.67 * PAGE_W - 0.15 - _MARGIN, PAGE_H - 1.15 - 0.78)   # x, y, w, h
_PANEL_X0 = 0.67 * PAGE_W + 0.05
_PANEL_X1 = PAGE_W - _MARGIN
_PANEL_TOP = PAGE_H - 1.15
_FOOTER_TOP = 0.62

_WORDS = {
    "vi": {"north": "B", "nodata": "Không có số liệu", "total": "Tổng: {n} đơn vị hành chính cấp xã",
           "generated": "Tạo lúc {t}", "more": "… và {n} dòng nữa", "units_of": "{n}/{total} xã",
           "units": "{n} xã", "map_of": "Bản đồ", "demo": "Dữ liệu minh họa, không phải số liệu thật.",
           "table": "Bảng", "date": "%d/%m/%Y %H:%M"},
    "en": {"north": "N", "nodata": "No data", "total": "Total: {n} communes",
           "generated": "Generated {t}", "more": "… and {n} more rows", "units_of": "{n} of {total} communes",
           "units": "{n} communes", "map_of": "Map", "demo": "Demo data, not real figures.",
           "table": "Table", "date": "%Y-%m-%d %H:%M"},
}


@dataclass
class FigureSpec:
    """What a figure shows besides the geometry. Texts are plain text (``$`` is literal)."""

    title: str                 # e.g. "Tỉnh Lai Châu — An ninh, trật tự (ANTT)"
    subtitle: str              # e.g. "Tính đến 01/03/2024 · phiên bản trước 1/7/2025"
    colours: dict[str, str]    # unit code -> fill colour (#rrggbb); codes absent -> no-data grey
    legend: list[dict]         # [{"label": str, "colour": "#rrggbb", "units": int}], in order
    legend_title: str
    sources: str               # source and licence line
    demo: bool = False
    table: list[dict] | None = None   # optional rows of a "top communes" table
    table_title: str = ""
    lang: str = "vi"
    outlines: object = None    # optional GeoDataFrame / GeoSeries (or [(code, geometry)] in EPSG:4326)


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------
def render(units, spec: FigureSpec, fmt: str = "png", dpi: int = 150) -> bytes:
    """Render ``units`` (GeoDataFrame with ``code`` and geometry) coloured by ``spec``.

    Returns PNG or PDF bytes of an A4 landscape page; a PNG is ``round(11.69·dpi) ×
    round(8.27·dpi)`` pixels (Agg truncates, so ±1).
    """
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        raise InputError(f"unknown figure format {fmt!r}; use png or pdf",
                         message_vi=f"định dạng hình không hợp lệ {fmt!r}; dùng png hoặc pdf")
    try:
        dpi = int(dpi)
    except (TypeError, ValueError):
        raise InputError(f"dpi must be a number, not {dpi!r}") from None
    if not 50 <= dpi <= 600:
        raise InputError(f"dpi {dpi} out of range (50–600)", message_vi=f"dpi {dpi} ngoài khoảng 50–600")
    words = _WORDS.get(spec.lang, _WORDS["vi"])

    frame = _in_wgs84(units)
    crs = projected_crs(frame)
    proj = frame.to_crs(crs)

    fig = Figure(figsize=(PAGE_W, PAGE_H), dpi=dpi, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()

    _header(fig, renderer, spec)
    ax = fig.add_axes([_MAP_BOX[0] / PAGE_W, _MAP_BOX[1] / PAGE_H, _MAP_BOX[2] / PAGE_W, _MAP_BOX[3] / PAGE_H])
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_edgecolor("#b0b0b0")
        s.set_linewidth(0.6)
    missing = _draw_map(fig, ax, proj, spec, crs)
    if spec.demo:
        _text(ax, 0.5, 0.5, "DỮ LIỆU MINH HỌA", transform=ax.transAxes, ha="center", va="center",
              fontsize=44, rotation=30, color=DEMO_RED, alpha=0.12, fontweight="bold", zorder=4.5)
    entries = _legend_entries(spec, missing)
    y = _draw_legend(fig, renderer, spec, entries, len(frame), words)
    if spec.table:
        _draw_table(fig, renderer, spec, y - 0.3, words)
    _footer(fig, renderer, spec, words)

    buf = io.BytesIO()
    if fmt == "pdf":
        meta = {"Title": spec.title, "Subject": spec.subtitle, "Creator": "geoapp"}
        with _PDF_LOCK:
            old = matplotlib.rcParams["pdf.fonttype"]
            matplotlib.rcParams["pdf.fonttype"] = 42
            try:
                fig.savefig(buf, format=fmt, dpi=dpi, facecolor="white", metadata=meta)
            finally:
                matplotlib.rcParams["pdf.fonttype"] = old
    else:
        meta = {"Title": spec.title, "Description": spec.subtitle, "Software": "geoapp"}
        fig.savefig(buf, format=fmt, dpi=dpi, facecolor="white", metadata=meta)
    return buf.getvalue()


def alt_text(spec: FigureSpec, total_units: int) -> str:
    """An accessible description of the figure, from its title, subtitle and legend counts."""
    words = _WORDS.get(spec.lang, _WORDS["vi"])
    parts = [_strip(spec.title), _strip(spec.subtitle)]
    counted = 0
    classes = []
    for row in spec.legend or []:
        n = int(row.get("units") or 0)
        counted += n
        share = f" ({100 * n / total_units:.0f} %)" if total_units else ""
        classes.append(f"{_strip(row.get('label', ''))}: {words['units_of'].format(n=n, total=total_units)}{share}")
    if total_units > counted and not any(_is_nodata_row(r) for r in spec.legend or []):
        classes.append(f"{words['nodata']}: {words['units'].format(n=total_units - counted)}")
    lead = (f"{words['map_of']} {words['units'].format(n=total_units)}"
            + (f" — {_strip(spec.legend_title)}" if spec.legend_title else ""))
    parts.append(lead + (": " + "; ".join(classes) if classes else ""))
    if spec.table:
        names = []
        for row in spec.table[:5]:
            name = next((row[k] for k in ("Tên", "Name", "name", "full_name") if row.get(k)), None)
            if name is None and row:
                name = next(iter(row.values()))
            names.append(str(name))
        title = _strip(spec.table_title) or words["table"]
        parts.append(f"{title}: {', '.join(names)}" + ("…" if len(spec.table) > 5 else ""))
    if spec.demo:
        parts.append(f"{DEMO_MARK}. {words['demo']}")
    return ". ".join(p.rstrip(". ") for p in parts if p) + "."


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


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def _text(where, x, y, s, **kw):
    """A Text with mathtext and TeX off, in DejaVu Sans."""
    kw.setdefault("fontfamily", FONT)
    return where.text(x, y, "" if s is None else str(s), parse_math=False, usetex=False, **kw)


def _strip(s) -> str:
    return " ".join(str(s or "").split())


def _in_wgs84(units):
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


def _colour(c: str) -> tuple:
    try:
        return mcolors.to_rgba(c)
    except (ValueError, TypeError):
        raise InputError(f"not a colour: {c!r}", message_vi=f"màu không hợp lệ: {c!r}") from None


def _draw_map(fig, ax, proj, spec: FigureSpec, crs: CRS) -> int:
    """Units, outlines, scale bar and north arrow; return the number of units without a colour."""
    x0, y0, x1, y1, per_inch = _extent(proj)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    # detail finer than half a pixel at 300 dpi is invisible: drop it (borders stay shared)
    paths = _paths(_simplify(proj.geometry.values, per_inch / 600))
    codes = proj["code"].tolist()
    filled, fills, empty = [], [], []
    for code, path in zip(codes, paths):
        if path is None:
            continue
        colour = spec.colours.get(code)
        if colour:
            filled.append(path)
            fills.append(_colour(colour))
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
        _scale_bar(ax, crs, (x0, y0, x1, y1), per_inch, spec.lang)
        _north_arrow(fig, ax, crs, ((x0 + x1) / 2, (y0 + y1) / 2), _WORDS.get(spec.lang, _WORDS["vi"])["north"])
    return len(empty)


def _extent(proj) -> tuple[float, float, float, float, float]:
    """Map limits at one scale on both axes (the box is fixed), and map units per inch."""
    bw, bh = _MAP_BOX[2], _MAP_BOX[3]
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


def _scale_bar(ax, crs, box, per_inch, lang):
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
        _text(ax, bar_x + i * step, bar_y + bar_h + 0.05 * per_inch, s, ha="center", va="bottom", fontsize=8,
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
    anchor = mtransforms.ScaledTranslation(1 - 0.45 / _MAP_BOX[2], 1 - 0.85 / _MAP_BOX[3], ax.transAxes)
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
    _text(ax, tx, ty, letter, transform=trans, ha="center", va="bottom", fontsize=12, fontweight="bold", zorder=7)


def _width_in(t, renderer) -> float:
    return t.get_window_extent(renderer).width / t.figure.dpi


def _fit_width(t, renderer, max_in: float, min_size: float = 7.0) -> None:
    """Shrink a Text's font until it is at most ``max_in`` inches wide."""
    while _width_in(t, renderer) > max_in and t.get_fontsize() > min_size:
        t.set_fontsize(t.get_fontsize() - 0.5)


def _wrap(t, renderer, max_in: float) -> None:
    """Break a Text's string into lines no wider than ``max_in`` inches."""
    s = t.get_text()
    if _width_in(t, renderer) <= max_in:
        return
    chars = max(8, int(len(s) * max_in / _width_in(t, renderer)))
    while chars > 8:
        t.set_text("\n".join(textwrap.wrap(s, chars, break_long_words=True)))
        if _width_in(t, renderer) <= max_in:
            return
        chars -= 2


def _header(fig, renderer, spec: FigureSpec) -> float:
    inch = fig.dpi_scale_trans
    right = PAGE_W - _MARGIN
    if spec.demo:
        mark = _text(fig, right, PAGE_H - 0.32, DEMO_MARK, transform=inch, ha="right", va="top", fontsize=11,
                     fontweight="bold", color=DEMO_RED,
                     bbox=dict(boxstyle="square,pad=0.45", facecolor="#fff5f5", edgecolor=DEMO_RED, linewidth=1.6))
        right -= _width_in(mark, renderer) + 0.4
    title = _text(fig, _MARGIN, PAGE_H - 0.28, _strip(spec.title), transform=inch, ha="left", va="top",
                  fontsize=17, fontweight="bold", color="#111111")
    _fit_width(title, renderer, right - _MARGIN, 11)
    _wrap(title, renderer, right - _MARGIN)
    top = title.get_window_extent(renderer).y0 / fig.dpi
    sub = _text(fig, _MARGIN, min(PAGE_H - 0.7, top - 0.08), _strip(spec.subtitle), transform=inch, ha="left",
                va="top", fontsize=11.5, color="#444444")
    _fit_width(sub, renderer, right - _MARGIN, 8)
    return right


def _is_nodata_row(row: dict) -> bool:
    return row.get("class") == -1 or ("status" in row and not row.get("status")) or bool(row.get("nodata"))


def _legend_entries(spec: FigureSpec, missing: int) -> list[dict]:
    rows = [dict(r) for r in spec.legend or []]
    words = _WORDS.get(spec.lang, _WORDS["vi"])
    nodata = [r for r in rows if _is_nodata_row(r)]
    for r in nodata:
        r["hatch"] = missing > 0
    if missing and not nodata:
        rows.append({"label": words["nodata"], "colour": NODATA_FILL, "units": missing, "hatch": True})
    return rows


def _draw_legend(fig, renderer, spec, entries, total, words) -> float:
    """Draw the legend in the right panel; return the y (inches) below it."""
    inch = fig.dpi_scale_trans
    width = _PANEL_X1 - _PANEL_X0
    y = _PANEL_TOP
    if spec.legend_title:
        t = _text(fig, _PANEL_X0, y, _strip(spec.legend_title), transform=inch, ha="left", va="top",
                  fontsize=11, fontweight="bold")
        _wrap(t, renderer, width)
        y = t.get_window_extent(renderer).y0 / fig.dpi - 0.14
    sw, sh = 0.34, 0.2
    count_w = 0.5
    label_w = width - sw - 0.12 - count_w
    fontsize = 9.5 if len(entries) <= 10 else 8
    for row in entries:
        label = _text(fig, _PANEL_X0 + sw + 0.12, y, _strip(row.get("label", "")), transform=inch, ha="left",
                      va="top", fontsize=fontsize)
        _wrap(label, renderer, label_w)
        lines = label.get_text().count("\n") + 1
        row_h = max(sh, label.get_window_extent(renderer).height / fig.dpi)
        # centre a one-line label on its swatch
        if lines == 1:
            label.set_y(y - (sh - label.get_window_extent(renderer).height / fig.dpi) / 2)
        hatch = row.get("hatch")
        fig.add_artist(Rectangle((_PANEL_X0, y - sh), sw, sh, transform=inch,
                                 facecolor=NODATA_FILL if hatch else _colour(row.get("colour") or NODATA_FILL),
                                 edgecolor=NODATA_EDGE if hatch else "#555555", linewidth=0.6,
                                 hatch=NODATA_HATCH if hatch else None))
        _text(fig, _PANEL_X1, y - sh / 2, f"{int(row.get('units') or 0):,}".replace(",", "."), transform=inch,
              ha="right", va="center", fontsize=fontsize, fontweight="bold")
        y -= row_h + 0.1
    fig.add_artist(_hline(_PANEL_X0, _PANEL_X1, y + 0.02, fig))
    t = _text(fig, _PANEL_X0, y - 0.05, words["total"].format(n=f"{total:,}".replace(",", ".")), transform=inch,
              ha="left", va="top", fontsize=fontsize, color="#333333")
    return t.get_window_extent(renderer).y0 / fig.dpi


def _hline(x0, x1, y, fig, colour="#888888", lw=0.6):
    from matplotlib.lines import Line2D

    return Line2D([x0, x1], [y, y], transform=fig.dpi_scale_trans, color=colour, linewidth=lw)


def _cell(v) -> tuple[str, bool]:
    """Text of a table cell and whether it is numeric (right-aligned)."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "", False
    if isinstance(v, bool):
        return ("✓" if v else ""), False
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}".replace(",", "."), True
    if isinstance(v, (float, np.floating)):
        a = abs(float(v))
        if a == 0:
            return "0", True
        if a >= 100:
            return f"{v:,.0f}".replace(",", "."), True
        if a >= 1:
            return f"{v:.2f}", True
        if a >= 0.001:
            return f"{v:.3f}", True
        return ("<0.001" if v > 0 else f"{v:.1e}"), True
    return _strip(v), False


def _draw_table(fig, renderer, spec, top, words) -> None:
    inch = fig.dpi_scale_trans
    width = _PANEL_X1 - _PANEL_X0
    y = top
    if spec.table_title:
        t = _text(fig, _PANEL_X0, y, _strip(spec.table_title), transform=inch, ha="left", va="top",
                  fontsize=10.5, fontweight="bold")
        _wrap(t, renderer, width)
        y = t.get_window_extent(renderer).y0 / fig.dpi - 0.1
    rows = list(spec.table)
    columns: list[str] = []
    for r in rows:
        columns += [c for c in r if c not in columns]
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    numeric = [all(cells[i][j][1] or not cells[i][j][0] for i in range(len(rows))) and
               any(cells[i][j][1] for i in range(len(rows))) for j in range(len(columns))]

    fontsize = 8.0
    gap = 0.09
    while True:
        widths = []
        for j, c in enumerate(columns):
            probe = [str(c)] + [cells[i][j][0] for i in range(len(rows))]
            longest = max(probe, key=len)
            t = _text(fig, 0, 0, longest, transform=inch, fontsize=fontsize, fontweight="bold")
            widths.append(_width_in(t, renderer) + 0.02)
            t.remove()
        total = sum(widths) + gap * (len(columns) - 1)
        if total <= width or fontsize <= 7.0:
            break
        fontsize -= 0.5
    if total > width:   # shorten the widest text column
        j = max((j for j in range(len(columns)) if not numeric[j]), key=lambda j: widths[j], default=None)
        if j is not None:
            keep = max(4, int(len(max([cells[i][j][0] for i in range(len(rows))], key=len))
                              * (widths[j] - (total - width)) / widths[j]) - 1)
            for i in range(len(rows)):
                s = cells[i][j][0]
                if len(s) > keep:
                    cells[i][j] = (s[:keep - 1].rstrip() + "…", False)
            widths[j] -= total - width
    xs = [_PANEL_X0]
    for w in widths[:-1]:
        xs.append(xs[-1] + w + gap)

    line_h = fontsize / 72 * 1.45
    bottom = _FOOTER_TOP + 0.12
    for j, c in enumerate(columns):
        x = xs[j] + widths[j] if numeric[j] else xs[j]
        _text(fig, x, y, str(c), transform=inch, ha="right" if numeric[j] else "left", va="top",
              fontsize=fontsize, fontweight="bold")
    y -= line_h
    fig.add_artist(_hline(_PANEL_X0, _PANEL_X1, y + 0.03, fig, "#444444", 0.7))
    y -= 0.03
    shown = 0
    for i, row in enumerate(cells):
        if y - line_h < bottom + (line_h if i < len(cells) - 1 else 0):
            break
        if i % 2 == 1:
            fig.add_artist(Rectangle((_PANEL_X0 - 0.03, y - line_h + 0.01), width + 0.06, line_h,
                                     transform=inch, facecolor="#f2f2f2", edgecolor="none", zorder=0))
        for j, (s, _num) in enumerate(row):
            x = xs[j] + widths[j] if numeric[j] else xs[j]
            _text(fig, x, y - 0.02, s, transform=inch, ha="right" if numeric[j] else "left", va="top",
                  fontsize=fontsize)
        y -= line_h
        shown += 1
    if shown < len(cells):
        _text(fig, _PANEL_X0, y - 0.02, words["more"].format(n=len(cells) - shown), transform=inch, ha="left",
              va="top", fontsize=fontsize, color="#555555", style="italic")


def _footer(fig, renderer, spec, words) -> None:
    inch = fig.dpi_scale_trans
    fig.add_artist(_hline(_MARGIN, PAGE_W - _MARGIN, _FOOTER_TOP, fig, "#999999", 0.6))
    stamp = _dt.datetime.now().astimezone().strftime(words["date"])
    gen = _text(fig, PAGE_W - _MARGIN, _FOOTER_TOP - 0.1, words["generated"].format(t=stamp) + " · geoapp",
                transform=inch, ha="right", va="top", fontsize=7.5, color="#555555")
    avail = PAGE_W - 2 * _MARGIN - _width_in(gen, renderer) - 0.3
    src = _text(fig, _MARGIN, _FOOTER_TOP - 0.1, _strip(spec.sources), transform=inch, ha="left", va="top",
                fontsize=7.5, color="#333333", linespacing=1.3)
    _wrap(src, renderer, avail)
    if src.get_text().count("\n") >= 3:
        src.set_fontsize(6.5)
