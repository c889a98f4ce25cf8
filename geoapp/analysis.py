"""Hot-spot analysis as a use case: pick the units, the values and the weights from the store,
run :mod:`geoapp.hotspots`, and label the result. The CLI, the API and the map page all call
:func:`run_hotspots`, so they always agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import hotspots as hs
from . import status as st
from .errors import InputError, NotFoundError
from .ingest import check_edition
from .schemes import Catalogue
from .store.base import Store

#: class → (colour, Vietnamese label, English label), in legend order
CLASSES = {
    "hot_99": ("#b2182b", "Điểm nóng, tin cậy 99 %", "Hot spot, 99 % confidence"),
    "hot_95": ("#ef8a62", "Điểm nóng, tin cậy 95 %", "Hot spot, 95 % confidence"),
    "hot_90": ("#fddbc7", "Điểm nóng, tin cậy 90 %", "Hot spot, 90 % confidence"),
    "outlier_high": ("#e7298a", "Cao giữa vùng thấp", "High among low (outlier)"),
    "not_significant": ("#f0f0f0", "Không có ý nghĩa thống kê", "Not significant"),
    "outlier_low": ("#7570b3", "Thấp giữa vùng cao", "Low among high (outlier)"),
    "cold_90": ("#d1e5f0", "Điểm lạnh, tin cậy 90 %", "Cold spot, 90 % confidence"),
    "cold_95": ("#67a9cf", "Điểm lạnh, tin cậy 95 %", "Cold spot, 95 % confidence"),
    "cold_99": ("#2166ac", "Điểm lạnh, tin cậy 99 %", "Cold spot, 99 % confidence"),
    "no_neighbours": ("#9e9e9e", "Không có xã giáp ranh", "No neighbours"),
    "no_data": ("#ffffff", "Không có số liệu", "No data"),
}
RANK = {c: i for i, c in enumerate(CLASSES)}

HOW_TO_READ = {
    "vi": ("Điểm nóng là xã có giá trị cao nằm giữa các xã cũng có giá trị cao — một cụm, không phải một xã "
           "lẻ. Phép thử Getis-Ord Gi* so sánh tổng giá trị của xã và các xã giáp ranh với {perm} lần hoán vị "
           "ngẫu nhiên; mức tin cậy 99/95/90 % đã hiệu chỉnh cho việc kiểm định nhiều xã cùng lúc (FDR), nên "
           "số điểm nóng ngẫu nhiên được giữ ở mức thấp. \"Không có ý nghĩa\" không có nghĩa là an toàn: chỉ là "
           "dữ liệu chưa đủ để khẳng định có cụm. Xã không có xã giáp ranh (đảo) không được kiểm định."),
    "en": ("A hot spot is a commune with high values surrounded by communes with high values — a cluster, not "
           "a single commune. Getis-Ord Gi* compares the sum over a commune and its neighbours with {perm} "
           "random permutations; the 99/95/90 % confidence levels are corrected for testing many communes at "
           "once (false discovery rate), so chance hot spots stay rare. \"Not significant\" does not mean safe: "
           "the data do not show a cluster. Communes without neighbours (islands) are not tested."),
}


@dataclass
class HotspotRun:
    """What was analysed and how — shown beside every result."""

    edition: str
    province: str | None
    method: str
    weights: str
    permutations: int
    seed: int
    fdr: float | None
    subject: str              # indicator code, or "scheme:status,…"
    period: str | None = None
    as_of: str | None = None
    rate: bool = False
    notes: list[str] = field(default_factory=list)
    weights_report: dict = field(default_factory=dict)
    without_geometry: int = 0


def _values_for_indicator(store, edition, province, indicator, period, rate):
    from .records import indicator_values, pick_period

    values = indicator_values(store, edition, province, indicator, rate=rate)
    if values.empty:
        raise NotFoundError(f"no {indicator} values in edition {edition}" + (f", province {province}" if province else ""))
    chosen = pick_period(sorted(values["period"].unique()), period)
    return values[values["period"] == chosen].set_index("code")["value"], chosen


def _values_for_status(store, catalogue, edition, province, scheme_code, status, as_of):
    scheme = catalogue.scheme(scheme_code)
    wanted = set()
    for part in (status or "").split(","):
        part = part.strip()
        if part == "key":
            wanted |= {s.code for s in scheme.statuses if s.kind == "key"}
        elif part in scheme.codes:
            wanted.add(part)
        elif part:
            raise InputError(f"unknown status {part!r} of scheme {scheme_code}; use one of "
                             f"{', '.join(scheme.codes)} or 'key'")
    if not wanted:
        raise InputError("give --status (a status code, a comma list, or 'key')")
    records = store.status_records(edition, province=province, scheme=scheme_code, until=as_of)
    current = st.as_of(records, as_of).set_index("code")["status"] if len(records) else pd.Series(dtype=object)
    units = store.units(edition, province)["code"]
    return pd.Series([1.0 if current.get(c) in wanted else 0.0 for c in units], index=units.to_numpy())


def run_hotspots(store: Store, catalogue: Catalogue, edition: str, province: str | None, *,
                 indicator: str | None = None, scheme: str | None = None, status: str | None = None,
                 period: str | None = None, as_of: str | None = None, method: str | None = None,
                 weights: str = "queen", permutations: int = 999, seed: int = hs.DEFAULT_SEED,
                 fdr: float | None = 0.05, rate: bool = False, k: int = 6, distance_km: float | None = None):
    """Run a local statistic; return ``(GeoDataFrame of results with names, HotspotRun)``.

    The GeoDataFrame is sorted hottest first (class, then z) and has one row per unit with
    geometry; units without geometry cannot be placed in a neighbourhood and are counted in
    ``HotspotRun.without_geometry``.
    """
    check_edition(edition)
    if bool(indicator) == bool(scheme):
        raise InputError("give either an indicator, or a scheme with a status")
    if indicator and indicator not in catalogue.indicators:
        raise InputError(f"unknown indicator {indicator!r}; use one of {', '.join(catalogue.indicators)}")
    if weights not in hs.WEIGHT_KINDS:
        raise InputError(f"weights must be one of {', '.join(hs.WEIGHT_KINDS)}")
    method = method or ("gi_star" if indicator else "join_count")
    if method not in hs.METHODS:
        raise InputError(f"method must be one of {', '.join(hs.METHODS)}")
    if not 0 < permutations <= 99_999:
        raise InputError("permutations must be between 1 and 99,999")
    geo = store.geometries(edition, province, lod=1)
    if geo.empty:
        raise NotFoundError(f"no units with geometry in edition {edition}" + (f", province {province}" if province else ""))
    all_units = store.units(edition, province)
    run = HotspotRun(edition, province, method, weights, permutations, seed, fdr,
                     indicator or f"{scheme}:{status}", rate=rate,
                     without_geometry=int(len(all_units) - len(geo)))
    if indicator:
        values, run.period = _values_for_indicator(store, edition, province, indicator, period, rate)
    else:
        from datetime import date
        run.as_of = as_of or date.today().isoformat()
        values = _values_for_status(store, catalogue, edition, province, scheme, status, run.as_of)
    values = values[values.index.isin(set(geo["code"]))]    # units without geometry have no neighbourhood
    result = hs.local_statistic(geo, values, method, weights, permutations, seed, fdr, k=k, distance_km=distance_km)
    run.weights_report = result.attrs.get("weights", {})
    run.notes = list(result.attrs.get("notes", []))
    frame = geo[["code", "name", "full_name", "district_name", "province_code", "geometry"]].merge(result, on="code")
    frame["rank"] = frame["class"].map(RANK)
    frame = frame.sort_values(["rank", "z", "value"], ascending=[True, False, False], na_position="last")
    return frame.drop(columns="rank").reset_index(drop=True), run


def result_rows(frame: pd.DataFrame, lang: str = "vi") -> list[dict]:
    """Plain rows (no geometry) with the class label and colour, NaN as None."""
    i = 2 if lang == "en" else 1
    out = []
    for r in frame.drop(columns="geometry").to_dict("records"):
        colour, *labels = CLASSES.get(r["class"], ("#cccccc", r["class"], r["class"]))
        row = {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
        row.update(colour=colour, label=CLASSES.get(r["class"], (None, r["class"], r["class"]))[i])
        out.append(row)
    return out


def legend(frame: pd.DataFrame, lang: str = "vi") -> list[dict]:
    counts = frame["class"].value_counts()
    i = 2 if lang == "en" else 1
    return [{"class": c, "label": v[i], "colour": v[0], "units": int(counts.get(c, 0))}
            for c, v in CLASSES.items() if counts.get(c, 0) or c in ("hot_99", "hot_95", "hot_90", "not_significant")]


EMERGING_COLOURS = {
    "new_hot": "#fcbba1", "consecutive_hot": "#fc9272", "intensifying_hot": "#a50f15", "persistent_hot": "#de2d26",
    "diminishing_hot": "#fb6a4a", "sporadic_hot": "#fee0d2", "oscillating_hot": "#e7298a", "historical_hot": "#bcbddc",
    "new_cold": "#c6dbef", "consecutive_cold": "#9ecae1", "intensifying_cold": "#08519c", "persistent_cold": "#3182bd",
    "diminishing_cold": "#6baed6", "sporadic_cold": "#deebf7", "oscillating_cold": "#7570b3",
    "historical_cold": "#dadaeb", "no_pattern": "#f0f0f0", "no_neighbours": "#9e9e9e", "no_data": "#ffffff",
}


_PATTERN_LABELS = {
    "new": ("mới", "New"), "consecutive": ("liên tiếp", "Consecutive"), "intensifying": ("tăng dần", "Intensifying"),
    "persistent": ("dai dẳng", "Persistent"), "diminishing": ("giảm dần", "Diminishing"),
    "sporadic": ("rải rác", "Sporadic"), "oscillating": ("dao động", "Oscillating"),
    "historical": ("trước đây", "Historical"),
}


def emerging_label(category: str, lang: str = "vi") -> str:
    """"persistent_hot" → "Điểm nóng dai dẳng" / "Persistent hot spot"."""
    fixed = {"no_pattern": ("Không có xu hướng", "No pattern"), "no_neighbours": ("Không có xã giáp ranh", "No neighbours"),
             "no_data": ("Không có số liệu", "No data")}
    if category in fixed:
        return fixed[category][1 if lang == "en" else 0]
    pattern, _, kind = category.rpartition("_")
    vi, en = _PATTERN_LABELS.get(pattern, (pattern, pattern))
    if lang == "en":
        return f"{en} {'hot' if kind == 'hot' else 'cold'} spot"
    return f"Điểm {'nóng' if kind == 'hot' else 'lạnh'} {vi}"


def run_emerging(store: Store, catalogue: Catalogue, edition: str, province: str | None, indicator: str, *,
                 rate: bool = False, weights: str = "queen", permutations: int = 999, seed: int = hs.DEFAULT_SEED,
                 fdr: float | None = 0.05):
    """Emerging hot spots of an indicator over every yearly period: Gi* per year + Mann–Kendall trend."""
    from .records import indicator_values

    check_edition(edition)
    if indicator not in catalogue.indicators:
        raise InputError(f"unknown indicator {indicator!r}; use one of {', '.join(catalogue.indicators)}")
    geo = store.geometries(edition, province, lod=1)
    values = indicator_values(store, edition, province, indicator, rate=rate)
    yearly = values[values["period"].str.fullmatch(r"\d{4}")]
    if yearly["period"].nunique() < 3:
        raise InputError(f"emerging hot spots need at least 3 yearly periods of {indicator}; "
                         f"there are {yearly['period'].nunique()}")
    panel = yearly[yearly["code"].isin(set(geo["code"]))][["code", "period", "value"]]
    result = hs.emerging_hotspots(geo, panel, weights, permutations, seed, fdr)
    frame = geo[["code", "name", "full_name", "district_name", "geometry"]].merge(result, on="code")
    frame["colour"] = frame["category"].map(EMERGING_COLOURS).fillna("#cccccc")
    return frame, sorted(panel["period"].unique())
