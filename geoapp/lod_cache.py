"""A folder of computed levels of detail, named by the SHA-256 of their inputs, checked on every read.

Computing the levels of the whole 2025 edition takes most of a minute (one coverage clean of
7 M vertices, then the simplifications); the result depends only on the input polygons, the
parameters, geoapp's algorithm version and the GEOS version. :func:`cache_key` hashes all of
those, so a re-import, a second instance, or a mirror carrying a ``lod-cache/`` folder can reuse
levels instead of recomputing them.

An entry is one file ``lod-<key>.bin``: a magic line, a JSON header (key, count, levels, size
and SHA-256 of the payload), then the payload — per level, ``count`` little-endian uint64
lengths followed by the WKB of each geometry (no pickle: a cache folder may be shared).

Trip-wires:

* an entry is **never trusted**: its header must name the key asked for, its payload must hash
  to the header's checksum, every geometry must decode to a non-empty (multi)polygon, and each
  must lie inside its input's bounding box (plus :data:`BOUNDS_SLACK_DEG`: cleaning snaps by
  0.5 m; simplifying only drops vertices, which never grows a box). Any failure is reported and
  the levels are recomputed (and the entry rewritten in the writable folder);
* the checksum protects against corruption and mismatches, not against someone who can write
  the folder on purpose — keep it as private as the database;
* entries are written to a temporary file and renamed, so a crash never leaves half an entry;
  the writable folder keeps the :data:`KEEP` most recently used entries.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import shapely

MAGIC = b"GEOAPP-LOD-CACHE 1\n"
#: entries kept in the writable folder (the whole country is ~30 MB each)
KEEP = 8
#: how far (degrees, ~11 m) a cached level may stick out of its input's bounding box
BOUNDS_SLACK_DEG = 1e-4


def canonical_wkb(geoms) -> tuple[np.ndarray, np.ndarray]:
    """``(wkb, order)``: big-endian WKB of each geometry and the order that sorts them.

    Sorting by WKB makes the key (and the computation) independent of the order units come in:
    the same polygons read from one file or from the store plus a re-imported province match.
    """
    wkb = np.asarray(shapely.to_wkb(np.asarray(geoms, dtype=object), byte_order=0), dtype=object)
    order = np.argsort(wkb, kind="stable")
    return wkb, order


def cache_key(wkb_sorted, parameters: dict) -> str:
    """SHA-256 over the parameters (levels, snapping, algorithm and GEOS version …) and every input WKB."""
    digest = hashlib.sha256(MAGIC)
    digest.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    digest.update(len(wkb_sorted).to_bytes(8, "little"))
    for blob in wkb_sorted:
        digest.update(len(blob).to_bytes(8, "little"))
        digest.update(blob)
    return digest.hexdigest()


class LodCache:
    """Cached levels in ``folder`` (read and written) and ``also`` (read only, e.g. the mirror's).

    ``folder=None`` and no ``also``: nothing is cached (:attr:`enabled` is False).
    """

    def __init__(self, folder=None, also=()):
        self.folder = Path(folder) if folder else None
        self.also = [Path(p) for p in also]
        #: whether the last :meth:`load` found a usable entry (None before any)
        self.last_hit: bool | None = None

    def state(self) -> str:
        """``hit``, ``miss`` or ``off`` for the last lookup (import reports)."""
        if not self.enabled or self.last_hit is None:
            return "off"
        return "hit" if self.last_hit else "miss"

    @property
    def enabled(self) -> bool:
        return self.folder is not None or bool(self.also)

    def path(self, key: str, folder: Path) -> Path:
        return folder / f"lod-{key}.bin"

    def load(self, key: str, inputs, levels, note=print) -> dict[int, np.ndarray] | None:
        """The levels stored under ``key``, checked against ``inputs`` (canonical order); None to recompute."""
        self.last_hit = False
        for folder in [f for f in (self.folder, *self.also) if f is not None]:
            path = self.path(key, folder)
            if not path.is_file():
                continue
            try:
                lods = _read_entry(path, key, inputs, sorted(levels))
            except (OSError, ValueError, shapely.errors.ShapelyError) as exc:
                note(f"levels-of-detail cache entry {path.name} is not usable ({exc}); recomputing")
                continue
            if folder == self.folder:
                _touch(path)
            self.last_hit = True
            return lods
        return None

    def save(self, key: str, lods: dict[int, np.ndarray], note=print) -> Path | None:
        """Write the entry atomically to :attr:`folder`; a failure to write is reported, never raised."""
        if self.folder is None:
            return None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            payload = _payload(lods)
            header = {"key": key, "count": len(next(iter(lods.values()))), "levels": sorted(lods),
                      "bytes": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
            fd, tmp = tempfile.mkstemp(prefix=".lod-", suffix=".tmp", dir=self.folder)
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + json.dumps(header).encode() + b"\n" + payload)
            path = self.path(key, self.folder)
            os.replace(tmp, path)
        except OSError as exc:
            note(f"could not keep the levels of detail in {self.folder} ({exc}); they will be recomputed next time")
            return None
        self._prune()
        return path

    def _prune(self) -> None:
        entries = sorted(self.folder.glob("lod-*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _payload(lods: dict[int, np.ndarray]) -> bytes:
    parts = []
    for lod in sorted(lods):
        blobs = [bytes(b) for b in shapely.to_wkb(np.asarray(lods[lod], dtype=object), byte_order=0)]
        parts.append(np.asarray([len(b) for b in blobs], dtype="<u8").tobytes())
        parts.extend(blobs)
    return b"".join(parts)


def _read_entry(path: Path, key: str, inputs, levels: list[int]) -> dict[int, np.ndarray]:
    """Read and check one entry; ValueError says what is wrong with it."""
    data = path.read_bytes()
    if not data.startswith(MAGIC):
        raise ValueError("not a geoapp levels-of-detail entry")
    end = data.find(b"\n", len(MAGIC))
    if end < 0:
        raise ValueError("truncated header")
    header = json.loads(data[len(MAGIC):end])
    payload = data[end + 1:]
    count = len(inputs)
    if header.get("key") != key or header.get("count") != count or header.get("levels") != levels:
        raise ValueError("it was made from other inputs")
    if header.get("bytes") != len(payload) or hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        raise ValueError("checksum mismatch")
    lods, pos = {}, 0
    for lod in levels:
        sizes = np.frombuffer(payload, dtype="<u8", count=count, offset=pos).astype(np.int64)
        pos += 8 * count
        ends = pos + np.cumsum(sizes)
        starts = ends - sizes
        if len(ends) and ends[-1] > len(payload):
            raise ValueError("truncated payload")
        geoms = shapely.from_wkb(np.array([payload[a:b] for a, b in zip(starts, ends)], dtype=object))
        pos = int(ends[-1]) if len(ends) else pos
        lods[lod] = _checked(geoms, inputs, lod)
    if pos != len(payload):
        raise ValueError("unexpected bytes after the last level")
    return lods


def _checked(geoms: np.ndarray, inputs, lod: int) -> np.ndarray:
    kinds = shapely.get_type_id(geoms)
    if not np.isin(kinds, (3, 6)).all() or shapely.is_empty(geoms).any():
        raise ValueError(f"level {lod} holds a geometry that is not a polygon")
    got, given = shapely.bounds(geoms), shapely.bounds(np.asarray(inputs, dtype=object))
    slack = BOUNDS_SLACK_DEG
    inside = ((got[:, :2] >= given[:, :2] - slack) & (got[:, 2:] <= given[:, 2:] + slack)).all()
    if not inside:
        raise ValueError(f"level {lod} does not match its inputs")
    return geoms
