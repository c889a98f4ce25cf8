"""Hot-spot analysis on real commune geometry (../shared/data): planted clusters, random fields,
agreement with esda, islands, and ArcGIS's emerging hot-spot patterns."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geoapp import hotspots as hs
from geoapp.boundaries import read_boundaries
from geoapp.errors import InputError

from .conftest import SHARED_DATA, requires_shared

pytestmark = [requires_shared(), pytest.mark.realdata]
B2025 = SHARED_DATA / "boundaries" / "2025"
PRE2025 = SHARED_DATA / "boundaries" / "pre2025" / "xa_4tinh_truoc2025_xapxi.zip"
HOT = ("hot_99", "hot_95", "hot_90")


@pytest.fixture(scope="module")
def lai_chau_old():
    """Lai Châu before the reform: 106 communes, one connected mainland block."""
    units = read_boundaries([PRE2025]).units
    return units[units["province_code"] == "12"].reset_index(drop=True)


@pytest.fixture(scope="module")
def lai_chau_old_w(lai_chau_old):
    return hs.build_weights(lai_chau_old)


@pytest.fixture(scope="module")
def quang_ninh():
    return read_boundaries([B2025 / "22_quang_ninh.zip"]).units


def rings(w, start: list[str]) -> dict[str, int]:
    """Contiguity steps from the set ``start`` (0 inside it) for every reachable unit."""
    dist = {c: 0 for c in start}
    frontier = list(start)
    while frontier:
        nxt = []
        for c in frontier:
            for nb in w.neighbors[c]:
                if nb not in dist:
                    dist[nb] = dist[c] + 1
                    nxt.append(nb)
        frontier = nxt
    return dist


def planted(units, w, *, seed=3, background=5.0, high=40.0, centre_rank=0):
    """A Poisson field with a block (a central unit and its queen neighbours) set high."""
    rng = np.random.default_rng(seed)
    codes = list(units["code"])
    # a unit deep inside the province: many neighbours, all of them with neighbours
    card = {c: len(w.neighbors[c]) for c in codes}
    centre = sorted(codes, key=lambda c: (-card[c], c))[centre_rank]
    block = [centre] + list(w.neighbors[centre])
    values = rng.poisson(background, len(codes)).astype(float)
    inside = units["code"].isin(block).to_numpy()
    values[inside] = rng.poisson(high, inside.sum())
    return values, block


def one_class_each(res, units):
    assert list(res["code"]) == list(units["code"])
    assert res["class"].notna().all() and res["class"].isin(hs.CLASSES).all()


# -- weights ----------------------------------------------------------------------------------

def test_mainland_lai_chau_units_all_have_neighbours(lai_chau_old_w):
    units = read_boundaries([B2025 / "12_lai_chau.zip"]).units
    w, report = hs.build_weights(units)
    assert report["islands"] == [] and report["components"] == 1
    assert min(len(v) for v in w.neighbors.values()) >= 1
    assert list(w.id_order) == list(units["code"])
    _, old = lai_chau_old_w
    assert old["islands"] == [] and old["components"] == 1 and old["neighbours"]["min"] >= 1


def test_tolerance_bridges_slivers_but_not_straits(quang_ninh):
    exact, rep_exact = hs.build_weights(quang_ninh, tolerance_m=0)
    fuzzy, rep = hs.build_weights(quang_ninh)
    assert exact.sparse.nnz <= fuzzy.sparse.nnz          # the tolerance only adds pairs
    assert len(rep["islands"]) == 4 and rep["islands"] == rep_exact["islands"]
    assert rep["components"] == 5 and rep["component_sizes"][0] == len(quang_ninh) - 4


def test_other_neighbour_kinds(lai_chau_old):
    queen, _ = hs.build_weights(lai_chau_old, "queen")
    rook, _ = hs.build_weights(lai_chau_old, "rook")
    for c in rook.id_order:
        assert set(rook.neighbors[c]) <= set(queen.neighbors[c])
    knn, rep = hs.build_weights(lai_chau_old, "knn", k=4)
    assert rep["neighbours"] == {"min": 4, "mean": 4.0, "max": 4} and rep["islands"] == []
    near, rep = hs.build_weights(lai_chau_old, "distance", distance_km=2.0)
    assert rep["islands"], "a 2 km band leaves communes alone; they are reported"
    res = hs.local_statistic(lai_chau_old, np.arange(len(lai_chau_old), dtype=float), weights=(near, rep),
                             permutations=99)
    assert set(res.loc[res["code"].isin(rep["islands"]), "class"]) == {"no_neighbours"}
    with pytest.raises(InputError):
        hs.build_weights(lai_chau_old, "distance")
    with pytest.raises(InputError):
        hs.build_weights(lai_chau_old, "hexagon")


# -- local statistics ---------------------------------------------------------------------------

@pytest.mark.parametrize("centre_rank", [0, 7])
def test_planted_cluster_is_hot_and_far_units_are_not(lai_chau_old, lai_chau_old_w, centre_rank):
    w, report = lai_chau_old_w
    values, block = planted(lai_chau_old, w, centre_rank=centre_rank)
    res = hs.local_statistic(lai_chau_old, values, "gi_star", weights=(w, report))
    one_class_each(res, lai_chau_old)
    by_code = res.set_index("code")
    assert by_code.loc[block, "class"].isin(HOT).all(), by_code.loc[block]
    dist = rings(w, block)
    far = [c for c, d in dist.items() if d >= 2]
    assert far and not by_code.loc[far, "class"].isin(HOT).any()
    # Local Moran sees the same block as high-high
    moran = hs.local_statistic(lai_chau_old, values, "local_moran", weights=(w, report)).set_index("code")
    assert moran.loc[block[0], "class"] in HOT and moran.loc[block[0], "quadrant"] == "HH"
    assert not moran.loc[far, "class"].isin(HOT).any()


@pytest.fixture(scope="module")
def north_west_2025():
    units = read_boundaries([B2025 / "12_lai_chau.zip", B2025 / "14_son_la.zip"]).units
    return units, hs.build_weights(units)


@pytest.mark.parametrize("centre_rank", [0, 5, 11])
def test_planted_cluster_on_2025_units_with_defaults(north_west_2025, centre_rank):
    units, (w, report) = north_west_2025
    values, block = planted(units, w, centre_rank=centre_rank, seed=centre_rank)
    res = hs.local_statistic(units, values, weights=(w, report))      # defaults: 999 perms, FDR 5 %
    one_class_each(res, units)
    by_code = res.set_index("code")
    assert by_code.loc[block, "class"].isin(HOT).all()
    # Gi* spills over onto units touching the block; two steps away nothing is hot
    far = [c for c, d in rings(w, block).items() if d >= 2]
    assert not by_code.loc[far, "class"].isin(HOT).any()


def test_random_field_gives_few_false_hotspots_after_fdr(lai_chau_old, lai_chau_old_w):
    w, report = lai_chau_old_w
    rng = np.random.default_rng(2024)
    flagged_fdr, flagged_raw = 0, 0
    for _ in range(5):
        values = rng.poisson(6.0, len(lai_chau_old)).astype(float)
        res = hs.local_statistic(lai_chau_old, values, weights=(w, report), permutations=199,
                                 seed=int(rng.integers(1, 10**6)))
        raw = hs.local_statistic(lai_chau_old, values, weights=(w, report), permutations=199,
                                 fdr_alpha=None, seed=int(res.attrs["seed"]))
        flagged_fdr += int((res["confidence"] > 0).sum())
        flagged_raw += int((raw["confidence"] > 0).sum())
    assert flagged_fdr <= 0.05 * 5 * len(lai_chau_old)
    assert flagged_fdr <= flagged_raw


def test_equal_to_esda_for_the_same_weights_and_seed(lai_chau_old, lai_chau_old_w):
    import esda
    import libpysal

    w, report = lai_chau_old_w
    values, _ = planted(lai_chau_old, w)
    fresh = lambda: libpysal.weights.W(dict(w.neighbors), id_order=list(w.id_order))  # noqa: E731
    ours = hs.local_statistic(lai_chau_old, values, "gi_star", weights=(w, report), permutations=199, seed=7)
    g = esda.G_Local(values, fresh(), transform="B", star=True, permutations=199, seed=7)
    np.testing.assert_allclose(ours["statistic"], g.Zs)
    np.testing.assert_allclose(ours["p_sim"], g.p_sim)
    np.testing.assert_allclose(ours["z"], g.z_sim)
    np.testing.assert_allclose(ours["p"], 2 * g.p_z_sim)          # two-sided, from the permutation z
    pseudo = hs.local_statistic(lai_chau_old, values, "gi_star", weights=(w, report), permutations=199,
                                seed=7, inference="pseudo")
    np.testing.assert_allclose(pseudo["p"], np.minimum(1, 2 * g.p_sim))
    assert pseudo.attrs["notes"], "the rank-p floor under FDR is reported"
    ours = hs.local_statistic(lai_chau_old, values, "local_moran", weights=(w, report), permutations=199, seed=7)
    m = esda.Moran_Local(values, fresh(), transformation="r", permutations=199, seed=7)
    np.testing.assert_allclose(ours["statistic"], m.Is)
    np.testing.assert_allclose(ours["p_sim"], m.p_sim)
    np.testing.assert_allclose(ours["p"], 2 * m.p_z_sim)
    # the statistic itself: Gi* sums the unit and its neighbours (star), not the neighbours only
    c = lai_chau_old["code"].iloc[0]
    i = [0] + [list(w.id_order).index(n) for n in w.neighbors[c]]
    assert g.Gs[0] == pytest.approx(values[i].sum() / values.sum())


def test_same_seed_same_answer(lai_chau_old, lai_chau_old_w):
    w, report = lai_chau_old_w
    values, _ = planted(lai_chau_old, w)
    a = hs.local_statistic(lai_chau_old, values, weights=(w, report), permutations=199, seed=99)
    b = hs.local_statistic(lai_chau_old, values, weights=(w, report), permutations=199, seed=99)
    pd.testing.assert_frame_equal(a, b)
    c = hs.local_statistic(lai_chau_old, values, weights=(w, report), permutations=199, seed=100)
    assert not np.array_equal(a["p_sim"], c["p_sim"])
    state = np.random.get_state()[1].copy()
    hs.local_statistic(lai_chau_old, values, weights=(w, report), permutations=19, seed=5)
    assert np.array_equal(np.random.get_state()[1], state), "numpy's global generator is left alone"


def test_islands_are_no_neighbours_and_every_unit_has_one_class(quang_ninh):
    w, report = hs.build_weights(quang_ninh)
    values = np.random.default_rng(1).poisson(5, len(quang_ninh)).astype(float)
    for method, vals in (("gi_star", values), ("local_moran", values), ("join_count", (values > 5) * 1.0)):
        res = hs.local_statistic(quang_ninh, vals, method, weights=(w, report), permutations=99)
        one_class_each(res, quang_ninh)
        islands = res[res["code"].isin(report["islands"])]
        assert len(islands) == 4 and (islands["class"] == "no_neighbours").all()
        assert islands["statistic"].isna().all() and islands["p_adjusted"].isna().all()
        assert res.attrs["weights"]["islands"] == report["islands"]


def test_missing_values_are_no_data_not_zero(lai_chau_old, lai_chau_old_w):
    w, report = lai_chau_old_w
    values, block = planted(lai_chau_old, w)
    codes = list(lai_chau_old["code"])
    lonely = sorted(codes, key=lambda c: len(w.neighbors[c]))[0]
    values = pd.Series(values, index=codes)
    values[list(w.neighbors[lonely])] = np.nan          # its every neighbour lacks data
    series = values.drop(block[1:2])                     # a code absent from the Series = no data
    res = hs.local_statistic(lai_chau_old, series, weights=(w, report), permutations=99).set_index("code")
    assert (res.loc[list(w.neighbors[lonely]) + block[1:2], "class"] == "no_data").all()
    assert res.loc[lonely, "class"] == "no_neighbours"
    assert res.loc[block[0], "class"] in HOT
    assert res["class"].isin(hs.CLASSES).all()


def test_rates_per_thousand_and_constant_fields(lai_chau_old, lai_chau_old_w):
    w, report = lai_chau_old_w
    counts, block = planted(lai_chau_old, w)
    pop = np.full(len(lai_chau_old), 5000.0)
    empty = int(np.flatnonzero(~lai_chau_old["code"].isin(block))[0])
    pop[empty] = 0                                        # no population → no rate → no data
    res = hs.local_statistic(lai_chau_old, counts, weights=(w, report), population=pop)
    assert res["value"].iloc[1] == pytest.approx(counts[1] / 5)
    assert res["class"].iloc[empty] == "no_data"
    assert res.set_index("code").loc[block, "class"].isin(HOT).all()
    flat = hs.local_statistic(lai_chau_old, np.ones(len(lai_chau_old)), weights=(w, report))
    assert (flat["class"] == "not_significant").all() and flat.attrs["notes"]
    with pytest.raises(InputError):
        hs.local_statistic(lai_chau_old, -counts, weights=(w, report))
    with pytest.raises(InputError):
        hs.local_statistic(lai_chau_old, counts, "kriging", weights=(w, report))


def test_join_count_finds_a_block_of_ones(lai_chau_old, lai_chau_old_w):
    w, report = lai_chau_old_w
    _, block = planted(lai_chau_old, w)
    status = np.random.default_rng(5).binomial(1, 0.1, len(lai_chau_old)).astype(float)
    status[lai_chau_old["code"].isin(block).to_numpy()] = 1
    res = hs.local_statistic(lai_chau_old, status, "join_count", weights=(w, report))
    one_class_each(res, lai_chau_old)
    assert not res["class"].str.startswith("cold").any()
    by_code = res.set_index("code")
    assert by_code.loc[block[0], "class"] in HOT
    assert (by_code.loc[by_code["value"] == 0, "class"] == "not_significant").all()
    a = hs.local_statistic(lai_chau_old, status, "join_count", weights=(w, report), permutations=99, seed=3)
    b = hs.local_statistic(lai_chau_old, status, "join_count", weights=(w, report), permutations=99, seed=3)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(InputError):
        hs.local_statistic(lai_chau_old, status * 2, "join_count", weights=(w, report))


# -- emerging hot spots --------------------------------------------------------------------------

def test_emerging_new_and_intensifying(lai_chau_old, lai_chau_old_w):
    w, report = lai_chau_old_w
    codes = list(lai_chau_old["code"])
    _, rising = planted(lai_chau_old, w, centre_rank=0)
    dist = rings(w, rising)
    # the new block: far from the rising one
    centre = next(c for c in sorted(codes, key=lambda c: -len(w.neighbors[c]))
                  if dist.get(c, 99) >= 4 and all(dist.get(n, 99) >= 3 for n in w.neighbors[c]))
    new = [centre] + list(w.neighbors[centre])
    rng = np.random.default_rng(8)
    rows = []
    years = list(range(2015, 2025))
    for t, year in enumerate(years):
        values = rng.poisson(5, len(codes)).astype(float)
        for i, c in enumerate(codes):
            if c in rising:
                values[i] = 25 + 6 * t
            if c in new and year == years[-1]:
                values[i] = 60
        rows += [{"code": c, "period": year, "value": v} for c, v in zip(codes, values)]
    panel = pd.DataFrame(rows)
    out, detail = hs.emerging_hotspots(lai_chau_old, panel, weights=(w, report), permutations=199,
                                       detail=True)
    assert list(out["code"]) == codes and len(detail) == len(codes) * len(years)
    cat = out.set_index("code")["category"]
    assert cat[rising[0]] == "intensifying_hot"
    assert cat[rising].isin(["intensifying_hot", "persistent_hot"]).all()
    assert cat[centre] == "new_hot"
    far = [c for c in codes if dist.get(c, 99) >= 2 and c not in new and
           all(n not in new for n in w.neighbors[c])]
    assert not cat[far].str.endswith("_hot").any()
    assert set(out["category"]) <= {f"{p}_{s}" for p in hs.PATTERNS for s in ("hot", "cold")} | {
        "no_pattern", "no_neighbours", "no_data"}
    again = hs.emerging_hotspots(lai_chau_old, panel, weights=(w, report), permutations=199)
    pd.testing.assert_frame_equal(out, again)


def test_emerging_islands_are_reported(quang_ninh):
    w, report = hs.build_weights(quang_ninh)
    rng = np.random.default_rng(1)
    panel = pd.DataFrame([{"code": c, "period": y, "value": float(rng.poisson(4))}
                          for y in range(2020, 2025) for c in quang_ninh["code"]])
    out = hs.emerging_hotspots(quang_ninh, panel, weights=(w, report), permutations=99)
    assert (out.loc[out["code"].isin(report["islands"]), "category"] == "no_neighbours").all()
    assert out["category"].notna().all()


@pytest.mark.parametrize("series, trend, expected", [
    ("....H", "no trend", "new_hot"),
    ("...HH", "no trend", "consecutive_hot"),
    ("H..HH", "no trend", "sporadic_hot"),
    ("C..HH", "no trend", "oscillating_hot"),
    ("HHHHHHHHHH", "increasing", "intensifying_hot"),
    ("HHHHHHHHHH", "no trend", "persistent_hot"),
    (".HHHHHHHHH", "decreasing", "diminishing_hot"),
    ("HHHHHHHHH.", "decreasing", "historical_hot"),
    ("HHHHHHHH.H", "no trend", "persistent_hot"),       # 9 of 10 including the last = 90 %
    ("HHHHHHH..H", "no trend", "sporadic_hot"),         # 8 of 10: on and off
    ("....C", "no trend", "new_cold"),
    ("CCCCCCCCCC", "decreasing", "intensifying_cold"),
    ("CCCCCCCCCC", "increasing", "diminishing_cold"),
    ("H...C", "no trend", "oscillating_cold"),
    ("..H..", "no trend", None),
])
def test_arcgis_pattern_rules(series, trend, expected):
    hot = np.array([s == "H" for s in series])
    cold = np.array([s == "C" for s in series])
    need = int(np.ceil(0.9 * len(series) - 1e-9))
    got = (hs.pattern_of(hot, cold, trend, need, "increasing", "decreasing", "hot")
           or hs.pattern_of(cold, hot, trend, need, "decreasing", "increasing", "cold"))
    assert got == expected
