"""Levels of detail: one clean, chained levels, the process pool, and the checksum-keyed cache."""
from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from geoapp import config as cfg
from geoapp import lod as lodmod
from geoapp.ingest import import_boundaries
from geoapp.lod import levels_of_detail
from geoapp.lod_cache import MAGIC, LodCache

from .conftest import SHARED_DATA, requires_shared, write_shp
from .test_ingest import neighbour_pairs, wiggly_coverage


@pytest.fixture(scope="module")
def geoms():
    return np.asarray(wiggly_coverage(14, seed=3).to_crs(4326).geometry.values, dtype=object)


@pytest.fixture
def computed(monkeypatch):
    """Counts the real computations (a cache hit computes nothing)."""
    calls = []
    real = lodmod.compute_levels

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(lodmod, "compute_levels", counting)
    return calls


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        list(shapely.to_wkb(a[k])) == list(shapely.to_wkb(b[k])) for k in a)


def entry(folder):
    (path,) = folder.glob("lod-*.bin")
    return path


def test_chained_levels_are_valid_coverages_keeping_every_border(geoms):
    lods = levels_of_detail(geoms)
    counts = [shapely.get_num_coordinates(geoms).sum()]
    for level in (1, 2, 3):
        assert shapely.coverage_is_valid(lods[level]) and shapely.is_valid(lods[level]).all()
        assert neighbour_pairs(lods[level]) == neighbour_pairs(geoms)
        counts.append(shapely.get_num_coordinates(lods[level]).sum())
    assert counts == sorted(counts, reverse=True) and counts[3] < counts[1]


def test_parallel_levels_equal_sequential_ones(geoms):
    sequential = levels_of_detail(geoms, chained=False, workers=1)
    parallel = levels_of_detail(geoms, chained=False, workers=2)
    assert same(sequential, parallel)


def test_order_of_the_inputs_does_not_change_the_levels(geoms):
    forward = levels_of_detail(geoms)
    order = np.arange(len(geoms))[::-1]
    backward = levels_of_detail(geoms[order])
    assert same({k: v[order] for k, v in forward.items()}, backward)


def test_a_cache_hit_reuses_the_levels_without_computing(geoms, tmp_path, computed):
    cache = LodCache(tmp_path / "cache")
    first = levels_of_detail(geoms, cache=cache)
    assert cache.state() == "miss" and len(computed) == 1 and entry(tmp_path / "cache").is_file()
    order = np.arange(len(geoms))[::-1]
    again = levels_of_detail(geoms[order], cache=LodCache(tmp_path / "cache"))
    assert len(computed) == 1
    assert same({k: v[order] for k, v in first.items()}, again)


def test_a_changed_input_or_parameter_misses(geoms, tmp_path, computed):
    cache = LodCache(tmp_path / "cache")
    levels_of_detail(geoms, cache=cache)
    moved = geoms.copy()
    moved[0] = shapely.transform(moved[0], lambda xy: xy + 1e-7)
    levels_of_detail(moved, cache=cache)
    assert cache.state() == "miss"
    levels_of_detail(geoms, {1: 30.0, 2: 151.0, 3: 600.0}, cache=cache)
    assert cache.state() == "miss" and len(computed) == 3
    assert len(list((tmp_path / "cache").glob("lod-*.bin"))) == 3


def _rewrite(path, payload: bytes, fix_checksum: bool):
    import hashlib
    data = path.read_bytes()
    end = data.index(b"\n", len(MAGIC))
    header = json.loads(data[len(MAGIC):end])
    if fix_checksum:
        header.update(bytes=len(payload), sha256=hashlib.sha256(payload).hexdigest())
    path.write_bytes(MAGIC + json.dumps(header).encode() + b"\n" + payload)


def _payload(path) -> bytes:
    data = path.read_bytes()
    return data[data.index(b"\n", len(MAGIC)) + 1:]


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "swapped units, checksum redone", "not an entry"])
def test_a_damaged_entry_is_recomputed_never_trusted(geoms, tmp_path, computed, damage):
    folder = tmp_path / "cache"
    first = levels_of_detail(geoms, cache=LodCache(folder))
    path = entry(folder)
    payload = bytearray(_payload(path))
    if damage == "flipped byte":
        payload[len(payload) // 2] ^= 0xFF
        _rewrite(path, bytes(payload), fix_checksum=False)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:-100])
    elif damage == "swapped units, checksum redone":
        # a consistent-looking entry whose geometries belong to other units
        n = len(geoms)
        sizes = np.frombuffer(bytes(payload[:8 * n]), dtype="<u8")
        blobs, pos = [], 8 * n
        for s in sizes:
            blobs.append(bytes(payload[pos:pos + int(s)]))
            pos += int(s)
        blobs = blobs[::-1]
        swapped = np.asarray([len(b) for b in blobs], dtype="<u8").tobytes() + b"".join(blobs) + bytes(payload[pos:])
        _rewrite(path, swapped, fix_checksum=True)
    else:
        path.write_bytes(b"hello")
    notes = []
    cache = LodCache(folder)
    again = levels_of_detail(geoms, cache=cache, progress=notes.append)
    assert len(computed) == 2 and cache.state() == "miss"
    assert any("not usable" in n for n in notes)
    assert same(first, again)
    levels_of_detail(geoms, cache=cache)          # the entry was rewritten: now a hit
    assert len(computed) == 2 and cache.state() == "hit"


def test_a_read_only_copy_beside_the_data_is_used(geoms, tmp_path, computed):
    levels_of_detail(geoms, cache=LodCache(tmp_path / "made"))
    mirror = tmp_path / "mirror" / "lod-cache"
    mirror.mkdir(parents=True)
    path = entry(tmp_path / "made")
    (mirror / path.name).write_bytes(path.read_bytes())
    cache = LodCache(tmp_path / "instance-cache", also=[mirror])
    levels_of_detail(geoms, cache=cache)
    assert cache.state() == "hit" and len(computed) == 1


def test_cache_folders_from_the_settings(tmp_path):
    settings = {"INSTANCE_PATH": str(tmp_path / "inst"), "LOD_CACHE": "", "DATA_MIRROR": str(tmp_path / "data")}
    assert cfg.lod_cache_folders(settings) == (tmp_path / "inst" / "lod-cache", [tmp_path / "data" / "lod-cache"])
    assert cfg.lod_cache_folders(dict(settings, LOD_CACHE=str(tmp_path / "shared")))[0] == tmp_path / "shared"
    assert cfg.lod_cache_folders(dict(settings, LOD_CACHE="off")) == (None, [])


def test_a_second_instance_imports_with_the_levels_of_the_first(tmp_path, computed):
    from .conftest import new_store
    path = write_shp(wiggly_coverage(10, seed=5), tmp_path / "files")
    cache = tmp_path / "shared-cache"
    one, two = new_store(tmp_path, "one"), new_store(tmp_path, "two")
    first = import_boundaries(one, [path], "2025", lod_cache=LodCache(cache))
    second = import_boundaries(two, [path], "2025", lod_cache=LodCache(cache))
    assert (first["lod_cache"], second["lod_cache"]) == ("miss", "hit") and len(computed) == 1
    for level in (1, 2, 3):
        a, b = one.geometries("2025", lod=level), two.geometries("2025", lod=level)
        assert list(a["code"]) == list(b["code"])
        assert list(shapely.to_wkb(a.geometry.values)) == list(shapely.to_wkb(b.geometry.values))


@requires_shared()
@pytest.mark.realdata
def test_on_a_real_province_parallel_equals_sequential_and_chained_stays_close():
    from geoapp.boundaries import read_boundaries
    real = read_boundaries([SHARED_DATA / "boundaries" / "2025" / "12_lai_chau.zip"]).units
    geoms = np.asarray(real.geometry.values, dtype=object)
    direct = levels_of_detail(geoms, chained=False, workers=1)
    assert same(direct, levels_of_detail(geoms, chained=False, workers=2))
    chained = levels_of_detail(geoms)
    for level, tolerance in lodmod.LEVELS.items():
        assert shapely.coverage_is_valid(chained[level])
        a, b = shapely.get_num_coordinates(chained[level]).sum(), shapely.get_num_coordinates(direct[level]).sum()
        assert abs(a - b) <= 0.02 * b, (level, a, b)


def test_a_cache_folder_that_cannot_be_written_is_reported_not_fatal(geoms, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    notes = []
    cache = LodCache(blocked / "cache")
    lods = levels_of_detail(geoms, cache=cache, progress=notes.append)
    assert sorted(lods) == [1, 2, 3] and cache.state() == "miss"
    assert any("could not keep the levels" in n for n in notes)
