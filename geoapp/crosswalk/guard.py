"""Refuse to join the two editions by code, explaining what each code names on either side of the reform.

Trip-wire: codes were reused for other places — new Phường Đoàn Kết, Lai Châu, is 03388, which
was old Phường Quyết Tiến. Even the same name under the same code is not the same unit. The
only way across the reform is the crosswalk (:mod:`geoapp.crosswalk.service`).
"""
from __future__ import annotations

from ..editions import OTHER
from ..errors import InputError, Problem, ValidationError
from ..names import fold
from ..store.base import Store
from .check import listing
from .read import FROM_EDITION, TO_EDITION


def explain_cross_edition(codes, edition: str, store: Store) -> list[Problem]:
    """One problem per code saying what it names in ``edition`` and in the other edition."""
    if edition not in OTHER:
        raise InputError(f"unknown edition {edition!r}; use {FROM_EDITION} or {TO_EDITION}")
    other = OTHER[edition]
    here = store.units(edition).set_index("code")
    there = store.units(other).set_index("code")
    pairs = store.crosswalk(FROM_EDITION, TO_EDITION)
    names = {FROM_EDITION: dict(zip(pairs["old_code"], pairs["old_name"])),
             TO_EDITION: dict(zip(pairs["new_code"], pairs["new_name"]))}

    def who(ed, units, code):
        if code in units.index:
            u = units.loc[code]
            return f"{u['full_name'] or u['name']} ({u['province_name']})"
        return names[ed].get(code, "")

    def links(ed, code):
        """pre2025: the new units the commune went to; 2025: the old communes the unit was formed from."""
        if ed == TO_EDITION:
            g = pairs[pairs["new_code"] == code]
            return "was formed from old " + listing(g["old_code"], g["old_name"], 4) if len(g) else ""
        g = pairs[pairs["old_code"] == code]
        return ("became part of new " + listing(g["new_code"], g["new_name"], 4)) if len(g) else ""

    problems = []
    for raw in codes:
        code = str(raw).strip().zfill(5)
        this, that = who(edition, here, code), who(other, there, code)
        first = f"{code} is {this or 'not a unit'} in edition {edition}"
        first += f", which {links(edition, code)}" if links(edition, code) else ""
        if that:
            second = f"in edition {other} the code {code} is {that}"
            second += f", which {links(other, code)}" if links(other, code) else ""
            same = fold(this.split(" (")[0]) == fold(that.split(" (")[0]) if this else False
            second += " — the same name, yet not the same unit" if same else " — another place"
        else:
            second = f"in edition {other} the code {code} names no unit"
        problems.append(Problem(
            "error", f"{first}; {second}. Codes were reused by the 1 July 2025 reform: go through the crosswalk "
            "(`geoapp crosswalk project`), never join the editions by code.", f"code {code}",
            f"mã {code} ở phiên bản {edition} là {this or 'không có'}; ở phiên bản {other} "
            f"là {that or 'không có đơn vị nào'}. Mã được dùng lại sau sắp xếp 1/7/2025: "
            "hãy đi qua bảng chuyển đổi, không ghép hai phiên bản theo mã."))
    return problems


def refuse_cross_edition(codes, edition: str, store: Store):
    """Refuse to join ``codes`` of ``edition`` to the other edition by code, explaining each code.

    Raises
    ------
    ValidationError
        Always; one problem per code (see :func:`explain_cross_edition`).
    """
    codes = list(codes)
    other = OTHER.get(edition, "?")
    raise ValidationError(
        f"refused: codes of edition {edition} cannot be joined to edition {other} by code ({len(codes)} code(s)); "
        "the reform reused codes for other places — use the crosswalk",
        explain_cross_edition(codes, edition, store),
        message_vi=f"từ chối: không ghép mã phiên bản {edition} sang phiên bản {other} theo mã; "
                   "mã đã được dùng lại cho nơi khác — hãy dùng bảng chuyển đổi")
