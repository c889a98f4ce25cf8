"""Use cases that read files and write the store: shared by the CLI and the web layer.

This is the only place where domain modules (boundaries, lod, unitlists) meet the store.
Everything here is all-or-nothing: validation happens before the first write, and writes
happen in one transaction.
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from . import lod as lodmod
from .boundaries import BoundaryRead, FieldOptions, read_boundaries
from .errors import InputError, NotFoundError, Problem, StoreError, ValidationError
from .editions import check_edition
from .lod_cache import LodCache
from .progress import as_reporter
from .store.base import BatchInfo, Store


#: share of codes naming other places above which a file is taken to be of the other edition
MISMATCH_SHARE = 0.2
#: seconds per imported vertex to write the units and their levels (the ETA of "writing")
WRITE_S_PER_VERTEX = 2.5e-7
#: seconds per vertex of a GeoJSON export (the ETA of a whole-country export: 7 M vertices at lod 0)
EXPORT_S_PER_VERTEX = 1.2e-6


def files_hash(paths) -> str:
    digest = hashlib.sha256()
    for p in sorted(str(p) for p in paths):
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _only_provinces(units, provinces: list[str] | None):
    """The units of the ``provinces`` asked for (all when None); refuses one the files do not hold."""
    if not provinces:
        return units
    wanted = {p.zfill(2) for p in provinces}
    absent = sorted(wanted - set(units["province_code"]))
    if absent:
        raise InputError(f"province(s) {', '.join(absent)} not in the file(s); the file(s) hold "
                         + ", ".join(sorted(set(units['province_code']))))
    return units[units["province_code"].isin(wanted)].reset_index(drop=True)


def _refuse_code_clashes(units, existing, province_names: dict, edition: str) -> None:
    """A code already held by another province of this edition would be silently overwritten: refuse."""
    other = existing[~existing["province_code"].isin(list(province_names))]
    clash = other.merge(units[["code", "name", "province_code"]], on="code", suffixes=("_stored", ""))
    if len(clash):
        problems = [Problem("error", f"code {r.code} ({r.name}, province {r.province_code}) is already "
                            f"unit {r.name_stored} of province {r.province_code_stored} in edition {edition}",
                            f"code {r.code}") for r in clash.itertuples()]
        raise ValidationError("refused: codes clash with another province; nothing was imported", problems)


def import_boundaries(store: Store, paths, edition: str, *, user: str = "cli", crs: str | None = None,
                      encoding: str | None = None, fields: FieldOptions | None = None,
                      provinces: list[str] | None = None, origin: str = "", progress=None,
                      lod_cache: LodCache | None = None) -> dict:
    """Validate boundary files and replace their provinces in ``edition``; return a report.

    Raises before writing anything when any file is refused. Levels of detail are recomputed
    for the whole edition so borders stay shared across province lines (see :mod:`geoapp.lod`),
    or taken from ``lod_cache`` when the same polygons were computed before (checksum-verified).
    ``progress``: a :class:`geoapp.progress.Reporter`, a plain ``f(label)`` or None.
    """
    check_edition(edition)
    paths = [Path(p) for p in paths]
    report = as_reporter(progress)
    timings = {}
    t0 = time.perf_counter()
    read: BoundaryRead = read_boundaries(paths, crs=crs, encoding=encoding, fields=fields, progress=report)
    units = _only_provinces(read.units, provinces)
    timings["read_s"] = time.perf_counter() - t0
    province_names = {c: n for c, n in read.provinces.items() if c in set(units["province_code"])}
    existing = store.units(edition)
    _refuse_code_clashes(units, existing, province_names, edition)
    problems = check_against_list(units, existing, edition)
    if any(p.level == "error" for p in problems):
        raise ValidationError("refused: the file does not match the official list of edition "
                              f"{edition}; nothing was imported", problems,
                              message_vi=f"từ chối: tệp không khớp danh mục chính thức của phiên bản {edition}")

    t0 = time.perf_counter()
    # levels are computed outside the write lock (a minute for the whole country); another boundary
    # import committing meanwhile would make them stale, so that is checked under the lock below
    seen = _last_boundary_batch(store, edition)
    stored = store.geometries(edition, lod=0)
    stored = stored[~stored["province_code"].isin(list(province_names))]
    all_codes = list(stored["code"]) + list(units["code"])
    all_geoms = np.concatenate([np.asarray(stored.geometry.values, dtype=object),
                                np.asarray(units.geometry.values, dtype=object)])
    lods = lodmod.levels_of_detail(all_geoms, progress=report, cache=lod_cache)
    timings["lod_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    repaired = [p.to_dict() for p in read.problems + problems]
    batch = BatchInfo(kind="boundaries", edition=edition, source=", ".join(p.name for p in paths),
                      file_hash=files_hash(paths), user=user, row_count=len(units),
                      detail={"provinces": sorted(province_names), "crs": read.crs,
                              "encodings": read.encodings, "problems": repaired})
    vertices = int(shapely.get_num_coordinates(np.asarray(units.geometry.values, dtype=object)).sum())
    with report.estimate("writing", 0.2 + WRITE_S_PER_VERTEX * vertices), store.transaction() as tx:
        if _last_boundary_batch(store, edition) != seen:
            raise StoreError("another boundary import of this edition finished while this one was computing; "
                             "nothing was written — run the import again",
                             message_vi="một lần nhập ranh giới khác vừa hoàn tất; chưa ghi gì — hãy nhập lại")
        batch_id = store.add_batch(tx, batch)
        store.replace_boundaries(tx, edition, province_names, units.drop(columns="geometry"),
                                 list(units.geometry.values), batch_id)
        store.set_lods(tx, edition, all_codes, lods)
        store.audit(tx, user, "boundaries.import", f"{edition}:{','.join(sorted(province_names))}",
                    {"batch": batch_id, "units": len(units), "files": batch.source}, origin)
    timings["write_s"] = time.perf_counter() - t0
    return {"batch": batch_id, "edition": edition, "units": int(len(units)),
            "provinces": province_names, "problems": repaired, "crs": read.crs,
            "encodings": read.encodings, "timings": {k: round(v, 3) for k, v in timings.items()},
            "lod_cache": lod_cache.state() if lod_cache is not None else "off"}


def _last_boundary_batch(store: Store, edition: str) -> int:
    batches = store.batches("boundaries")
    batches = batches[batches["edition"] == edition] if len(batches) else batches
    return int(batches["id"].max()) if len(batches) else 0


def check_against_list(units: pd.DataFrame, stored: pd.DataFrame, edition: str) -> list[Problem]:
    """Compare a boundary file with the official list of ``edition`` (when one is loaded).

    Codes are reused across the reform, so a 2025 file imported as ``pre2025`` has valid-looking
    codes with the wrong names: when most shared codes name other places, refuse and say so.
    Codes the list does not know, or names that differ, are reported as warnings.
    """
    from .names import fold

    listed = stored[stored["in_list"] == 1].set_index("code")
    if listed.empty:
        return []
    problems: list[Problem] = []
    known = units[units["code"].isin(listed.index)]
    differ = [r for r in known.itertuples()
              if fold(r.name) != fold(listed.at[r.code, "name"])
              and fold(r.name) not in fold(listed.at[r.code, "full_name"])
              and fold(listed.at[r.code, "name"]) not in fold(r.name)]
    # within the right edition a few renamed units differ; across the reform a third or more do
    if len(known) >= 5 and len(differ) > len(known) * MISMATCH_SHARE:
        r = differ[0]
        other = "pre2025" if edition == "2025" else "2025"
        problems.append(Problem(
            "error", f"{len(differ)} of {len(known)} codes name other places in the official {edition} list "
            f"(e.g. {r.code} is {r.name!r} in the file but {listed.at[r.code, 'name']!r} in the list); "
            f"codes are reused across the 2025 reform — is this file of edition {other}? check --edition",
            "edition", f"{len(differ)}/{len(known)} mã có tên khác trong danh mục {edition}; kiểm tra --edition"))
        return problems
    for r in differ:
        problems.append(Problem("warning", f"named {r.name!r} here but {listed.at[r.code, 'name']!r} in the "
                                "official list", f"code {r.code}"))
    for r in units[~units["code"].isin(listed.index)].itertuples():
        problems.append(Problem("warning", f"{r.name!r} is not in the official {edition} list", f"code {r.code}",
                                f"{r.name!r} không có trong danh mục chính thức {edition}"))
    return problems


def import_unit_list(store: Store, edition: str, data_dir: Path, *, user: str = "cli", origin: str = "") -> dict:
    """Load the official list of ``edition`` from ``data_dir`` (laid out like ``../shared/data``)."""
    from .unitlists import read_unit_list

    check_edition(edition)
    units, provinces = read_unit_list(edition, Path(data_dir))
    batch = BatchInfo(kind="unit_list", edition=edition, source=str(data_dir), file_hash="",
                      user=user, row_count=len(units), detail={"provinces": len(provinces)})
    with store.transaction() as tx:
        batch_id = store.add_batch(tx, batch)
        store.upsert_unit_list(tx, edition, units, provinces, batch_id)
        store.audit(tx, user, "units.import_list", edition, {"batch": batch_id, "units": len(units)}, origin)
    return {"batch": batch_id, "edition": edition, "units": int(len(units)), "provinces": len(provinces)}


def export_seconds(store: Store, edition: str, fmt: str, lod: int = 0) -> float:
    """Estimated seconds of :func:`export_units` for a whole edition (for a progress ETA)."""
    if fmt != "geojson":
        return 1.0
    stats = store.lod_stats(edition)
    row = stats[stats["lod"] == lod] if len(stats) else stats
    return 0.5 + (float(row["vertices"].iloc[0]) * EXPORT_S_PER_VERTEX if len(row) else 0.0)


def export_units(store: Store, edition: str, province: str | None, fmt: str, lod: int = 0) -> bytes:
    """Units of an edition (optionally one province) as GeoJSON or CSV bytes.

    GeoJSON holds the units that have geometry; CSV holds every unit, with ``has_geometry``,
    so units known only from the official list are listed as "no geometry" instead of vanishing.
    """
    check_edition(edition)
    if province and province not in set(store.provinces(edition)["code"]):
        raise NotFoundError(f"no province {province!r} in edition {edition}")
    if fmt == "csv":
        from .briefing.tabular import csv_text   # unit names come from boundary files: no live formulas
        frame = store.units(edition, province)
        return csv_text(frame).encode("utf-8-sig")
    if fmt == "geojson":
        frame = store.geometries(edition, province, lod=lod)
        return frame.to_json(drop_id=True, ensure_ascii=False).encode("utf-8")
    raise InputError(f"unknown format {fmt!r}; use geojson or csv")
