"""Hot spots as a use case: pick the units, the values and the weights from the store, run the
local statistic (or the emerging hot spots), and return the results sorted and named. The CLI,
the API, the map page and the briefing pack all call :func:`run_hotspots`, so they always agree.

Trip-wires:

* Units without geometry cannot be placed in a neighbourhood: they are dropped before the
  statistic and only *counted* (``HotspotRun.without_geometry``).
* Contiguity is built on ``lod=1`` geometry (same neighbours as the raw polygons, ~8× faster).
* A status subject is a 0/1 value per unit on ``as_of`` and defaults to the join count; which
  statuses count as 1 is ``status`` (codes, a comma list, or ``key``), else the scheme's declared
  ``hotspot_statuses`` (``schemes.toml``; default its ``key`` statuses); an
  indicator defaults to Gi*. Without ``as_of`` (status) or ``period`` (indicator) the run takes
  the date a map of the edition opens at (:func:`geoapp.mapview.dates.default_as_of`: the latest
  data inside the edition's period, never today for an edition that has ended) — its year for an
  indicator, as the map draws :attr:`~geoapp.mapview.MapView.chosen_period`.
* Emerging hot spots use only yearly periods (``YYYY``) and need at least three of them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..errors import InputError, NotFoundError
from ..editions import check_edition
from ..mapview.dates import default_as_of
from ..records import indicator_values, pick_period
from ..schemes import Catalogue
from ..status_timeline import in_force
from ..store.base import Store
from .emerging import emerging_hotspots
from .legend import EMERGING_COLOURS, RANK
from .local import DEFAULT_SEED, METHODS, local_statistic
from .weights import WEIGHT_KINDS


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
    statuses: list[str] = field(default_factory=list)   # a status run: the statuses counted as the event


def run_hotspots(store: Store, catalogue: Catalogue, edition: str, province: str | None, *,
                 indicator: str | None = None, scheme: str | None = None, status: str | None = None,
                 period: str | None = None, as_of: str | None = None, method: str | None = None,
                 weights: str = "queen", permutations: int = 999, seed: int = DEFAULT_SEED,
                 fdr: float | None = 0.05, rate: bool = False, k: int = 6, distance_km: float | None = None):
    """Run a local statistic; return ``(GeoDataFrame of results with names, HotspotRun)``.

    The GeoDataFrame is sorted hottest first (class, then z) and has one row per unit with
    geometry; units without geometry cannot be placed in a neighbourhood and are counted in
    ``HotspotRun.without_geometry``.
    """
    method = _checked_request(catalogue, edition, indicator, scheme, weights, method, permutations)
    geo = store.geometries(edition, province, lod=1)
    if geo.empty:
        raise NotFoundError(f"no units with geometry in edition {edition}" + (f", province {province}" if province else ""))
    all_units = store.units(edition, province)
    wanted = sorted(_wanted_statuses(catalogue.scheme(scheme), scheme, status)) if scheme else []
    run = HotspotRun(edition, province, method, weights, permutations, seed, fdr,
                     indicator or f"{scheme}:{','.join(wanted)}", rate=rate,
                     without_geometry=int(len(all_units) - len(geo)), statuses=wanted)
    if indicator:
        wanted = period or default_as_of(store, edition)[:4]
        values, run.period = _values_for_indicator(store, edition, province, indicator, wanted, rate)
    else:
        run.as_of = as_of or default_as_of(store, edition)
        values = _values_for_status(store, edition, province, scheme, set(wanted), run.as_of)
    values = values[values.index.isin(set(geo["code"]))]    # units without geometry have no neighbourhood
    result = local_statistic(geo, values, method, weights, permutations, seed, fdr, k=k, distance_km=distance_km)
    run.weights_report = result.attrs.get("weights", {})
    run.notes = list(result.attrs.get("notes", []))
    frame = geo[["code", "name", "full_name", "district_name", "province_code", "geometry"]].merge(result, on="code")
    frame["rank"] = frame["class"].map(RANK)
    frame = frame.sort_values(["rank", "z", "value"], ascending=[True, False, False], na_position="last")
    return frame.drop(columns="rank").reset_index(drop=True), run


def event_label(catalogue: Catalogue, run: HotspotRun, lang: str = "vi") -> str:
    """What a status run counts, in words ("Trọng điểm, phức tạp về ANTT"); "" for an indicator run."""
    if not run.statuses:
        return ""
    scheme = catalogue.scheme(run.subject.split(":")[0])
    return ", ".join(scheme.status(c).label(lang) for c in run.statuses)


def run_emerging(store: Store, catalogue: Catalogue, edition: str, province: str | None, indicator: str, *,
                 rate: bool = False, weights: str = "queen", permutations: int = 999, seed: int = DEFAULT_SEED,
                 fdr: float | None = 0.05):
    """Emerging hot spots of an indicator over every yearly period: Gi* per year + Mann–Kendall trend.

    Returns ``(GeoDataFrame with category and colour, sorted list of the periods used)``.
    """
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
    result = emerging_hotspots(geo, panel, weights, permutations, seed, fdr)
    frame = geo[["code", "name", "full_name", "district_name", "geometry"]].merge(result, on="code")
    frame["colour"] = frame["category"].map(EMERGING_COLOURS).fillna("#cccccc")
    return frame, sorted(panel["period"].unique())


def _checked_request(catalogue, edition, indicator, scheme, weights, method, permutations) -> str:
    """Check what was asked before touching the store; return the method (defaulted by subject)."""
    check_edition(edition)
    if bool(indicator) == bool(scheme):
        raise InputError("give either an indicator or a scheme")
    if indicator and indicator not in catalogue.indicators:
        raise InputError(f"unknown indicator {indicator!r}; use one of {', '.join(catalogue.indicators)}")
    if weights not in WEIGHT_KINDS:
        raise InputError(f"weights must be one of {', '.join(WEIGHT_KINDS)}")
    method = method or ("gi_star" if indicator else "join_count")
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)}")
    if not 0 < permutations <= 99_999:
        raise InputError("permutations must be between 1 and 99,999")
    return method


def _values_for_indicator(store, edition, province, indicator, period, rate):
    """The indicator's value per unit code for one period (``period``, or the one picked by default)."""
    values = indicator_values(store, edition, province, indicator, rate=rate)
    if values.empty:
        raise NotFoundError(f"no {indicator} values in edition {edition}" + (f", province {province}" if province else ""))
    chosen = pick_period(sorted(values["period"].unique()), period)
    return values[values["period"] == chosen].set_index("code")["value"], chosen


def _values_for_status(store, edition, province, scheme_code, wanted: set[str], as_of):
    """1.0 for units whose status on ``as_of`` is among ``wanted``, else 0.0."""
    found = in_force(store, edition, as_of, province=province, scheme=scheme_code)     # the status timeline
    current = found.set_index("code")["status"] if len(found) else pd.Series(dtype=object)
    units = store.units(edition, province)["code"]
    return pd.Series([1.0 if current.get(c) in wanted else 0.0 for c in units], index=units.to_numpy())


def _wanted_statuses(scheme, scheme_code, status) -> set[str]:
    """The status codes of ``status`` (codes, a comma list, 'key'); the scheme's declared hot-spot statuses without."""
    if not (status or "").strip():
        if not scheme.hotspot_statuses:
            raise InputError(f"scheme {scheme_code} declares no hot-spot statuses; give a status")
        return set(scheme.hotspot_statuses)
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
        raise InputError("give a status (a status code, a comma list, or 'key')")
    return wanted
