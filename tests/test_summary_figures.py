"""Figures as data (issue 14): what ``now``, ``ever`` and ``transition`` count, the three states of a
unit, coverage, and the checks on ``[[schemes.X.figures]]`` — on small frames built here."""
from __future__ import annotations

import pandas as pd
import pytest

from geoapp.errors import ConfigError
from geoapp.mapview import MapView
from geoapp.mapview.figures import figures_from, number, percent, state_legend, unit_states
from geoapp.schemes import load_catalogue

ANTT = load_catalogue().schemes["antt"]
UNITS = pd.DataFrame({"code": ["00001", "00002", "00003", "00004", "00005"],
                      "province_code": ["12", "12", "12", "12", "01"]})


def _records(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["code", "status", "valid_from"])
    return frame.assign(id=range(1, len(frame) + 1), scheme="antt", valid_to=None,
                        province_code=frame["code"].map(dict(zip(UNITS["code"], UNITS["province_code"]))))


HISTORY = _records([("00001", "trong_diem_phuc_tap", "2015-03-01"), ("00001", "da_chuyen_hoa", "2018-01-01"),
                    ("00001", "an_toan_antt", "2021-01-01"),          # converted, later safe: still counted
                    ("00002", "trong_diem_phuc_tap", "2016-01-01"), ("00002", "da_chuyen_hoa", "2020-06-01"),
                    ("00003", "trong_diem_phuc_tap", "2019-01-01")])
LAYER = {"00001": {"status": "an_toan_antt"}, "00002": {"status": "da_chuyen_hoa"},
         "00003": {"status": "trong_diem_phuc_tap"}}


def _figures(view_as_of="2024-03-31", history=HISTORY, layer=LAYER, province=None):
    view = MapView("pre2025", province, view_as_of, "antt")
    return {f["code"]: f for f in figures_from(ANTT, view, UNITS, layer, history)}


def test_ever_is_cumulative_now_is_current():
    figs = _figures()
    assert figs["converted_cumulative"]["value"] == 2          # 00001 (now safe) and 00002
    assert figs["key_now"]["value"] == 1 and figs["safe_now"]["value"] == 1


def test_only_reporting_provinces_are_counted_and_coverage_says_so():
    fig = _figures()["converted_cumulative"]
    assert fig["units"] == 4                                    # province 01 reports nothing: not in the denominator
    assert fig["coverage"]["provinces"] == 1 and fig["coverage"]["provinces_total"] == 2
    assert fig["text_vi"] == "2/4 xã trọng điểm đã chuyển hóa (lũy kế 2015–2024) — số liệu của 1/2 tỉnh, 4 xã"
    assert fig["text_en"].startswith("2/4 key communes converted (cumulative 2015–2024) — data from 1 of 2")


def test_no_records_is_no_data_never_zero():
    figs = _figures(history=HISTORY.iloc[0:0], layer={})
    assert all(f["value"] is None and f["no_data"] for f in figs.values())
    assert figs["key_now"]["text_vi"] == "Không có số liệu: An ninh, trật tự (ANTT)"


def test_three_states_each_unit_once():
    states = unit_states(UNITS, LAYER, {"12"})
    assert states == {"00001": "an_toan_antt", "00002": "da_chuyen_hoa", "00003": "trong_diem_phuc_tap",
                      "00004": "", "00005": None}
    rows = state_legend(ANTT, states, "vi")
    assert sum(r["units"] for r in rows) == len(UNITS)
    assert [(r["label"], r["units"]) for r in rows if r["status"] in ("", None)] == \
        [("Không xếp loại", 1), ("Không có số liệu", 1)]


def test_transition_counts_key_to_converted_since_a_start(tmp_path):
    toml = """
[schemes.antt]
label_vi = "ANTT"
label_en = "Security"
[[schemes.antt.statuses]]
code = "k"
label_vi = "Trọng điểm"
label_en = "Key"
colour = "#c62828"
severity = 1
kind = "key"
[[schemes.antt.statuses]]
code = "c"
label_vi = "Đã chuyển hóa"
label_en = "Converted"
colour = "#f9a825"
severity = 0
kind = "converted"
[[schemes.antt.figures]]
code = "moved"
kind = "transition"
from_statuses = ["k"]
statuses = ["c"]
start = "2019-01-01"
text_vi = "{value}/{units} xã chuyển hóa từ {start_year}"
text_en = "{value}/{units} converted since {start_year}"
definition_vi = "Xã chuyển từ trọng điểm sang đã chuyển hóa từ {start}."
definition_en = "Communes moved from key to converted since {start}."
"""
    path = tmp_path / "t.toml"
    path.write_text(toml, encoding="utf-8")
    scheme = load_catalogue(str(path)).schemes["antt"]
    history = _records([("00001", "k", "2015-01-01"), ("00001", "c", "2018-01-01"),   # before the start
                        ("00002", "k", "2016-01-01"), ("00002", "c", "2020-01-01"),
                        ("00003", "c", "2020-01-01")])                             # never key: not a transition
    view = MapView("pre2025", "12", "2024-12-31", "antt")
    fig = figures_from(scheme, view, UNITS[UNITS["province_code"] == "12"], {}, history)[0]
    assert fig["value"] == 1 and fig["text_vi"] == "1/4 xã chuyển hóa từ 2019"
    assert fig["definition_vi"] == "Xã chuyển từ trọng điểm sang đã chuyển hóa từ 01/01/2019."


def test_bad_figure_tables_are_refused_with_their_place(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[schemes.x]\n[[schemes.x.statuses]]\ncode = "a"\nlabel_vi = "A"\nlabel_en = "A"\n'
                    'colour = "#000000"\nseverity = 0\nkind = "good"\n'
                    '[[schemes.x.figures]]\ncode = "f"\nkind = "sometimes"\nstatuses = ["b"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_catalogue(str(path))
    text = str(err.value)
    assert "bad.toml: schemes.x.figures[0] 'f': kind must be one of now, ever, transition" in text
    assert "statuses must name statuses of the scheme" in text and "text_vi" in text


def test_numbers_in_each_language():
    assert number(10035, "vi") == "10.035" and number(10035, "en") == "10,035"
    assert percent(0.289, "vi") == "28,9 %" and percent(0.289, "en") == "28.9%"
