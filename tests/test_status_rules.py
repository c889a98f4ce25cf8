"""The as-of rule, histories and transitions, on records built in code."""
import pandas as pd

from geoapp import status as st
from geoapp.schemes import load_catalogue

ANTT = load_catalogue().scheme("antt")


def records(*rows):
    return pd.DataFrame([{"id": i, "code": c, "scheme": "antt", "status": s, "valid_from": f, "valid_to": t}
                         for i, (c, s, f, t) in enumerate(rows)])


R = records(("00001", "trong_diem_phuc_tap", "2016-01-01", None),
            ("00001", "da_chuyen_hoa", "2020-01-01", None),
            ("00001", "trong_diem_phuc_tap", "2023-01-01", None),
            ("00002", "trong_diem_phuc_tap", "2018-01-01", "2019-12-31"),
            ("00003", "an_toan_antt", "2015-01-01", None),
            ("00004", "trong_diem_phuc_tap", "2021-06-01", None))


def test_latest_start_wins_and_ended_records_drop():
    assert st.as_of(R, "2015-06-01")["code"].tolist() == ["00003"]
    on = st.as_of(R, "2021-01-01").set_index("code")["status"]
    assert on.to_dict() == {"00001": "da_chuyen_hoa", "00003": "an_toan_antt"}   # 00002 ended 2019
    assert st.as_of(R, "2024-01-01").set_index("code")["status"]["00001"] == "trong_diem_phuc_tap"


def test_transitions_name_the_change():
    t = st.transitions(R, ANTT, "2019-06-01", "2024-01-01").set_index("code")["change"].to_dict()
    assert t == {"00002": "converted", "00004": "newly_designated"}     # 00001: key on both dates
    t2 = st.transitions(R, ANTT, "2021-01-01", "2024-01-01").set_index("code")["change"].to_dict()
    assert t2 == {"00001": "relapsed", "00004": "newly_designated"}


def test_counts_include_units_without_status():
    c = st.counts(st.as_of(R, "2021-01-01"), ANTT, total_units=10).set_index("status")["units"]
    assert c["da_chuyen_hoa"] == 1 and c["an_toan_antt"] == 1 and c["trong_diem_phuc_tap"] == 0 and c[""] == 8


def test_history_effective_end():
    h = st.history(R[R["code"] == "00001"])
    assert h["effective_to"].tolist() == ["2019-12-31", "2022-12-31", None]
