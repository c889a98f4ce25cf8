"""Project statuses of old communes onto the new units they formed, showing each unit's composition.

Pure: given the stored pairs, the statuses of the old communes on one date, both unit lists and
the rules, :func:`project_units` gives one row per new unit and scheme — the projected status,
the rule and reason (:mod:`geoapp.crosswalk.rules`), and the *composition*: which old communes,
what share, which status, in words (:func:`formed_from`). Reading those inputs from the store
is :mod:`geoapp.crosswalk.service`.

Trip-wire: a part's ``weight`` is the share of the *old commune* inside this unit, its
``share`` the share of *this unit's* area (weight × old area, normalised). When any old area is
unknown the parts count as equal-sized (``equal_size_parts``), which the rules then rely on.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..schemes import Catalogue, Scheme
from .rules import FALLBACK_RULE, combine, rule_name

NO_STATUS = {"vi": "chưa xếp loại", "en": "no designation"}
PROJECTED_COLUMNS = ("as_of", "province_code", "province_name", "code", "full_name", "scheme", "status", "label_vi",
                     "label_en", "rule", "reason", "method", "equal_size_parts", "parts", "parts_with_status",
                     "composition", "formed_from_vi", "formed_from_en", "is_demo")


def _label(scheme: Scheme, code: str, lang: str) -> str:
    if not code:
        return NO_STATUS[lang]
    text = scheme.status(code).label(lang)
    return text[:1].lower() + text[1:]


def _percent(w: float) -> str:
    pct = round(w * 100)
    return ">99 %" if pct >= 100 else ("<1 %" if pct < 1 else f"{pct} %")


def formed_from(parts: list[dict], lang: str) -> str:
    """ "formed from: Xã A — drug-free; part of Xã B (40 %) — key drug commune, type III" (or vi)."""
    if not parts:
        return "không hình thành từ xã cũ nào trong bảng chuyển đổi" if lang == "vi" else \
            "formed from no old commune of the crosswalk"
    head, part_of = ("hình thành từ: ", "một phần ") if lang == "vi" else ("formed from: ", "part of ")
    items = []
    for p in parts:
        name = p["old_name"] or p["old_code"]
        who = f"{part_of}{name} ({_percent(p['weight'])})" if p["weight"] < 1 - 1e-9 else name
        items.append(f"{who} — {p['label_' + lang]}")
    return head + "; ".join(items)


def project_units(pairs: pd.DataFrame, current: pd.DataFrame, units_pre: pd.DataFrame, units_new: pd.DataFrame,
                  catalogue: Catalogue, rules: dict, schemes: list[str]) -> list[dict]:
    """Project ``current`` (one status per old code and scheme) onto every unit of ``units_new``.

    Returns one dict per unit and scheme with the columns of :data:`PROJECTED_COLUMNS` but ``as_of``.
    """
    names = dict(zip(pairs["old_code"], pairs["old_name"]))
    names.update({c: n for c, n in zip(units_pre["code"], units_pre["full_name"]) if n})
    area = units_pre.set_index("code")["area_km2"].astype(float).to_dict()
    status = {(c, s): (v, bool(d)) for c, s, v, d in zip(current.get("code", []), current.get("scheme", []),
                                                         current.get("status", []), current.get("is_demo", []))}
    groups = {k: g for k, g in pairs.groupby("new_code", sort=False)}
    out = []
    for unit in units_new.itertuples(index=False):
        parts = unit_parts(groups.get(unit.code), area)
        for code in schemes:
            out.append(project_scheme(unit, parts, code, catalogue, rules.get(code, FALLBACK_RULE), status, names))
    return out


def unit_parts(group: pd.DataFrame | None, area: dict) -> dict:
    """The old communes of one new unit: codes, weights, methods, and their area mass in the unit
    (``group``: its crosswalk pairs; ``area``: old code → km²). Date-independent: compute once per unit."""
    old_codes = [] if group is None else list(group["old_code"])
    weights = [] if group is None else [float(w) for w in group["weight"]]
    methods = set() if group is None else set(group["method"])
    sizes = [area.get(c, np.nan) for c in old_codes]
    # part areas: weight × old area; when an old area is unknown, parts count as equal-sized
    equal = any(not np.isfinite(a) or a <= 0 for a in sizes)
    mass = [w * (1.0 if equal else a) for w, a in zip(weights, sizes)]
    return {"old_codes": old_codes, "weights": weights, "methods": methods, "equal": equal, "mass": mass,
            "total": sum(mass) or 1.0}


def project_scheme(unit, parts: dict, code: str, catalogue: Catalogue, rule: dict, status: dict,
                   names: dict) -> dict:
    """The projected row of one unit for scheme ``code`` (``status``: ``{(old code, scheme): (status,
    is_demo)}`` on the date; ``names``: old code → name). Depends on the date only through ``status``."""
    scheme = catalogue.scheme(code)
    composition, demo = [], False
    for oc, w, m in zip(parts["old_codes"], parts["weights"], parts["mass"]):
        value, is_demo = status.get((oc, code), ("", False))
        demo |= is_demo and bool(value)
        composition.append({"old_code": oc, "old_name": names.get(oc, ""),
                            "weight": round(w, 6), "share": round(m / parts["total"], 6), "status": value,
                            "label_vi": _label(scheme, value, "vi"), "label_en": _label(scheme, value, "en")})
    result, reason = combine([p["status"] for p in composition], [p["share"] for p in composition], scheme, rule)
    methods = parts["methods"]
    return {"province_code": unit.province_code, "province_name": unit.province_name,
            "code": unit.code, "full_name": unit.full_name, "scheme": code, "status": result,
            "label_vi": scheme.status(result).label_vi if result else "",
            "label_en": scheme.status(result).label_en if result else "",
            "rule": rule_name(rule), "reason": reason,
            "method": "/".join(sorted(methods)) if methods else "",
            "equal_size_parts": bool(parts["equal"] and composition), "parts": len(composition),
            "parts_with_status": sum(1 for p in composition if p["status"]), "composition": composition,
            "formed_from_vi": formed_from(composition, "vi"), "formed_from_en": formed_from(composition, "en"),
            "is_demo": demo}
