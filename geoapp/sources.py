"""Open what the user points at: a .shp set, a .zip of one, a GeoPackage or a GeoJSON file.

Trip-wires: a zip may hold several layers, folders, or junk (``__MACOSX``); we pick the vector
members ourselves and read them through GDAL's ``/vsizip/`` so nothing is unpacked to disk.
The sizes in a zip's headers are the sender's word: :func:`check_zip` inflates every member with
a byte counter (and stops at the limit) before GDAL — or openpyxl, an .xlsx is a zip — sees it.
"""
from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import InputError

VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_UNPACKED = 4 * 1024 ** 3       # bytes once inflated: the whole 2025 edition is ~0.3 GB
MAX_ZIP_RATIO = 200                    # inflated / compressed, per member and in all: more is a zip bomb

_ABSOLUTE_PATH = re.compile(r"(?<![\w.])(?:/vsi\w+/)?/(?:[^\s'\"/:]+/)+[^\s'\"/:]*")


def without_paths(text: str, known: tuple[str, ...] = ()) -> str:
    """``text`` with no absolute path in it, for messages a user reads (GDAL quotes the paths it opens).

    Each ``known`` folder (e.g. the upload folder) is cut from the front of the paths under it,
    so ``/srv/instance/uploads/x1/a.zip`` reads ``a.zip``; any other absolute path becomes ``…``.
    """
    for folder in sorted({k.rstrip("/") for k in known if k}, key=len, reverse=True):
        text = text.replace(folder + "/", "").replace(folder, "…")
    return _ABSOLUTE_PATH.sub("…", text)


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


@dataclass(frozen=True)
class ZipLimits:
    """What a zip may hold. The web and the CLI use the defaults; tests pass small ones."""

    members: int = MAX_ZIP_MEMBERS
    unpacked: int = MAX_ZIP_UNPACKED     # real inflated bytes, all members together
    ratio: float = MAX_ZIP_RATIO         # real inflated / real compressed bytes
    ratio_floor: int = 1 << 20           # the ratio is judged only past this many inflated bytes


#: the limits :func:`check_zip` uses when given none (tests put small ones here)
DEFAULT_LIMITS = ZipLimits()


def check_zip_members(name: str, infos, limits: ZipLimits | None = None) -> None:
    """Refuse what the zip's directory alone shows to be unsafe: too many members, links, paths
    leaving the folder, encryption, and sizes that *claim* to be too big.

    Trip-wire: this trusts the sizes written in the headers, which an attacker chooses; it is
    only the cheap first look. :func:`check_zip` inflates every member and counts real bytes.
    """
    limits = limits or DEFAULT_LIMITS
    if len(infos) > limits.members:
        raise InputError(f"{name} holds {len(infos)} members (at most {limits.members})",
                         message_vi=f"{name} có quá nhiều tệp ({len(infos)}, tối đa {limits.members})")
    total = 0
    for info in infos:
        member = PurePosixPath(info.filename.replace("\\", "/"))
        if member.is_absolute() or ".." in member.parts or ":" in info.filename:
            raise InputError(f"{name}: member {info.filename!r} has an unsafe path",
                             message_vi=f"{name}: tệp {info.filename!r} có đường dẫn không an toàn")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise InputError(f"{name}: member {info.filename!r} is a symbolic link; links are not accepted",
                             message_vi=f"{name}: không chấp nhận liên kết {info.filename!r}")
        if info.flag_bits & 0x1:
            raise InputError(f"{name}: member {info.filename!r} is encrypted; upload a zip without a password",
                             message_vi=f"{name}: tệp {info.filename!r} có mật khẩu; hãy nén lại không đặt mật khẩu")
        total += info.file_size
        if info.file_size > limits.ratio_floor and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise _bomb(name, info.filename)
    if total > limits.unpacked:
        raise _too_big(name, limits.unpacked)


def check_zip(source, name: str | None = None, limits: ZipLimits | None = None) -> None:
    """Refuse a zip that could hurt, judging from the bytes it really inflates to.

    Every member is inflated from its raw deflate stream with a byte counter; the check stops
    the moment the real total passes ``limits.unpacked`` or a member inflates more than
    ``limits.ratio`` times, so a bomb costs about ``ratio_floor`` bytes of work, not gigabytes.

    Trip-wire: ``zipfile.ZipFile.open`` cannot do this. It stops at the size the header
    *claims* (and checks the CRC of just those bytes), while GDAL's ``/vsizip/`` inflates the
    whole stream; so we decompress the raw stream ourselves, and refuse a member whose real
    size differs from its header (damaged or crafted — no honest zip tool writes that).

    Parameters
    ----------
    source : path or binary file object (seekable)
    name : str, optional
        What the user calls the file in messages (default: the path's name). Never a path.
    """
    limits = limits or DEFAULT_LIMITS
    label = name or (Path(source).name if isinstance(source, (str, Path)) else "zip")
    fh = open(source, "rb") if isinstance(source, (str, Path)) else source
    try:
        size = fh.seek(0, 2)
        try:
            infos = zipfile.ZipFile(fh).infolist()
        except (zipfile.BadZipFile, ValueError, EOFError, OverflowError, struct.error, NotImplementedError):
            raise _damaged(label) from None
        check_zip_members(label, infos, limits)
        # members may overlap (one deflate stream listed many times): cap the whole archive too
        cap = int(min(limits.unpacked, max(limits.ratio * size, limits.ratio_floor)))
        total = 0
        for info in infos:
            total += _inflated_size(label, fh, size, info, limits, cap, cap - total)
    finally:
        if fh is not source:
            fh.close()


_CHUNK = 1 << 16          # compressed bytes read at a time
_OUT = 1 << 20            # most inflated bytes held in memory at once


def _inflated_size(label: str, fh, size: int, info: zipfile.ZipInfo, limits: ZipLimits, cap: int,
                   budget: int) -> int:
    """Real inflated size of one member; raise as soon as it passes ``budget`` or the ratio."""
    fh.seek(info.header_offset)
    head = fh.read(30)
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise _damaged(label)
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    start = info.header_offset + 30 + name_len + extra_len
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size or start + info.compress_size > size:
            raise _damaged(label)
        if info.file_size > budget:
            raise _too_big(label, cap)
        return info.file_size
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise InputError(f"{label}: member {info.filename!r} uses a compression method geoapp does not read; "
                         "zip it again with ordinary (deflate) compression",
                         message_vi=f"{label}: tệp {info.filename!r} nén theo kiểu không hỗ trợ; "
                                    "hãy nén lại theo kiểu thông thường (deflate)")
    fh.seek(start)
    inflater = zlib.decompressobj(-15)
    out = read = 0
    try:
        while not inflater.eof:
            data = fh.read(_CHUNK)
            if not data:
                raise _damaged(label)          # the stream ends before the member does
            read += len(data)
            while data and not inflater.eof:
                out += len(inflater.decompress(data, _OUT))
                data = inflater.unconsumed_tail
                if out > budget:
                    raise _too_big(label, cap)
                if out > limits.ratio_floor and out > limits.ratio * read:
                    raise _bomb(label, info.filename)
    except zlib.error:
        raise _damaged(label) from None
    if out != info.file_size:
        raise InputError(f"{label}: member {info.filename!r} inflates to {out:,} bytes but its header says "
                         f"{info.file_size:,}; the zip is damaged or was crafted — zip the files again",
                         message_vi=f"{label}: kích thước tệp {info.filename!r} không khớp với phần đầu zip; "
                                    "tệp zip bị hỏng hoặc bị chỉnh sửa — hãy nén lại")
    return out


def _damaged(label: str) -> InputError:
    return InputError(f"{label} is a damaged zip file (cut short or not a zip); zip the files again",
                      message_vi=f"{label} là tệp zip bị hỏng (bị cắt cụt hoặc không phải zip); hãy nén lại")


def _bomb(label: str, member: str) -> InputError:
    return InputError(f"{label}: member {member!r} inflates too many times its size; refused as a possible "
                      "zip bomb", message_vi=f"{label}: tệp {member!r} giải nén ra quá lớn so với kích thước nén; "
                      "bị từ chối vì nghi là zip bom")


def _too_big(label: str, cap: int) -> InputError:
    mb = f"{cap / 2 ** 20:,.0f}" if cap >= 2 ** 20 else f"{cap / 2 ** 20:.2f}"
    return InputError(f"{label} inflates to more than {mb} MB; refused as a possible zip bomb — if it is not "
                      "one, split it into several uploads", message_vi=f"{label} giải nén ra hơn {mb} MB; bị từ "
                      "chối vì nghi là zip bom — nếu không phải, hãy chia thành nhiều tệp")


def _zip_layers(p: Path) -> list[Layer]:
    check_zip(p)                  # before GDAL sees a byte of it: real sizes, not the headers' word
    with zipfile.ZipFile(p) as zf:
        infos = zf.infolist()
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
                    raise InputError(f"{p.name}:{name}: the shapefile set is incomplete, {', '.join(missing)} missing; "
                                     "zip all files of the set together (.shp .shx .dbf .prj .cpg)",
                                     message_vi=f"{p.name}:{name}: thiếu {', '.join(missing)} của bộ shapefile; "
                                                "hãy nén chung mọi tệp của bộ (.shp .shx .dbf .prj .cpg)")
                if (stem + ".prj").lower() in lower:
                    prj = zf.read(lower[(stem + ".prj").lower()]).decode("utf-8", errors="replace")
                if (stem + ".cpg").lower() in lower:
                    cpg = zf.read(lower[(stem + ".cpg").lower()]).decode("ascii", errors="replace").strip()
            layers.append(Layer(f"{p.name}:{name}", f"/vsizip/{p.resolve()}/{name}", kind, prj, cpg))
    if not layers:
        raise InputError(f"{p.name} holds no .shp, .gpkg or .geojson",
                         message_vi=f"{p.name} không chứa .shp, .gpkg hoặc .geojson")
    return layers
