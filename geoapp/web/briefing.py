"""PNG/PDF figures and the briefing pack (zip) of a map view, rendered without a browser."""
from __future__ import annotations

import io
import zipfile
from datetime import date

from .. import figures
from .exports import MIMETYPES, SOURCES, ExportFile, _filename, _title, table_bytes, view_data
from .store_access import catalogue, store


def figure_spec(spec: dict, data: tuple | None = None) -> tuple[figures.FigureSpec, int, object]:
    """(FigureSpec, number of units, geometry frame) for a view spec.

    ``data`` is ``view_data(spec)`` when the caller has it already (a pack must not compute it twice).
    """
    payload, frame = data if data is not None else view_data(spec)
    lang = spec["lang"]
    editions = store().editions().set_index("edition")
    day = date.fromisoformat(spec["as_of"])
    when = day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()
    edition_label = editions.at[spec["edition"], f"label_{lang}"]
    prefix = "Tính đến" if lang == "vi" else "As of"
    subtitle = f"{prefix} {when} · {edition_label}"
    if spec["indicator"]:
        subtitle += f" · {payload.get('period', '')}" + (" · /1.000 dân" if spec["rate"] and lang == "vi" else
                                                           " · per 1,000 people" if spec["rate"] else "")
        legend = [{"label": r["label"], "colour": r["colour"], "units": r["units"]} for r in payload["legend"]]
        colours = {c: v["colour"] for c, v in payload["values"].items() if v["class"] >= 0}
        legend_title = payload["label"]
    else:
        legend = [{"label": r["label"], "colour": r["colour"], "units": r["units"]} for r in payload["legend"]]
        colours = {c: v["colour"] for c, v in payload["statuses"].items()}
        legend_title = catalogue().schemes[spec["scheme"]].label(lang)
        if payload.get("projected"):
            subtitle += " · " + ("chiếu lên đơn vị 2025" if lang == "vi" else "projected onto 2025 units")
    table = None
    if spec.get("hotspots") and spec["indicator"]:
        table = _hotspot_table(spec)
    geo = store().geometries(spec["edition"], spec["province"], lod=1 if spec["province"] else 3)
    fig = figures.FigureSpec(title=_title(spec), subtitle=subtitle, colours=colours, legend=legend,
                             legend_title=legend_title, sources=SOURCES[lang], demo=bool(payload.get("demo")),
                             table=table, table_title="Điểm nóng (Gi*, FDR)" if lang == "vi" else "Hot spots (Gi*, FDR)",
                             lang=lang)
    return fig, len(frame), geo


def _hotspot_table(spec: dict) -> list[dict]:
    from .. import analysis
    frame, _ = analysis.run_hotspots(store(), catalogue(), spec["edition"], spec["province"],
                                     indicator=spec["indicator"], period=spec["period"], rate=spec["rate"])
    rows = analysis.result_rows(frame[frame["class"].str.startswith("hot")].head(10), spec["lang"])
    name = "Tên" if spec["lang"] == "vi" else "Name"
    return [{"Mã" if spec["lang"] == "vi" else "Code": r["code"], name: r["full_name"] or r["name"],
             "z": round(r["z"], 2) if r["z"] is not None else None,
             "p (FDR)": f"{r['p_adjusted']:.2g}" if r["p_adjusted"] is not None else "", "": r["label"]}
            for r in rows]


def render_view(spec: dict, fmt: str, dpi: int = 150) -> tuple[bytes, str]:
    """(bytes, alt text) of a PNG or PDF of the view."""
    fig, total, geo = figure_spec(spec)
    return figures.render(geo, fig, fmt, dpi=dpi), figures.alt_text(fig, total)


def briefing_file(spec: dict, fmt: str) -> ExportFile:
    """The PNG or PDF of a view, or its briefing pack (zip): computed here, cached by the caller."""
    dpi = spec.get("dpi", 150)          # declared and checked in web.params.ExportParams
    if fmt in ("png", "pdf"):
        data, alt = render_view(spec, fmt, dpi)
        return ExportFile(data, MIMETYPES[fmt], _filename(spec, fmt),
                          (("X-Alt-Text", alt.encode("ascii", "backslashreplace").decode()),))
    # the briefing pack: the PDF, the PNG (300 dpi) and the data of the same view, from ONE view_data
    data = view_data(spec)
    frame = data[1]
    fig, total, geo = figure_spec(spec, data)
    pdf = figures.render(geo, fig, "pdf", dpi=150)
    png = figures.render(geo, fig, "png", dpi=300)
    alt = figures.alt_text(fig, total)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_filename(spec, "pdf"), pdf)
        zf.writestr(_filename(spec, "png"), png)
        zf.writestr(_filename(spec, "csv"), table_bytes(frame, "csv"))
        zf.writestr(_filename(spec, "xlsx"), table_bytes(frame, "xlsx", _title(spec)))
        zf.writestr("README.txt", f"{_title(spec)}\n{alt}\n\n{SOURCES[spec['lang']]}\n"
                                  + ("\nDỮ LIỆU MINH HỌA — demo data\n" if frame["demo"].astype(bool).any() else ""))
    return ExportFile(buf.getvalue(), MIMETYPES["zip"], _filename(spec, "zip"))
