"""Numbers, percentages, dates and times as people read them, in Vietnamese (default) or English,
through Babel (``babel.numbers`` / ``babel.dates``). No Flask: the pages (jinja filters in
:mod:`geoapp.web.i18n`), the legends, the briefing and the exports all format through here, so a
figure reads the same on screen and in every output.

Trip-wires:

* any language but ``"en"`` is Vietnamese (``vi``): ``10.035``, ``28,9 %``, ``31/12/2024``;
  English: ``10,035``, ``28.9%``, ``31 Dec 2024``;
* times are stored in UTC (ISO 8601) and shown in :data:`LOCAL_TZ` (Việt Nam has no daylight saving);
* p-values read ``p < 0,001`` / ``p = 0,02`` (:func:`p_value`), never ``9.5e-12``;
* ``None`` and NaN format as :data:`MISSING` (an en dash), never ``0`` — no data is never zero.
"""
from __future__ import annotations

import math
from datetime import date, datetime, timezone

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

#: the planners' time zone: every time shown to a person is in it
LOCAL_TZ = "Asia/Ho_Chi_Minh"
#: what a missing number or date shows
MISSING = "–"
#: the day and the moment patterns (CLDR) per language
DAY_PATTERN = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
MOMENT_PATTERN = {"vi": "dd/MM/yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}
#: Vietnamese writes a space before the percent sign (``28,9 %``), English does not
PERCENT_SIGN = {"vi": " %", "en": "%"}


def babel_locale(lang: str) -> str:
    """The Babel locale of a request language: ``en`` or ``vi``."""
    return "en" if lang == "en" else "vi"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


def number(value, lang: str, digits: int | None = None) -> str:
    """``10.035`` (vi) / ``10,035`` (en); ``digits`` fixed decimals, or Babel's default (up to 3) when None."""
    if _missing(value):
        return MISSING
    loc = babel_locale(lang)
    if digits is None:
        return format_decimal(value, locale=loc)
    return format_decimal(round(float(value), digits), format=_pattern(digits), locale=loc, decimal_quantization=True)


def significant(value, lang: str, digits: int = 4) -> str:
    """``value`` to ``digits`` significant figures, grouped: ``562,2`` / ``2.789`` (vi) — legend class bounds."""
    if _missing(value):
        return MISSING
    v = float(value)
    if v == 0:
        return number(0, lang, 0)
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(v)))))
    text = number(round(v, decimals), lang, decimals)
    sep = "," if babel_locale(lang) == "vi" else "."
    return text.rstrip("0").rstrip(sep) if sep in text else text


def percent(share, lang: str, digits: int = 1) -> str:
    """A share (0.289) as ``28,9 %`` (vi) / ``28.9%`` (en); :data:`MISSING` without one."""
    if _missing(share):
        return MISSING
    loc = babel_locale(lang)
    return format_percent(float(share), format=_pattern(digits) + PERCENT_SIGN[loc], locale=loc,
                          decimal_quantization=True)


def p_value(p, lang: str) -> str:
    """A p-value as people read it: ``p < 0,001`` / ``p = 0,02`` / ``p = 0,004`` (vi), ``p < 0.001`` /
    ``p = 0.02`` (en); two decimals from 0.01, three below; :data:`MISSING` without one."""
    if _missing(p):
        return MISSING
    v = float(p)
    if v < 0.001:
        return f"p < {number(0.001, lang, 3)}"
    return f"p = {number(v, lang, 2 if v >= 0.0095 else 3)}"


def number_range(lo, hi, lang: str, digits: int = 4) -> str:
    """``562,2 – 2.789`` (vi) / ``562.2 – 2,789`` (en); ``≤ hi`` without a lower bound."""
    if _missing(lo):
        return f"≤ {significant(hi, lang, digits)}"
    return f"{significant(lo, lang, digits)} – {significant(hi, lang, digits)}"


def _as_date(value) -> date | None:
    if _missing(value) or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def day(iso_date, lang: str) -> str:
    """``31/12/2024`` (vi) / ``31 Dec 2024`` (en) from an ISO date (or a date); :data:`MISSING` without one."""
    d = _as_date(iso_date)
    return MISSING if d is None else format_date(d, DAY_PATTERN[babel_locale(lang)], locale=babel_locale(lang))


def _as_moment(value) -> datetime | None:
    if _missing(value) or value == "":
        return None
    moment_ = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment_ if moment_.tzinfo else moment_.replace(tzinfo=timezone.utc)


def moment(iso_utc_timestamp, lang: str) -> str:
    """A UTC timestamp shown in Việt Nam time: ``31/12/2024 20:00`` (vi) / ``31 Dec 2024, 20:00`` (en)."""
    m = _as_moment(iso_utc_timestamp)
    if m is None:
        return MISSING
    loc = babel_locale(lang)
    return format_datetime(m, MOMENT_PATTERN[loc], tzinfo=LOCAL_TZ, locale=loc)


#: how a period reads (CLDR patterns): a quarter ``Q1/2025`` (en) / ``Quý 1/2025`` (vi), a month
#: ``Jan 2025`` / ``01/2025``; a year is itself
PERIOD_PATTERNS = {"quarter": {"en": "QQQ/yyyy", "vi": "QQQQ/yyyy"}, "month": {"en": "MMM yyyy", "vi": "MM/yyyy"}}


def period(code, lang: str) -> str:
    """A stored period (``2025``, ``2025-06``, ``2026-Q1``; see :func:`geoapp.columns`) as people read it:
    ``2025``, ``Jun 2025`` / ``06/2025``, ``Q1/2026`` / ``Quý 1/2026``; anything else unchanged."""
    text = "" if _missing(code) else str(code)
    loc = babel_locale(lang)
    if len(text) == 7 and text[4:6] == "-Q" and text[:4].isdigit() and text[6] in "1234":
        first = date(int(text[:4]), 3 * int(text[6]) - 2, 1)
        return format_date(first, PERIOD_PATTERNS["quarter"][loc], locale=loc)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() and 1 <= int(text[5:]) <= 12:
        return format_date(date(int(text[:4]), int(text[5:]), 1), PERIOD_PATTERNS["month"][loc], locale=loc)
    return text
