"""The value types of declared request parameters (:mod:`geoapp.web.params`): dates, flags, finite
numbers, codes checked against the catalogue. A ``ValueError`` here becomes a 400 naming the parameter.

Trip-wires: ``float("NaN")`` and ``float("Infinity")`` parse — finite numbers are checked explicitly;
an empty value means absent, never zero; ``rate`` is ``1000`` or absent (nothing else is a rate).
"""
from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from ..errors import InputError
from ..imports import parse_date
from .store_access import catalogue

SEED_MAX = 2 ** 32 - 1


class ParamError(InputError):
    """A request parameter is missing, repeated, malformed or out of range (answered 400)."""


def date_value(value):
    if value is None or isinstance(value, str) and not value.strip():
        return None
    day = parse_date(str(value))
    if day is None:
        raise ValueError("not a date (YYYY-MM-DD or dd/mm/yyyy)")
    return day


def flag_value(value):
    return str(value).lower() in ("1", "true", "yes", "on")


def rate_value(value):
    if value in (None, "", "0"):
        return False
    if str(value) == "1000":
        return True
    raise ValueError("rate is 1000 (per 1,000 people) or absent")


def finite(value):
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def breaks_value(value):
    if value in (None, ""):
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(finite(v) for v in value)
    return tuple(finite(v) for v in str(value).split(",") if v.strip())


def fdr_value(value):
    if value is None or str(value).lower() in ("none", "off"):
        return None
    number = finite(value)
    if not 0 < number < 1:
        raise ValueError("fdr is a significance level between 0 and 1, or none")
    return number


IsoDate = Annotated[str | None, BeforeValidator(date_value), Field(json_schema_extra={"format": "date"})]
Flag = Annotated[bool, BeforeValidator(flag_value)]
Rate = Annotated[bool, BeforeValidator(rate_value), Field(json_schema_extra={"enum": ["1000"], "type": "string"})]
Edition = Literal["2025", "pre2025"]
Lang = Literal["vi", "en"]


def province_code(value):
    if value is None:
        return None
    text = str(value).strip()
    if text == "all":
        return "all"
    if not text.isdigit() or not 1 <= len(text) <= 2:
        raise ValueError("a province is a code of one or two digits, or all")
    return text.zfill(2)


ProvinceCode = Annotated[str | None, BeforeValidator(province_code),
                         Field(json_schema_extra={"pattern": "^([0-9]{1,2}|all)$"})]

def scheme_code(value):
    if value is not None and value not in catalogue().schemes:
        raise ValueError(f"unknown scheme; use one of {', '.join(catalogue().schemes)}")
    return value


def indicator_code(value):
    if value is not None and value not in catalogue().indicators:
        raise ValueError(f"unknown indicator; use one of {', '.join(catalogue().indicators)}")
    return value


Scheme = Annotated[str, AfterValidator(scheme_code), Field(max_length=64)]
Indicator = Annotated[str, AfterValidator(indicator_code), Field(max_length=64)]
Period = Annotated[str, Field(max_length=10, pattern=r"^[0-9]{4}(-([0-9]{1,2}|[Qq][1-4]))?$")]
Classes = Literal["quantiles", "fisher_jenks", "equal_interval"]
Breaks = Annotated[tuple[float, ...], BeforeValidator(breaks_value)]
Fdr = Annotated[float | None, BeforeValidator(fdr_value)]
