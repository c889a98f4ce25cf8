"""JSON API under /api/v1. Every response that depends on data is cached by data version (ETag)."""
from __future__ import annotations

from datetime import date

import pandas as pd
from flask import Blueprint, Response, current_app, g, jsonify

from .. import crosswalk, mapdata
from .. import status as st
from ..errors import InputError
from ..ingest import export_units
from ..records import current_statuses, indicator_values, pick_period, unit_history
from . import openapi, strict_json
from .cache import cached
from .policy import readable
from .store_access import catalogue, store

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _json(obj) -> bytes:
    """Compact UTF-8 JSON; NaN/Infinity (numpy too, at any depth) become null, never invalid JSON."""
    return strict_json.dumps(obj)


def _as_of() -> str:
    """The parsed ``as_of``, or today."""
    return g.params.as_of or date.today().isoformat()


def _scheme():
    return catalogue().schemes[g.params.scheme]


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

    def produce():
        frame = store().provinces(edition)
        return _json(frame[frame["code"].isin(readable(edition, frame["code"]))].to_dict("records"))
    return cached(produce, "application/json", extra=_scope_key())


@bp.get("/<edition>/units")
def units(edition: str):
    """Units of a province as GeoJSON (``lod`` 0–3, default 2) or CSV; geometry only, no statuses."""
    province = g.params.province
    lod = g.params.lod if g.params.lod is not None else (2 if province else 3)
    if province is None and lod < 2:
        # 7 M vertices of full-resolution GeoJSON freeze a browser: the country comes simplified
        raise InputError("the whole edition is served at lod 2 or 3; ask for one province for more detail",
                         message_vi="cả nước chỉ phục vụ ở mức chi tiết 2 hoặc 3; hãy chọn một tỉnh để xem chi tiết hơn")
    if g.params.format == "csv":
        return cached(lambda: export_units(store(), edition, province, "csv"), "text/csv; charset=utf-8")
    return cached(lambda: mapdata.units_geojson(store().geometries(edition, province, lod=lod)),
                  "application/geo+json", max_age=3600)


@bp.get("/<edition>/statuses")
def statuses(edition: str):
    """Status of every unit of a province on ``as_of`` for ``scheme``, with the legend and counts."""
    province, scheme, day, lang = g.params.province, _scheme(), _as_of(), g.params.lang

    return cached(lambda: _json(statuses_payload(edition, province, scheme, day, lang)), "application/json",
                  extra=lang)


@bp.get("/<edition>/indicators")
def indicators(edition: str):
    """Values of one indicator for a period, classed with breaks shared by all periods."""
    q = g.params
    province, code, method, k, user_breaks, rate, period, lang = (
        q.province, q.indicator, q.classes, q.k, list(q.breaks), q.rate, q.period, q.lang)
    return cached(lambda: _json(indicators_payload(edition, province, code, method=method, k=k, user_breaks=user_breaks,
                                                   rate=rate, period=period, lang=lang)),
                  "application/json", extra=lang)


@bp.get("/<edition>/provinces.geojson")
def provinces_geojson(edition: str):
    """Province outlines with, per province, units per status of ``scheme`` on ``as_of``."""
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
    level, province = g.params.level, g.params.province

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

    q = g.params
    province, permutations, lang = q.province, q.permutations, q.lang

    def produce():
        frame, run = analysis.run_hotspots(
            store(), catalogue(), edition, province, indicator=q.indicator, scheme=q.scheme, status=q.status,
            period=q.period, as_of=q.as_of, method=q.method, weights=q.weights, permutations=permutations,
            seed=q.seed, fdr=q.fdr, rate=q.rate)
        return _json({"run": asdict(run), "legend": analysis.legend(frame, lang),
                      "how_to_read": analysis.HOW_TO_READ[lang].format(perm=permutations),
                      "rows": analysis.result_rows(frame, lang)})
    return cached(produce, "application/json", extra=lang)


@bp.get("/<edition>/emerging")
def emerging(edition: str):
    """Emerging hot spots of an indicator over the yearly series (Gi* per year + Mann–Kendall)."""
    from .. import analysis

    province, indicator, rate, lang = g.params.province, g.params.indicator, g.params.rate, g.params.lang

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
    return cached(produce, "application/json", extra=lang)


@bp.get("/<edition>/stats")
def stats(edition: str):
    """Units per status of a scheme on a date, for a province or the whole edition."""
    province, scheme, day = g.params.province, _scheme(), _as_of()

    def produce():
        _, total, counts = _counts(edition, province, scheme, day)
        return _json({"edition": edition, "province": province, "scheme": scheme.code, "as_of": day,
                      "units": total, "counts": counts.to_dict("records")})
    return cached(produce, "application/json")


@bp.get("/<edition>/units/<code>")
def unit(edition: str, code: str):
    """One unit with its attributes and full status history."""
    code = g.params.code
    units = store().units(edition)
    row = units[units["code"] == code]
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
