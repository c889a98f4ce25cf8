"""The page geometry of a briefing figure and the text helpers every part of it draws with.

An A4 landscape page (11.69 × 8.27 in): title and subtitle on top, the map box on the left
(~70 %), the right panel (legend, hot-spot table) and the footer; every position is in inches
from the bottom-left corner (``fig.dpi_scale_trans``).

Trip-wires:

* every text goes through :func:`text`: ``parse_math=False`` and ``usetex=False``, so a ``$`` in a
  name is a dollar sign, not the start of mathtext; the font is DejaVu Sans (ships with
  matplotlib and has every Vietnamese glyph);
* widths are measured with the figure's renderer (:func:`width_in`), so wrap and fit only after
  the text is on the figure.
"""
from __future__ import annotations

import textwrap

from matplotlib import colors as mcolors
from matplotlib.lines import Line2D

from ..errors import InputError

#: A4 landscape, inches
PAGE_W, PAGE_H = 11.69, 8.27
FONT = "DejaVu Sans"
DEMO_RED = "#c62828"
#: fill, edge and hatch of units that have no colour
NODATA_FILL = "#f0f0f0"
NODATA_EDGE = "#a0a0a0"
NODATA_HATCH = "////"
UNIT_EDGE = "#5a5a5a"

# page layout, inches from the bottom-left corner
MARGIN = 0.35
MAP_BOX = (MARGIN, 0.78, 0.67 * PAGE_W - 0.15 - MARGIN, PAGE_H - 1.15 - 0.78)   # x, y, w, h
PANEL_X0 = 0.67 * PAGE_W + 0.05
PANEL_X1 = PAGE_W - MARGIN
PANEL_TOP = PAGE_H - 1.15
FOOTER_TOP = 0.62

WORDS = {
    "vi": {"north": "B", "nodata": "Không có số liệu", "total": "Tổng: {n} đơn vị hành chính cấp xã",
           "generated": "Tạo lúc {t}", "more": "… và {n} dòng nữa", "units_of": "{n}/{total} xã",
           "units": "{n} xã", "map_of": "Bản đồ", "demo": "Dữ liệu minh họa, không phải số liệu thật.",
           "table": "Bảng", "date": "%d/%m/%Y %H:%M"},
    "en": {"north": "N", "nodata": "No data", "total": "Total: {n} communes",
           "generated": "Generated {t}", "more": "… and {n} more rows", "units_of": "{n} of {total} communes",
           "units": "{n} communes", "map_of": "Map", "demo": "Demo data, not real figures.",
           "table": "Table", "date": "%Y-%m-%d %H:%M"},
}


def words(lang: str) -> dict:
    """The page's fixed words in ``lang`` (Vietnamese for anything else)."""
    return WORDS.get(lang, WORDS["vi"])


def text(where, x, y, s, **kw):
    """A Text with mathtext and TeX off, in DejaVu Sans."""
    kw.setdefault("fontfamily", FONT)
    return where.text(x, y, "" if s is None else str(s), parse_math=False, usetex=False, **kw)


def strip(s) -> str:
    """``s`` on one line, runs of whitespace as one space."""
    return " ".join(str(s or "").split())


def width_in(t, renderer) -> float:
    return t.get_window_extent(renderer).width / t.figure.dpi


def bottom_in(t, renderer) -> float:
    """The bottom edge of a Text, inches from the bottom of the page."""
    return t.get_window_extent(renderer).y0 / t.figure.dpi


def fit_width(t, renderer, max_in: float, min_size: float = 7.0) -> None:
    """Shrink a Text's font until it is at most ``max_in`` inches wide."""
    while width_in(t, renderer) > max_in and t.get_fontsize() > min_size:
        t.set_fontsize(t.get_fontsize() - 0.5)


def wrap(t, renderer, max_in: float) -> None:
    """Break a Text's string into lines no wider than ``max_in`` inches."""
    s = t.get_text()
    if width_in(t, renderer) <= max_in:
        return
    chars = max(8, int(len(s) * max_in / width_in(t, renderer)))
    while chars > 8:
        t.set_text("\n".join(textwrap.wrap(s, chars, break_long_words=True)))
        if width_in(t, renderer) <= max_in:
            return
        chars -= 2


def hline(x0, x1, y, fig, colour="#888888", lw=0.6):
    """A horizontal rule across the page, in inches."""
    return Line2D([x0, x1], [y, y], transform=fig.dpi_scale_trans, color=colour, linewidth=lw)


def colour(c: str) -> tuple:
    """``c`` as RGBA; a bad colour is the caller's input error."""
    try:
        return mcolors.to_rgba(c)
    except (ValueError, TypeError):
        raise InputError(f"not a colour: {c!r}", message_vi=f"màu không hợp lệ: {c!r}") from None
