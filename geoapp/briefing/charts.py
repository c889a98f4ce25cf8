"""A commune's indicator over time as a chart: matplotlib draws it, the page inlines it as SVG.

:func:`indicator_chart` gives ``{svg, rows, summary}``: an SVG with axes, tick labels and a value
over each bar (numbers and periods through :mod:`geoapp.locale`: ``1.234`` / ``Quý 1/2026`` in vi,
``1,234`` / ``Q1/2026`` in en), a ``<title>`` per bar (the browser's hover), and the same figures
as table rows and one sentence for ``aria-label``.

Trip-wires:

* the page's CSP has no ``'unsafe-inline'`` for styles: matplotlib's ``style="…"`` attributes and
  its ``<style>`` element would be blocked, so :func:`_csp_safe` rewrites them as presentation
  attributes (``fill="…"``) — never inline an SVG from matplotlib without it;
* text is kept as ``<text>`` (``svg.fonttype = none``; readable, searchable, small), and ids are
  salted per chart (``svg.hashsalt``) so several charts on one page do not share clip-path ids; the
  two settings are set and restored under a lock, not with ``rc_context`` (which restores every
  setting and would undo another thread's);
* periods of different lengths (the demo has the year 2025 and the quarter 2026-Q1) are different
  bars: a quarter is drawn hatched and the legend says so — a quarter is not a year;
* rendering takes tens of milliseconds: results are cached on their inputs (labels, language and
  the points themselves), so new data is never served from an old chart.
"""
from __future__ import annotations

import io
import re
import threading
import xml.etree.ElementTree as ET
from functools import lru_cache

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .. import locale
from ..strings import translate

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)
BAR = "#4a78b5"
#: the fonts the text was measured with first (matplotlib's default), then the page's
FONTS = "DejaVu Sans, Verdana, system-ui, sans-serif"
_lock = threading.Lock()
#: a chart's height in pixels (= points at 72 dpi)
HEIGHT = 190
_FONT = re.compile(r"^(?P<pre>(?:\S+\s+)*?)(?P<size>[\d.]+px)\s+(?P<family>.+)$")


def period_kind(code: str) -> str:
    """``year`` (``2025``), ``quarter`` (``2026-Q1``) or ``month`` (``2025-06``)."""
    return "quarter" if "-Q" in code else "month" if "-" in code else "year"


def kind_text(kind: str, lang: str) -> str:
    """What the legend calls a bar of each period length (a catalogue string)."""
    return {"year": translate("chart_year", lang), "quarter": translate("chart_quarter", lang),
            "month": translate("chart_month", lang)}[kind]


def _digits(values: list[float]) -> int:
    return 0 if all(float(v).is_integer() for v in values) else 1 if max(abs(v) for v in values) >= 10 else 2


def _draw(label: str, unit: str, points: tuple, lang: str) -> Figure:
    periods = [p for p, _ in points]
    values = [float(v) for _, v in points]
    digits = _digits(values)
    kinds = [period_kind(p) for p in periods]
    # 72 dpi: one SVG unit is one CSS pixel, so the text reads at its size where the page has the room
    fig = Figure(figsize=(min(7.0, max(4.4, 1.2 + 0.5 * len(values))), HEIGHT / 72), dpi=72, facecolor="white")
    FigureCanvasSVG(fig)
    ax = fig.add_subplot()
    bars = ax.bar(range(len(values)), values, color=BAR, width=0.65)
    for i, (bar, kind) in enumerate(zip(bars, kinds)):
        bar.set_gid(f"bar-{i}")
        if kind != "year":
            bar.set_hatch("///")
            bar.set_facecolor("#9bb5d9")
            bar.set_edgecolor(BAR)
    ax.bar_label(bars, labels=[locale.number(v, lang, digits) for v in values], padding=2, fontsize=8 if len(values) > 6 else 9)
    tilt = len(values) > 8 or (len(values) > 4 and set(kinds) != {"year"})    # long labels, many bars
    ax.set_xticks(range(len(values)), [locale.period(p, lang) for p in periods], fontsize=9,
                  rotation=30 if tilt else 0, ha="right" if tilt else "center", rotation_mode="anchor")
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=digits == 0))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: locale.number(y, lang, None)))
    ax.tick_params(axis="y", labelsize=9)
    ax.set_ylim(0, max(max(values), 0) * 1.18 or 1)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e3e6ea", linewidth=0.8)
    ax.set_axisbelow(True)
    if len(set(kinds)) > 1:
        handles = [Patch(facecolor=BAR if k == "year" else "#9bb5d9", edgecolor=BAR, hatch=None if k == "year" else "///",
                         label=kind_text(k, lang)) for k in dict.fromkeys(kinds)]
        ax.legend(handles=handles, fontsize=8, frameon=False, loc="lower left", bbox_to_anchor=(0, 1),
                  ncols=len(handles), borderaxespad=0.2)
    _margins(fig, ax, lang, tilt, legend=len(set(kinds)) > 1)
    return fig


def _margins(fig: Figure, ax, lang: str, tilt: bool, legend: bool) -> None:
    """Room for the tick labels, set from their length: a layout engine would draw the chart twice
    (half the time of a chart). The unit is in the caption, not on the axis."""
    top = ax.get_ylim()[1]
    widest = max(len(locale.number(t, lang, None)) for t in ax.get_yticks() if 0 <= t <= top)
    width = fig.get_figwidth() * 72
    fig.subplots_adjust(left=(5.6 * widest + 14) / width, right=1 - 6 / width,
                        bottom=(46 if tilt else 22) / HEIGHT, top=1 - (22 if legend else 8) / HEIGHT)


def _svg_text(fig: Figure, salt: str) -> str:
    buf = io.StringIO()
    with _lock:
        old = {k: matplotlib.rcParams[k] for k in ("svg.fonttype", "svg.hashsalt")}
        matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": salt})
        try:
            fig.savefig(buf, format="svg", facecolor="white", metadata={"Date": None, "Creator": None})
        finally:
            matplotlib.rcParams.update(old)
    return buf.getvalue()


def _style_attributes(style: str) -> dict:
    """``"fill: #fff; font: 600 9px 'DejaVu Sans'"`` → ``{fill: #fff, font-weight: 600, font-size: 9px, …}``."""
    out = {}
    for part in style.split(";"):
        key, _, value = part.partition(":")
        key, value = key.strip(), value.strip()
        if not key:
            continue
        m = _FONT.match(value) if key == "font" else None
        if m:
            out["font-size"] = m["size"]
            out["font-family"] = m["family"].replace("'", "").replace('"', "")
            for token in m["pre"].split():
                out["font-style" if token in ("italic", "oblique") else "font-weight"] = token
        elif key != "font":
            out[key] = value
    return out


def _csp_safe(svg: str, aria_label: str, titles: list[str]) -> str:
    """matplotlib's SVG with presentation attributes instead of styles, a ``<title>`` in each bar, no
    metadata, its width in pixels and no height (CSS scales it), ``role=img`` and ``aria-label``."""
    root = ET.fromstring(svg)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{SVG}}}style", f"{{{SVG}}}metadata"):
                parent.remove(child)
    for node in root.iter():
        style = node.attrib.pop("style", None)
        if style:
            for k, v in _style_attributes(style).items():
                node.set(k, v)
        if "font-family" in node.attrib:
            node.set("font-family", FONTS)
        gid = node.get("id", "")
        if gid.startswith("bar-") and gid[4:].isdigit() and int(gid[4:]) < len(titles):
            title = ET.Element(f"{{{SVG}}}title")
            title.text = titles[int(gid[4:])]
            node.insert(0, title)
        if node.tag == f"{{{SVG}}}g":       # figure_1, axes_1… would repeat on a page of charts
            node.attrib.pop("id", None)
    # its natural width in pixels (CSS: max-width 100 %, height auto — narrower panes scale it down)
    root.set("width", root.get("viewBox").split()[2])
    root.attrib.pop("height", None)
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    root.set("role", "img")
    root.set("aria-label", aria_label)
    root.set("class", "chart-svg")
    return ET.tostring(root, encoding="unicode")


@lru_cache(maxsize=256)
def _cached(label: str, unit: str, points: tuple, lang: str, salt: str) -> tuple[str, tuple, str]:
    values = [float(v) for _, v in points]
    digits = _digits(values)
    rows = tuple((locale.period(p, lang), locale.number(v, lang, digits)) for p, v in zip([p for p, _ in points], values))
    suffix = f" {unit}" if unit else ""
    titles = [f"{p}: {v}{suffix}" for p, v in rows]
    summary = f"{label}: " + "; ".join(titles)
    fig = _draw(label, unit, points, lang)
    return _csp_safe(_svg_text(fig, salt), summary, titles), rows, summary


def indicator_chart(label: str, unit: str, points, lang: str, *, salt: str = "") -> dict:
    """The chart of one indicator: ``points`` ``[(period, value)]`` in time order (no missing values).
    ``{svg: str (safe to inline: matplotlib escapes text), rows: [(period text, value text)], summary}``;
    ``salt`` (say the indicator code) keeps ids apart when several charts share a page."""
    key = tuple((str(p), float(v)) for p, v in points)
    svg, rows, summary = _cached(label, unit or "", key, locale.babel_locale(lang), salt)
    return {"svg": svg, "rows": list(rows), "summary": summary}
