"""JSON API under /api/v1. Every response that depends on data is cached by data version (ETag)."""
from __future__ import annotations

import json
from datetime import date

import pandas as pd
from flask import Blueprint, Response, current_app, g, jsonify, request

from .. import crosswalk, mapdata
from .. import status as st
from ..errors import InputError, NotFoundError
from ..imports import parse_date
from ..ingest import check_edition, export_units
from ..records import current_statuses, indicator_values, pick_period, unit_history
from . import openapi
from .cache import cached
from .policy import readable
from .store_access import catalogue, store

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _json(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def _province_arg(edition: str, required: bool = True) -> str | None:
    """The ``province`` query argument, checked; ``all`` (or absent when not required) = every province."""
    province = request.args.get("province")
    if province == "all":
        return None
    if not province:
        if required:
            raise InputError("give ?province=<code>", message_vi="cần tham số ?province=<mã tỉnh>")
        return None
    province = province.zfill(2)
    if province not in set(store().provinces(edition)["code"]):
        raise NotFoundError(f"no province {province} in edition {edition}",
                            message_vi=f"không có tỉnh {province} trong phiên bản {edition}")
    return province


def _as_of() -> str:
    raw = request.args.get("as_of")
    if not raw:
        return date.today().isoformat()
    day = parse_date(raw)
    if not day:
        raise InputError(f"as_of {raw!r} is not a date (YYYY-MM-DD)", message_vi=f"as_of {raw!r} không phải ngày")
    return day


def _lang() -> str:
    return "en" if request.args.get("lang") == "en" else "vi"


def _scheme():
    code = request.args.get("scheme", "antt")
    cat = catalogue()
    if code not in cat.schemes:
        raise InputError(f"unknown scheme {code!r}; use one of {', '.join(cat.schemes)}")
    return cat.schemes[code]


def statuses_payload(edition, province, scheme, day, lang) -> dict:
    """What /statuses answers: per-unit status, legend with counts (projected before the reform on 2025)."""
    if edition == "2025" and day < crosswalk.REFORM_DATE:
        return _projected_statuses(province, scheme, day, lang)
    current, total, counts = _counts(edition, province, scheme, day)
    layer = mapdata.status_layer(current, scheme, lang)
    if edition == "2025":
        late = _late_old_records(province, scheme, day, lang, current)
        if late:
            layer.update(late)
            merged = pd.DataFrame([{"code": c, "scheme": scheme.code, "status": v["status"]} for c, v in layer.items()])
            counts = st.counts(merged, scheme, total)
    return {"edition": edition, "province": province, "scheme": scheme.code, "as_of": day,
            "units": total, "demo": bool(current["is_demo"].astype(bool).any()) if len(current) else False,
            "legend": mapdata.legend(scheme, counts, lang), "statuses": layer}


def _late_old_records(province, scheme, day, lang, current) -> dict:
    """Old-code records dated after the reform (reports still using old codes), projected onto the
    2025 units they fall in — never re-coded. They count where no newer 2025 record exists."""
    if not hasattr(store(), "crosswalk") or store().crosswalk().empty:
        return {}
    late = crosswalk.project_old_records(store(), catalogue())
    if late.empty:
        return {}
    late = late[(late["scheme"] == scheme.code) & (late["as_of"] <= day) & (late["status"] != "")]
    if province:
        late = late[late["province_code"] == province]
    late = late.sort_values("as_of").groupby("code").tail(1)
    since = dict(zip(current["code"], current["valid_from"])) if len(current) else {}
    out = {}
    for r in late.itertuples(index=False):
        if r.code in since and since[r.code] >= r.as_of:
            continue                                  # a 2025 record at least as recent wins
        status = scheme.status(r.status)
        out[r.code] = {"status": r.status, "label": status.label(lang), "colour": status.colour, "since": r.as_of,
                       "until": None, "decision": "", "decision_date": None, "demo": bool(r.is_demo),
                       "note": r.formed_from_en if lang == "en" else r.formed_from_vi, "projected": True}
    return out


def indicators_payload(edition, province, code, *, method="quantiles", k=5, user_breaks=(), rate=False, period=None,
                       lang="vi") -> dict:
    """What /indicators answers: values of a period classed with breaks shared by all periods."""
    ind = catalogue().indicators[code]
    values = indicator_values(store(), edition, province, code, rate=rate)
    periods = sorted(values["period"].unique()) if len(values) else []
    chosen = pick_period(periods, period)
    breaks = mapdata.class_breaks(values["value"].to_numpy(), method, k, list(user_breaks))
    units = store().units(edition, province)["code"]
    series = values[values["period"] == chosen].set_index("code")["value"].reindex(units)
    classes, legend = mapdata.classify(series, breaks, ind.higher_is_worse)
    return {"edition": edition, "province": province, "indicator": code, "label": ind.label(lang),
            "unit": ind.unit_en if lang == "en" else ind.unit_vi, "rate_per_1000": rate,
            "periods": periods, "period": chosen, "classes": method if not user_breaks else "user",
            "breaks": breaks, "legend": legend, "values": classes,
            "demo": bool(values["is_demo"].astype(bool).any()) if len(values) else False}


def _projected_statuses(province, scheme, day, lang) -> dict:
    """2025 units before 1 July 2025: statuses projected from the old communes they were formed from."""
    projected = crosswalk.project_statuses(store(), catalogue(), day, province)
    sub = projected[projected["scheme"] == scheme.code] if len(projected) else projected
    rules = crosswalk.load_rules()
    rule = rules.get(scheme.code, crosswalk.FALLBACK_RULE)
    statuses = {}
    for r in sub.itertuples(index=False):
        if not r.status:
            continue
        st_ = scheme.status(r.status)
        statuses[r.code] = {"status": r.status, "label": st_.label(lang), "colour": st_.colour, "since": None,
                            "until": None, "decision": "", "decision_date": None, "demo": bool(r.is_demo),
                            "note": r.formed_from_en if lang == "en" else r.formed_from_vi, "projected": True}
    total = len(store().units("2025", province))
    frame = sub.rename(columns={"status": "status"})[["code", "status"]].assign(scheme=scheme.code) if len(sub) else sub
    counts = st.counts(frame[frame["status"] != ""] if len(frame) else frame, scheme, total)
    return {"edition": "2025", "province": province, "scheme": scheme.code, "as_of": day, "units": total,
            "demo": bool(sub["is_demo"].astype(bool).any()) if len(sub) else False,
            "projected": {"rule": rule.get("rule"), "threshold": rule.get("threshold"),
                          "text": crosswalk.rule_text(scheme.code, rule, lang)},
            "legend": mapdata.legend(scheme, counts, lang), "statuses": statuses}


def _scope_key() -> str:
    """Part of the cache key for responses filtered by who asks (same data, another scope)."""
    p = g.principal
    return "all" if p.public_read or p.is_admin or p.all_provinces else ",".join(sorted(p.provinces))


def _counts(edition, province, scheme, day):
    """(statuses in force, number of units, units per status) for a province or the edition."""
    current = current_statuses(store(), edition, catalogue(), province=province, on=day, scheme=scheme.code)
    total = len(store().units(edition, province))
    return current, total, st.counts(current, scheme, total)


@bp.get("/editions")
def editions():
    """Editions with unit counts."""
    return cached(lambda: _json(store().editions().to_dict("records")), "application/json")


@bp.get("/<edition>/provinces")
def provinces(edition: str):
    """Provinces of an edition with unit counts."""
    check_edition(edition)

    def produce():
        frame = store().provinces(edition)
        return _json(frame[frame["code"].isin(readable(edition, frame["code"]))].to_dict("records"))
    return cached(produce, "application/json", extra=_scope_key())


@bp.get("/<edition>/units")
def units(edition: str):
    """Units of a province as GeoJSON (``lod`` 0–3, default 2) or CSV; geometry only, no statuses."""
    check_edition(edition)
    province = _province_arg(edition)
    try:
        lod = int(request.args.get("lod", 2 if province else 3))
    except ValueError:
        raise InputError("lod must be 0, 1, 2 or 3") from None
    if lod not in (0, 1, 2, 3):
        raise InputError("lod must be 0, 1, 2 or 3")
    if province is None and lod < 2:
        # 7 M vertices of full-resolution GeoJSON freeze a browser: the country comes simplified
        raise InputError("the whole edition is served at lod 2 or 3; ask for one province for more detail",
                         message_vi="cả nước chỉ phục vụ ở mức chi tiết 2 hoặc 3; hãy chọn một tỉnh để xem chi tiết hơn")
    fmt = request.args.get("format", "geojson")
    if fmt == "csv":
        return cached(lambda: export_units(store(), edition, province, "csv"), "text/csv; charset=utf-8")
    if fmt != "geojson":
        raise InputError("format must be geojson or csv")
    return cached(lambda: mapdata.units_geojson(store().geometries(edition, province, lod=lod)),
                  "application/geo+json", max_age=3600)


@bp.get("/<edition>/statuses")
def statuses(edition: str):
    """Status of every unit of a province on ``as_of`` for ``scheme``, with the legend and counts."""
    check_edition(edition)
    province = _province_arg(edition)
    scheme = _scheme()
    day = _as_of()
    lang = _lang()

    return cached(lambda: _json(statuses_payload(edition, province, scheme, day, lang)), "application/json",
                  extra=lang)


@bp.get("/<edition>/indicators")
def indicators(edition: str):
    """Values of one indicator for a period, classed with breaks shared by all periods."""
    check_edition(edition)
    province = _province_arg(edition)
    code = request.args.get("indicator", "")
    ind = catalogue().indicators.get(code)
    if ind is None:
        raise InputError(f"unknown indicator {code!r}; use one of {', '.join(catalogue().indicators)}")
    method = request.args.get("classes", "quantiles")
    try:
        k = int(request.args.get("k", 5))
        user_breaks = [float(x) for x in request.args.get("breaks", "").split(",") if x.strip()]
    except ValueError:
        raise InputError("k must be a whole number and breaks a comma-separated list of numbers") from None
    rate = request.args.get("rate") == "1000"
    period = request.args.get("period")

    lang = _lang()
    return cached(lambda: _json(indicators_payload(edition, province, code, method=method, k=k, user_breaks=user_breaks,
                                                   rate=rate, period=period, lang=lang)),
                  "application/json", extra=lang)


@bp.get("/<edition>/provinces.geojson")
def provinces_geojson(edition: str):
    """Province outlines with, per province, units per status of ``scheme`` on ``as_of``."""
    check_edition(edition)
    scheme = _scheme()
    day = _as_of()

    def produce():
        s = store()
        units = s.geometries(edition, lod=3)
        outlines = mapdata.province_outlines(units)
        if edition == "2025" and day < crosswalk.REFORM_DATE:
            # progress toward 2030 is counted on the 2025 units through the whole series
            projected = crosswalk.project_statuses(s, catalogue(), day, None)
            current = projected[(projected["scheme"] == scheme.code) & (projected["status"] != "")]
        else:
            records = s.status_records(edition, scheme=scheme.code, until=day)
            current = st.as_of(records, day)
        summary = {}
        counts = current.groupby(["province_code", "status"]).size() if len(current) else {}
        all_units = s.units(edition).groupby("province_code").size()
        for code in all_units.index:
            by = {k: int(counts.get((code, k), 0)) for k in scheme.codes} if len(current) else {k: 0 for k in scheme.codes}
            summary[code] = {"counts": by, "listed": int(all_units[code])}
            if scheme.target_status:
                summary[code]["target_share"] = by[scheme.target_status] / int(all_units[code])
            summary[code]["key"] = sum(v for k, v in by.items() if scheme.status(k).kind == "key")
        visible = set(readable(edition, [code for code, _ in outlines]))
        outlines = [(code, geom) for code, geom in outlines if code in visible]
        return mapdata.provinces_geojson(outlines, s.provinces(edition), summary)
    return cached(produce, "application/geo+json", extra=_scope_key())


@bp.get("/<edition>/outlines")
def outlines(edition: str):
    """Province outlines of the whole edition, or district outlines of one province (pre-2025)."""
    check_edition(edition)
    level = request.args.get("level", "province")
    if level not in ("province", "district"):
        raise InputError("level must be province or district")
    province = _province_arg(edition, required=level == "district")

    def produce():
        s = store()
        if level == "province":
            frame = s.geometries(edition, lod=3)
            names = dict(zip(s.provinces(edition)["code"], s.provinces(edition)["name"]))
            return mapdata.outlines_geojson(mapdata.dissolve(frame, "province_code"), names, precision=4)
        frame = s.geometries(edition, province, lod=2)
        names = dict(zip(frame["district_code"], frame["district_name"]))
        return mapdata.outlines_geojson(mapdata.dissolve(frame, "district_code"), names)
    return cached(produce, "application/geo+json", max_age=3600)


@bp.get("/<edition>/hotspots")
def hotspots(edition: str):
    """Local hot-spot statistics for an indicator (Gi*, Local Moran) or a status (join count)."""
    from dataclasses import asdict

    from .. import analysis

    check_edition(edition)
    province = _province_arg(edition, required=False)
    args = request.args
    try:
        permutations = int(args.get("permutations", 999))
        seed = int(args.get("seed", 12345))
        fdr = None if args.get("fdr") in ("none", "off") else float(args.get("fdr", 0.05))
    except ValueError:
        raise InputError("permutations and seed must be whole numbers, fdr a number or 'none'") from None
    if not 1 <= permutations <= 9999:
        raise InputError("permutations must be between 1 and 9,999 on the web (the CLI allows more)")
    lang = _lang()

    def produce():
        frame, run = analysis.run_hotspots(
            store(), catalogue(), edition, province, indicator=args.get("indicator") or None,
            scheme=args.get("scheme") or None, status=args.get("status") or None, period=args.get("period") or None,
            as_of=_as_of() if args.get("as_of") else None, method=args.get("method") or None,
            weights=args.get("weights", "queen"), permutations=permutations, seed=seed, fdr=fdr,
            rate=args.get("rate") == "1000")
        return _json({"run": asdict(run), "legend": analysis.legend(frame, lang),
                      "how_to_read": analysis.HOW_TO_READ[lang].format(perm=permutations),
                      "rows": analysis.result_rows(frame, lang)})
    return cached(produce, "application/json", extra=lang)


@bp.get("/<edition>/emerging")
def emerging(edition: str):
    """Emerging hot spots of an indicator over the yearly series (Gi* per year + Mann–Kendall)."""
    from .. import analysis

    check_edition(edition)
    province = _province_arg(edition, required=False)
    indicator = request.args.get("indicator", "")
    rate = request.args.get("rate") == "1000"

    def produce():
        frame, periods = analysis.run_emerging(store(), catalogue(), edition, province, indicator, rate=rate)
        frame["label"] = [analysis.emerging_label(c, lang) for c in frame["category"]]
        rows = frame.drop(columns="geometry").astype(object).where(frame.drop(columns="geometry").notna(), None)
        counts = frame["category"].value_counts()
        return _json({"edition": edition, "province": province, "indicator": indicator, "periods": periods,
                      "legend": [{"category": c, "label": analysis.emerging_label(c, lang),
                                  "colour": analysis.EMERGING_COLOURS[c], "units": int(counts[c])}
                                 for c in analysis.EMERGING_COLOURS if c in counts],
                      "rows": rows.to_dict("records")})
    lang = _lang()
    return cached(produce, "application/json", extra=lang)


@bp.get("/<edition>/stats")
def stats(edition: str):
    """Units per status of a scheme on a date, for a province or the whole edition."""
    check_edition(edition)
    province = _province_arg(edition, required=False)
    scheme = _scheme()
    day = _as_of()

    def produce():
        _, total, counts = _counts(edition, province, scheme, day)
        return _json({"edition": edition, "province": province, "scheme": scheme.code, "as_of": day,
                      "units": total, "counts": counts.to_dict("records")})
    return cached(produce, "application/json")


@bp.get("/<edition>/units/<code>")
def unit(edition: str, code: str):
    """One unit with its attributes and full status history."""
    check_edition(edition)
    units = store().units(edition)
    row = units[units["code"] == code.zfill(5)]
    if row.empty:
        raise NotFoundError(f"no unit {code} in edition {edition}", message_vi=f"không có đơn vị {code}")
    history = unit_history(store(), edition, code)
    keep = ["scheme", "status", "valid_from", "valid_to", "effective_to", "decision_no", "decision_date", "source",
            "note", "batch_id", "batch_state", "is_demo"]
    body = {"unit": row.iloc[0].to_dict(),
            "history": history.reindex(columns=keep).astype(object).where(history.reindex(columns=keep).notna(), None)
            .to_dict("records")}
    return Response(_json(body), mimetype="application/json")


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi.document(current_app))
