"""Which unit a row of a file means: by code, or by name with its type, district and province.

Trip-wires:

* a name that fits two units is *ambiguous* — reported with the candidates, never guessed;
* the type written before a name is part of it: "TT Mường Tè" is Thị trấn Mường Tè, not Xã
  Mường Tè of the same district (:func:`geoapp.names.unit_readings` reads ``TT``, ``P.``, ``X.``
  …, and "P1" = "Phường 01" = "Phường 1"); districts likewise ("TX Cai Lậy" ≠ "H. Cai Lậy");
* names are compared tone-aware first ("Tân Thành" ≠ "Tân Thạnh"), and only then with
  diacritics folded away;
* a code that exists only in the other edition is reported as such (codes are reused across
  the 2025 reform: 03388 is a different place in each edition); a code Excel stripped of its
  leading zeros ("3388") is padded.
"""
from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from .errors import Problem
from .names import district_reading, district_readings, fold, province_key, unit_kind, unit_readings

_CODE = re.compile(r"^\d{1,5}(\.0+)?$")


@dataclass
class Collector:
    """Problems of one file; every message in English and Vietnamese."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, row: int | None, column: str, en: str, vi: str, level: str = "error"):
        where = f"row {row}" + (f", {column}" if column else "") if row else column
        self.problems.append(Problem(level, en, where, vi))

    @property
    def errors(self) -> int:
        return sum(p.level == "error" for p in self.problems)


class UnitResolver:
    """Find the unit a row means, by code or by name with district/province context."""

    def __init__(self, units: pd.DataFrame, edition: str, other_units: pd.DataFrame | None = None,
                 other_edition: str = ""):
        self.edition = edition
        self.units = units.set_index("code", drop=False)
        self.other = set(other_units["code"]) if other_units is not None else set()
        self.other_edition = other_edition
        self.by_tone: dict[str, set[str]] = defaultdict(set)
        self.by_fold: dict[str, set[str]] = defaultdict(set)
        types = units["unit_type"] if "unit_type" in units else [None] * len(units)
        self.kinds = {c: unit_kind(t, f) for c, t, f in zip(units["code"], types, units["full_name"])}
        for code, name, full in zip(units["code"], units["name"], units["full_name"]):
            for text in (name, full):
                if text:
                    for reading in unit_readings(text):
                        self.by_tone[reading.tone].add(code)
                        self.by_fold[reading.folded].add(code)
        self.province_keys = {c: province_key(n) for c, n in zip(units["code"], units["province_name"])}
        self.districts = {c: district_reading(n) if isinstance(n, str) and n else None
                          for c, n in zip(units["code"], units["district_name"])}
        self._district_names = {d.folded for d in self.districts.values() if d is not None}

    def describe(self, code: str) -> str:
        u = self.units.loc[code]
        where = ", ".join(x for x in (u["district_name"], u["province_name"]) if x)
        return f"{code} {u['full_name'] or u['name']}" + (f" ({where})" if where else "")

    def _in_district(self, codes: set[str], district: str) -> set[str]:
        """The units of ``codes`` in the district a row names ("H. Sìn Hồ", "Q.3", "107").

        A typed district ("TX Cai Lậy") picks the district of that type when one fits (Tiền
        Giang had both Huyện and Thị xã Cai Lậy), else any district of that name (renamed or
        upgraded since the file was written).
        """
        if not self._district_names:      # the 2025 edition has no districts: an old district column says nothing
            return codes
        readings = district_readings(district)
        by_code = {c for c in codes if district.isdigit() and self.units.at[c, "district_code"] == district.zfill(3)}
        named, typed = set(), set()
        for c in codes:
            d = self.districts.get(c)
            if d is None:
                continue
            for r in readings:
                if r.folded == d.folded:
                    named.add(c)
                    if r.kind and r.kind == d.kind:
                        typed.add(c)
        return by_code | (typed or named)

    def _in_context(self, codes, province: str, district: str, fixed_province: str | None):
        out = set(codes)
        if fixed_province:
            out = {c for c in out if self.units.at[c, "province_code"] == fixed_province}
        if province:
            pk = province_key(province)
            out = {c for c in out if self.province_keys[c] == pk or self.units.at[c, "province_code"] == province.zfill(2)}
        if district:
            out = self._in_district(out, district)
        return out

    def resolve(self, row: int, code: str, name: str, district: str, province: str,
                fixed_province: str | None, out: Collector) -> str | None:
        """The unit's code, or None after adding the reason to ``out``."""
        if code:
            code = code.lstrip("'’ ")            # a code typed as text in Excel: '03388
            if not _CODE.match(code):
                out.add(row, "code", f"{code!r} is not a commune code (up to 5 digits)",
                        f"{code!r} không phải mã xã (tối đa 5 chữ số)")
                return None
            padded = str(int(float(code))).zfill(5)          # Excel drops leading zeros: 3388 → 03388
            if padded not in self.units.index:
                if padded in self.other:
                    out.add(row, "code", f"code {padded} does not exist in edition {self.edition}; it is a code "
                            f"of edition {self.other_edition} (codes were reused by the 2025 reform, so it may "
                            "name another place) — check --edition",
                            f"mã {padded} không có trong phiên bản {self.edition}, chỉ có trong phiên bản "
                            f"{self.other_edition} (mã được dùng lại sau sắp xếp 2025) — kiểm tra --edition")
                else:
                    out.add(row, "code", f"unknown commune code {padded} in edition {self.edition}",
                            f"không có mã xã {padded} trong phiên bản {self.edition}")
                return None
            if fixed_province and self.units.at[padded, "province_code"] != fixed_province:
                out.add(row, "code", f"{self.describe(padded)} is not in province {fixed_province} (--province)",
                        f"{self.describe(padded)} không thuộc tỉnh {fixed_province}")
                return None
            if name and not self._name_fits(padded, name):
                out.add(row, "name", f"code {padded} is {self.describe(padded)}, but the row names {name!r}",
                        f"mã {padded} là {self.describe(padded)}, nhưng dòng ghi tên {name!r}")
                return None
            return padded
        if not name:
            out.add(row, "code", "neither a code nor a name identifies the unit",
                    "thiếu cả mã và tên đơn vị")
            return None
        readings = unit_readings(name)
        for stage in ("tone", "folded"):
            index = self.by_tone if stage == "tone" else self.by_fold
            for reading in readings:
                found = self._in_context(index.get(getattr(reading, stage), ()), province, district, fixed_province)
                if reading.kind:    # "TT Mường Tè": the thị trấn, not Xã Mường Tè beside it
                    typed = {c for c in found if self.kinds.get(c) in (reading.kind, None)}
                    found = typed or found
                if len(found) == 1:
                    return found.pop()
                if len(found) > 1:
                    shown = sorted(found)[:8]
                    cands = "; ".join(self.describe(c) for c in shown)
                    if len(found) > len(shown):
                        cands += f"; … {len(found) - len(shown)} more"
                    out.add(row, "name", f"{name!r} fits {len(found)} units: {cands} — add the code, the district "
                            "or the type (Xã, Phường, TT …)",
                            f"{name!r} khớp {len(found)} đơn vị: {cands} — hãy ghi mã, huyện hoặc loại đơn vị "
                            "(Xã, Phường, TT …)")
                    return None
        pool = self._in_context(self.units.index, province, district, fixed_province)
        names = {fold(self.units.at[c, "name"]): c for c in pool}
        target = next((r.folded for r in readings if r.kind), readings[-1].folded)
        hint = [self.describe(names[k]) for k in difflib.get_close_matches(target, list(names), n=3, cutoff=0.7)]
        extra = f"; did you mean {'; '.join(hint)}?" if hint else ""
        out.add(row, "name", f"no unit named {name!r}" + (f" in {district or province}" if district or province else "")
                + extra, f"không tìm thấy đơn vị {name!r}" + (f" tại {district or province}" if district or province
                                                              else "") + (f"; có phải {'; '.join(hint)}?" if hint else ""))
        return None

    def _name_fits(self, code: str, name: str) -> bool:
        """Does the row's name fit the unit its code names?

        A different type alone does not refuse the row (a xã that became a thị trấn keeps its
        code), unless a unit of the written type and name sits in the same district: then
        "03433, Xã Mường Tè" contradicts itself.
        """
        u = self.units.loc[code]
        mine = {r.folded for text in (u["name"], u["full_name"]) if text for r in unit_readings(text)}
        for reading in unit_readings(name):
            if reading.folded not in mine:
                continue
            if reading.kind and self.kinds.get(code) not in (reading.kind, None):
                rivals = {c for c in self.by_fold.get(reading.folded, ()) if c != code
                          and self.kinds.get(c) == reading.kind
                          and self.units.at[c, "province_code"] == u["province_code"]
                          and self.units.at[c, "district_name"] == u["district_name"]}
                if rivals:
                    continue
            return True
        return False

    def district_group(self, cells: list[str]) -> str | None:
        """The district a group row names ("Huyện Sìn Hồ", "II. H. Tam Đường"), else None.

        Official lists group communes under a row naming their district; that row gives the
        district to the rows under it that have none of their own.
        """
        texts = [c for c in cells if c and not re.fullmatch(r"[IVXLC]+\.?|\d+\.?|[A-Z]\.?", c)]
        if len(texts) != 1:
            return None
        for text in (texts[0], re.sub(r"^([IVXLC]+|\d+|[A-Z])[.)]\s*", "", texts[0])):   # "II. H. Tam Đường"
            reading = district_readings(text)[0]
            # only a written-out or abbreviated type ("Huyện …", "H. …", "TP …") and a known district
            if reading.kind and reading.folded in self._district_names:
                return text
        return None
