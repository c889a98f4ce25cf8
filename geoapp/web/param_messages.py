"""Why a parameter was refused, in Vietnamese and in English, from pydantic's validation errors.

pydantic words its errors in English only (``Input should be less than or equal to 7``); a planner
reading the Vietnamese page must not get that. Each error *type* has a Vietnamese sentence here
(limits from the error's ``ctx``); the checks written in this package raise ``ValueError`` with an
English sentence that :data:`OWN_MESSAGES` translates by its opening words. Anything not known here
says only that the value is not valid — never English inside the Vietnamese text.
"""
from __future__ import annotations

#: pydantic error type → Vietnamese, formatted with the error's ``ctx``
TYPE_MESSAGES = {
    "missing": "bắt buộc phải có",
    "extra_forbidden": "không được dùng ở đây",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "float_parsing": "phải là số",
    "bool_parsing": "phải là 1 hoặc 0",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "greater_than": "phải lớn hơn {gt}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "less_than": "phải nhỏ hơn {lt}",
    "string_too_long": "dài quá {max_length} ký tự",
    "string_too_short": "phải có ít nhất {min_length} ký tự",
    "string_pattern_mismatch": "có ký tự không được phép",
    "literal_error": "phải là một trong: {expected}",
    "enum": "phải là một trong: {expected}",
    "date_parsing": "không phải ngày (YYYY-MM-DD hoặc dd/mm/yyyy)",
    "date_from_datetime_parsing": "không phải ngày (YYYY-MM-DD hoặc dd/mm/yyyy)",
}
#: the opening words of this package's own ValueError messages → Vietnamese
OWN_MESSAGES = {
    "one province is needed": "cần một tỉnh ở đây, không phải toàn quốc",
    "district outlines need": "ranh giới huyện cần ?province=<mã tỉnh>",
    "give ?indicator= or ?scheme=": "cần ?indicator= hoặc ?scheme= (?status= thay các trạng thái điểm nóng)",
    "not a date": "không phải ngày (YYYY-MM-DD hoặc dd/mm/yyyy)",
    "rate is 1000": "rate chỉ nhận 1000 (trên 1.000 dân) hoặc để trống",
    "must be a finite number": "phải là số hữu hạn",
    "fdr is a significance level": "fdr là mức ý nghĩa trong khoảng (0, 1), hoặc none",
    "a province is a code": "mã tỉnh gồm một hoặc hai chữ số, hoặc all",
    "unknown scheme": "chế độ không có trong danh mục",
    "unknown indicator": "chỉ tiêu không có trong danh mục",
}
UNKNOWN_VI = "giá trị không hợp lệ"


def vietnamese(err: dict) -> str:
    """The Vietnamese reason of one pydantic error (``err`` from ``ValidationError.errors()``)."""
    kind = err.get("type", "")
    if kind == "value_error":
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        return next((vi for start, vi in OWN_MESSAGES.items() if msg.startswith(start)), UNKNOWN_VI)
    template = TYPE_MESSAGES.get(kind)
    if template is None:
        return UNKNOWN_VI
    try:
        return template.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return UNKNOWN_VI
