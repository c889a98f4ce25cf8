"""Write the gettext catalogues ``geoapp/translations/{vi,en}/LC_MESSAGES/messages.po`` from string
tables held in a Python file — the one-off move of the interface strings out of ``geoapp/strings.py``
(issue 14, item 6). The catalogues are the source of truth now: translators edit the ``.po`` files
(see the README, "Translations"), this script is kept for the record and for a later bulk import.

    .venv/bin/python scripts/make_catalogues.py OLD_STRINGS.py [--out geoapp/translations]

``OLD_STRINGS.py`` defines ``STRINGS`` (the pages' strings) and ``MAP_STRINGS`` (what map.js shows),
each ``key: (vi, en)``; the export column headings below are added as ``col_<column>``. The msgid is
the key, the msgstr the text; map strings and headings carry an extracted comment saying where they
show. An existing catalogue is overwritten.
"""
from __future__ import annotations

import argparse
import runpy
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parents[1]

#: the column headings of a map view's CSV/XLSX (``mapview.payloads.view_data``): column → (vi, en)
HEADINGS = {
    "as_of": ("Tính đến ngày", "As of"), "edition": ("Phiên bản", "Edition"), "code": ("Mã xã", "Commune code"),
    "full_name": ("Tên đầy đủ", "Full name"), "name": ("Tên", "Name"), "district_name": ("Huyện", "District"),
    "province_name": ("Tỉnh", "Province"), "status": ("Mã trạng thái", "Status code"),
    "label": ("Trạng thái", "Status"), "colour": ("Màu", "Colour"), "since": ("Từ ngày", "Since"),
    "decision": ("Quyết định", "Decision"), "note": ("Ghi chú", "Note"), "scheme": ("Chế độ", "Scheme"),
    "demo": ("Dữ liệu minh họa", "Demo data"), "value": ("Giá trị", "Value"), "class": ("Lớp", "Class"),
    "indicator": ("Chỉ tiêu", "Indicator"), "period": ("Kỳ", "Period"),
    "rate_per_1000": ("Tỷ lệ trên 1.000 dân", "Rate per 1,000 people"),
}


def entries(tables: dict) -> list[tuple[str, str, str, str]]:
    """``(key, vi, en, comment)`` of every string: pages, map.js, export headings."""
    rows = [(k, vi, en, "") for k, (vi, en) in tables["STRINGS"].items()]
    rows += [(k, vi, en, "map.js (config.strings)") for k, (vi, en) in tables["MAP_STRINGS"].items()]
    rows += [(f"col_{c}", vi, en, f"export column heading of '{c}'") for c, (vi, en) in HEADINGS.items()]
    keys = [r[0] for r in rows]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise SystemExit(f"keys defined twice: {duplicates}")
    return rows


def write_catalogue(rows, lang: str, out: Path) -> Path:
    catalog = Catalog(locale=lang, domain="messages", project="geoapp", version="1",
                      copyright_holder="geoapp", msgid_bugs_address="", fuzzy=False)
    for key, vi, en, comment in rows:
        catalog.add(key, vi if lang == "vi" else en, auto_comments=[comment] if comment else ())
    path = out / lang / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=110, omit_header=False, include_previous=False)
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a Python file defining STRINGS and MAP_STRINGS")
    parser.add_argument("--out", type=Path, default=ROOT / "geoapp" / "translations")
    args = parser.parse_args(argv)
    rows = entries(runpy.run_path(str(args.source)))
    for lang in ("vi", "en"):
        print(write_catalogue(rows, lang, args.out), len(rows), "messages")


if __name__ == "__main__":
    main()
