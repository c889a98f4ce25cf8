"""Read reference CSV files as text only, and clean their cells: NFC text and zero-padded codes.

The unit lists (:mod:`geoapp.unitlists`) and the crosswalk reader (:mod:`geoapp.crosswalk.read`)
both read their files through here, so the rules below hold for every reference CSV.

Trip-wires:

* every CSV is read with ``dtype=str`` and only empty cells count as missing, so codes keep
  their leading zeros and text such as "NA" or "None" never becomes a missing value;
* codes may arrive float-like ("3388.0" from a spreadsheet export): :func:`pad_codes` pads
  them to their width and refuses — for the whole column, naming examples — anything that is
  not a code, instead of parsing codes as numbers;
* a BOM can sit in the middle of a header when files were glued together: it is stripped
  from every column name, not only the first.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError

_DIGITS = re.compile(r"^\d+(\.0+)?$")


def clean_text(text) -> str | None:
    """NFC, one space between words, no surrounding blanks; missing stays ``None``."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return None
    out = re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(text))).strip()
    return out or None


def read_csv_text(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """Read a UTF-8 CSV as text only, or raise :class:`InputError` naming what is wrong."""
    if not path.is_file():
        raise InputError(f"{path}: file not found; the unit lists are expected under the data "
                         "folder (see shared/data/README.md)",
                         message_vi=f"{path}: không tìm thấy tệp danh mục đơn vị hành chính")
    try:
        # keep_default_na=False: only an empty cell is missing ("NA", "None" could be names)
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False,
                            na_values=[""])
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc})",
                         message_vi=f"{path}: không phải văn bản UTF-8 ({exc})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: cannot be read as CSV ({exc})",
                         message_vi=f"{path}: không đọc được dạng CSV ({exc})") from None
    # utf-8-sig removes a leading BOM, but files glued together can carry one mid-header
    frame.columns = [unicodedata.normalize("NFC", str(c).replace("\ufeff", "")).strip()
                     for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; "
                         f"columns found: {', '.join(frame.columns)}",
                         message_vi=f"{path}: thiếu cột {', '.join(missing)}; "
                                    f"các cột có: {', '.join(frame.columns)}")
    return frame


#: the width of each administrative code column (GSO codes: commune 5, district 3, province 2 digits)
CODE_WIDTH = {"code": 5, "district_code": 3, "province_code": 2}


def pad_codes(values: pd.Series, width: int, path: Path, column: str) -> pd.Series:
    """Zero-pad code text ("3388", "3388.0" → "03388"); refuse anything that is not a code."""
    def pad(value):
        text = "" if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) \
            else str(value).strip()
        if not _DIGITS.match(text):
            return None
        core = text.split(".")[0].lstrip("0") or "0"
        return core.zfill(width) if len(core) <= width else None
    out = values.map(pad)
    bad = values[out.isna()]
    if len(bad):
        shown = ", ".join(repr(v) for v in bad.head(5))
        raise InputError(f"{path}: column {column!r} has {len(bad)} value(s) that are not "
                         f"{width}-digit codes, e.g. {shown}",
                         message_vi=f"{path}: cột {column!r} có {len(bad)} giá trị không phải mã "
                                    f"{width} chữ số, ví dụ {shown}")
    return out.astype(object)
