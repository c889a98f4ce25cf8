"""The words that name a briefing output: the sources line (per edition drawn), the title of a view and its file names.

Trip-wire: the title names the province as the store lists it in the view's edition ("Việt Nam"
for the whole edition) and the layer in the view's language; the file name uses codes only (no
diacritics), so it survives every mail client and file system.
"""
from __future__ import annotations

from ..mapview import MapView, transitions
from ..mapview.page import layer_label
from ..schemes import Catalogue
from ..store.base import Store

#: every source of what a map draws, vi and en (data README "Upstream and licences"): the geometry
#: of each edition, and the unit lists and crosswalk every view uses. One home: the figures, the
#: standalone page, the pack and XLSX README, and the web pages' footers (a jinja global) read it.
SOURCES = {
    "2025": {"vi": ("Ranh giới xã từ 1/7/2025: thanglequoc/vietnamese-provinces-database (MIT © 2021 Thang Le Quoc), "
                    "từ bản đồ sapnhap.bando.com.vn (NXB Tài nguyên – Môi trường và Bản đồ Việt Nam)"),
             "en": ("Communes from 1 July 2025: thanglequoc/vietnamese-provinces-database (MIT © 2021 Thang Le Quoc), "
                    "from sapnhap.bando.com.vn (NXB Tài nguyên – Môi trường và Bản đồ Việt Nam)")},
    "pre2025": {"vi": ("Ranh giới xã trước 1/7/2025 (gần đúng): LucieContamin/censusVN2009 (MIT © 2017 Marc Choisy), "
                       "cập nhật theo thay đổi của Tổng cục Thống kê 2019–2024"),
                "en": ("Communes before 1 July 2025 (approximate): LucieContamin/censusVN2009 (MIT © 2017 Marc Choisy), "
                       "updated with the GSO 2019–2024 change record")},
    "lists": {"vi": ("Danh mục và bảng chuyển đổi: tranngocminhhieu/vietnamadminunits (MIT © 2025 Tran Ngoc Minh Hieu); "
                     "Tổng cục Thống kê"),
              "en": "Unit lists and crosswalk: tranngocminhhieu/vietnamadminunits (MIT © 2025 Tran Ngoc Minh Hieu); GSO"},
}


def sources_line(edition: str | None, lang: str) -> str:
    """"Nguồn: …" / "Sources: …": the geometry source of ``edition`` ("pre2025" or "2025"; None or
    "compare": both, for a page that draws both or none in particular), then the lists."""
    geometry = [edition] if edition in ("pre2025", "2025") else ["2025", "pre2025"]
    lang = "en" if lang == "en" else "vi"
    parts = [SOURCES[key][lang] for key in (*geometry, "lists")]
    return ("Sources: " if lang == "en" else "Nguồn: ") + "; ".join(parts)


def title(store: Store, catalogue: Catalogue, view: MapView) -> str:
    """"<province> — <layer>", e.g. "Tỉnh Lai Châu — An ninh, trật tự (ANTT)"; a change view adds
    "— Thay đổi 31/12/2022 – 31/12/2024" ("— Change …" in English)."""
    provinces = store.provinces(view.edition).set_index("code")["name"]
    place = provinces.get(view.province, view.province) if view.province else "Việt Nam"
    change = f" — {transitions.title(view.since, view.as_of, view.lang)}" if view.since and not view.indicator else ""
    return f"{place} — {layer_label(catalogue, view)}{change}"


def filename(view: MapView, suffix: str) -> str:
    """``geoapp_<edition>_<province|all>_<layer>_<as_of>.<suffix>`` (a change view: ``<since>_<as_of>``)."""
    days = f"{view.since}_{view.as_of}" if view.since and not view.indicator else view.as_of
    return f"geoapp_{view.edition}_{view.province or 'all'}_{view.layer}_{days}.{suffix}"
