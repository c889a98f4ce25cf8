"""The crosswalk across the 1 July 2025 reform: import and checks, area weights, projection rules,
the cross-edition guard. Pure parts on data built in code; the rest on ../shared/data."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from geoapp import crosswalk as cx
from geoapp.errors import ConfigError, InputError, ValidationError
from geoapp.schemes import load_catalogue
from geoapp.store.base import BatchInfo

from .conftest import LAI_CHAU_CRS, SHARED_DATA, db_url, new_store, require, requires_shared

CAT = load_catalogue()
MA_TUY, ANTT = CAT.scheme("ma_tuy"), CAT.scheme("antt")
STRICT, SHARE, ANY_KEY = {"rule": "strict"}, {"rule": "area_share", "threshold": 0.5}, {"rule": "any_key"}


# -- pure: projection rules --------------------------------------------------------------------
@pytest.mark.parametrize("statuses, shares, rule, expected", [
    (["khong_ma_tuy", "khong_ma_tuy"], [0.6, 0.4], STRICT, ("khong_ma_tuy", "all_good")),
    (["khong_ma_tuy", "co_te_nan"], [0.6, 0.4], STRICT, ("co_te_nan", "worst")),
    (["khong_ma_tuy", "co_te_nan"], [0.6, 0.4], SHARE, ("khong_ma_tuy", "good_share")),
    (["khong_ma_tuy", "co_te_nan"], [0.4, 0.6], SHARE, ("co_te_nan", "worst")),
    # a key part overrides any share of drug-free parts
    (["khong_ma_tuy", "trong_diem_loai_3"], [0.9, 0.1], SHARE, ("trong_diem_loai_3", "worst")),
    (["trong_diem_loai_3", "trong_diem_loai_1", "co_te_nan"], [0.3, 0.3, 0.4], STRICT, ("trong_diem_loai_1", "worst")),
    # a part without a status is not drug-free: strict says none, area_share may still say drug-free
    (["khong_ma_tuy", ""], [0.7, 0.3], STRICT, ("", "none")),
    (["khong_ma_tuy", ""], [0.7, 0.3], SHARE, ("khong_ma_tuy", "good_share")),
    ([], [], STRICT, ("", "none")),
])
def test_ma_tuy_rules(statuses, shares, rule, expected):
    assert cx.combine(statuses, shares, MA_TUY, rule) == expected


@pytest.mark.parametrize("statuses, expected", [
    (["trong_diem_phuc_tap", "an_toan_antt"], "trong_diem_phuc_tap"),
    (["da_chuyen_hoa", "an_toan_antt"], "da_chuyen_hoa"),
    (["da_chuyen_hoa", "trong_diem_phuc_tap"], "trong_diem_phuc_tap"),
    (["an_toan_antt", "an_toan_antt"], "an_toan_antt"),
    (["an_toan_antt", ""], ""),
    (["", ""], ""),
])
def test_antt_any_key(statuses, expected):
    assert cx.combine(statuses, [0.5, 0.5], ANTT, ANY_KEY)[0] == expected


def test_rules_defaults_and_overrides(tmp_path):
    assert cx.load_rules()["ma_tuy"]["rule"] == "strict" and cx.load_rules()["antt"]["rule"] == "any_key"
    path = tmp_path / "rules.toml"
    path.write_text('[projection.ma_tuy]\nrule = "area_share"\nthreshold = 0.6\n', encoding="utf-8")
    rules = cx.load_rules(path)
    assert rules["ma_tuy"] == {"rule": "area_share", "threshold": 0.6} and rules["antt"]["rule"] == "any_key"
    with pytest.raises(ConfigError, match="use one of"):
        cx.load_rules({"ma_tuy": {"rule": "majority"}})
    with pytest.raises(ConfigError, match=r"\(0, 1\]"):
        cx.load_rules({"ma_tuy": {"rule": "area_share", "threshold": 1.5}})


def test_composition_string_names_parts_and_shares():
    parts = [{"old_code": "1", "old_name": "Xã A", "weight": 1.0, "label_en": "drug-free", "label_vi": "không ma túy"},
             {"old_code": "2", "old_name": "Xã B", "weight": 0.4, "label_en": "key drug commune, type III",
              "label_vi": "trọng điểm ma túy loại III"}]
    assert cx.formed_from(parts, "en") == \
        "formed from: Xã A — drug-free; part of Xã B (40 %) — key drug commune, type III"
    assert cx.formed_from(parts, "vi") == \
        "hình thành từ: Xã A — không ma túy; một phần Xã B (40 %) — trọng điểm ma túy loại III"


# -- pure: area weights on boxes ---------------------------------------------------------------
def _boxes(spec: dict) -> gpd.GeoDataFrame:
    """``{code: (x0, y0, x1, y1) in km}`` → a GeoDataFrame in VN-2000 / TM-3 near Lai Châu."""
    x, y = 500_000.0, 2_460_000.0
    geoms = [shapely.box(x + a * 1e3, y + b * 1e3, x + c * 1e3, y + d * 1e3) for a, b, c, d in spec.values()]
    return gpd.GeoDataFrame({"code": list(spec)}, geometry=geoms, crs=LAI_CHAU_CRS)


OLD = _boxes({"00001": (0, 0, 10, 10),       # split between X and Y; touches unlisted Z by 1 %
              "00002": (20, 0, 30, 10),      # half in Z; also listed to W, which its polygon misses
              "00003": (40, 0, 50, 10)})     # listed to X only, but lies nowhere near it
NEW = _boxes({"0000X": (0, 0, 3, 10), "0000Y": (3, 0, 9.9, 10), "0000Z": (9.9, 0, 25, 10),
              "0000W": (100, 0, 110, 10), "0000V": (40, 0, 50, 10)})
PAIRS = pd.DataFrame({"old_code": ["00001", "00001", "00002", "00002", "00003", "00004", "00004"],
                      "new_code": ["0000X", "0000Y", "0000Z", "0000W", "0000X", "0000X", "0000Y"]})


def test_area_weights_renormalise_over_listed_targets_only():
    w, report = cx.area_weights(PAIRS, OLD, NEW)
    a = w[w["old_code"] == "00001"].set_index("new_code")
    assert a["raw_share"].round(4).to_dict() == {"0000X": 0.3, "0000Y": 0.69}
    assert a.loc["0000X", "weight"] == pytest.approx(0.3 / 0.99, rel=1e-4) and a["coverage"].iloc[0] == pytest.approx(0.99, rel=1e-4)
    assert (a["method"] == "area").all()
    # the 1 % overlap with unlisted Z never became a pair
    assert not ((w["old_code"] == "00001") & (w["new_code"] == "0000Z")).any() and len(w) == len(PAIRS)
    assert report["unlisted_overlaps_dropped"] >= 1
    assert np.allclose(w.groupby("old_code")["weight"].sum(), 1.0, atol=1e-9)


def test_listed_target_without_overlap_keeps_the_floor():
    w, report = cx.area_weights(PAIRS, OLD, NEW)
    b = w[w["old_code"] == "00002"].set_index("new_code")["weight"]
    assert b["0000W"] == pytest.approx(cx.FLOOR_SHARE / (0.5 + cx.FLOOR_SHARE), rel=1e-4) and b.sum() == pytest.approx(1.0)
    assert report["floored"] == 1


def test_low_coverage_and_missing_geometry_fall_back_to_the_crosswalk():
    w, report = cx.area_weights(PAIRS, OLD, NEW)
    c = w[w["old_code"] == "00003"].iloc[0]
    assert c["method"] == "crosswalk" and c["weight"] == 1.0 and report["low_coverage"] == ["00003"]
    d = w[w["old_code"] == "00004"]
    assert (d["method"] == "crosswalk").all() and d["weight"].tolist() == [0.5, 0.5]


def test_malformed_split_flag_is_refused_and_nothing_changes(tmp_path):
    folder = tmp_path / "crosswalk"
    folder.mkdir()
    header = "provinceCode,wardCode,isDividedWard,ward,newWardCode,newWard,newProvinceCode,district\n"
    (folder / "xa_truoc2025_sang_2025.csv").write_text(
        header + "12,3388.0,maybe,Phường Quyết Tiến,03388,Phường Đoàn Kết,12,x\n", encoding="utf-8")
    store = new_store(tmp_path, "s")
    store.upgrade()
    with pytest.raises(InputError, match="isDividedWard"):
        cx.import_crosswalk(store, tmp_path)
    assert store.crosswalk().empty and store.batches("crosswalk").empty


# -- real data ---------------------------------------------------------------------------------
B2025 = SHARED_DATA / "boundaries" / "2025"
PRE2025_ZIP = SHARED_DATA / "boundaries" / "pre2025" / "xa_4tinh_truoc2025_xapxi.zip"
FOUR_OLD = ("10", "12", "14", "68")
# new Xã Bản Bo (Lai Châu) = old Xã Bản Bo 03424 (76.5 km²) + old Xã Nà Tăm 03427 (24.1 km²)
BAN_BO, OLD_BAN_BO, NA_TAM = "03424", "03424", "03427"


def _add(store, rows, edition="pre2025"):
    frame = pd.DataFrame([{"code": c, "scheme": s, "status": v, "valid_from": f, "valid_to": t, "decision_no": "",
                           "decision_date": None, "source": "test", "note": "", "row_number": i}
                          for i, (c, s, v, f, t) in enumerate(rows, start=1)])
    with store.transaction() as tx:
        batch = store.add_batch(tx, BatchInfo("status", edition, "test", "", "test", len(frame)))
        store.add_status_records(tx, edition, frame, batch, "test")


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    require("shared data")
    from geoapp.ingest import import_boundaries, import_unit_list

    store = new_store(tmp_path_factory.mktemp("crosswalk"))
    store.upgrade()
    for edition in ("pre2025", "2025"):
        import_unit_list(store, edition, SHARED_DATA)
    import_boundaries(store, [PRE2025_ZIP], "pre2025")
    import_boundaries(store, [B2025 / n for n in ("12_lai_chau.zip", "14_son_la.zip", "15_lao_cai.zip",
                                                  "68_lam_dong.zip")], "2025")
    imported = cx.import_crosswalk(store, SHARED_DATA)
    weighed = cx.update_area_weights(store, lod=1)
    # a timeline for the two old communes of new Bản Bo
    _add(store, [(OLD_BAN_BO, "ma_tuy", "khong_ma_tuy", "2020-01-01", None),
                 (NA_TAM, "ma_tuy", "co_te_nan", "2020-01-01", None),
                 (NA_TAM, "ma_tuy", "trong_diem_loai_3", "2021-01-01", None),
                 (NA_TAM, "ma_tuy", "khong_ma_tuy", "2022-01-01", None),
                 (OLD_BAN_BO, "antt", "trong_diem_phuc_tap", "2020-01-01", None),
                 (NA_TAM, "antt", "da_chuyen_hoa", "2020-01-01", None),
                 (OLD_BAN_BO, "antt", "da_chuyen_hoa", "2021-01-01", None),
                 (OLD_BAN_BO, "antt", "an_toan_antt", "2022-01-01", None),
                 (NA_TAM, "antt", "an_toan_antt", "2022-01-01", "2022-12-31")])
    return store, imported, weighed


def _unit(store, on, code=BAN_BO, rules=None, province="12"):
    frame = cx.project_statuses(store, CAT, on, province, rules=rules)
    return frame[frame["code"] == code].set_index("scheme")


@pytest.mark.realdata
def test_import_checks_the_whole_crosswalk(real):
    store, report, _w = real
    assert report["pairs"] == 10597 and report["old_communes"] == 10035
    assert report["new_units"] + len(report["no_old_commune"]) == 3321
    assert report["split_communes"] == 471 and not report["split_flag_mismatch"]
    assert not report["old_not_mapped"] and not report["new_not_reached"]
    assert not report["old_unknown"] and not report["new_unknown"]
    stored = store.crosswalk()
    assert len(stored) == 10597 and stored["source_sha256"].str.len().eq(64).all()
    assert store.batch(int(stored["batch_id"].iloc[0]))["kind"] == "crosswalk"


@pytest.mark.realdata
def test_checks_report_unknown_and_unmapped_codes(real):
    store = real[0]
    rows = store.crosswalk()
    rows = rows[rows["old_code"] != "03424"]
    rows = pd.concat([rows, pd.DataFrame([{"old_code": "99999", "new_code": "99998", "is_split": False,
                                           "old_name": "Xã Ma", "new_name": "Xã Ảo"}])], ignore_index=True)
    report = cx.check_crosswalk(rows, store)
    assert report["old_unknown"] == ["99999"] and report["new_unknown"] == ["99998"]
    assert report["old_not_mapped"] == ["03424"]


@pytest.mark.realdata
def test_lai_chau_106_old_communes_form_its_38_units(real):
    store = real[0]
    pairs = store.crosswalk()
    lai = pairs[pairs["old_province"] == "12"]
    assert lai["old_code"].nunique() == 106 and set(lai["new_province"]) == {"12"}
    assert lai["new_code"].nunique() == 38
    assert set(lai["new_code"]) == set(store.units("2025", "12")["code"])


@pytest.mark.realdata
def test_doan_ket_is_formed_from_quyet_tien_and_doan_ket(real):
    store = real[0]
    parts = store.crosswalk(new_codes=["03388"]).set_index("old_code")["old_name"]
    assert {"03388", "03389"} <= set(parts.index) and len(parts) > 2
    assert parts["03388"] == "Phường Quyết Tiến" and parts["03389"] == "Phường Đoàn Kết"


@pytest.mark.realdata
def test_joining_by_code_is_refused_with_the_reason(real):
    store = real[0]
    with pytest.raises(ValidationError) as err:
        cx.refuse_cross_edition(["03388"], "2025", store)
    text = str(err.value)
    assert "Phường Đoàn Kết" in text and "Phường Quyết Tiến" in text and "03389" in text and "another place" in text
    with pytest.raises(ValidationError) as err:
        cx.refuse_cross_edition(["3389"], "pre2025", store)
    assert "became part of new 03388 Phường Đoàn Kết" in str(err.value)
    assert "names no unit" in str(err.value)


@pytest.mark.realdata
def test_split_communes_are_flagged_and_their_weights_sum_to_one(real):
    pairs = real[0].crosswalk()
    split = pairs[pairs["is_split"]]
    assert split["old_code"].nunique() == 471
    assert (split.groupby("old_code").size() > 1).all()
    assert np.allclose(split.groupby("old_code")["weight"].sum(), 1.0, atol=1e-6)
    assert (split["method"] == "crosswalk").all()   # none lies in the four provinces with old polygons


@pytest.mark.realdata
def test_every_old_commune_weights_sum_to_one(real):
    pairs = real[0].crosswalk()
    sums = pairs.groupby("old_code")["weight"].sum()
    assert len(sums) == 10035 and float((sums - 1).abs().max()) < 1e-6


@pytest.mark.realdata
def test_area_method_where_both_editions_have_polygons(real):
    store, _r, weighed = real
    pairs = store.crosswalk()
    with_polygon = set(store.geometries("pre2025", lod=1)["code"])
    four = pairs["old_province"].isin(FOUR_OLD)
    has = pairs["old_code"].isin(with_polygon)
    assert (pairs.loc[four & has, "method"] == "area").all() and (four & has).sum() == 582
    assert (pairs.loc[~(four & has), "method"] == "crosswalk").all()
    # listed 4-province communes without a polygon fall back to the crosswalk
    assert (four & ~has).sum() > 0
    area = pairs[pairs["method"] == "area"]
    assert area["coverage"].between(0.1, 1.0 + 1e-9).all() and area["coverage"].median() > 0.9
    assert weighed["by_method"] == {"crosswalk": 10015, "area": 582}
    assert weighed["unlisted_overlaps_dropped"] > 0        # dropped, never stored as pairs


@pytest.mark.realdata
def test_strict_vs_area_share_on_two_old_communes(real):
    store = real[0]
    on_2020 = _unit(store, "2020-06-01")
    assert on_2020.loc["ma_tuy", "status"] == "co_te_nan" and on_2020.loc["ma_tuy", "rule"] == "strict"
    assert on_2020.loc["ma_tuy", "method"] == "area" and on_2020.loc["ma_tuy", "parts"] == 2
    shared = _unit(store, "2020-06-01", rules={"ma_tuy": {"rule": "area_share"}})
    # Bản Bo is ~76 % of the new unit and drug-free, Nà Tăm has drug problems but is not key
    assert shared.loc["ma_tuy", "status"] == "khong_ma_tuy" and shared.loc["ma_tuy", "reason"] == "good_share"
    shares = {p["old_code"]: p["share"] for p in shared.loc["ma_tuy", "composition"]}
    assert shares[OLD_BAN_BO] == pytest.approx(76.5424 / (76.5424 + 24.0772), abs=1e-3)


@pytest.mark.realdata
def test_any_key_part_makes_the_unit_key(real):
    store = real[0]
    for rules in (None, {"ma_tuy": {"rule": "area_share"}}):
        assert _unit(store, "2021-06-01", rules=rules).loc["ma_tuy", "status"] == "trong_diem_loai_3"
    assert _unit(store, "2022-06-01").loc["ma_tuy", "status"] == "khong_ma_tuy"      # all parts drug-free


@pytest.mark.realdata
def test_antt_projection_over_time(real):
    store = real[0]
    assert _unit(store, "2020-06-01").loc["antt", "status"] == "trong_diem_phuc_tap"
    assert _unit(store, "2021-06-01").loc["antt", "status"] == "da_chuyen_hoa"
    assert _unit(store, "2022-06-01").loc["antt", "status"] == "an_toan_antt"
    # Nà Tăm's standard ended 2022-12-31: "safe" needs every part, so the unit has none
    assert _unit(store, "2023-06-01").loc["antt", "status"] == ""


@pytest.mark.realdata
def test_composition_string_on_real_communes(real):
    row = _unit(real[0], "2020-06-01").loc["ma_tuy"]
    assert row["formed_from_en"] == "formed from: Xã Bản Bo — drug-free; Xã Nà Tăm — drug problems (not key)"
    assert row["formed_from_vi"] == "hình thành từ: Xã Bản Bo — không ma túy; Xã Nà Tăm — có tệ nạn ma túy"
    assert [p["old_code"] for p in row["composition"]] == [OLD_BAN_BO, NA_TAM]


@pytest.mark.realdata
def test_split_commune_shows_as_part_of(real):
    store = real[0]
    pairs = store.crosswalk()
    split = pairs[pairs["is_split"]].groupby("old_code").filter(lambda g: len(g) == 2)
    old = split["old_code"].iloc[0]
    targets = split[split["old_code"] == old]
    _add(store, [(old, "ma_tuy", "trong_diem_loai_2", "2019-01-01", None)])
    province = targets["new_province"].iloc[0]
    frame = cx.project_statuses(store, CAT, "2019-06-01", province)
    for code in targets["new_code"]:
        row = frame[(frame["code"] == code) & (frame["scheme"] == "ma_tuy")].iloc[0]
        assert row["status"] == "trong_diem_loai_2" and row["method"] == "crosswalk"
        name = targets["old_name"].iloc[0]
        assert f"part of {name} (50 %) — key drug commune, type II" in row["formed_from_en"]


@pytest.mark.realdata
def test_old_records_after_the_reform_are_projected_not_recoded(real):
    store = real[0]
    # new Xã Khun Há = old 03421 Bản Hon + 03430 Khun Há; a report after 1 July 2025 still uses old codes
    _add(store, [("03421", "ma_tuy", "khong_ma_tuy", "2024-01-01", None),
                 ("03430", "ma_tuy", "trong_diem_loai_2", "2025-09-01", None)])
    out = cx.project_old_records(store, CAT)
    row = out[out["code"] == "03430"].iloc[0]
    assert (row["as_of"], row["scheme"], row["status"]) == ("2025-09-01", "ma_tuy", "trong_diem_loai_2")
    assert row["from_old_codes"] == ["03430"] and row["parts"] == 2
    assert "Xã Bản Hon — drug-free" in row["formed_from_en"]
    # the record stays on the old commune: nothing was written to the 2025 edition
    assert store.status_records("2025").empty
    assert set(store.status_records("pre2025", codes=["03430"])["code"]) == {"03430"}
    # records handed in (not stored) are projected the same way; pre-reform ones are left out
    given = pd.DataFrame([{"code": "3421", "scheme": "ma_tuy", "status": "co_te_nan", "valid_from": "2025-10-01"},
                          {"code": "03421", "scheme": "ma_tuy", "status": "co_te_nan", "valid_from": "2025-01-01"}])
    out = cx.project_old_records(store, CAT, given)
    assert out["as_of"].tolist() == ["2025-10-01"]
    assert out.iloc[0]["status"] == "trong_diem_loai_2"      # the other part is key on that day


@pytest.mark.realdata
def test_cli_check_weights_project(real, monkeypatch):
    from geoapp.cli.crosswalk import crosswalk_group as crosswalk

    store = real[0]
    monkeypatch.setenv("GEOAPP_DATABASE_URL", store.test_url)
    run = CliRunner()
    out = run.invoke(crosswalk, ["check"], catch_exceptions=False)
    assert out.exit_code == 0 and "471 split communes" in out.output
    out = run.invoke(crosswalk, ["weights"], catch_exceptions=False)
    assert out.exit_code == 0 and "582 by area" in out.output
    out = run.invoke(crosswalk, ["project", "--as-of", "2020-06-01", "--province", "12", "--format", "json"],
                     catch_exceptions=False)
    rows = json.loads(out.output)["rows"]
    assert len(rows) == 38 * len(CAT.schemes)
    ban_bo = next(r for r in rows if r["code"] == BAN_BO and r["scheme"] == "ma_tuy")
    assert ban_bo["status"] == "co_te_nan" and len(ban_bo["composition"]) == 2
    out = run.invoke(crosswalk, ["project", "--as-of", "2020-06-01", "--province", "12", "--lang", "en"],
                     catch_exceptions=False)
    assert out.output.startswith("as_of,") and "formed from: Xã Bản Bo — drug-free" in out.output


@requires_shared()
@pytest.mark.realdata
def test_cli_import_on_an_empty_store(tmp_path, monkeypatch):
    from geoapp.cli.crosswalk import crosswalk_group as crosswalk

    monkeypatch.setenv("GEOAPP_DATABASE_URL", db_url(tmp_path, "g"))
    out = CliRunner().invoke(crosswalk, ["import", "--source", str(SHARED_DATA)], catch_exceptions=False)
    assert out.exit_code == 0 and "10,597 pairs" in out.output and "has no units" in out.output
    out = CliRunner().invoke(crosswalk, ["project", "--as-of", "2025-08-01"])
    assert out.exit_code == 2 and "no units of edition 2025" in out.output



@pytest.mark.realdata
def test_old_records_with_unknown_codes_or_statuses_are_refused(real):
    store = real[0]
    bad = pd.DataFrame([{"code": "03421", "scheme": "ma_tuy", "status": "sach", "valid_from": "2025-10-01"}])
    with pytest.raises(InputError, match="ma_tuy:sach"):
        cx.project_old_records(store, CAT, bad)
    bad = pd.DataFrame([{"code": "99999", "scheme": "ma_tuy", "status": "co_te_nan", "valid_from": "2025-10-01"}])
    with pytest.raises(InputError, match="not in the crosswalk"):
        cx.project_old_records(store, CAT, bad)


@pytest.mark.realdata
def test_old_code_records_after_the_reform_show_projected_on_the_2025_map(real, tmp_path):
    """A report still using old codes after 1 July 2025 is projected onto the new unit, not re-coded."""
    from geoapp import create_app
    from geoapp.records import import_status_file, rollback
    from geoapp.schemes import load_catalogue

    cw_store = real[0]
    app = create_app({"DATABASE_URL": cw_store.test_url, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "t",
                      "PUBLIC_READ": True})
    client = app.test_client()
    query = "/api/v1/2025/statuses?province=12&scheme=antt&as_of=2025-10-01"
    assert "03388" not in client.get(query).get_json()["statuses"]
    late = tmp_path / "late.csv"
    late.write_text("ma_xa,che_do,trang_thai,tu_ngay\n03389,antt,trong_diem_phuc_tap,2025-09-01\n")
    report = import_status_file(cw_store, late, "pre2025", load_catalogue())  # old code 03389 (Đoàn Kết)
    try:
        body = client.get(query).get_json()
    finally:
        rollback(cw_store, report["batch"])           # the module's other tests see the store as before
    assert body["statuses"]["03388"]["status"] == "trong_diem_phuc_tap"    # new Đoàn Kết contains it
    assert body["statuses"]["03388"]["projected"] is True
    assert "Đoàn Kết" in body["statuses"]["03388"]["note"]
    assert cw_store.status_records("2025").empty                           # nothing re-coded
