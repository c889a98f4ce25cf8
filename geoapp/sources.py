"""Open what the user points at: a .shp set, a .zip of one, a GeoPackage or a GeoJSON file.

Trip-wire: a zip may hold several layers, folders, or junk (``__MACOSX``); we pick the vector
members ourselves and read them through GDAL's ``/vsizip/`` so nothing is unpacked to disk.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import InputError

VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_UNPACKED = 4 * 1024 ** 3       # bytes once inflated: the whole 2025 edition is ~0.3 GB
MAX_ZIP_RATIO = 200                    # inflated / compressed, per member: more is a zip bomb


@dataclass(frozen=True)
class Layer:
    """One readable vector layer and its side files (for shapefiles)."""

    label: str          # what the user sees in messages, e.g. "lai_chau.zip:xa.shp"
    gdal_path: str      # what pyogrio opens
    kind: str           # shapefile | gpkg | geojson
    prj: str | None     # text of the .prj, if any (shapefiles only)
    cpg: str | None     # text of the .cpg, if any (shapefiles only)


def _kind(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return {".shp": "shapefile", ".gpkg": "gpkg"}.get(suffix, "geojson")


def open_layers(path: str | Path) -> list[Layer]:
    """List the vector layers in ``path``; raise :class:`InputError` saying what is wrong."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p} does not exist", message_vi=f"không tìm thấy tệp {p}")
    if p.suffix.lower() == ".zip":
        return _zip_layers(p)
    if p.suffix.lower() not in VECTOR_SUFFIXES:
        raise InputError(f"{p.name}: unsupported file type; give a .shp, .zip, .gpkg or .geojson",
                         message_vi=f"{p.name}: loại tệp không hỗ trợ; hãy dùng .shp, .zip, .gpkg hoặc .geojson")
    if p.suffix.lower() == ".shp":
        missing = [s for s in (".dbf", ".shx") if not _sidecar(p, s)]
        if missing:
            raise InputError(f"{p.name}: the shapefile set is incomplete, {', '.join(missing)} missing; "
                             "copy all files of the set (.shp .shx .dbf .prj .cpg) or zip them together",
                             message_vi=f"{p.name}: thiếu {', '.join(missing)} của bộ shapefile")
        prj, cpg = _sidecar(p, ".prj"), _sidecar(p, ".cpg")
        return [Layer(p.name, str(p), "shapefile",
                      prj.read_text(errors="replace") if prj else None,
                      cpg.read_text(errors="replace").strip() if cpg else None)]
    return [Layer(p.name, str(p), _kind(p.name), None, None)]


def _sidecar(shp: Path, suffix: str) -> Path | None:
    for cand in (shp.with_suffix(suffix), shp.with_suffix(suffix.upper())):
        if cand.exists():
            return cand
    return None


def check_zip_members(name: str, infos) -> None:
    """Refuse zips that could hurt: too many members, links, paths leaving the folder, bombs."""
    if len(infos) > MAX_ZIP_MEMBERS:
        raise InputError(f"{name} holds {len(infos)} members (at most {MAX_ZIP_MEMBERS})",
                         message_vi=f"{name} có quá nhiều tệp ({len(infos)})")
    total = 0
    for info in infos:
        member = PurePosixPath(info.filename.replace("\\", "/"))
        if member.is_absolute() or ".." in member.parts or ":" in info.filename:
            raise InputError(f"{name}: member {info.filename!r} has an unsafe path",
                             message_vi=f"{name}: tệp {info.filename!r} có đường dẫn không an toàn")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise InputError(f"{name}: member {info.filename!r} is a symbolic link; links are not accepted",
                             message_vi=f"{name}: không chấp nhận liên kết {info.filename!r}")
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO and info.file_size > 1 << 20:
            raise InputError(f"{name}: member {info.filename!r} inflates {info.file_size / info.compress_size:.0f}×; "
                             "refused as a possible zip bomb", message_vi=f"{name}: nghi là zip bom")
    if total > MAX_ZIP_UNPACKED:
        raise InputError(f"{name} inflates to {total / 1e9:.1f} GB (at most {MAX_ZIP_UNPACKED / 1e9:.0f} GB)",
                         message_vi=f"{name} giải nén ra quá lớn")


def _zip_layers(p: Path) -> list[Layer]:
    try:
        zf = zipfile.ZipFile(p)
    except zipfile.BadZipFile:
        raise InputError(f"{p.name} is not a readable zip file", message_vi=f"{p.name} không phải tệp zip hợp lệ") from None
    with zf:
        infos = zf.infolist()
        check_zip_members(p.name, infos)
        names = {i.filename: i for i in infos
                 if not i.is_dir() and "__MACOSX" not in i.filename and not i.filename.startswith(".")}
        lower = {n.lower(): n for n in names}
        layers = []
        for name in sorted(names):
            if PurePosixPath(name).suffix.lower() not in VECTOR_SUFFIXES:
                continue
            kind = _kind(name)
            prj = cpg = None
            if kind == "shapefile":
                stem = name[: -len(PurePosixPath(name).suffix)]
                missing = [s for s in (".dbf", ".shx") if (stem + s).lower() not in lower]
                if missing:
                    raise InputError(f"{p.name}:{name}: the shapefile set is incomplete, {', '.join(missing)} missing")
                if (stem + ".prj").lower() in lower:
                    prj = zf.read(lower[(stem + ".prj").lower()]).decode("utf-8", errors="replace")
                if (stem + ".cpg").lower() in lower:
                    cpg = zf.read(lower[(stem + ".cpg").lower()]).decode("ascii", errors="replace").strip()
            layers.append(Layer(f"{p.name}:{name}", f"/vsizip/{p.resolve()}/{name}", kind, prj, cpg))
    if not layers:
        raise InputError(f"{p.name} holds no .shp, .gpkg or .geojson",
                         message_vi=f"{p.name} không chứa .shp, .gpkg hoặc .geojson")
    return layers
