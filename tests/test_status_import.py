"""Status and indicator imports: spellings, formats, every problem, all-or-nothing, roll-back."""
from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from geoapp.errors import StoreError, ValidationError
from geoapp.records import (current_statuses, export_statuses, import_indicator_file, import_status_file,
                            rollback, template, unit_history)
from geoapp.schemes import load_catalogue

from .conftest import load_unit_lists

CAT = load_catalogue()
PRE = [  # code, name, full_name, district, province code, province
    ("03386", "Quyết Thắng", "Phường Quyết Thắng", "Thành phố Lai Châu", "12", "Tỉnh Lai Châu"),
    ("03388", "Quyết Tiến", "Phường Quyết Tiến", "Thành phố Lai Châu", "12", "Tỉnh Lai Châu"),
    ("03389", "Đoàn Kết", "Phường Đoàn Kết", "Thành phố Lai Châu", "12", "Tỉnh Lai Châu"),
    ("03424", "Bản Bo", "Xã Bản Bo", "Huyện Tam Đường", "12", "Tỉnh Lai Châu"),
    ("03500", "Tân Thành", "Xã Tân Thành", "Huyện Sìn Hồ", "12", "Tỉnh Lai Châu"),
    ("03501", "Tân Thạnh", "Xã Tân Thạnh", "Huyện Sìn Hồ", "12", "Tỉnh Lai Châu"),
    ("04825", "Hòa Bình", "Xã Hòa Bình", "Thành phố Hòa Bình", "17", "Tỉnh Hoà Bình"),
    ("11890", "Hoà Bình", "Xã Hoà Bình", "Huyện Vĩnh Bảo", "31", "Thành phố Hải Phòng"),
]
NEW = [("03388", "Đoàn Kết", "Phường Đoàn Kết", "", "12", "Tỉnh Lai Châu")]


def _units(rows):
    return pd.DataFrame(rows, columns=["code", "name", "full_name", "district_name", "province_code", "province_name"])


@pytest.fixture
def store(store):
    return load_unit_lists(store, {"pre2025": _units(PRE), "2025": _units(NEW)})


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: letters it lacks become base letter + combining tone mark."""
    import unicodedata
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(p for p in parts if p in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in tones))
            out += base.encode("cp1258") + tones.encode("cp1258")
    return out


def write_csv(tmp_path, text: str, name="st.csv", encoding="utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return str(path)


def state(store):
    return (store.data_version(), store.status_records("pre2025").to_dict("records"),
            store.indicator_values("pre2025").to_dict("records"), len(store.batches()))


GOOD = """ma_xa,ten_xa,huyen,che_do,trang_thai,tu_ngay,den_ngay,so_quyet_dinh,ghi_chu
3386,,,antt,trong_diem_phuc_tap,2016-03-01,,12/QĐ-UBND,
03386,P. Quyết Thắng,,antt,Đã chuyển hóa thành công,01/06/2020,,45/QĐ-UBND,chuyển hóa
,Xã Bản Bo,Tam Đường,ANTT,TRỌNG ĐIỂM PHỨC TẠP VỀ ANTT,2017-01-01,,,
,x. ban bo,,ma_tuy,drug-free,2023-05-24,,,
,Tân Thạnh,H. Sìn Hồ,ma_tuy,co_te_nan,2022-01-01,2022-12-31,,
"""


def test_good_file_goes_in_whole(store, tmp_path):
    report = import_status_file(store, write_csv(tmp_path, GOOD), "pre2025", CAT)
    assert report["records"] == 5 and report["batch"]
    now = current_statuses(store, "pre2025", CAT, as_of="2024-01-01").set_index(["code", "scheme"])["status"]
    assert now[("03386", "antt")] == "da_chuyen_hoa"
    assert now[("03424", "antt")] == "trong_diem_phuc_tap"
    assert now[("03424", "ma_tuy")] == "khong_ma_tuy"
    assert ("03501", "ma_tuy") not in now.index            # ended 2022-12-31
    assert ("03500", "ma_tuy") not in now.index            # Tân Thành ≠ Tân Thạnh


@pytest.mark.parametrize("encoding, sep, bom", [("utf-8", ",", False), ("utf-8", ";", True), ("cp1258", ";", False)])
def test_csv_flavours(store, tmp_path, encoding, sep, bom):
    text = ("Mã xã" + sep + "Tên xã" + sep + "Trạng thái" + sep + "Từ ngày\n"
            "3424" + sep + "Xã Bản Bo" + sep + "Không ma túy" + sep + "24/05/2023\n")
    data = ("\ufeff" if bom else "") + text
    report = import_status_file(store, write_csv(tmp_path, data, encoding=encoding), "pre2025", CAT)
    assert report["records"] == 1


def test_xlsx_with_numeric_codes_and_real_dates(store, tmp_path):
    from datetime import datetime
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Code", "Name", "Scheme", "Status", "Valid from", "Decision"])
    sheet.append([3386, "Quyết Thắng", "antt", "Key complex area for security and order", datetime(2016, 3, 1), "1/QĐ"])
    path = tmp_path / "st.xlsx"
    book.save(path)
    assert import_status_file(store, path, "pre2025", CAT)["records"] == 1


BAD = """ma_xa,ten_xa,huyen,tinh,che_do,trang_thai,tu_ngay,den_ngay
99999,,,,antt,trong_diem_phuc_tap,2016-03-01,
,Hòa Bình,,,antt,trong_diem_phuc_tap,2016-03-01,
,Không Có Xã Này,,,antt,trong_diem_phuc_tap,2016-03-01,
3386,,,,antt,trong_diem_phuc_tap,2016-13-01,
3386,,,,antt,trong_diem_phuc_tap,2016-03-01,2015-01-01
3388,,,,antt,trong_diem_phuc_tapp,2016-03-01,
3424,,,,antt,trong_diem_phuc_tap,2016-01-01,2018-12-31
3424,,,,antt,da_chuyen_hoa,2018-06-01,
3389,,,,antt,trong_diem_phuc_tap,2019-01-01,
3389,,,,antt,trong_diem_phuc_tap,2019-01-01,
3386,Bản Bo,,,antt,trong_diem_phuc_tap,2020-01-01,
"""


def test_every_bad_row_is_listed_and_nothing_is_written(store, tmp_path):
    before = state(store)
    with pytest.raises(ValidationError) as info:
        import_status_file(store, write_csv(tmp_path, BAD), "pre2025", CAT)
    rows = {p.where.split(",")[0]: p for p in info.value.problems}
    assert "unknown commune code 99999" in rows["row 2"].message
    assert "fits 2 units" in rows["row 3"].message and "04825" in rows["row 3"].message
    assert "no unit named" in rows["row 4"].message
    assert "not a date" in rows["row 5"].message
    assert "before valid_from" in rows["row 6"].message
    assert "nearest: trong_diem_phuc_tap" in rows["row 7"].message
    assert "overlaps row 8" in rows["row 9"].message
    assert "duplicate of row 10" in rows["row 11"].message
    assert "but the row names 'Bản Bo'" in rows["row 12"].message
    assert all(p.message_vi for p in info.value.problems)
    assert state(store) == before


def test_ambiguous_name_resolves_with_province_context(store, tmp_path):
    text = "ten_xa,tinh,trang_thai,tu_ngay\nHoà Bình,Hải Phòng,khong_ma_tuy,2020-01-01\n"
    import_status_file(store, write_csv(tmp_path, text), "pre2025", CAT)
    assert list(store.status_records("pre2025")["code"]) == ["11890"]


def test_code_of_the_other_edition_is_explained(store, tmp_path):
    text = "ma_xa,trang_thai,tu_ngay\n03389,khong_ma_tuy,2025-08-01\n"
    with pytest.raises(ValidationError) as info:
        import_status_file(store, write_csv(tmp_path, text), "2025", CAT)
    assert "it is a code of edition pre2025" in info.value.problems[0].message


def test_province_option_fences_the_file(store, tmp_path):
    text = "ma_xa,trang_thai,tu_ngay\n04825,khong_ma_tuy,2020-01-01\n"
    with pytest.raises(ValidationError, match="refused"):
        import_status_file(store, write_csv(tmp_path, text), "pre2025", CAT, province="12")


def test_dry_run_writes_nothing(store, tmp_path):
    before = state(store)
    report = import_status_file(store, write_csv(tmp_path, GOOD), "pre2025", CAT, dry_run=True)
    assert report["records"] == 5 and report["batch"] is None
    assert state(store) == before


def test_overlap_with_stored_records_is_refused(store, tmp_path):
    import_status_file(store, write_csv(tmp_path, GOOD), "pre2025", CAT)
    with pytest.raises(ValidationError, match="refused") as info:
        import_status_file(store, write_csv(tmp_path, GOOD, "again.csv"), "pre2025", CAT)
    assert "overlaps a stored record" in info.value.problems[0].message


def test_rollback_restores_the_previous_state_exactly(store, tmp_path):
    first = import_status_file(store, write_csv(tmp_path, GOOD), "pre2025", CAT)
    before = current_statuses(store, "pre2025", CAT, as_of="2024-06-01")
    later = "ma_xa,che_do,trang_thai,tu_ngay\n3386,antt,trong_diem_phuc_tap,2023-01-01\n"
    second = import_status_file(store, write_csv(tmp_path, later, "later.csv"), "pre2025", CAT)
    assert current_statuses(store, "pre2025", CAT, as_of="2024-06-01").set_index("code").loc["03386", "status"] \
        == "trong_diem_phuc_tap"
    info = rollback(store, second["batch"], user="chief")
    assert info["state"] == "rolled_back" and info["rolled_back_by"] == "chief"
    pd.testing.assert_frame_equal(current_statuses(store, "pre2025", CAT, as_of="2024-06-01"), before)
    assert store.audit_log().iloc[0]["action"] == "batch.rollback"
    history = unit_history(store, "pre2025", "3386")
    assert len(history) == 3 and (history["batch_state"] == "rolled_back").sum() == 1   # kept, flagged
    with pytest.raises(StoreError, match="already rolled back"):
        rollback(store, second["batch"])
    assert first["batch"] != second["batch"]


def test_history_says_when_each_status_really_ended(store, tmp_path):
    import_status_file(store, write_csv(tmp_path, GOOD), "pre2025", CAT)
    h = unit_history(store, "pre2025", "03386")
    assert list(h["status"]) == ["trong_diem_phuc_tap", "da_chuyen_hoa"]
    assert h["effective_to"].iloc[0] == "2020-05-31"


def test_export_formats(store, tmp_path):
    import_status_file(store, write_csv(tmp_path, GOOD), "pre2025", CAT)
    csv = export_statuses(store, "pre2025", CAT, "csv", province="12", as_of="2021-01-01").decode("utf-8-sig")
    assert "03386" in csv and "Đã chuyển hóa thành công" in csv and "45/QĐ-UBND" in csv
    body = json.loads(export_statuses(store, "pre2025", CAT, "json", as_of="2021-01-01"))
    assert {r["status"] for r in body["records"]} == {"da_chuyen_hoa", "trong_diem_phuc_tap"}
    xlsx = tmp_path / "out.xlsx"
    xlsx.write_bytes(export_statuses(store, "pre2025", CAT, "xlsx", as_of="2021-01-01"))
    assert openpyxl.load_workbook(xlsx)["data"].max_row == 3


def test_template_has_the_units_and_drop_downs(store, tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(template(store, "pre2025", "12", CAT, "xlsx"))
    book = openpyxl.load_workbook(path)
    sheet = book["data"]
    assert [c.value for c in sheet[1]][:3] == ["ma_xa", "ten_xa", "huyen"]
    assert sheet["A2"].value == "03386" and sheet.max_row == 7
    formulas = [dv.formula1 for dv in sheet.data_validations.dataValidation]
    assert any("lists!$B$2" in f for f in formulas)
    # a filled-in template imports
    sheet["D2"], sheet["E2"], sheet["F2"] = "antt", "trong_diem_phuc_tap", "2020-01-01"
    book.save(path)
    assert import_status_file(store, path, "pre2025", CAT)["records"] == 1


INDICATORS = """ma_xa,ky,chi_tieu,gia_tri
3386,2023,so_vu_pham_toi,12
3386,2023-Q2,Số vụ phạm tội,3
3424,2023-05,Registered drug users,"1.234"
3424,2023,dan_so,"4,5"
"""


def test_indicators_import(store, tmp_path):
    report = import_indicator_file(store, write_csv(tmp_path, INDICATORS), "pre2025", CAT)
    assert report["records"] == 4
    values = store.indicator_values("pre2025").set_index(["code", "indicator", "period"])["value"]
    assert values[("03424", "so_nguoi_nghien", "2023-05")] == 1234
    assert values[("03424", "dan_so", "2023")] == 4.5
    q = store.indicator_values("pre2025")
    assert q.set_index("period").loc["2023-Q2", "period_end"] == "2023-06-30"


def test_bad_indicator_rows_are_all_listed(store, tmp_path):
    text = "ma_xa,ky,chi_tieu,gia_tri\n3386,2023,so_vu_pham_toi,abc\n3386,2023-13,so_vu_pham_toi,1\n" \
           "3386,2023,crimes?,1\n3386,2022,so_vu_pham_toi,-4\n3386,2021,so_vu_pham_toi,1\n3386,2021,so_vu_pham_toi,2\n"
    with pytest.raises(ValidationError) as info:
        import_indicator_file(store, write_csv(tmp_path, text), "pre2025", CAT)
    assert [p.where.split(",")[0] for p in info.value.problems] == ["row 2", "row 3", "row 4", "row 5", "row 7"]


def test_extra_schemes_file_adds_a_scheme(tmp_path):
    extra = tmp_path / "extra.toml"
    extra.write_text('[schemes.mua_ban_nguoi]\nlabel_vi = "Mua bán người"\nlabel_en = "Human trafficking"\n'
                     '[[schemes.mua_ban_nguoi.statuses]]\ncode = "trong_diem"\nlabel_vi = "Trọng điểm"\n'
                     'label_en = "Key"\ncolour = "#aa0000"\nseverity = 2\nkind = "key"\n', encoding="utf-8")
    cat = load_catalogue(str(extra))
    assert set(cat.schemes) == {"antt", "ma_tuy", "mua_ban_nguoi"}


def test_malformed_schemes_file_is_refused(tmp_path):
    from geoapp.errors import ConfigError
    extra = tmp_path / "bad.toml"
    extra.write_text('[schemes.x]\n[[schemes.x.statuses]]\ncode = "a"\nlabel_vi = "A"\nlabel_en = "A"\n'
                     'colour = "red"\nseverity = 1\nkind = "weird"\n')
    with pytest.raises(ConfigError, match="colour must be"):
        load_catalogue(str(extra))
