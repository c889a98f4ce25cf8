"""Files as provinces write them (issue 14, item 7): abbreviated types, numbered wards, codes
Excel stripped, government workbooks (letterhead, merged two-row header, column numbers, STT,
dates both ways, totals, signatures), a scheme for files without one, status aliases."""
from __future__ import annotations

from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from geoapp.errors import ConfigError, InputError, ValidationError
from geoapp.imports import STATUS_HEADERS, Collector, StatusVocabulary, UnitResolver, cell_date, map_headers
from geoapp.names import district_readings, unit_readings
from geoapp.records import import_indicator_file, import_status_file
from geoapp.schemes import load_catalogue
from geoapp.tables import is_footer_label, is_totals_label, read_table

from .conftest import SHARED_DATA, load_unit_lists, new_store, requires_shared

CAT = load_catalogue()
COLUMNS = ["code", "name", "full_name", "unit_type", "district_code", "district_name", "province_code",
           "province_name"]
PRE = [
    ("03386", "Quyết Thắng", "Phường Quyết Thắng", "Phường", "105", "Thành phố Lai Châu", "12", "Tỉnh Lai Châu"),
    ("03388", "Quyết Tiến", "Phường Quyết Tiến", "Phường", "105", "Thành phố Lai Châu", "12", "Tỉnh Lai Châu"),
    ("03390", "San Thàng", "Xã San Thàng", "Xã", "105", "Thành phố Lai Châu", "12", "Tỉnh Lai Châu"),
    ("03424", "Bản Bo", "Xã Bản Bo", "Xã", "106", "Huyện Tam Đường", "12", "Tỉnh Lai Châu"),
    ("03425", "San Thàng", "Xã San Thàng", "Xã", "106", "Huyện Tam Đường", "12", "Tỉnh Lai Châu"),
    ("03433", "Mường Tè", "Thị trấn Mường Tè", "Thị trấn", "107", "Huyện Mường Tè", "12", "Tỉnh Lai Châu"),
    ("03445", "Mường Tè", "Xã Mường Tè", "Xã", "107", "Huyện Mường Tè", "12", "Tỉnh Lai Châu"),
    ("27139", "1", "Phường 1", "Phường", "770", "Quận 3", "79", "Thành phố Hồ Chí Minh"),
    ("27142", "2", "Phường 2", "Phường", "770", "Quận 3", "79", "Thành phố Hồ Chí Minh"),
    ("27190", "1", "Phường 1", "Phường", "771", "Quận 10", "79", "Thành phố Hồ Chí Minh"),
    ("28700", "Tân Hội", "Xã Tân Hội", "Xã", "817", "Thị xã Cai Lậy", "82", "Tỉnh Tiền Giang"),
    ("28701", "Tân Hội", "Xã Tân Hội", "Xã", "820", "Huyện Cai Lậy", "82", "Tỉnh Tiền Giang"),
]
NEW = [("03388", "Đoàn Kết", "Phường Đoàn Kết", "Phường", "", "", "12", "Tỉnh Lai Châu")]


def _units(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture
def resolver():
    return UnitResolver(_units(PRE), "pre2025", _units(NEW), "2025")


@pytest.fixture
def store(store):
    return load_unit_lists(store, {"pre2025": _units(PRE), "2025": _units(NEW)})


def resolve(resolver, name="", district="", code="", province=""):
    out = Collector()
    found = resolver.resolve(2, code, name, district, province, None, out)
    return found, out.problems


def workbook(path, rows, merges=()):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for rng in merges:
        sheet.merge_cells(rng)
    book.save(path)
    return path


def statuses(store, edition="pre2025"):
    frame = store.status_records(edition)
    return {(r.code, r.scheme): r for r in frame.itertuples()}


# -- abbreviations of official lists -------------------------------------------------------------
@pytest.mark.parametrize("name", ["TT Mường Tè", "TT. Mường Tè", "T.T Mường Tè", "T.T. Mường Tè", "tt.Mường Tè",
                                  "Thị trấn Mường Tè", "THỊ TRẤN MƯỜNG TÈ", "TT Muong Te"])
def test_tt_is_thi_tran_not_the_xa_of_the_same_name(resolver, name):
    assert resolve(resolver, name) == ("03433", [])


@pytest.mark.parametrize("name", ["X. Mường Tè", "Xã Mường Tè", "x.muong te"])
def test_x_dot_is_xa(resolver, name):
    assert resolve(resolver, name) == ("03445", [])


def test_an_untyped_name_of_two_units_stays_ambiguous(resolver):
    found, problems = resolve(resolver, "Mường Tè")
    assert found is None and "fits 2 units" in problems[0].message and problems[0].message_vi


@pytest.mark.parametrize("name", ["P. Quyết Thắng", "P.Quyết Thắng", "P Quyết Thắng", "Phường Quyết Thắng"])
def test_p_is_phuong(resolver, name):
    assert resolve(resolver, name) == ("03386", [])


@pytest.mark.parametrize("name", ["P1", "P.1", "P. 01", "P01", "Phường 01", "Phường 1", "phuong 1", "1"])
@pytest.mark.parametrize("district", ["Q.3", "Q3", "Q. 3", "Quận 03", "Quận 3"])
def test_numbered_wards_and_districts(resolver, name, district):
    assert resolve(resolver, name, district) == ("27139", [])


def test_a_numbered_ward_needs_its_district(resolver):
    assert resolve(resolver, "P2")[0] == "27142"            # only one Phường 2
    found, problems = resolve(resolver, "P1")
    assert found is None and "fits 2 units" in problems[0].message
    assert resolve(resolver, "Phường 01", "Q.10")[0] == "27190"


@pytest.mark.parametrize("district, code", [("TX Cai Lậy", "28700"), ("TX. Cai Lậy", "28700"),
                                            ("Thị xã Cai Lậy", "28700"), ("H. Cai Lậy", "28701"),
                                            ("Huyện Cai Lậy", "28701")])
def test_tx_and_h_select_the_district_of_that_type(resolver, district, code):
    assert resolve(resolver, "Tân Hội", district) == (code, [])


@pytest.mark.parametrize("district", ["TP Lai Châu", "TP. Lai Châu", "T.P Lai Châu", "Thành phố Lai Châu"])
def test_tp_is_thanh_pho(resolver, district):
    assert resolve(resolver, "X. San Thàng", district) == ("03390", [])
    assert resolve(resolver, "San Thàng", "H. Tam Đường") == ("03425", [])


def test_prefix_letters_inside_names_are_not_abbreviations():
    assert unit_readings("Phú Lộc") == (unit_readings("Phú Lộc")[0],) and unit_readings("Phú Lộc")[0].kind is None
    assert unit_readings("Quảng Yên")[0].kind is None
    assert district_readings("Quan Sơn")[0].kind is None          # Huyện Quan Sơn, not "Quận Sơn"


# -- codes Excel stripped ---------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["3388", "03388", "3388.0", "'03388"])
def test_codes_without_leading_zeros(resolver, code):
    assert resolve(resolver, code=code) == ("03388", [])


def test_a_code_and_a_typed_name_that_contradict_are_refused(resolver):
    assert resolve(resolver, "TT Mường Tè", code="3433") == ("03433", [])
    found, problems = resolve(resolver, "Xã Mường Tè", code="3433")
    assert found is None and "but the row names 'Xã Mường Tè'" in problems[0].message
    # another type alone (a xã become a phường since) is not a contradiction
    assert resolve(resolver, "Xã Quyết Thắng", code="3386") == ("03386", [])


def test_stripped_codes_in_a_workbook_of_each_edition(store, tmp_path):
    path = workbook(tmp_path / "codes.xlsx", [["Mã xã", "Trạng thái", "Từ ngày"], [3388, "Không ma túy", "1/6/2024"]])
    assert import_status_file(store, path, "pre2025", CAT)["records"] == 1
    assert list(store.status_records("pre2025")["code"]) == ["03388"]
    path = workbook(tmp_path / "codes2025.xlsx", [["Mã xã", "Trạng thái", "Từ ngày"], [3388, "Không ma túy", "1/8/2025"]])
    import_status_file(store, path, "2025", CAT)
    assert list(store.status_records("2025")["code"]) == ["03388"]


def test_a_district_column_is_no_fence_in_an_edition_without_districts(store, tmp_path):
    path = workbook(tmp_path / "new.xlsx", [["Tên xã", "Huyện", "Trạng thái", "Từ ngày"],
                                            ["P. Đoàn Kết", "TP Lai Châu", "Không ma túy", "1/8/2025"]])
    import_status_file(store, path, "2025", CAT)
    assert list(store.status_records("2025")["code"]) == ["03388"]


# -- a government workbook ---------------------------------------------------------------------------
GOV_ROWS = [
    ["CÔNG AN TỈNH LAI CHÂU", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],                 # 1
    ["PHÒNG CẢNH SÁT ĐIỀU TRA TỘI PHẠM VỀ MA TÚY", None, None, None, "Độc lập - Tự do - Hạnh phúc"],   # 2
    [None, None, None, None, "Lai Châu, ngày 24 tháng 5 năm 2023"],                                     # 3
    ["DANH SÁCH XÃ, PHƯỜNG, THỊ TRẤN ĐẠT TIÊU CHUẨN KHÔNG MA TÚY NĂM 2023"],                            # 4
    ["(Kèm theo Quyết định số 123/QĐ-UBND ngày 24/5/2023 của UBND tỉnh Lai Châu)"],                    # 5
    [],                                                                                                  # 6
    ["STT", "Tên xã, phường, thị trấn", "Huyện, thành phố", "Kết quả phân loại", "Ngày công nhận",
     "Quyết định công nhận", None, "Ghi chú"],                                                          # 7
    [None, None, None, None, None, "Số", "Ngày", None],                                                 # 8
    ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"],                                           # 9
    [1, "TT Mường Tè", "H. Mường Tè", "Không có tệ nạn ma túy", datetime(2023, 5, 24), "123/QĐ-UBND",
     datetime(2023, 5, 24), None],                                                                      # 10
    [2, "X. Bản Bo", "Tam Đường", "Xã không ma túy", "24/5/2023", None, None, "tái công nhận"],          # 11
    [3, "P. Quyết Thắng", "TP. Lai Châu", "ĐẠT TIÊU CHUẨN KHÔNG MA TUY", "24/05/2023", None, None, None],  # 12
    ["Tổng cộng: 03 xã, phường, thị trấn", None, None, 3],                                              # 13
    [],                                                                                                  # 14
    ["Nơi nhận:", None, None, None, None, "KT. GIÁM ĐỐC"],                                             # 15
    ["- Như trên;", None, None, None, None, "PHÓ GIÁM ĐỐC"],                                           # 16
    ["- Lưu: VT.", None, None, None, None, "(Đã ký)"],                                                  # 17
    [None, None, None, None, None, "Nguyễn Văn A"],                                                     # 18
]
GOV_MERGES = ["A1:C1", "E1:H1", "A2:C2", "E2:H2", "E3:H3", "A4:H4", "A5:H5",
              "A7:A8", "B7:B8", "C7:C8", "D7:D8", "E7:E8", "F7:G7", "H7:H8",   # the header over two rows
              "F10:F12", "G10:G12",                                           # one decision for all three
              "A13:C13"]


def test_a_government_workbook_imports_unedited(store, tmp_path):
    path = workbook(tmp_path / "ds_xa_khong_ma_tuy_2023.xlsx", GOV_ROWS, GOV_MERGES)
    report = import_status_file(store, path, "pre2025", CAT, scheme="ma_tuy")
    assert report["records"] == 3 and report["header_row"] == 7
    assert [s["row"] for s in report["skipped"]] == [9, 13, 15]
    assert "totals row" in report["skipped"][1]["reason"] and report["skipped"][1]["reason_vi"]
    got = statuses(store)
    assert set(got) == {("03433", "ma_tuy"), ("03424", "ma_tuy"), ("03386", "ma_tuy")}
    for record in got.values():
        assert record.status == "khong_ma_tuy" and record.valid_from == "2023-05-24"
        assert record.decision_no == "123/QĐ-UBND" and record.decision_date == "2023-05-24"   # merged down
    assert got[("03424", "ma_tuy")].note == "tái công nhận"
    assert sorted(store.status_records("pre2025")["row_number"]) == [10, 11, 12]


def test_the_merged_header_is_read_column_by_column(tmp_path):
    from geoapp.imports import status_header
    table = read_table(workbook(tmp_path / "g.xlsx", GOV_ROWS, GOV_MERGES), recognise=status_header)
    cols, unused = map_headers(table.headers, STATUS_HEADERS)
    assert cols == {"name": 1, "district": 2, "status": 3, "valid_from": 4, "decision_no": 5, "decision_date": 6,
                    "note": 7}
    assert unused == []                       # STT is known, and ignored
    assert [r[1] for r in table.rows] == ["TT Mường Tè", "X. Bản Bo", "P. Quyết Thắng"]


def test_a_workbook_without_scheme_column_needs_no_scheme_when_statuses_are_unambiguous(store, tmp_path):
    path = workbook(tmp_path / "g.xlsx", GOV_ROWS, GOV_MERGES)
    assert import_status_file(store, path, "pre2025", CAT, dry_run=True)["records"] == 3


def test_the_scheme_option_is_the_scheme_of_rows_without_one(store, tmp_path):
    path = workbook(tmp_path / "s.xlsx", [["Tên xã", "Chế độ", "Xếp loại", "Từ ngày"],
                                          ["TT Mường Tè", None, "Loại I", "1/1/2022"],
                                          ["X. Bản Bo", "antt", "Trọng điểm về ANTT", "1/1/2022"]])
    import_status_file(store, path, "pre2025", CAT, scheme="Ma túy")          # a label works too
    got = statuses(store)
    assert got[("03433", "ma_tuy")].status == "trong_diem_loai_1"
    assert got[("03424", "antt")].status == "trong_diem_phuc_tap"


def test_a_status_outside_the_given_scheme_is_refused(store, tmp_path):
    path = workbook(tmp_path / "s.xlsx", [["Tên xã", "Trạng thái", "Từ ngày"], ["TT Mường Tè", "Không ma túy", "1/1/2022"]])
    with pytest.raises(ValidationError) as info:
        import_status_file(store, path, "pre2025", CAT, scheme="antt")
    assert info.value.problems[0].where == "row 2, status" and "of scheme antt" in info.value.problems[0].message


def test_a_scheme_option_resolves_a_status_two_schemes_share(store, tmp_path):
    extra = tmp_path / "extra.toml"
    extra.write_text('[schemes.ma_tuy_hoc_duong]\nlabel_vi = "Ma túy học đường"\nlabel_en = "Drugs at school"\n'
                     '[[schemes.ma_tuy_hoc_duong.statuses]]\ncode = "khong_ma_tuy"\nlabel_vi = "Không ma túy"\n'
                     'label_en = "Drug-free"\ncolour = "#00aa00"\nseverity = 0\nkind = "good"\n', encoding="utf-8")
    cat = load_catalogue(str(extra))
    path = workbook(tmp_path / "s.xlsx", [["Tên xã", "Trạng thái", "Từ ngày"], ["TT Mường Tè", "Không ma túy", "1/1/2022"]])
    with pytest.raises(ValidationError, match="refused") as info:
        import_status_file(store, path, "pre2025", cat)
    assert "belongs to several schemes" in info.value.problems[0].message
    import_status_file(store, path, "pre2025", cat, scheme="ma_tuy")
    assert set(statuses(store)) == {("03433", "ma_tuy")}


def test_unknown_scheme_options_are_refused(store, tmp_path):
    path = workbook(tmp_path / "s.xlsx", [["Tên xã", "Trạng thái", "Từ ngày"], ["TT Mường Tè", "Không ma túy", "1/1/2022"]])
    with pytest.raises(InputError, match="unknown scheme 'narcotics'") as info:
        import_status_file(store, path, "pre2025", CAT, scheme="narcotics")
    assert info.value.message_vi
    ind = workbook(tmp_path / "i.xlsx", [["Mã xã", "Năm", "Chỉ tiêu", "Giá trị"], ["3386", "2023", "dan_so", "5"]])
    with pytest.raises(InputError, match="no scheme"):
        import_indicator_file(store, ind, "pre2025", CAT, scheme="ma_tuy")


def test_every_bad_row_of_a_government_workbook_is_listed_with_its_row_number(store, tmp_path):
    rows = [list(r) for r in GOV_ROWS]
    rows[9][1] = "TT Không Có"              # row 10: no such unit
    rows[10][3] = "Xã sạch sẽ"              # row 11: no such status
    rows[11][4] = "31/02/2023"              # row 12: no such date
    with pytest.raises(ValidationError) as info:
        import_status_file(store, workbook(tmp_path / "bad.xlsx", rows, GOV_MERGES), "pre2025", CAT, scheme="ma_tuy")
    where = [p.where for p in info.value.problems if p.level == "error"]
    assert where == ["row 10, name", "row 11, status", "row 12, valid_from"]
    assert all(p.message_vi and p.message_vi != p.message for p in info.value.problems)
    assert info.value.message_vi and store.status_records("pre2025").empty


def test_a_wide_header_cell_merged_along_its_row_is_not_a_two_row_header(store, tmp_path):
    path = workbook(tmp_path / "wide.xlsx", [["BÁO CÁO"], ["Tên xã", None, "Trạng thái", "Từ ngày"],
                                              ["TT Mường Tè", None, "Không ma túy", "1/6/2024"],
                                              ["X. Bản Bo", None, "Không ma túy", "1/6/2024"]], ["A1:D1", "A2:B2"])
    report = import_status_file(store, path, "pre2025", CAT)
    assert report["records"] == 2 and report["header_row"] == 2


def test_a_data_row_naming_columns_does_not_pass_for_the_header(store, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("Tên,Huyện,Trạng thái,Từ ngày\nXã Bản Bo,Huyện Tam Đường,Không ma túy,1/6/2024\n", encoding="utf-8")
    report = import_status_file(store, path, "pre2025", CAT)
    assert report["header_row"] == 1 and report["records"] == 1


def test_a_csv_header_over_two_rows(store, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("Tên xã,Trạng thái,Quyết định,\n,,Số,Ngày\nTT Mường Tè,Không ma túy,12/QĐ-UBND,24/5/2023\n",
                    encoding="utf-8")
    import_status_file(store, path, "pre2025", CAT)
    record = statuses(store)[("03433", "ma_tuy")]
    assert (record.decision_no, record.decision_date, record.valid_from) == ("12/QĐ-UBND", "2023-05-24", "2023-05-24")


def test_a_list_without_dates_of_its_own_starts_on_the_decision_date(store, tmp_path):
    path = workbook(tmp_path / "qd.xlsx", [
        ["STT", "Tên xã", "Tình trạng hiện nay", "Số, ngày quyết định"],
        [1, "TT Mường Tè", "Không ma túy", "123/QĐ-UBND ngày 24/5/2023"],
        [2, "X. Bản Bo", "Không ma túy", "Số 45/QĐ-UBND, ngày 01/06/2023"],
        [3, "P. Quyết Thắng", "Không ma túy", "chưa có"]])
    with pytest.raises(ValidationError) as info:
        import_status_file(store, path, "pre2025", CAT)
    assert [p.where for p in info.value.problems if p.level == "error"] == ["row 4, valid_from"]
    book = openpyxl.load_workbook(path)
    book.active.delete_rows(4)
    book.save(path)
    report = import_status_file(store, path, "pre2025", CAT)
    assert "starts on the date of its decision" in report["notices"][0]["message"]
    got = statuses(store)
    assert (got[("03433", "ma_tuy")].decision_no, got[("03433", "ma_tuy")].valid_from) == ("123/QĐ-UBND", "2023-05-24")
    assert (got[("03424", "ma_tuy")].decision_no, got[("03424", "ma_tuy")].decision_date) == ("45/QĐ-UBND", "2023-06-01")


def test_dates_as_excel_dates_text_and_serial_numbers():
    assert cell_date("2023-05-24") == cell_date("24/5/2023") == cell_date("24/05/2023") == "2023-05-24"
    assert cell_date("24.5.2023") == cell_date("ngày 24 tháng 5 năm 2023") == cell_date("45070") == "2023-05-24"
    assert cell_date("31/02/2023") is None and cell_date("123") is None


def test_district_group_rows_give_their_district(store, tmp_path):
    path = workbook(tmp_path / "g.xlsx", [
        ["STT", "Tên xã", "Trạng thái", "Từ ngày"],
        ["I", "Thị xã Cai Lậy"], [1, "Tân Hội", "Không ma túy", "1/1/2023"],
        ["II", "H. Cai Lậy"], [1, "Tân Hội", "Có tệ nạn ma túy", "1/1/2023"],
        ["Cộng", None, 2]])
    report = import_status_file(store, path, "pre2025", CAT)
    got = statuses(store)
    assert got[("28700", "ma_tuy")].status == "khong_ma_tuy" and got[("28701", "ma_tuy")].status == "co_te_nan"
    assert [s["row"] for s in report["skipped"]] == [6]


def test_totals_and_signature_labels():
    for label in ("Tổng cộng", "TỔNG CỘNG:", "Tổng cộng toàn tỉnh (106 xã)", "Cộng", "Cộng:", "Cộng huyện Sìn Hồ",
                  "Tổng", "Tổng số: 12", "Tổng (A+B)", "Total"):
        assert is_totals_label(label), label
    for name in ("Cộng Hòa", "Xã Cộng Hòa", "Tổng Cọt", "Tông Lệnh", "Công Bằng", "Tòng Đậu"):
        assert not is_totals_label(name), name
    for label in ("Nơi nhận:", "KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN", "Người lập biểu", "(Ký, ghi rõ họ tên)",
                  "Lai Châu, ngày 24 tháng 5 năm 2023", "Mường Tè, ngày ... tháng ... năm 2023"):
        assert is_footer_label(label), label
    for cell in ("ngày 24 tháng 5 năm 2023", "24/5/2023", "Kỳ Văn", "Ký Phú"):    # a date in a row is data
        assert not is_footer_label(cell), cell


# -- where the header is --------------------------------------------------------------------------
def test_header_row_option_reads_a_header_below_a_long_preamble(store, tmp_path):
    rows = [[f"Hướng dẫn {i}: điền mỗi xã một dòng"] for i in range(1, 46)]
    rows += [["Mã xã", "Trạng thái", "Từ ngày"], ["03424", "Không ma túy", "1/6/2024"]]
    path = workbook(tmp_path / "long.xlsx", rows)
    with pytest.raises(ValidationError) as info:
        import_status_file(store, path, "pre2025", CAT)
    assert "read on row 1" in info.value.problems[0].message and "--header-row" in info.value.problems[0].message
    assert "--header-row" in info.value.problems[0].message_vi
    report = import_status_file(store, path, "pre2025", CAT, header_row=46)
    assert report["records"] == 1 and report["header_row"] == 46


def test_header_row_option_is_obeyed_and_checked(store, tmp_path):
    path = workbook(tmp_path / "g.xlsx", GOV_ROWS, GOV_MERGES)
    assert import_status_file(store, path, "pre2025", CAT, header_row=7, dry_run=True)["records"] == 3
    with pytest.raises(ValidationError, match="not usable") as info:
        import_status_file(store, path, "pre2025", CAT, header_row=4)
    assert "read on row 4" in info.value.problems[0].message
    for bad in (0, 99):
        with pytest.raises(InputError) as info:
            import_status_file(store, path, "pre2025", CAT, header_row=bad)
        assert info.value.message_vi


def test_a_csv_with_a_title_and_abbreviations(store, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("DANH SÁCH XÃ TRỌNG ĐIỂM VỀ ANTT;;;\n;;;\nSTT;Tên đơn vị;Xếp loại;Từ ngày\n"
                    "1;TT Mường Tè;Trọng điểm, phức tạp về an ninh, trật tự;01/03/2016\n"
                    "2;P.Quyết Thắng;Địa bàn trọng điểm phức tạp;01/03/2016\nCộng;2;;\n", encoding="utf-8")
    report = import_status_file(store, path, "pre2025", CAT)
    assert report["records"] == 2 and report["header_row"] == 3
    assert {k for k in statuses(store)} == {("03433", "antt"), ("03386", "antt")}


# -- status aliases -------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Không có tệ nạn ma túy", ("ma_tuy", "khong_ma_tuy")),
    ("Xã không ma túy", ("ma_tuy", "khong_ma_tuy")),
    ("XA KHONG MA TUY", ("ma_tuy", "khong_ma_tuy")),
    ("Phường không ma túy", ("ma_tuy", "khong_ma_tuy")),
    ("Thị trấn không có tệ nạn ma túy", ("ma_tuy", "khong_ma_tuy")),
    ("trọng điểm loại ii", ("ma_tuy", "trong_diem_loai_2")),
    ("Xã trọng điểm về ma túy loại III", ("ma_tuy", "trong_diem_loai_3")),
    ("Địa bàn trọng điểm, phức tạp về ma túy", ("ma_tuy", "trong_diem_phuc_tap_ma_tuy")),
    ("Có tệ nạn", ("ma_tuy", "co_te_nan")),
    ("Đã chuyển hoá", ("antt", "da_chuyen_hoa")),                    # new tone placement
    ("chuyen hoa thanh cong", ("antt", "da_chuyen_hoa")),
    ("Địa bàn trọng điểm, phức tạp về ANTT", ("antt", "trong_diem_phuc_tap")),
    ("Đạt tiêu chuẩn \"An toàn về an ninh, trật tự\"", ("antt", "an_toan_antt")),
])
def test_official_wordings_map_through_aliases(text, expected):
    assert StatusVocabulary(CAT).status(text, None) == {expected}


def test_every_status_has_aliases_matched_without_case_or_accents():
    from geoapp.names import fold
    vocab = StatusVocabulary(CAT)
    for scheme in CAT.schemes.values():
        for st in scheme.statuses:
            assert st.aliases, f"{scheme.code}.{st.code} has no aliases"
            for alias in st.aliases:
                for variant in (alias, alias.upper(), fold(alias), alias.lower()):
                    assert vocab.status(variant, scheme.code) == {(scheme.code, st.code)}, variant


def test_an_alias_naming_two_statuses_is_refused(tmp_path):
    extra = tmp_path / "bad.toml"
    extra.write_text('[schemes.x]\nlabel_vi = "X"\nlabel_en = "X"\n'
                     '[[schemes.x.statuses]]\ncode = "a"\nlabel_vi = "A"\nlabel_en = "A"\ncolour = "#aa0000"\n'
                     'severity = 1\nkind = "key"\naliases = ["Trọng điểm"]\n'
                     '[[schemes.x.statuses]]\ncode = "b"\nlabel_vi = "B"\nlabel_en = "B"\ncolour = "#00aa00"\n'
                     'severity = 0\nkind = "good"\naliases = ["TRONG DIEM"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="would name both a and b"):
        load_catalogue(str(extra))


# -- the real official lists -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def official_pre2025():
    from geoapp.unitlists import read_unit_list
    return read_unit_list("pre2025", SHARED_DATA)[0]


@requires_shared()
def test_real_list_tt_muong_te_of_lai_chau(tmp_path):
    """Lai Châu, pre-2025: Thị trấn Mường Tè (03433) and Xã Mường Tè (03445) share district 107."""
    from geoapp.ingest import import_unit_list
    store = new_store(tmp_path)
    import_unit_list(store, "pre2025", SHARED_DATA)
    path = workbook(tmp_path / "lai_chau.xlsx", [
        ["UBND TỈNH LAI CHÂU"], ["DANH SÁCH XÃ, THỊ TRẤN KHÔNG MA TÚY"], [],
        ["STT", "Tên đơn vị", "Huyện", "Kết quả", "Ngày công nhận"], ["(1)", "(2)", "(3)", "(4)", "(5)"],
        [1, "TT Mường Tè", "H. Mường Tè", "Không ma túy", datetime(2023, 5, 24)],
        [2, "X. Mường Tè", None, "Không ma túy", "24/5/2023"],
        [3, "TT. Tam Đường", None, "Không ma túy", "24/5/2023"],
        ["Tổng cộng", None, None, 3]])
    report = import_status_file(store, path, "pre2025", CAT, province="12", scheme="ma_tuy")
    assert report["records"] == 3 and report["header_row"] == 4
    codes = dict(zip(store.status_records("pre2025")["row_number"], store.status_records("pre2025")["code"]))
    assert codes == {6: "03433", 7: "03445", 8: "03390"}
    with pytest.raises(ValidationError) as info:        # without its type the name fits both
        import_status_file(store, workbook(tmp_path / "bare.xlsx", [["Tên xã", "Trạng thái", "Từ ngày"],
                                                                   ["Mường Tè", "Không ma túy", "1/1/2024"]]),
                           "pre2025", CAT, province="12")
    assert "03433" in info.value.problems[0].message and "03445" in info.value.problems[0].message


@requires_shared()
def test_real_list_every_unit_found_by_its_abbreviated_name(official_pre2025):
    """Every pre-2025 commune, written as offices abbreviate it ("TT X", "P. X", "X. X" with
    "H."/"Q."/"TX"/"TP" districts), resolves to itself."""
    units = official_pre2025
    resolver = UnitResolver(units, "pre2025")
    short = {"thi tran": "TT", "phuong": "P.", "xa": "X."}
    district_short = {"Huyện ": "H. ", "Quận ": "Q.", "Thị xã ": "TX ", "Thành phố ": "TP "}
    wrong = []
    for u in units.itertuples():
        kind = resolver.kinds[u.code]
        name = f"{short[kind]} {u.name}" if kind in short else u.full_name
        district = u.district_name
        for full, abbr in district_short.items():
            if district.startswith(full):
                district = abbr + district[len(full):]
        out = Collector()
        found = resolver.resolve(1, "", name, district, u.province_name, None, out)
        if found != u.code:
            wrong.append((u.code, name, district, [p.message for p in out.problems]))
    assert not wrong, wrong[:5]


@requires_shared()
def test_real_names_are_never_totals_or_signatures(official_pre2025):
    from geoapp.unitlists import read_unit_list
    units = pd.concat([official_pre2025, read_unit_list("2025", SHARED_DATA)[0]])
    for text in set(units["name"]) | set(units["full_name"]) | set(units["district_name"].dropna()):
        assert not is_totals_label(text) and not is_footer_label(text), text
