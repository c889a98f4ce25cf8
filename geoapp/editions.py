"""The two editions of the administrative map, the day between them, the days each can have
(:data:`PERIODS`) and the edition check.

Every module that names an edition takes it from here (codes are reused across editions, so an
edition is never implied). Web requests check editions (and provinces, units) through their
declared parameters (:mod:`geoapp.web.params`); the CLI and the use cases call :func:`check_edition`.
"""
from datetime import date

from .errors import InputError

EDITIONS = ("pre2025", "2025")
#: the other edition of each edition
OTHER = {"pre2025": "2025", "2025": "pre2025"}
#: 1 July 2025: the first day of the 2025 edition
REFORM_DATE = "2025-07-01"


def check_edition(edition: str) -> str:
    """``edition`` if it is one of :data:`EDITIONS`; else an :class:`InputError` naming them."""
    if edition not in EDITIONS:
        raise InputError(f"unknown edition {edition!r}; use one of {', '.join(EDITIONS)}",
                         message_vi=f"không có phiên bản {edition!r}; dùng {', '.join(EDITIONS)}")
    return edition


# -- the days an edition can have ------------------------------------------------------------
#: the days each edition's map is in force: (first day, last day), ISO dates; None = open.
#: pre-2025 ends the day before :data:`REFORM_DATE`. The 2025 edition starts on it, but a 2025
#: view of an earlier date is allowed: its statuses are projected from the old communes each unit
#: was formed from (:func:`geoapp.mapview.payloads.projected_statuses`) and say so.
PERIODS = {"pre2025": (None, "2025-06-30"), "2025": (REFORM_DATE, None)}
#: the first year a year slider offers for an edition whose period has no first day
FIRST_YEAR = 2015


def last_day(edition: str, today: str | None = None) -> str:
    """The latest day a view of ``edition`` can show data for: its last day, capped by ``today``."""
    today = today or date.today().isoformat()
    end = PERIODS[check_edition(edition)][1]
    return min(end, today) if end else today


def in_period(edition: str, day: str) -> bool:
    """Whether ``day`` (ISO) falls in the period of ``edition``.

    A 2025 view before :data:`REFORM_DATE` counts as inside: it is a projection onto 2025 units."""
    start, end = PERIODS[check_edition(edition)]
    if edition == "2025" and start and day < start:
        return True
    return (start is None or day >= start) and (end is None or day <= end)


def slider_years(edition: str, today: str | None = None) -> list[int]:
    """The years a year slider offers for ``edition``: its period only, to :func:`last_day`."""
    start = PERIODS[check_edition(edition)][0]
    first = int(start[:4]) if start else FIRST_YEAR
    return list(range(first, int(last_day(edition, today)[:4]) + 1))


def show_date(day: str, lang: str) -> str:
    """``31/12/2024`` (vi) or ``2024-12-31`` (en)."""
    return f"{day[8:10]}/{day[5:7]}/{day[:4]}" if lang != "en" else day


def period_notice(edition: str, day: str, lang: str) -> str:
    """The notice a view of ``day`` shows when it falls outside the period of ``edition`` ("" inside).

    Only the pre-2025 edition can be left (after its last day): 2025 has no last day, and its
    earlier dates are projections (see :func:`in_period`)."""
    if in_period(edition, day):
        return ""
    end = PERIODS[edition][1]
    if lang == "en":
        return (f"The pre-2025 map was in force until {show_date(end, lang)}; {show_date(day, lang)} is after it, "
                f"so no summary figures are shown. Pick a date up to {show_date(end, lang)}, or open the 2025 edition.")
    return (f"Bản đồ trước 1/7/2025 có hiệu lực đến {show_date(end, lang)}; ngày {show_date(day, lang)} nằm ngoài "
            f"thời gian đó nên không hiển thị số liệu tổng hợp. Chọn một ngày đến {show_date(end, lang)} hoặc "
            "xem phiên bản 2025.")
