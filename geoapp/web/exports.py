"""Every map view leaves geoapp as a briefing needs it: standalone HTML, CSV/XLSX/GeoJSON of exactly
what the view shows, PNG/PDF figures and a briefing pack. Same access rules as the view itself.
"""
from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
from flask import Blueprint, Response, current_app, g, render_template, request

from ..errors import InputError
from ..imports import parse_date
from ..records import DEMO_MARK
from . import api
from .assets import inline_assets
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
    """The view in the query string, checked (the same parameters as the map page's URL)."""
    cat = catalogue()
    args = request.args
    indicator = args.get("indicator") or None
    if indicator and indicator not in cat.indicators:
        raise InputError(f"unknown indicator {indicator!r}")
    scheme = args.get("scheme") or "antt"
    if scheme not in cat.schemes:
        raise InputError(f"unknown scheme {scheme!r}")
    day = parse_date(args.get("as_of", "")) or date.today().isoformat()
    try:
        k = int(args.get("k", 5))
    except ValueError:
        raise InputError("k must be a whole number") from None
    return {"edition": edition, "province": None if province == "all" else province, "scheme": scheme,
            "indicator": indicator, "as_of": day, "lang": g.lang, "classes": args.get("classes", "quantiles"),
            "k": k, "rate": args.get("rate") == "1000", "period": args.get("period") or day[:4]}


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


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    resp = Response(data, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def table_bytes(frame: pd.DataFrame, fmt: str, title: str = "") -> bytes:
    if fmt == "csv":
        text = frame.to_csv(index=False)
        return text.encode("utf-8-sig")
    if fmt == "xlsx":
        import openpyxl
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "data"
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([None if isinstance(v, float) and v != v else v for v in row])
        about = book.create_sheet("README")
        about.append([title])
        about.append([SOURCES["vi"]])
        if frame["demo"].astype(bool).any():
            about.append([DEMO_MARK])
        buf = io.BytesIO()
        book.save(buf)
        return buf.getvalue()
    raise InputError(f"unknown format {fmt!r}")


@bp.get("/<edition>/<province>.<fmt>")
def export_view(edition: str, province: str, fmt: str):
    """The view as csv, xlsx, geojson, html (standalone, works offline), png, pdf or zip (briefing pack)."""
    spec = view_spec(edition, province)
    if fmt in ("csv", "xlsx"):
        _, frame = view_data(spec)
        mime = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return _download(table_bytes(frame, fmt, _title(spec)), mime, _filename(spec, fmt))
    if fmt == "geojson":
        _, frame = view_data(spec)
        geo = store().geometries(edition, spec["province"], lod=1)[["code", "geometry"]]
        out = geo.merge(frame, on="code", how="right")
        return _download(out.to_json(drop_id=True, ensure_ascii=False).encode("utf-8"), "application/geo+json",
                         _filename(spec, "geojson"))
    if fmt == "html":
        return _download(standalone_html(edition, province, spec).encode("utf-8"), "text/html",
                         _filename(spec, "html"))
    if fmt in ("png", "pdf", "zip"):
        from .briefing import briefing_response
        return briefing_response(spec, fmt)
    raise InputError(f"unknown format {fmt!r}; use csv, xlsx, geojson, html, png, pdf or zip")


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
