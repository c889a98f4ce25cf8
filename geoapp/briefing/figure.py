"""Static briefing figures (PNG, PDF) of coloured units, rendered on the server without a browser.

One layout for every output: an A4 landscape page with the title and subtitle on top, the map on
the left (:mod:`.figure_map`: units, outlines, scale bar, north arrow), the legend with counts and
an optional table on the right (:mod:`.figure_panel`), and a footer with the sources and licence
line and the generation date; demo data carries the demo mark in the header and across the map.
PNG at 150 dpi is for screens, 300 dpi for print; PDF is vector. Page geometry and the text
helpers are in :mod:`.drawing`.

Trip-wires:

* nothing global is touched: a :class:`~matplotlib.figure.Figure` with its own Agg canvas, no
  ``pyplot``, so rendering is safe from several threads. The one exception: a PDF is saved with
  ``rcParams["pdf.fonttype"] = 42`` (TrueType), set and restored under a module lock. With the
  default Type 3 fonts matplotlib puts glyphs past U+00FF (ỉ, ậ, ự, —) in a second font that
  ``pdftotext`` misplaces, so Vietnamese words come out broken;
* every text is plain text (``$`` is literal, see :func:`.drawing.text`); PDF text is embedded
  with a ToUnicode map, so ``pdftotext`` gives the Vietnamese text back.
"""
from __future__ import annotations

import datetime as _dt
import io
import threading
from dataclasses import dataclass

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import locale
from ..errors import InputError
from ..records import DEMO_MARK
from .drawing import (DEMO_RED, FOOTER_TOP, MAP_BOX, MARGIN, PAGE_H, PAGE_W, fit_width, hline, strip, text,
                      width_in, words, wrap)
from .figure_map import draw_map, in_wgs84, projected_crs
from .figure_panel import draw_figures, draw_legend, draw_table, is_nodata_row, legend_entries

__all__ = ["FORMATS", "PAGE_H", "PAGE_W", "FigureSpec", "alt_text", "projected_crs", "render"]

FORMATS = ("png", "pdf")
#: the watermark across the map of demo data (the full mark is in the header)
DEMO_WATERMARK = DEMO_MARK.split(" — ")[0]
_PDF_LOCK = threading.Lock()


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
    figures: list[dict] | None = None   # summary figures: [{"text", "definition"}] (mapview.figures)


def _checked(fmt, dpi) -> tuple[str, int]:
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
    return fmt, dpi


def render(units, spec: FigureSpec, fmt: str = "png", dpi: int = 150) -> bytes:
    """Render ``units`` (GeoDataFrame with ``code`` and geometry) coloured by ``spec``.

    Returns PNG or PDF bytes of an A4 landscape page; a PNG is ``round(11.69·dpi) ×
    round(8.27·dpi)`` pixels (Agg truncates, so ±1).
    """
    fmt, dpi = _checked(fmt, dpi)
    frame = in_wgs84(units)
    crs = projected_crs(frame)
    proj = frame.to_crs(crs)

    fig = Figure(figsize=(PAGE_W, PAGE_H), dpi=dpi, facecolor="white")
    renderer = FigureCanvasAgg(fig).get_renderer()
    _header(fig, renderer, spec)
    ax = fig.add_axes([MAP_BOX[0] / PAGE_W, MAP_BOX[1] / PAGE_H, MAP_BOX[2] / PAGE_W, MAP_BOX[3] / PAGE_H])
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_edgecolor("#b0b0b0")
        s.set_linewidth(0.6)
    missing = draw_map(fig, ax, proj, spec, crs)
    if spec.demo:
        mark = text(ax, 0.5, 0.5, DEMO_WATERMARK, transform=ax.transAxes, ha="center", va="center",
                    fontsize=44, rotation=30, color=DEMO_RED, alpha=0.12, fontweight="bold", zorder=4.5)
        # drawn as pixels, not text: its letters would otherwise land inside the panel's sentences
        # when a reader copies text out of the PDF (the header carries the mark as text)
        mark.set_rasterized(True)
    y = draw_legend(fig, renderer, spec, legend_entries(spec, missing), len(frame))
    if spec.figures:
        y = draw_figures(fig, renderer, spec, y - 0.2)
    if spec.table:
        draw_table(fig, renderer, spec, y - 0.3)
    _footer(fig, renderer, spec)
    return _save(fig, spec, fmt, dpi)


def _save(fig, spec: FigureSpec, fmt: str, dpi: int) -> bytes:
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
        # the footer's words as PNG text chunks too, so a copied image still says its sources
        meta = {"Title": spec.title, "Description": spec.subtitle, "Software": "geoapp", "Copyright": spec.sources,
                **({"Warning": DEMO_MARK} if spec.demo else {})}
        fig.savefig(buf, format=fmt, dpi=dpi, facecolor="white", metadata=meta)
    return buf.getvalue()


def _table_names(spec: FigureSpec) -> list[str]:
    names = []
    for row in spec.table[:5]:
        name = next((row[k] for k in ("Tên", "Name", "name", "full_name") if row.get(k)), None)
        if name is None and row:
            name = next(iter(row.values()))
        names.append(str(name))
    return names


def alt_text(spec: FigureSpec, total_units: int) -> str:
    """An accessible description of the figure, from its title, subtitle and legend counts."""
    w = words(spec.lang)
    parts = [strip(spec.title), strip(spec.subtitle)]
    counted = 0
    classes = []
    for row in spec.legend or []:
        n = int(row.get("units") or 0)
        counted += n
        share = f" ({locale.percent(n / total_units, spec.lang, 0)})" if total_units else ""
        classes.append(f"{strip(row.get('label', ''))}: {w['units_of'].format(n=n, total=total_units)}{share}")
    if total_units > counted and not any(is_nodata_row(r) for r in spec.legend or []):
        classes.append(f"{w['nodata']}: {w['units'].format(n=total_units - counted)}")
    lead = (f"{w['map_of']} {w['units'].format(n=total_units)}"
            + (f" — {strip(spec.legend_title)}" if spec.legend_title else ""))
    parts.append(lead + (": " + "; ".join(classes) if classes else ""))
    if spec.table:
        title = strip(spec.table_title) or w["table"]
        parts.append(f"{title}: {', '.join(_table_names(spec))}" + ("…" if len(spec.table) > 5 else ""))
    if spec.demo:
        parts.append(f"{DEMO_MARK}. {w['demo']}")
    return ". ".join(p.rstrip(". ") for p in parts if p) + "."


def _header(fig, renderer, spec: FigureSpec) -> float:
    """Title and subtitle, and the demo mark in a red box at the top right; return the right edge of the title."""
    inch = fig.dpi_scale_trans
    right = PAGE_W - MARGIN
    if spec.demo:
        mark = text(fig, right, PAGE_H - 0.32, DEMO_MARK, transform=inch, ha="right", va="top", fontsize=11,
                    fontweight="bold", color=DEMO_RED,
                    bbox=dict(boxstyle="square,pad=0.45", facecolor="#fff5f5", edgecolor=DEMO_RED, linewidth=1.6))
        right -= width_in(mark, renderer) + 0.4
    title = text(fig, MARGIN, PAGE_H - 0.28, strip(spec.title), transform=inch, ha="left", va="top",
                 fontsize=17, fontweight="bold", color="#111111")
    fit_width(title, renderer, right - MARGIN, 11)
    wrap(title, renderer, right - MARGIN)
    top = title.get_window_extent(renderer).y0 / fig.dpi
    sub = text(fig, MARGIN, min(PAGE_H - 0.7, top - 0.08), strip(spec.subtitle), transform=inch, ha="left",
               va="top", fontsize=11.5, color="#444444")
    fit_width(sub, renderer, right - MARGIN, 8)
    return right


def _footer(fig, renderer, spec: FigureSpec) -> None:
    """The sources and licence line (wrapped, smaller past three lines) and the generation time."""
    inch = fig.dpi_scale_trans
    w = words(spec.lang)
    fig.add_artist(hline(MARGIN, PAGE_W - MARGIN, FOOTER_TOP, fig, "#999999", 0.6))
    stamp = locale.moment(_dt.datetime.now(_dt.timezone.utc), spec.lang)
    gen = text(fig, PAGE_W - MARGIN, FOOTER_TOP - 0.1, w["generated"].format(t=stamp) + " · geoapp",
               transform=inch, ha="right", va="top", fontsize=7.5, color="#555555")
    avail = PAGE_W - 2 * MARGIN - width_in(gen, renderer) - 0.3
    src = text(fig, MARGIN, FOOTER_TOP - 0.1, strip(spec.sources), transform=inch, ha="left", va="top",
               fontsize=7.5, color="#333333", linespacing=1.3)
    wrap(src, renderer, avail)
    if src.get_text().count("\n") >= 3:
        src.set_fontsize(6.5)
