"""Every map view leaves geoapp as a briefing needs it: standalone HTML, CSV/XLSX/GeoJSON of exactly
what the view shows, PNG/PDF figures and a briefing pack. Same access rules as the view itself.

Trip-wires:

* Exports are files officials open in Excel: every CSV/XLSX cell goes through
  :mod:`geoapp.safecells` (no live formula, whatever a note or a name says).
* A finished file is cached by :func:`export_key` (the parsed view, format, language, store URL and
  data version) in :data:`geoapp.web.cache.EXPORTS`, bounded by ``EXPORT_CACHE_MB``; identical
  requests in flight wait for the one computation.
* Computing one needs a job slot (:mod:`geoapp.web.jobs`, ``EXPORT_JOBS`` /
  ``EXPORT_JOBS_PER_USER``), except :data:`CHEAP` formats of one province; no slot → 429 at once.
  A cache hit needs no slot.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from flask import Blueprint, Response, current_app, g, render_template

from ..errors import InputError
from ..records import DEMO_MARK
from ..safecells import append_frame, append_row, csv_text
from . import api
from .assets import inline_assets
from .cache import EXPORTS, limit_bytes
from .jobs import export_slots, requester
from .pages import map_context
from .store_access import catalogue, store

bp = Blueprint("exports", __name__, url_prefix="/export")
SOURCES = {
    "vi": ("Nguồn: thanglequoc/vietnamese-provinces-database (MIT © 2021 Thang Le Quoc); "
           "tranngocminhhieu/vietnamadminunits (MIT © 2025 Tran Ngoc Minh Hieu); Tổng cục Thống kê"),
    "en": ("Sources: thanglequoc/vietnamese-provinces-database (MIT © 2021 Thang Le Quoc); "
           "tranngocminhhieu/vietnamadminunits (MIT © 2025 Tran Ngoc Minh Hieu); GSO"),
}


def view_spec(edition: str, province: str) -> dict:
    """The view of this request as a plain dict, from the parameters the gate parsed and the policy
    checked (``g.params``, a :class:`~geoapp.web.params.MapViewParams`): the same as the map page's URL."""
    q = g.params
    day = q.as_of or date.today().isoformat()
    return {"edition": q.edition, "province": q.province, "scheme": q.scheme, "indicator": q.indicator,
            "as_of": day, "lang": g.lang, "classes": q.classes, "k": q.k, "rate": q.rate,
            "period": q.period or day[:4], "hotspots": q.hotspots, "dpi": getattr(q, "dpi", 150)}


def view_data(spec: dict) -> tuple[dict, pd.DataFrame]:
    """(the payload the map draws, one row per unit of what the view shows)."""
    units = store().units(spec["edition"], spec["province"])[["code", "full_name", "name", "district_name",
                                                              "province_name"]]
    if spec["indicator"]:
        payload = api.indicators_payload(spec["edition"], spec["province"], spec["indicator"], method=spec["classes"],
                                         k=spec["k"], rate=spec["rate"], period=spec["period"], lang=spec["lang"])
        labels = {r["class"]: r["label"] for r in payload["legend"]}
        rows = [{"code": c, "value": v["value"], "class": labels.get(v["class"], ""), "colour": v["colour"]}
                for c, v in payload["values"].items()]
        extra = {"indicator": spec["indicator"], "period": payload["period"], "rate_per_1000": spec["rate"]}
    else:
        scheme = catalogue().schemes[spec["scheme"]]
        payload = api.statuses_payload(spec["edition"], spec["province"], scheme, spec["as_of"], spec["lang"])
        rows = [{"code": c, "status": v["status"], "label": v["label"], "colour": v["colour"], "since": v["since"],
                 "decision": v["decision"], "note": v["note"]} for c, v in payload["statuses"].items()]
        extra = {"scheme": spec["scheme"]}
    frame = units.merge(pd.DataFrame(rows, columns=list(rows[0]) if rows else ["code"]), on="code", how="left")
    frame.insert(0, "as_of", spec["as_of"])
    frame.insert(1, "edition", spec["edition"])
    for k, v in extra.items():
        frame[k] = v
    frame["demo"] = DEMO_MARK if payload.get("demo") else ""
    return payload, frame


def _title(spec: dict) -> str:
    cat = catalogue()
    layer = cat.indicators[spec["indicator"]].label(spec["lang"]) if spec["indicator"] else \
        cat.schemes[spec["scheme"]].label(spec["lang"])
    provinces = store().provinces(spec["edition"]).set_index("code")["name"]
    place = provinces.get(spec["province"], spec["province"]) if spec["province"] else "Việt Nam"
    return f"{place} — {layer}"


def _filename(spec: dict, suffix: str) -> str:
    layer = spec["indicator"] or spec["scheme"]
    return f"geoapp_{spec['edition']}_{spec['province'] or 'all'}_{layer}_{spec['as_of']}.{suffix}"


#: format → mimetype of the file
MIMETYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "geojson": "application/geo+json", "html": "text/html", "png": "image/png", "pdf": "application/pdf",
             "zip": "application/zip"}
#: cheap enough for ONE province to skip the job limit (still cached and computed once); everything
#: else — figures, packs, standalone HTML, anything of the whole country — needs a job slot
CHEAP = frozenset({"csv", "xlsx", "geojson"})
#: view parameters that change the file only in these formats (left out of the others' cache keys)
ONLY_FOR = {"dpi": ("png", "pdf"), "hotspots": ("png", "pdf", "zip")}


@dataclass(frozen=True)
class ExportFile:
    """A finished export, as cached and served."""

    data: bytes
    mimetype: str
    filename: str
    headers: tuple[tuple[str, str], ...] = ()

    def response(self) -> Response:
        resp = Response(self.data, mimetype=self.mimetype)
        resp.headers["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        resp.headers.update(dict(self.headers))
        return resp


def table_bytes(frame: pd.DataFrame, fmt: str, title: str = "") -> bytes:
    """The CSV or XLSX of a view's table; every cell neutralised (:mod:`geoapp.safecells`), never a formula."""
    if fmt == "csv":
        return csv_text(frame).encode("utf-8-sig")
    if fmt == "xlsx":
        import openpyxl
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "data"
        append_frame(sheet, frame)
        about = book.create_sheet("README")
        append_row(about, [title])
        append_row(about, [SOURCES["vi"]])
        if frame["demo"].astype(bool).any():
            append_row(about, [DEMO_MARK])
        buf = io.BytesIO()
        book.save(buf)
        return buf.getvalue()
    raise InputError(f"unknown format {fmt!r}", message_vi=f"định dạng không hỗ trợ {fmt!r}")


def export_key(spec: dict, fmt: str) -> str:
    """What makes two exports the same file: view, format, language, store and its data version.

    Built from the parsed view (not the raw query string), so junk parameters reuse the entry.
    Today's date is in it because a view without ``as_of`` means "today".
    """
    view = {k: v for k, v in spec.items() if fmt in ONLY_FOR.get(k, (fmt,))}
    s = store()
    return json.dumps([s.url, s.data_version(), fmt, view, date.today().isoformat(),
                       current_app.config.get("TILES")], sort_keys=True, default=str)


def produce(edition: str, province: str, spec: dict, fmt: str) -> ExportFile:
    """Compute one export (no cache, no limit: see :func:`export_view`)."""
    if fmt in ("csv", "xlsx"):
        _, frame = view_data(spec)
        return ExportFile(table_bytes(frame, fmt, _title(spec)), MIMETYPES[fmt], _filename(spec, fmt))
    if fmt == "geojson":
        _, frame = view_data(spec)
        geo = store().geometries(edition, spec["province"], lod=1)[["code", "geometry"]]
        out = geo.merge(frame, on="code", how="right")
        return ExportFile(out.to_json(drop_id=True, ensure_ascii=False).encode("utf-8"), MIMETYPES[fmt],
                          _filename(spec, fmt))
    if fmt == "html":
        return ExportFile(standalone_html(edition, province, spec).encode("utf-8"), MIMETYPES[fmt],
                          _filename(spec, fmt))
    from .briefing import briefing_file
    return briefing_file(spec, fmt)


def _computed(key: str, make) -> ExportFile:
    """From the export cache, or computed once however many identical requests wait for it."""
    return EXPORTS.get_or_compute(key, make, lambda f: len(f.data), limit_bytes("EXPORT_CACHE_MB", 256))


@bp.get("/<edition>/<province>.<fmt>")
def export_view(edition: str, province: str, fmt: str):
    """The view as csv, xlsx, geojson, html (standalone, works offline), png, pdf or zip (briefing pack)."""
    if fmt not in MIMETYPES:
        raise InputError(f"unknown format {fmt!r}; use csv, xlsx, geojson, html, png, pdf or zip",
                         message_vi=f"định dạng {fmt!r} không hỗ trợ; dùng csv, xlsx, geojson, html, png, pdf hoặc zip")
    spec = view_spec(edition, province)
    key = export_key(spec, fmt)
    file = EXPORTS.get(key)
    if file is None:
        def make():
            return produce(edition, province, spec, fmt)
        if fmt in CHEAP and spec["province"]:
            file = _computed(key, make)
        else:
            # the slot is held while waiting for an identical job too: a waiting thread is a busy thread
            with export_slots().slot(requester()):
                file = _computed(key, make)
    return file.response()


def standalone_html(edition: str, province: str, spec: dict) -> str:
    """One HTML file with scripts, styles and data inside: works with no network at all."""
    ctx = map_context(edition, province, interactive=False, show_table=True)
    payload, _ = view_data(spec)
    s = store()
    units_lod = 3 if province == "all" else 2
    from .. import mapdata
    inline = {"units": json.loads(mapdata.units_geojson(s.geometries(edition, spec["province"], lod=units_lod)))}
    inline["indicators" if spec["indicator"] else "statuses"] = payload
    ctx["config"].update(inline=inline, standalone=True)
    html = render_template("standalone.html", **ctx, title=_title(spec), sources=SOURCES[spec["lang"]])
    static = Path(current_app.static_folder)
    html = inline_assets(html, static, static_url="/static")
    # nothing may point outside the file: links to the service become plain text
    return re.sub(r'href="/(?!/)[^"]*"', 'href="#"', html)
