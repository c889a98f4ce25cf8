"""The right panel of a briefing figure: the legend (a swatch, label and unit count per class, the
total) and the optional table (the hot-spot communes of the view).

Trip-wires:

* units without a colour are counted under "no data" exactly once: a legend row that already
  stands for no data (class -1, a status of None, ``nodata``) gets the hatch; otherwise a row is added.
  The row of status ``""`` is *not designated* — a state of its own, drawn in its colour, never
  hatched as no data;
* the summary figures (:mod:`geoapp.mapview.figures`) are drawn under the legend, each with its
  one-line definition, so a figure in a briefing says what it counts;
* the table shrinks its font to 7 pt, then wraps the widest text column onto more lines (a name is
  never cut), then stops at the footer with "… and n more rows" — whole rows only: it never runs
  over the page and never cuts a row.
"""
from __future__ import annotations

import math
import textwrap

import numpy as np
from matplotlib.patches import Rectangle

from .. import locale
from .drawing import (FOOTER_TOP, NODATA_EDGE, NODATA_FILL, NODATA_HATCH, PANEL_TOP, PANEL_X0, PANEL_X1, bottom_in,
                      colour, hline, strip, text, width_in, words, wrap)


def is_nodata_row(row: dict) -> bool:
    """Whether a legend row stands for the units without data."""
    return row.get("class") == -1 or ("status" in row and row["status"] is None) or bool(row.get("nodata"))


def legend_entries(spec, missing: int) -> list[dict]:
    """The legend rows of ``spec`` (a FigureSpec), with the ``missing`` uncoloured units counted once."""
    rows = [dict(r) for r in spec.legend or []]
    nodata = [r for r in rows if is_nodata_row(r)]
    for r in nodata:
        r["hatch"] = missing > 0
    if missing and not nodata:
        rows.append({"label": words(spec.lang)["nodata"], "colour": NODATA_FILL, "units": missing, "hatch": True})
    return rows


def draw_legend(fig, renderer, spec, entries, total) -> float:
    """Draw the legend in the right panel; return the y (inches) below it."""
    inch = fig.dpi_scale_trans
    width = PANEL_X1 - PANEL_X0
    y = PANEL_TOP
    if spec.legend_title:
        t = text(fig, PANEL_X0, y, strip(spec.legend_title), transform=inch, ha="left", va="top",
                 fontsize=11, fontweight="bold")
        wrap(t, renderer, width)
        y = bottom_in(t, renderer) - 0.14
    sw, sh = 0.34, 0.2
    count_w = 0.5
    label_w = width - sw - 0.12 - count_w
    fontsize = 9.5 if len(entries) <= 10 else 8
    for row in entries:
        label = text(fig, PANEL_X0 + sw + 0.12, y, strip(row.get("label", "")), transform=inch, ha="left",
                     va="top", fontsize=fontsize)
        wrap(label, renderer, label_w)
        lines = label.get_text().count("\n") + 1
        row_h = max(sh, label.get_window_extent(renderer).height / fig.dpi)
        # centre a one-line label on its swatch
        if lines == 1:
            label.set_y(y - (sh - label.get_window_extent(renderer).height / fig.dpi) / 2)
        hatch = row.get("hatch")
        fig.add_artist(Rectangle((PANEL_X0, y - sh), sw, sh, transform=inch,
                                 facecolor=NODATA_FILL if hatch else colour(row.get("colour") or NODATA_FILL),
                                 edgecolor=NODATA_EDGE if hatch else "#555555", linewidth=0.6,
                                 hatch=NODATA_HATCH if hatch else None))
        text(fig, PANEL_X1, y - sh / 2, locale.number(int(row.get('units') or 0), spec.lang), transform=inch,
             ha="right", va="center", fontsize=fontsize, fontweight="bold")
        y -= row_h + 0.1
    fig.add_artist(hline(PANEL_X0, PANEL_X1, y + 0.02, fig))
    t = text(fig, PANEL_X0, y - 0.05, total_line(entries, total, spec.lang),
             transform=inch, ha="left", va="top", fontsize=fontsize, color="#333333")
    wrap(t, renderer, width)
    return bottom_in(t, renderer)


def total_line(entries, drawn: int, lang: str) -> str:
    """The legend's total: the sum of its rows (every unit once), and how many of them are drawn when a
    unit of the list has no boundary (so the rows always add up to the total printed)."""
    listed = sum(int(r.get("units") or 0) for r in entries) or drawn
    line = words(lang)["total"].format(n=locale.number(listed, lang))
    if listed > drawn:
        missing = locale.number(listed - drawn, lang)
        line += (f" ({locale.number(drawn, lang)} có ranh giới trên bản đồ, {missing} chưa có ranh giới)" if lang == "vi"
                 else f" ({locale.number(drawn, lang)} drawn, {missing} without a boundary)")
    return line


def draw_figures(fig, renderer, spec, top) -> float:
    """The summary figures (bold) with their definitions (small, grey) below ``top``; return the y below."""
    inch = fig.dpi_scale_trans
    width = PANEL_X1 - PANEL_X0
    y = top
    for f in spec.figures:
        t = text(fig, PANEL_X0, y, strip(f.get("text", "")), transform=inch, ha="left", va="top", fontsize=9.5,
                 fontweight="bold")
        wrap(t, renderer, width)
        y = bottom_in(t, renderer) - 0.04
        if f.get("definition"):
            d = text(fig, PANEL_X0, y, strip(f["definition"]), transform=inch, ha="left", va="top", fontsize=7,
                     color="#555555")
            wrap(d, renderer, width)
            y = bottom_in(d, renderer) - 0.1
    return y


def _cell(v, lang: str = "vi") -> tuple[str, bool]:
    """Text of a table cell in ``lang`` (:mod:`geoapp.locale`) and whether it is numeric (right-aligned)."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "", False
    if isinstance(v, bool):
        return ("✓" if v else ""), False
    if isinstance(v, (int, np.integer)):
        return locale.number(int(v), lang), True
    if isinstance(v, (float, np.floating)):
        a = abs(float(v))
        if a == 0:
            return "0", True
        if a >= 100:
            return locale.number(float(v), lang, 0), True
        if a >= 1:
            return locale.number(float(v), lang, 2), True
        if a >= 0.001:
            return locale.number(float(v), lang, 3), True
        return ("<" + locale.number(0.001, lang, 3) if v > 0 else f"{v:.1e}"), True
    return strip(v), False


def _column_widths(fig, renderer, columns, cells, width, gap) -> tuple[list[float], float, float]:
    """(column widths, total width, font size): the font shrinks to 7 pt until the table fits ``width``."""
    fontsize = 8.0
    while True:
        widths = []
        for j, c in enumerate(columns):
            longest = max([str(c)] + [row[j][0] for row in cells], key=len)
            t = text(fig, 0, 0, longest, transform=fig.dpi_scale_trans, fontsize=fontsize, fontweight="bold")
            widths.append(width_in(t, renderer) + 0.02)
            t.remove()
        total = sum(widths) + gap * (len(columns) - 1)
        if total <= width or fontsize <= 7.0:
            return widths, total, fontsize
        fontsize -= 0.5


def _wrap_widest(cells, widths, numeric, total, width) -> None:
    """Wrap the widest text column (in place, onto more lines — nothing cut) so the table is ``width`` wide."""
    j = max((j for j in range(len(widths)) if not numeric[j]), key=lambda j: widths[j], default=None)
    if j is None:
        return
    target = max(widths[j] - (total - width), 0.3)
    longest = len(max([row[j][0] for row in cells], key=len))
    per_line = max(6, int(longest * target / widths[j] * 0.95))
    for row in cells:
        s = row[j][0]
        if len(s) > per_line:
            row[j] = ("\n".join(textwrap.wrap(s, per_line)), False)
    widths[j] = target


def _draw_rows(fig, columns, cells, xs, widths, numeric, y, fontsize, more: str) -> None:
    """The header, a rule and the rows (striped) from ``y`` down, stopping above the footer."""
    inch = fig.dpi_scale_trans
    line_h = fontsize / 72 * 1.45
    bottom = FOOTER_TOP + 0.12

    def x_of(j):
        return xs[j] + widths[j] if numeric[j] else xs[j]

    for j, c in enumerate(columns):
        text(fig, x_of(j), y, str(c), transform=inch, ha="right" if numeric[j] else "left", va="top",
             fontsize=fontsize, fontweight="bold")
    y -= line_h
    fig.add_artist(hline(PANEL_X0, PANEL_X1, y + 0.03, fig, "#444444", 0.7))
    y -= 0.03
    shown = 0
    for i, row in enumerate(cells):
        row_h = line_h * max(s.count("\n") + 1 for s, _num in row)
        if y - row_h < bottom + (line_h if i < len(cells) - 1 else 0):
            break                                   # whole rows only, then "… and n more"
        if i % 2 == 1:
            fig.add_artist(Rectangle((PANEL_X0 - 0.03, y - row_h + 0.01), PANEL_X1 - PANEL_X0 + 0.06, row_h,
                                     transform=inch, facecolor="#f2f2f2", edgecolor="none", zorder=0))
        for j, (s, _num) in enumerate(row):
            text(fig, x_of(j), y - 0.02, s, transform=inch, ha="right" if numeric[j] else "left", va="top",
                 fontsize=fontsize, linespacing=1.25)
        y -= row_h
        shown += 1
    if shown < len(cells):
        text(fig, PANEL_X0, y - 0.02, more.format(n=len(cells) - shown), transform=inch, ha="left",
             va="top", fontsize=fontsize, color="#555555", style="italic")


def draw_table(fig, renderer, spec, top) -> None:
    """The table of ``spec`` (rows of dicts; columns in order of first appearance) below ``top`` inches."""
    width = PANEL_X1 - PANEL_X0
    y = top
    if spec.table_title:
        t = text(fig, PANEL_X0, y, strip(spec.table_title), transform=fig.dpi_scale_trans, ha="left", va="top",
                 fontsize=10.5, fontweight="bold")
        wrap(t, renderer, width)
        y = bottom_in(t, renderer) - 0.1
    rows = list(spec.table)
    columns: list[str] = []
    for r in rows:
        columns += [c for c in r if c not in columns]
    cells = [[_cell(r.get(c), spec.lang) for c in columns] for r in rows]
    numeric = [all(row[j][1] or not row[j][0] for row in cells) and any(row[j][1] for row in cells)
               for j in range(len(columns))]
    gap = 0.09
    widths, total, fontsize = _column_widths(fig, renderer, columns, cells, width, gap)
    if total > width:
        _wrap_widest(cells, widths, numeric, total, width)
    xs = [PANEL_X0]
    for w in widths[:-1]:
        xs.append(xs[-1] + w + gap)
    _draw_rows(fig, columns, cells, xs, widths, numeric, y, fontsize, words(spec.lang)["more"])
