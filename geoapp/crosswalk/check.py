"""Check crosswalk pairs against the units of both editions in the store, and report where they disagree.

Nothing is refused here: the file is the reference, the report says where it and the stored unit
lists disagree (old communes mapped nowhere, new units reached by none, unknown codes, split
flags that disagree with the number of targets, names that differ).

Trip-wire: a name that differs is a hint that a list of the wrong edition (or date) is loaded —
names are compared folded, and one containing the other counts as the same ("Phường X" / "X").
"""
from __future__ import annotations

import pandas as pd

from ..errors import Problem
from ..names import fold
from ..store.base import Store
from .read import FROM_EDITION, TO_EDITION


def listing(codes, names, limit=8) -> str:
    """ "03388 Phường Đoàn Kết, 03391 Xã … (+n)": codes with their names, at most ``limit`` shown."""
    items = [f"{c} {n}".strip() for c, n in zip(codes, names)]
    return ", ".join(items[:limit]) + (f" … (+{len(items) - limit})" if len(items) > limit else "")


def check_crosswalk(rows: pd.DataFrame, store: Store, no_old_commune: pd.DataFrame | None = None) -> dict:
    """Check crosswalk pairs against the units of both editions held by ``store``.

    Every old commune of the ``pre2025`` list should map somewhere, every ``2025`` unit should be
    reached, the split flag should agree with the number of targets, and codes unknown to either
    edition are reported.

    Returns
    -------
    dict
        Counts (``pairs``, ``old_communes``, ``new_units``, ``split_communes``, ``split_pairs``)
        and lists (``old_not_mapped``, ``new_not_reached``, ``old_unknown``, ``new_unknown``,
        ``split_flag_mismatch``, ``name_differs``, ``no_old_commune``), plus ``problems`` (:class:`~geoapp.errors.Problem`, levels
        ``warning`` / ``info``).
    """
    report, problems = _counts(rows)
    if no_old_commune is not None and len(no_old_commune):
        report["no_old_commune"] = no_old_commune["new_code"].tolist()
        problems.append(Problem("info", "formed from a district without communes (no old commune to project "
                                "from): " + listing(no_old_commune["new_code"], no_old_commune["new_name"]),
                                "crosswalk", "hình thành từ huyện không có xã: "
                                + listing(no_old_commune["new_code"], no_old_commune["new_name"])))
    for edition in (FROM_EDITION, TO_EDITION):
        problems += _check_edition(rows, store, edition, report)
    report["problems"] = problems
    return report


def _counts(rows: pd.DataFrame) -> tuple[dict, list[Problem]]:
    """The counts of the pairs, empty lists, and the split-flag mismatches."""
    targets = rows.groupby("old_code")["new_code"].nunique()
    flagged = rows.groupby("old_code")["is_split"].any()
    mismatch = sorted(set(targets.index[(targets > 1) != flagged.reindex(targets.index)]))
    report = {"pairs": int(len(rows)), "old_communes": int(targets.size),
              "new_units": int(rows["new_code"].nunique()), "split_communes": int(flagged.sum()),
              "split_pairs": int(rows["is_split"].sum()), "split_flag_mismatch": mismatch,
              "no_old_commune": [], "old_not_mapped": [], "new_not_reached": [], "old_unknown": [],
              "new_unknown": [], "name_differs": []}
    problems = []
    if mismatch:
        problems.append(Problem("warning", f"{len(mismatch)} old communes have a split flag that disagrees with "
                                f"their number of new units: {', '.join(mismatch[:8])}", "isDividedWard",
                                f"{len(mismatch)} xã cũ có cờ chia tách không khớp số đơn vị mới"))
    return report, problems


def _check_edition(rows: pd.DataFrame, store: Store, edition: str, report: dict) -> list[Problem]:
    """Compare one side of the pairs with the stored units of ``edition``; fill ``report``."""
    old_side = edition == FROM_EDITION
    col, name_col = ("old_code", "old_name") if old_side else ("new_code", "new_name")
    unmapped_key, unknown_key = ("old_not_mapped", "old_unknown") if old_side else ("new_not_reached", "new_unknown")
    units = store.units(edition)
    if units.empty:
        return [Problem("warning", f"edition {edition} has no units in the store, so the crosswalk "
                        f"was not checked against it; run `geoapp units import-list --edition {edition}`",
                        edition, f"phiên bản {edition} chưa có đơn vị; chưa đối chiếu được")]
    problems = []
    loose = units[~units["code"].isin(set(rows[col]))]
    if not old_side:
        loose = loose[~loose["code"].isin(report["no_old_commune"])]
    unknown = rows[~rows[col].isin(set(units["code"]))].drop_duplicates(col)
    report[unmapped_key] = loose["code"].tolist()
    report[unknown_key] = unknown[col].tolist()
    verb = "maps to no new unit" if old_side else "is reached by no old commune"
    if len(loose):
        problems.append(Problem("warning", f"{len(loose)} unit(s) of edition {edition} {verb}: "
                                + listing(loose["code"], loose["full_name"]), edition,
                                f"{len(loose)} đơn vị của phiên bản {edition} không có trong bảng chuyển đổi"))
    if len(unknown):
        problems.append(Problem("warning", f"{len(unknown)} code(s) of the crosswalk are not units of edition "
                                f"{edition}: " + listing(unknown[col], unknown[name_col]), col,
                                f"{len(unknown)} mã trong bảng chuyển đổi không có trong phiên bản {edition}"))
    differ = _names_that_differ(rows, units, col, name_col)
    report["name_differs"] += [f"{edition}:{c}" for c in differ]
    if differ:
        problems.append(Problem("warning", f"{len(differ)} code(s) are named differently in the crosswalk and "
                                f"the {edition} list, e.g. {differ[0]}", col,
                                f"{len(differ)} mã có tên khác giữa bảng chuyển đổi và danh mục {edition}"))
    return problems


def _names_that_differ(rows: pd.DataFrame, units: pd.DataFrame, col: str, name_col: str) -> list[str]:
    """Codes whose crosswalk name and list name differ (folded, neither containing the other)."""
    full = units.set_index("code")["full_name"]
    known = rows[rows[col].isin(full.index)].drop_duplicates(col)
    out = []
    for code, name in zip(known[col], known[name_col]):
        here, there = fold(name), fold(full.get(code) or "")
        if here != there and there not in here and here not in there:
            out.append(code)
    return out
