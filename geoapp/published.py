"""The figures provinces published (``published/tong_hop_cong_bo.csv`` of the reference data folder)
as the map's figures compare with them. No Flask.

Trip-wires:

* the folder is the ``DATA_MIRROR`` setting (default ``../shared/data`` beside the project), as the
  demo reads it (:func:`geoapp.demo.inputs.data_folder`); without the folder or the file there is
  nothing to compare with and every look-up answers None — never an error on a map;
* rows name *pre-2025* province codes (``ma_tinh_truoc2025``): only a pre-2025 view of one
  province matches (codes are reused across the reform, so never a 2025 view);
* only rows about a whole province (``pham_vi`` = ``tỉnh``) with a denominator (``tren_tong``)
  count; a row matches a scheme figure through the figure's ``published`` indicator
  (``schemes.toml``) and the month of the view's date (``ngay`` is ``YYYY-MM``);
* the file is read once per (path, modification time).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

#: the published table, relative to the reference data folder
PUBLISHED_TABLE = Path("published") / "tong_hop_cong_bo.csv"
#: ``pham_vi`` of a row about a whole province
WHOLE_PROVINCE = "tỉnh"

_CACHE: dict[tuple, dict] = {}
_LOCK = Lock()


@dataclass(frozen=True)
class PublishedRow:
    """One published figure of a whole pre-2025 province: its value over ``units`` communes, in ``month``."""

    province: str
    indicator: str
    month: str
    value: int | None
    units: int
    source: str = ""


def reference_folder() -> Path | None:
    """The reference data folder (the ``DATA_MIRROR`` setting); None when it is not a folder."""
    from .config import load_settings

    folder = load_settings().get("DATA_MIRROR") or ""
    return Path(folder) if folder and Path(folder).is_dir() else None


def _int(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def read_published(path: Path) -> dict[tuple[str, str, str], PublishedRow]:
    """``{(province, indicator, month): row}`` of the whole-province rows of ``path`` with a denominator."""
    key = (str(path), path.stat().st_mtime_ns)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    rows = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            units = _int(r.get("tren_tong", ""))
            if (r.get("pham_vi") or "").strip() != WHOLE_PROVINCE or not units:
                continue
            row = PublishedRow((r.get("ma_tinh_truoc2025") or "").strip(), (r.get("chi_tieu") or "").strip(),
                               (r.get("ngay") or "").strip()[:7], _int(r.get("gia_tri", "")), units,
                               (r.get("nguon") or "").strip())
            rows[(row.province, row.indicator, row.month)] = row
    with _LOCK:
        _CACHE.clear()
        _CACHE[key] = rows
    return rows


def published_row(edition: str, province: str | None, indicator: str, day: str,
                  folder: Path | None = None) -> PublishedRow | None:
    """The published row a figure of ``indicator`` on ``day`` (ISO) restates, for a pre-2025 province; else None."""
    if edition != "pre2025" or not province or not indicator:
        return None
    folder = folder if folder is not None else reference_folder()
    path = folder / PUBLISHED_TABLE if folder is not None else None
    if path is None or not path.is_file():
        return None
    return read_published(path).get((province, indicator, day[:7]))
