"""The demo instance: what ``geoapp demo`` runs, in order, with progress — reference data, demo
records (one transaction), demo accounts.

From a data mirror (a folder laid out like ``../shared/data``), in this order: both unit lists,
the 2025 boundaries, the pre-2025 layer, the crosswalk and its area weights, then the demo
records (:func:`generate_demo`). Without a mirror only the 2025 boundaries can be had, fetched
from the pinned upstream (:func:`fetch_upstream_2025`, :func:`import_upstream_2025`). Either way
the demo accounts are added (:func:`add_demo_accounts`).

Trip-wires:

* :func:`generate_demo` refuses when demo batches are active (roll them back first) and refuses
  to write when a published figure is missed — a generator bug, never the user's input;
* every batch and record it writes is flagged ``is_demo``; pages and exports mark them with
  :data:`geoapp.records.DEMO_MARK`;
* the demo accounts have published passwords (README): change or disable them before real use.
"""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from .. import access
from .. import status as st
from ..crosswalk.service import import_crosswalk, update_area_weights
from ..errors import InputError
from ..fetch import fetch_boundaries
from ..ingest import import_boundaries, import_unit_list
from ..lod_cache import LodCache
from ..progress import as_reporter
from ..schemes import Catalogue
from ..store.base import BatchInfo, Store
from .build import DEFAULT_SEED, DemoData, build_demo, source_label
from .checks import demo_checks
from .inputs import BOUNDARIES_2025, PRE2025_LAYER, DemoInputs, read_inputs
from .plan import END_2025, END_PRE, PROVINCES_2025, PROVINCES_PRE
from .statuses import with_ids

#: accounts `geoapp demo` creates (printed by it, listed in the README): name, role, scope, all, password
DEMO_ACCOUNTS = (
    ("admin", "admin", [], True, "quantri-demo-2025"),
    ("laichau", "viewer", ["2025:12", "pre2025:12"], False, "laichau-demo-2025"),
    ("lamdong.editor", "editor", ["2025:68", "pre2025:68"], False, "lamdong-demo-2025"),
    ("national", "viewer", [], True, "toanquoc-demo-2025"),
)
#: the user recorded as the author of everything ``geoapp demo`` writes
DEMO_USER = "demo"
#: estimated seconds (2 cores) of the steps that cannot count their work, for the progress ETA
CROSSWALK_S, WEIGHTS_S, RECORDS_S = 1.5, 2.0, 3.0


# -- the demo records ----------------------------------------------------------------------------

def demo_batches(store: Store) -> pd.DataFrame:
    """Active demo batches of ``store``."""
    batches = store.batches()
    if batches.empty:
        return batches
    return batches[(batches["is_demo"].astype(int) == 1) & (batches["state"] == "active")]


def refuse_if_loaded(store: Store) -> None:
    """Raise :class:`InputError` when demo batches are already active."""
    present = demo_batches(store)
    if len(present):
        ids = ", ".join(str(i) for i in sorted(present["id"]))
        raise InputError(f"demo data is already loaded (active batches {ids}); roll those batches back "
                         "before generating it again",
                         message_vi=f"dữ liệu minh họa đã có (lô {ids}); hãy hủy các lô đó trước khi tạo lại")


def _parts(data: DemoData) -> tuple:
    return (("pre2025", "status", data.status_pre, PROVINCES_PRE),
            ("pre2025", "indicators", data.indicators_pre, PROVINCES_PRE),
            ("2025", "status", data.status_2025, PROVINCES_2025),
            ("2025", "indicators", data.indicators_2025, PROVINCES_2025))


def write_demo(store: Store, data: DemoData, detail: dict, source: str, user: str, origin: str) -> dict:
    """Write the four demo batches (status and indicators per edition) and one audit line, in
    one transaction; return {"pre2025/status": batch id, …}."""
    fingerprint = detail["fingerprint"]
    batches = {}
    with store.transaction() as tx:
        for edition, kind, frame, provinces in _parts(data):
            info = BatchInfo(kind, edition, source, fingerprint, user, len(frame),
                             dict(detail, provinces=list(provinces)), is_demo=True)
            batch = store.add_batch(tx, info)
            if kind == "status":
                store.add_status_records(tx, edition, frame, batch, user, is_demo=True)
            else:
                store.add_indicator_values(tx, edition, frame, batch, user, is_demo=True)
            batches[f"{edition}/{kind}"] = batch
        store.audit(tx, user, "demo.generate", source, {"batches": batches, "fingerprint": fingerprint}, origin)
    return batches


def generate_demo(store: Store, catalogue: Catalogue, *, seed: int = DEFAULT_SEED, user: str = DEMO_USER,
                  data_dir=None, origin: str = "") -> dict:
    """Write the demo status records and indicator values, in one transaction.

    Parameters
    ----------
    store : Store
        Must hold the pre-2025 unit list and four-province boundaries (old codes 10, 12, 14,
        68) and the 2025 unit list with boundaries of provinces 12, 14, 15, 68.
    catalogue : Catalogue
        The scheme catalogue (:func:`geoapp.schemes.load_catalogue`).
    seed : int
        Random seed; the same seed writes identical records.
    user : str
        Recorded as the author of the batches, records and audit line.
    data_dir : path, optional
        Folder laid out like ``../shared/data`` holding the crosswalk; default ``DATA_MIRROR``.
    origin : str
        Where the request came from, for the audit log.

    Returns
    -------
    dict
        ``seed``, ``source``, ``fingerprint``, ``batches`` ({"pre2025/status": id, …}),
        ``records`` (per edition and kind), ``provinces`` (per edition and province: units,
        status records, indicator values, statuses in force at the edition's end ``as_of``),
        ``checks`` (see :func:`geoapp.demo.checks.demo_checks`) and ``seconds``.

    Raises
    ------
    InputError
        When demo batches are already active (roll them back first), or units are missing.
    """
    t0 = time.perf_counter()
    refuse_if_loaded(store)
    inputs = read_inputs(store, data_dir)
    data = build_demo(inputs, catalogue, seed=seed)
    checks = demo_checks(data.status_pre, data.indicators_pre, inputs.units_pre)
    failed = [k for k, v in checks.items() if not v["ok"]]
    if failed:   # a generator bug, never the user's input: do not write wrong demo data
        raise RuntimeError(f"demo generator missed published figures: {failed}")
    source = source_label(seed)
    fingerprint = data.fingerprint()
    detail = {"seed": seed, "fingerprint": fingerprint, "checks": {k: v["reached"] for k, v in checks.items()}}
    batches = write_demo(store, data, detail, source, user, origin)
    return {"seed": seed, "source": source, "fingerprint": fingerprint, "batches": batches,
            "records": {f"{e}/{k}": int(len(f)) for e, k, f, _ in _parts(data)},
            "provinces": province_summary(inputs, data), "checks": checks,
            "seconds": round(time.perf_counter() - t0, 2)}


def province_summary(inputs: DemoInputs, data: DemoData) -> dict:
    """Per edition and province: units, status records, indicator values, and the statuses in
    force on the edition's last demo day (``as_of``)."""
    out = {}
    for edition, units, status, values, as_of in (
            ("pre2025", inputs.units_pre, data.status_pre, data.indicators_pre, END_PRE),
            ("2025", inputs.units_2025, data.status_2025, data.indicators_2025, END_2025)):
        prov = dict(zip(units["code"], units["province_code"]))
        s_prov, v_prov = status["code"].map(prov), values["code"].map(prov)
        current = st.as_of(with_ids(status), as_of)
        c_prov = current["code"].map(prov)
        out[edition] = {}
        for p in sorted(set(units["province_code"])):
            cur = current[c_prov == p]
            out[edition][p] = {
                "units": int((units["province_code"] == p).sum()),
                "status_records": int((s_prov == p).sum()),
                "indicator_values": int((v_prov == p).sum()),
                "as_of": as_of,
                "statuses": {f"{a}:{b}": int(n) for (a, b), n in cur.groupby(["scheme", "status"]).size().items()},
            }
    return out


# -- what `geoapp demo` runs ---------------------------------------------------------------------

def load_reference_data(store: Store, data: Path, *, progress=None, lod_cache: LodCache | None = None) -> None:
    """Unit lists, boundaries of both editions, the crosswalk and its area weights, from a mirror.

    ``progress``: see :func:`geoapp.progress.as_reporter`; ``lod_cache``: levels of detail
    computed before from the same polygons are reused (the whole country's take most of a minute).
    """
    progress = as_reporter(progress)
    for edition in ("pre2025", "2025"):
        report = import_unit_list(store, edition, data, user=DEMO_USER)
        progress.note(f"{edition}: {report['units']} units listed")
    files = sorted((data / BOUNDARIES_2025).glob("*.zip"))
    progress.note(f"2025 boundaries: {len(files)} files (reading, cleaning, levels of detail, writing)")
    report = import_boundaries(store, files, "2025", user=DEMO_USER, progress=progress, lod_cache=lod_cache)
    progress.note(f"2025: {report['units']} units with boundaries")
    report = import_boundaries(store, [data / PRE2025_LAYER], "pre2025", user=DEMO_USER, progress=progress,
                               lod_cache=lod_cache)
    progress.note(f"pre2025: {report['units']} units with boundaries")
    with progress.estimate("crosswalk", CROSSWALK_S):
        report = import_crosswalk(store, data, user=DEMO_USER)
    progress.note(f"crosswalk: {report['pairs']} pairs, {report['split_communes']} split communes")
    with progress.estimate("crosswalk weights (area overlay)", WEIGHTS_S):
        report = update_area_weights(store, user=DEMO_USER)
    by = report.get("by_method", {})
    progress.note(f"crosswalk weights: {by.get('area', 0)} pairs by area overlay, "
                  f"{by.get('crosswalk', 0)} by the crosswalk alone")


def load_from_mirror(store: Store, catalogue: Catalogue, data: Path, *, progress=None,
                     lod_cache: LodCache | None = None) -> dict:
    """The reference data, then the demo records and their checks; returns :func:`generate_demo`'s summary."""
    progress = as_reporter(progress)
    load_reference_data(store, data, progress=progress, lod_cache=lod_cache)
    with progress.estimate("demo designations and indicators", RECORDS_S):
        result = generate_demo(store, catalogue, user=DEMO_USER, data_dir=data)
    progress.note(f"demo designations and indicators (seed {result['seed']}): {result['records']}")
    for name, check in result["checks"].items():
        progress(f"  {name}: {check.get('reached')} (published {check.get('target')})"
                 f"{'' if check.get('ok') else '  MISMATCH'}")
    return result


def fetch_upstream_2025(target: Path, *, timeout: float, upstream_base: str, progress=None) -> list[Path]:
    """Fetch every 2025 boundary file from the pinned upstream into ``target`` (no mirror needed).

    ``progress(done, total, label)`` as :func:`geoapp.fetch.fetch_boundaries` calls it.
    """
    target.mkdir(parents=True, exist_ok=True)
    return fetch_boundaries("2025", None, "upstream", target, timeout=timeout, upstream_base=upstream_base,
                            progress=progress)


def import_upstream_2025(store: Store, files: list[Path], *, progress=None, lod_cache: LodCache | None = None) -> dict:
    """Import the fetched 2025 boundaries (the only demo data that exists outside mirrors)."""
    progress = as_reporter(progress)
    report = import_boundaries(store, files, "2025", user=DEMO_USER, progress=progress, lod_cache=lod_cache)
    progress.note(f"2025: {report['units']} units with boundaries")
    return report


def demo_passwords(store: Store) -> dict[str, str]:
    """On a demo instance (active demo batches): ``{name: published password}`` of the demo accounts
    whose password is still the published one (README); empty elsewhere, or once they are changed."""
    if demo_batches(store).empty:
        return {}
    return {name: password for name, _, _, _, password in DEMO_ACCOUNTS
            if access.has_password(store, name, password)}


def add_demo_accounts(store: Store) -> bool:
    """Create :data:`DEMO_ACCOUNTS` unless an ``admin`` exists; True when they were created."""
    if store.user("admin") is not None:
        return False
    for name, role, scope, everything, password in DEMO_ACCOUNTS:
        access.add_user(store, name, role, scope, password, all_provinces=everything, by=DEMO_USER)
    return True
