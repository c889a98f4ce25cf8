"""The demo checks its own figures: the published targets of :mod:`geoapp.demo.plan`, recounted
from pre-2025 records (generated, or read back from a store) with the as-of rule.

Trip-wires:

* counts go through :func:`geoapp.status.as_of`, the same rule the maps use — not through the
  generator's own bookkeeping — so a check that passes means the map shows the figure;
* generated records have no ``id`` yet (the as-of rule breaks ties on it): they get positional
  ids, in generation order;
* ``units`` is the size of the unit list, ``published_units`` the article's denominator: they
  differ for Lâm Đồng (137 vs 142) and are both reported.
"""
from __future__ import annotations

import pandas as pd

from .. import status as st
from .plan import CONVERTED, FREE, KEY_ANTT, PUBLISHED, SAFE
from .statuses import with_ids


def key_during(records: pd.DataFrame, scheme: str, key_status: set, first: str, last: str) -> set:
    """Codes whose status was in ``key_status`` on some day of [first, last] (the as-of rule)."""
    sub = records[records["scheme"] == scheme]
    if "id" not in records:
        sub = with_ids(sub)
    at_start = st.as_of(sub, first)
    codes = set(at_start.loc[at_start["status"].isin(key_status), "code"])
    within = sub[(sub["valid_from"] > first) & (sub["valid_from"] <= last) & sub["status"].isin(key_status)]
    return codes | set(within["code"])


def _lai_chau_converted(recs: pd.DataFrame) -> dict:
    spec = PUBLISHED["lai_chau_converted"]
    conv = recs[(recs["scheme"] == "antt") & (recs["status"] == CONVERTED) & (recs["valid_from"] >= spec["from"])
                & (recs["valid_from"] <= spec["as_of"])]
    return {"lai_chau_converted": {"target": spec["value"], "reached": int(conv["code"].nunique())}}


def _lao_cai_drive(recs: pd.DataFrame) -> dict:
    spec = PUBLISHED["lao_cai_drive"]
    drive = key_during(recs, "antt", {KEY_ANTT}, *spec["window"])
    now = st.as_of(recs[recs["scheme"] == "antt"], spec["as_of"])
    done = set(now.loc[now["status"].isin([CONVERTED, SAFE]), "code"]) & drive
    return {"lao_cai_drive": {"target": spec["value"], "reached": len(drive)},
            "lao_cai_achieved": {"target": PUBLISHED["lao_cai_achieved"]["value"], "reached": len(done)}}


def _lai_chau_drug_free(recs: pd.DataFrame) -> dict:
    spec = PUBLISHED["lai_chau_drug_free"]
    cur = st.as_of(recs[recs["scheme"] == "ma_tuy"], spec["as_of"])
    return {"lai_chau_drug_free": {"target": spec["value"], "reached": int((cur["status"] == FREE).sum())}}


def _lam_dong_ma_tuy(recs: pd.DataFrame) -> dict:
    spec = PUBLISHED["lam_dong_ma_tuy"]
    cur = st.as_of(recs[recs["scheme"] == "ma_tuy"], spec["as_of"])
    tally = cur["status"].value_counts()
    return {"lam_dong_ma_tuy": {"target": spec["value"],
                                "reached": {k: int(tally.get(k, 0)) for k in spec["value"]}}}


def _indicator_sum(name: str, values: pd.DataFrame) -> dict:
    spec = PUBLISHED[name]
    vals = values[(values["indicator"] == spec["indicator"]) & (values["period"] == spec["period"])]
    return {name: {"target": spec["value"], "reached": int(round(vals["value"].sum()))}}


def demo_checks(status_pre: pd.DataFrame, indicators_pre: pd.DataFrame, units_pre: pd.DataFrame) -> dict:
    """Recompute the published figures from pre-2025 records (generated or read back from a store).

    Returns
    -------
    dict
        name → {``target``, ``reached``, ``province``, ``as_of`` (day or period of the report),
        ``units`` (in the unit list), ``published_units``, ``ok``}.
    """
    recs = status_pre if "id" in status_pre else with_ids(status_pre)
    prov = dict(zip(units_pre["code"], units_pre["province_code"]))
    n_units = units_pre["province_code"].value_counts().to_dict()

    def in_prov(frame: pd.DataFrame, province: str) -> pd.DataFrame:
        return frame[frame["code"].map(prov) == province]

    def of(name: str) -> pd.DataFrame:
        return in_prov(recs, PUBLISHED[name]["province"])

    out = {}
    out.update(_lai_chau_converted(of("lai_chau_converted")))
    out.update(_lao_cai_drive(of("lao_cai_drive")))
    out.update(_lai_chau_drug_free(of("lai_chau_drug_free")))
    out.update(_lam_dong_ma_tuy(of("lam_dong_ma_tuy")))
    for name in ("lai_chau_models_2024", "lai_chau_households_2024"):
        out.update(_indicator_sum(name, in_prov(indicators_pre, PUBLISHED[name]["province"])))
    for name, check in out.items():
        spec = PUBLISHED[name]
        check["province"] = spec["province"]
        check["as_of"] = spec.get("as_of") or spec.get("period")
        check["units"] = int(n_units.get(spec["province"], 0))
        check["published_units"] = spec.get("of")
        check["ok"] = check["target"] == check["reached"]
    return out
