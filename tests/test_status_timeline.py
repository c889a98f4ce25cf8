"""The in-memory status timeline (geoapp.status_timeline) answers exactly what the query path answers.

On a small synthetic store (two provinces in each edition, a crosswalk with a split commune, random
records of both schemes with ends, same-day ties and old-code records after the reform), for random
dates: records in force, records up to a date, the projection of the 2025 units before the reform and
the late old-code records — each compared with the SQL + pandas path it replaces. Then an import and
a roll-back: the next answer follows the data (the timeline is keyed by the store's data version).
Runs on the backend the suite runs on (``GEOAPP_TEST_BACKEND``).
"""
from __future__ import annotations

import random
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from geoapp import records, status as st, status_timeline as tl
from geoapp.crosswalk.service import project_old_records, project_statuses
from geoapp.mapview import payloads
from geoapp.mapview.view import MapView
from geoapp.schemes import load_catalogue
from geoapp.store.base import BatchInfo
from geoapp.store.snapshot import snapshot

CAT = load_catalogue()
OLD = {"12": [f"0{3300 + i}" for i in range(6)], "14": [f"0{4100 + i}" for i in range(5)]}
# new unit → its old communes (04102 is split between two new units)
NEW = {"12": {"13301": ["03300", "03301"], "13302": ["03302"], "13303": ["03303", "03304", "03305"]},
       "14": {"14401": ["04100", "04101", "04102"], "14402": ["04102", "04103"], "14403": ["04104"]}}
STATUSES = {s.code: [x.code for x in s.statuses] for s in CAT.schemes.values()}


def _list(store, edition, rows):
    units = pd.DataFrame(rows, columns=["code", "name", "full_name", "district_name", "province_code",
                                        "province_name"])
    with store.transaction() as tx:
        batch = store.add_batch(tx, BatchInfo("unit_list", edition, "list.csv", "", "t", len(units)))
        store.upsert_unit_list(tx, edition, units, dict(zip(units.province_code, units.province_name)), batch)


def _records(store, edition, rows) -> int:
    frame = pd.DataFrame([{"code": c, "scheme": s, "status": v, "valid_from": f, "valid_to": t, "decision_no": "",
                           "decision_date": None, "source": "test", "note": f"n{i}", "row_number": i}
                          for i, (c, s, v, f, t) in enumerate(rows, start=1)])
    with store.transaction() as tx:
        batch = store.add_batch(tx, BatchInfo("status", edition, "t.csv", "", "t", len(frame)))
        store.add_status_records(tx, edition, frame, batch, "test")
    return batch


def _random_rows(rng: random.Random, codes: list[str], n: int, first: int, last: int) -> list[tuple]:
    rows = []
    for _ in range(n):
        scheme = rng.choice(list(STATUSES))
        start = date(rng.randint(first, last), rng.randint(1, 12), rng.choice([1, 15, 28]))
        end = None
        if rng.random() < 0.2:
            end = date(min(start.year + rng.randint(0, 2), last), 12, 31).isoformat()
            end = max(end, start.isoformat())
        rows.append((rng.choice(codes), scheme, rng.choice(STATUSES[scheme]), start.isoformat(), end))
    rows += rows[:5]                      # same code, scheme and day again: the later record wins
    return rows


@pytest.fixture
def seeded(store):
    rng = random.Random(15)
    _list(store, "pre2025", [(c, f"Cũ {c}", f"Xã Cũ {c}", "Huyện X", p, f"Tỉnh {p}")
                             for p, codes in OLD.items() for c in codes])
    _list(store, "2025", [(c, f"Mới {c}", f"Xã Mới {c}", "", p, f"Tỉnh {p}")
                          for p, units in NEW.items() for c in units])
    pairs = [(o, n, p) for p, units in NEW.items() for n, olds in units.items() for o in olds]
    split = {o for o, _, _ in pairs if sum(1 for x, _, _ in pairs if x == o) > 1}
    rows = pd.DataFrame({"old_code": [o for o, _, _ in pairs], "new_code": [n for _, n, _ in pairs],
                         "is_split": [o in split for o, _, _ in pairs], "old_name": None, "new_name": None,
                         "old_province": [p for _, _, p in pairs], "new_province": [p for _, _, p in pairs],
                         "weight": [0.5 if o in split else 1.0 for o, _, _ in pairs], "method": "crosswalk"})
    with store.transaction() as tx:
        batch = store.add_batch(tx, BatchInfo("crosswalk", "2025", "cw.xlsx", "f" * 64, "t", len(rows)))
        store.replace_crosswalk(tx, rows, batch)
    old_codes = [c for codes in OLD.values() for c in codes]
    _records(store, "pre2025", _random_rows(rng, old_codes, 90, 2015, 2025))
    _records(store, "2025", _random_rows(rng, [c for u in NEW.values() for c in u], 30, 2025, 2026))
    # old codes reported after the reform (dated from 1 July 2025): projected, never re-coded
    _records(store, "pre2025", [(c, "ma_tuy", "khong_ma_tuy", "2025-09-01", None) for c in old_codes[:3]]
             + [("04102", "antt", "trong_diem_phuc_tap", "2025-08-15", None)])
    return store


def _plain(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


DAYS = hs.dates(min_value=date(2014, 6, 1), max_value=date(2027, 1, 1)).map(date.isoformat)
QUICK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@QUICK
@given(day=DAYS, province=hs.sampled_from([None, "12", "14"]), scheme=hs.sampled_from([None, "ma_tuy", "antt"]),
       edition=hs.sampled_from(["pre2025", "2025"]))
def test_in_force_and_records_until_equal_the_query_path(seeded, day, province, scheme, edition):
    store = seeded
    query = store.status_records(edition, province=province, scheme=scheme, as_of=day)
    assert _plain(tl.records_until(store, edition, day, province=province, scheme=scheme)) == _plain(query)
    assert _plain(tl.in_force(store, edition, day, province=province, scheme=scheme)) == _plain(st.as_of(query, day))
    codes = OLD["14"][:3] if edition == "pre2025" else list(NEW["14"])[:2]
    by_code = store.status_records(edition, codes=codes, as_of=day)
    assert _plain(tl.in_force(store, edition, day, codes=codes)) == _plain(st.as_of(by_code, day))


@pytest.mark.parametrize("edition", ["pre2025", "2025"])
def test_on_every_change_point_and_the_days_around_it(seeded, edition):
    every = seeded.status_records(edition)
    points = set(every["valid_from"]) | set(every["valid_to"].dropna())
    days = sorted({(date.fromisoformat(d) + pd.Timedelta(days=k)).isoformat() for d in points for k in (-1, 0, 1)})
    for day in days:
        query = seeded.status_records(edition, as_of=day)
        assert _plain(tl.in_force(seeded, edition, day)) == _plain(st.as_of(query, day)), day


@QUICK
@given(day=DAYS, province=hs.sampled_from([None, "12", "14"]))
def test_projection_equals_project_statuses(seeded, day, province):
    store = seeded
    expected = project_statuses(store, CAT, day, province)
    assert _plain(tl.projected(store, CAT, day, province)) == _plain(expected)
    ma_tuy = expected[expected["scheme"] == "ma_tuy"].reset_index(drop=True)
    assert _plain(tl.projected(store, CAT, day, province, scheme="ma_tuy")) == _plain(ma_tuy)


def test_late_old_records_equal_project_old_records(seeded):
    late = tl.late_old_records(seeded, CAT)
    assert len(late) and _plain(late) == _plain(project_old_records(seeded, CAT))


def test_current_statuses_and_payload_follow_an_import_and_a_roll_back(seeded):
    store = seeded
    view = MapView("2025", "12", "2026-06-30", "ma_tuy")
    before = payloads.statuses_payload(store, CAT, view)
    first = tl.timeline(store, "2025")
    batch = _records(store, "2025", [("13302", "ma_tuy", "trong_diem_loai_1", "2026-06-01", None)])
    after = payloads.statuses_payload(store, CAT, view)
    assert tl.timeline(store, "2025") is not first                     # a new data version, a new timeline
    assert after["statuses"]["13302"]["status"] == "trong_diem_loai_1"
    assert records.current_statuses(store, "2025", CAT, province="12", as_of="2026-06-30", scheme="ma_tuy") \
        .set_index("code").at["13302", "status"] == "trong_diem_loai_1"
    records.rollback(store, batch, user="test")
    again = payloads.statuses_payload(store, CAT, view)
    assert again["statuses"] == before["statuses"] and again["legend"] == before["legend"]
    assert snapshot(store).version == store.data_version()


def test_projection_before_the_reform_follows_an_old_import(seeded):
    store = seeded
    view = MapView("2025", "14", "2024-06-30", "antt")
    tl.projected(store, CAT, "2024-06-30", "14")          # warm the memo of projected rows
    batch = _records(store, "pre2025", [(c, "antt", "trong_diem_phuc_tap", "2024-01-01", None) for c in OLD["14"]])
    now = payloads.statuses_payload(store, CAT, view)
    assert {v["status"] for v in now["statuses"].values()} == {"trong_diem_phuc_tap"}
    assert _plain(tl.projected(store, CAT, "2024-06-30", "14")) == _plain(project_statuses(store, CAT, "2024-06-30", "14"))
    records.rollback(store, batch, user="test")
    assert _plain(tl.projected(store, CAT, "2024-06-30", "14")) == _plain(project_statuses(store, CAT, "2024-06-30", "14"))


def test_an_empty_edition_has_an_empty_timeline(store):
    assert tl.in_force(store, "2025", "2024-01-01").empty
    assert tl.records_until(store, "pre2025", "2024-01-01").empty
    assert tl.day_number("2024-03-31") == 20240331 and tl.day_number(date(2024, 3, 31)) == 20240331
