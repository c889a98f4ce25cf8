"""The briefing pack of a map view: one zip with the PDF, the PNG (300 dpi), the CSV and XLSX of the
view's table and a README (title, alt text, sources, demo mark).

Trip-wire: every file in the pack comes from ONE ``(payload, frame)`` of the view, passed in by the
caller: the figure and the tables can never disagree, and the data is computed once per pack.
"""
from __future__ import annotations

import io
import zipfile

import pandas as pd

from ..editions import period_notice
from ..mapview import MapView, transitions
from ..mapview.figures import figure_lines
from ..records import DEMO_MARK
from ..schemes import Catalogue
from ..store.base import Store
from .compose import figure_spec
from .figure import alt_text, render
from .tabular import table_bytes
from .texts import filename, sources_line, title


def is_demo(frame: pd.DataFrame) -> bool:
    """Whether a view's table holds demo data (its ``demo`` column carries the mark)."""
    return bool(frame["demo"].astype(bool).any())


def summary_lines(view: MapView, figures=()) -> list[str]:
    """The summary lines of the XLSX README sheet and the pack's README: one per figure (with its
    definition), or — for a date outside the edition's period — only the notice, no headline."""
    notice = period_notice(view.edition, view.as_of, view.lang)
    return [notice] if notice else figure_lines(list(figures), view.lang)


def change_lines(view: MapView, frame: pd.DataFrame) -> list[str]:
    """A change view's counts, one line per change ("Tái trọng điểm …: 1"), from its table's ``transition``
    column (the rows the files hold); nothing for a view of one date."""
    if not view.since or view.indicator or "transition" not in frame:
        return []
    counts = frame["transition"].value_counts()
    return [transitions.title(view.since, view.as_of, view.lang)] + [
        f"  {transitions.label(c, view.lang)}: {int(counts.get(c, 0))}" for c in transitions.CHANGES
        if c in counts or c not in ("other", "no_data")]


def table_notes(store: Store, catalogue: Catalogue, view: MapView, frame: pd.DataFrame,
                figures: list[dict] = ()) -> list[str]:
    """The README sheet of a view's XLSX: title, the summary figures with their definitions (and the
    unit list they count), sources, and the demo mark when the data is demo data."""
    return [title(store, catalogue, view), *change_lines(view, frame), *summary_lines(view, figures),
            sources_line(view.edition, "vi")] + ([DEMO_MARK] if is_demo(frame) else [])


def briefing_pack(store: Store, catalogue: Catalogue, view: MapView, data: tuple) -> tuple[bytes, str]:
    """(zip bytes, alt text) of the view's pack, from its ``data`` = ``(payload, frame)``."""
    payload, frame = data
    fig, total, geo = figure_spec(store, catalogue, view, data)
    pdf = render(geo, fig, "pdf", dpi=150)
    png = render(geo, fig, "png", dpi=300)
    alt = alt_text(fig, total)
    name = title(store, catalogue, view)
    lines = "\n".join([*change_lines(view, frame), *summary_lines(view, payload.get("figures") or [])])
    readme = f"{name}\n{alt}\n\n{lines}\n\n{sources_line(view.edition, view.lang)}\n" + (f"\n{DEMO_MARK}\n" if is_demo(frame) else "")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(filename(view, "pdf"), pdf)
        zf.writestr(filename(view, "png"), png)
        zf.writestr(filename(view, "csv"), table_bytes(frame, "csv", lang=view.lang))
        notes = table_notes(store, catalogue, view, frame, payload.get("figures") or [])
        zf.writestr(filename(view, "xlsx"), table_bytes(frame, "xlsx", notes, lang=view.lang))
        zf.writestr("README.txt", readme)
    return buf.getvalue(), alt
