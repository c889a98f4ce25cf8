"""The demo's plan: what it covers (provinces, dates, schemes, indicators) and the published
figures it must reach.

Real per-commune designations are not public, so the demo invents them — but on the real units,
and so that the provincial totals agree with what provinces have published. Those figures are
``shared/data/published/tong_hop_cong_bo.csv``, restated here in :data:`PUBLISHED` (the demo
does not read the file at run time: a missing data folder must not change the records).

Trip-wires:

* the targets are met *exactly*, by construction (see :mod:`geoapp.demo.statuses` and
  :mod:`geoapp.demo.indicators`), and re-counted by :mod:`geoapp.demo.checks`; change a number
  here and both follow;
* the official pre-2025 list (drawn on 2025-06-30) has 137 Lâm Đồng communes where the 2022
  article counts 142 (``of``): communes were merged in between. The class counts are kept, the
  denominator is reported, never silently changed;
* the 2025 province codes are not the old ones: new 15 is Lào Cai (with old Yên Bái), new 12,
  14, 68 contain old 12, 14, 68 plus neighbours that have no demo data.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from ..editions import REFORM_DATE
from ..errors import ConfigError
from ..schemes import Catalogue

#: old (pre-2025) provinces that have a pre-2025 layer: Lào Cai, Lai Châu, Sơn La, Lâm Đồng
PROVINCES_PRE = ("10", "12", "14", "68")
#: the new provinces that contain them (2025 codes: 15 is the new Lào Cai, with old Yên Bái)
PROVINCES_2025 = ("12", "14", "15", "68")
#: the demo's time span in each edition (the pre-2025 edition ends the day before the reform)
START = "2015-01-01"
REFORM = REFORM_DATE
END_PRE = (date.fromisoformat(REFORM_DATE) - timedelta(days=1)).isoformat()
END_2025 = "2026-06-30"
#: years with pre-2025 indicator values
YEARS = tuple(range(2015, 2025))
INDICATORS = ("so_vu_pham_toi", "so_nguoi_nghien", "tin_bao_to_giac", "so_mo_hinh_tu_quan",
              "ho_dang_ky_antt", "dan_so")
INDICATORS_2025 = ("so_vu_pham_toi", "so_nguoi_nghien", "dan_so")

#: status codes of the built-in schemes ``antt`` (security) and ``ma_tuy`` (drugs)
KEY_ANTT, CONVERTED, SAFE = "trong_diem_phuc_tap", "da_chuyen_hoa", "an_toan_antt"
FREE, PROBLEM = "khong_ma_tuy", "co_te_nan"
L1, L2, L3 = "trong_diem_loai_1", "trong_diem_loai_2", "trong_diem_loai_3"
KEY_DRUG = (L1, L2, L3)

#: the published figures the demo must reproduce (``published/tong_hop_cong_bo.csv``);
#: ``as_of`` is the day of the report, ``of`` the number of communes it counted
PUBLISHED = {
    "lai_chau_converted": {"province": "12", "from": "2015-01-01", "as_of": "2024-03-31", "value": 73,
                           "of": 106},
    "lao_cai_drive": {"province": "10", "window": ("2017-01-01", "2018-12-31"), "as_of": "2019-01-09",
                      "value": 36},
    "lao_cai_achieved": {"province": "10", "as_of": "2019-01-09", "value": 25, "of": 36},
    "lai_chau_drug_free": {"province": "12", "as_of": "2023-05-24", "value": 33, "of": 106},
    "lam_dong_ma_tuy": {"province": "68", "as_of": "2022-09-16", "of": 142,
                        "value": {FREE: 18, L1: 1, L2: 2, L3: 34}},
    "lai_chau_models_2024": {"province": "12", "indicator": "so_mo_hinh_tu_quan", "period": "2024",
                             "value": 591},
    "lai_chau_households_2024": {"province": "12", "indicator": "ho_dang_ky_antt", "period": "2024",
                                 "value": 90563},
}

#: drug classes per year as (drug-free, type I, type II, type III), interpolated between anchors;
#: the anchors in published years are the published counts, the rest is a plausible rise of the
#: drug-free share towards the 2030 target of 50 %
MA_TUY_PLAN = {
    "10": {2015: (12, 3, 6, 30), 2025: (45, 1, 3, 18)},
    "12": {2015: (6, 3, 6, 22), 2023: (33, 1, 3, 15), 2025: (40, 1, 2, 13)},
    "14": {2015: (14, 4, 10, 45), 2025: (60, 2, 5, 28)},
    "68": {2015: (5, 2, 4, 40), 2022: (18, 1, 2, 34), 2025: (27, 1, 2, 30)},
}
#: per province: crimes and registered drug users per 1,000 people where the field is average,
#: yearly population growth
#: (orders of magnitude of the provinces' reports: a few thousand registered users in the north-west)
RATES = {"10": (1.0, 1.6, 0.012), "12": (0.8, 3.5, 0.014), "14": (0.8, 6.0, 0.014), "68": (0.7, 0.6, 0.009),
         "15": (0.9, 1.6, 0.012)}
#: share of communes ever designated key complex for security (Sơn La, Lâm Đồng: not published)
ANTT_KEY_SHARE = {"14": 0.20, "68": 0.12}


def ma_tuy_counts(province: str, year: int, n: int) -> tuple[int, int, int, int]:
    """(drug-free, type I, type II, type III) communes of ``province`` in ``year`` per :data:`MA_TUY_PLAN`.

    Raises
    ------
    ConfigError
        When the plan asks for more classified communes than the province has (``n``).
    """
    plan = MA_TUY_PLAN[province]
    years = sorted(plan)
    counts = [int(round(float(np.interp(year, years, [plan[y][k] for y in years])))) for k in range(4)]
    if sum(counts) > n:
        raise ConfigError(f"demo plan for province {province} in {year} exceeds its {n} units")
    return tuple(counts)


def require_catalogue(catalogue: Catalogue) -> None:
    """Refuse a scheme catalogue that lacks the statuses or indicators the plan uses.

    Raises
    ------
    ConfigError
        Naming every missing ``scheme.status`` and indicator.
    """
    wanted = {"antt": (KEY_ANTT, CONVERTED, SAFE), "ma_tuy": (FREE, PROBLEM, L1, L2, L3)}
    missing = [f"{s}.{c}" for s, codes in wanted.items() for c in codes
               if s not in catalogue.schemes or c not in catalogue.schemes[s].codes]
    missing += [f"indicator {i}" for i in INDICATORS if i not in catalogue.indicators]
    if missing:
        raise ConfigError("the demo needs the built-in schemes and indicators; missing: " + ", ".join(missing))
