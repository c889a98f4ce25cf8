"""Tests of geoapp.unitlists on the real reference data in shared/data (see conftest.need)."""
from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from geoapp.errors import InputError, NotFoundError
from geoapp.names import fold
from geoapp.unitlists import LIST_COLUMNS, missing_polygons, read_unit_list

from .conftest import SHARED_DATA as DATA
from .conftest import requires_shared

needs_data = requires_shared()
CODE_COLUMNS = ("code", "district_code", "province_code")


# -- fold(): in-code fixtures, no data needed ------------------------------------------------
def test_fold_tone_placement_and_unicode_form():
    assert fold("Hòa") == fold("Hoà") == "hoa"
    text = "Phường Đoàn Kết"
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))
    assert fold("Đoàn Kết") == "doan ket"
    assert fold("  Cư  M’gar ") == fold("Cư M'gar") == "cu m'gar"
    assert fold("Bà Rịa-Vũng Tàu") == "ba ria vung tau"


def test_unknown_edition_is_refused(tmp_path):
    with pytest.raises(NotFoundError, match="1999"):
        read_unit_list("1999", tmp_path)


def test_missing_file_and_missing_column_raise_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_unit_list("pre2025", tmp_path)
    (tmp_path / "units").mkdir()
    (tmp_path / "units" / "xa_truoc2025_gso_2025-06-30.csv").write_text(
        "\ufeffMã,Tên\n00001,Phường Phúc Xá\n", encoding="utf-8")
    with pytest.raises(InputError, match="Cấp"):
        read_unit_list("pre2025", tmp_path)


def test_small_pre2025_fixture_keeps_zeros_and_strips_prefix(tmp_path):
    (tmp_path / "units").mkdir()
    (tmp_path / "units" / "xa_truoc2025_gso_2025-06-30.csv").write_text(
        "\ufeffMã,Tên,Tên Tiếng Anh,Cấp,Mã QH,Quận Huyện,Mã TP,Tỉnh / Thành Phố\n"
        "1,phường Phúc Xá,,Phường,1,Quận Ba Đình,1,Thành phố Hà Nội\n"
        "3388.0,THỊ TRẤN Na ,,Thị trấn,105,Thành phố Lai Châu,12,Tỉnh Lai Châu\n", encoding="utf-8")
    units, provinces = read_unit_list("pre2025", tmp_path)
    assert units["code"].tolist() == ["00001", "03388"]
    assert units["name"].tolist() == ["Phúc Xá", "Na"]
    assert units["full_name"].tolist() == ["phường Phúc Xá", "THỊ TRẤN Na"]
    assert units["district_code"].tolist() == ["001", "105"]
    assert provinces == {"01": "Thành phố Hà Nội", "12": "Tỉnh Lai Châu"}


# -- the real lists --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pre2025():
    return read_unit_list("pre2025", DATA)


@pytest.fixture(scope="module")
def new2025():
    return read_unit_list("2025", DATA)


def _assert_codes_are_text(units: pd.DataFrame, widths: dict[str, int]):
    for col in CODE_COLUMNS:
        assert not pd.api.types.is_numeric_dtype(units[col]), col
    for col, width in widths.items():
        assert units[col].map(lambda v: isinstance(v, str) and len(v) == width and v.isdigit()).all(), col


@needs_data
def test_pre2025_list(pre2025):
    units, provinces = pre2025
    assert tuple(units.columns) == LIST_COLUMNS
    assert len(units) == 10_035
    assert units["code"].is_unique
    _assert_codes_are_text(units, {"code": 5, "district_code": 3, "province_code": 2})
    assert len(provinces) == 63
    assert (units["province_code"] == "12").sum() == 106  # Lai Châu (old)
    first = units.set_index("code").loc["00001"]
    assert (first["name"], first["full_name"], first["unit_type"]) == ("Phúc Xá", "Phường Phúc Xá", "Phường")
    # only one prefix is removed: Huế's ward is really called "Phường Đúc"
    prefixed = units.loc[units["name"].str.match(r"(?i)(xã|phường|thị trấn)\s"), "code"]
    assert prefixed.tolist() == ["19780"]
    assert units.set_index("code").loc["19780", "name"] == "Phường Đúc"
    assert units["area_km2"].isna().all() and units["population"].isna().all()


@needs_data
def test_2025_list(new2025):
    units, provinces = new2025
    assert tuple(units.columns) == LIST_COLUMNS
    assert len(units) == 3_321
    assert units["code"].is_unique
    _assert_codes_are_text(units, {"code": 5, "province_code": 2})
    assert len(provinces) == 34 and units["province_code"].nunique() == 34
    assert (units["province_code"] == "12").sum() == 38  # Lai Châu (new)
    assert set(units["unit_type"]) == {"Xã", "Phường", "Đặc khu"}
    assert (units["full_name"] == units["unit_type"] + " " + units["name"]).all()


@needs_data
def test_2025_type_follows_the_full_name(new2025):
    # newWardType / loai swap these pairs; the names, the boundary layer and their
    # predecessors (phường Việt Hòa + phường Tứ Minh …) say otherwise
    types = new2025[0].set_index("code")["unit_type"]
    assert types[["10543", "11848", "31213", "31299"]].tolist() == ["Phường", "Xã", "Phường", "Xã"]
    assert new2025[0]["unit_type"].value_counts().to_dict() == {"Xã": 2621, "Phường": 687, "Đặc khu": 13}


@needs_data
def test_code_03388_is_a_different_unit_in_each_edition(pre2025, new2025):
    old = pre2025[0].set_index("code").loc["03388"]
    new = new2025[0].set_index("code").loc["03388"]
    assert old["name"] == "Quyết Tiến"
    assert (new["name"], new["unit_type"], new["full_name"]) == ("Đoàn Kết", "Phường", "Phường Đoàn Kết")


@needs_data
def test_2025_population_and_area_match(new2025):
    units, _ = new2025
    report = units.attrs["match"]
    assert sum(report[k] for k in ("exact", "folded", "exact_other_type", "folded_other_type")) == 3_321
    assert report["unmatched"] == [] and report["unmatched_list_rows"] == []
    assert str(units["population"].dtype) == "Int64"
    assert all(isinstance(v, int) for v in units["population"].dropna().tolist())
    # the source gives no figure ("đang cập nhật") for 66 units, so 98.0 % is the ceiling
    share = units["population"].notna().mean()
    assert share >= 0.98, share
    assert len(report["population_missing"]) == 66
    assert units["population"].min() > 0
    assert units["area_km2"].notna().sum() == 3_319
    by_code = units.set_index("code")
    assert by_code.loc["03388", "population"] == 25_403
    # homonyms that only a tone mark tells apart keep their own figures
    assert by_code.loc["25294", "population"] == 15_338  # Đồng Nai, xã Lộc Thành
    assert by_code.loc["25280", "population"] == 10_339  # Đồng Nai, xã Lộc Thạnh
    # curly apostrophe in the list ("Cư M’gar"), straight in the crosswalk
    assert by_code.loc["24280", "area_km2"] == pytest.approx(114.389)
    # tone placement: "Phúc Hoà" in the list, "Phúc Hòa" in the crosswalk
    assert pd.notna(by_code.loc["07330", "population"])
    assert report["folded"] == 8 and report["exact_other_type"] == 4


@needs_data
def test_missing_polygon_communes(pre2025):
    missing = missing_polygons(DATA)
    assert len(missing) == 16 and missing["code"].is_unique
    assert missing["code"].str.fullmatch(r"\d{5}").all()
    assert set(missing["province_code"]) == {"10", "14", "68"}
    listed = set(pre2025[0]["code"])
    # 12 of the 16 are in the GSO list of 2025-06-30; four Lâm Đồng communes of district 682
    # were merged away before that list and appear in neither it nor the crosswalk
    assert set(missing["code"]) - listed == {"25102", "25174", "25177", "25186"}
    assert missing["code"].isin(listed).sum() == 12
