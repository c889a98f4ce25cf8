"""Read the old-commune → new-unit crosswalk file: the one reader of it, and where its path is resolved.

The file (``crosswalk/xa_truoc2025_sang_2025.csv`` of the reference data; the path is
:data:`geoapp.unitlists.CROSSWALK`, beside the other reference files) has one row per (old
commune, new unit) pair. Everything that needs the pairs from the file — the import, the demo —
goes through :func:`read_crosswalk_file`; :func:`crosswalk_path` is the one place a data folder
becomes the file's path.

Trip-wires: ``wardCode`` is float-like text ("3386.0"), so codes are padded, never parsed as
numbers; a row with no ``wardCode`` is not an error but a new unit formed from a district that
had no commune (island districts) — kept apart in ``no_old_commune``. (:mod:`geoapp.unitlists`
also opens this file, for the *columns of the new units* that make up the 2025 unit list; it sits
below this package and may not import it.)
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..csvtext import clean_text, pad_codes, read_csv_text
from ..errors import InputError
from ..unitlists import CROSSWALK

#: the editions the crosswalk goes from and to
FROM_EDITION, TO_EDITION = "pre2025", "2025"
#: columns of a crosswalk pair as :func:`read_crosswalk_file` returns them
PAIR_COLUMNS = ("old_code", "new_code", "is_split", "old_name", "new_name", "old_province", "new_province")

_COLUMNS = {"provinceCode": "old_province", "wardCode": "old_code", "isDividedWard": "is_split",
            "ward": "old_name", "newWardCode": "new_code", "newWard": "new_name",
            "newProvinceCode": "new_province"}


@dataclass
class CrosswalkFile:
    """A crosswalk as read from its file.

    ``rows`` has :data:`PAIR_COLUMNS`, one row per (old, new) pair; ``no_old_commune`` lists the
    new units the file derives from a district that had no commune (island districts), which
    therefore have no old commune to project from.
    """

    path: Path
    sha256: str
    rows: pd.DataFrame
    no_old_commune: pd.DataFrame


def crosswalk_path(source) -> Path:
    """The crosswalk file: ``source`` itself, or the crosswalk inside ``source`` when it is a data folder."""
    path = Path(source)
    return path / CROSSWALK if path.is_dir() else path


def read_crosswalk_file(source) -> CrosswalkFile:
    """Read the old-commune → new-unit crosswalk with names and the split flag.

    Parameters
    ----------
    source : str or pathlib.Path
        The CSV, or a data folder laid out like ``shared/data`` holding it.

    Returns
    -------
    CrosswalkFile
        Pairs sorted by ``new_code``, ``old_code``.

    Raises
    ------
    InputError
        Missing file or columns, malformed codes, an unreadable split flag, repeated pairs.
    """
    path = crosswalk_path(source)
    if not path.is_file():
        raise InputError(f"crosswalk not found: {path}", message_vi=f"không tìm thấy bảng chuyển đổi: {path}")
    raw = read_csv_text(path, tuple(_COLUMNS))
    # an empty ``wardCode`` is a district without communes
    has_old = raw["wardCode"].notna()
    no_old = _no_old_commune(raw[~has_old], path)
    rows = _pairs(raw[has_old], path)
    _refuse_repeated_pairs(rows, path)
    rows = rows.sort_values(["new_code", "old_code"]).reset_index(drop=True)
    return CrosswalkFile(path, hashlib.sha256(path.read_bytes()).hexdigest(), rows, no_old)


def _no_old_commune(bare: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The new units of rows without an old commune."""
    return pd.DataFrame({
        "new_code": pad_codes(bare["newWardCode"], 5, path, "newWardCode"),
        "new_name": bare["newWard"].map(clean_text),
        "new_province": pad_codes(bare["newProvinceCode"], 2, path, "newProvinceCode"),
        "old_district": bare["district"].map(clean_text) if "district" in bare else None,
    }).reset_index(drop=True)


def _split_flags(raw: pd.DataFrame, path: Path) -> pd.Series:
    """``isDividedWard`` as booleans; anything but True/False/1/0 is refused."""
    flag = raw["isDividedWard"].fillna("").str.strip().str.lower()
    bad = raw.loc[~flag.isin(["true", "false", "1", "0"]), "isDividedWard"]
    if len(bad):
        raise InputError(f"{path}: column 'isDividedWard' must be True or False; found "
                         + ", ".join(repr(v) for v in bad.head(5)),
                         message_vi=f"{path}: cột 'isDividedWard' phải là True hoặc False")
    return flag.isin(["true", "1"])


def _pairs(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The rows with an old commune as :data:`PAIR_COLUMNS` (the split flag is checked first)."""
    is_split = _split_flags(raw, path)
    return pd.DataFrame({
        "old_code": pad_codes(raw["wardCode"], 5, path, "wardCode"),
        "new_code": pad_codes(raw["newWardCode"], 5, path, "newWardCode"),
        "is_split": is_split.to_numpy(),
        "old_name": raw["ward"].map(clean_text).fillna(""),
        "new_name": raw["newWard"].map(clean_text).fillna(""),
        "old_province": pad_codes(raw["provinceCode"], 2, path, "provinceCode"),
        "new_province": pad_codes(raw["newProvinceCode"], 2, path, "newProvinceCode"),
    })


def _refuse_repeated_pairs(rows: pd.DataFrame, path: Path) -> None:
    dup = rows[rows.duplicated(["old_code", "new_code"], keep=False)]
    if len(dup):
        shown = ", ".join(sorted({f"{a}→{b}" for a, b in zip(dup["old_code"], dup["new_code"])})[:5])
        raise InputError(f"{path}: {len(dup)} rows repeat an (old, new) pair, e.g. {shown}",
                         message_vi=f"{path}: {len(dup)} dòng lặp lại cặp (cũ, mới), ví dụ {shown}")
