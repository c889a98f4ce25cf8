"""One error handler: JSON under /api/, HTML elsewhere. The status table lives here, not in the domain.

What trips people up:

* A 5xx never shows the exception's own text: config, fetch and store errors name folders, URLs
  and SQL that are for the operator. The client gets the generic bilingual text of the status
  (:data:`HTTP_TEXT`); the log gets the traceback (``app.log_exception``).
* An exception nobody expected is caught here too (``errorhandler(Exception)``), logged and
  answered with a generic 500; Flask's own logging does not run once a handler exists, so the
  handler logs itself.
* ``abort(404)`` without a description gets the Vietnamese text of the table; ``abort(400,
  "english")`` gets the table's Vietnamese sentence followed by the English detail; raise
  :func:`http_error` to give both languages.
* Every message shown is passed through :func:`scrub`: an absolute server path becomes its
  last component (``/srv/geoapp/instance/uploads/x/xa.shp`` → ``xa.shp``).
"""
from __future__ import annotations

import re

from flask import current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

from ..errors import (ConfigError, FetchError, GeoappError, InputError, NotFoundError, RateLimitedError,
                      StoreError)

#: first match wins, so subclasses come before their bases
STATUS = ((NotFoundError, 404), (InputError, 400), (RateLimitedError, 429), (ConfigError, 500),
          (FetchError, 502), (StoreError, 503), (GeoappError, 400))

#: status → (English, Vietnamese): used for Flask's default descriptions and for every 5xx
HTTP_TEXT = {
    400: ("The request cannot be used as sent; check its parameters.",
          "Yêu cầu không hợp lệ; hãy kiểm tra các tham số."),
    401: ("Sign in first.", "Hãy đăng nhập trước."),
    403: ("You may not open this page or data.", "Bạn không có quyền truy cập trang hoặc dữ liệu này."),
    404: ("This page or data does not exist.", "Trang hoặc dữ liệu này không tồn tại."),
    405: ("This address does not accept this method.", "Địa chỉ này không chấp nhận phương thức này."),
    413: ("The file is too large.", "Tệp quá lớn."),
    429: ("Too many requests at once; try again shortly.", "Quá nhiều yêu cầu cùng lúc; hãy thử lại sau ít phút."),
    500: ("Internal error; it was logged. Try again later or tell the administrator.",
          "Lỗi máy chủ; lỗi đã được ghi lại. Hãy thử lại sau hoặc báo quản trị viên."),
    502: ("A data source did not answer; try again later.",
          "Nguồn dữ liệu không phản hồi; hãy thử lại sau."),
    503: ("The database is busy or unavailable; try again in a minute.",
          "Cơ sở dữ liệu đang bận hoặc không truy cập được; hãy thử lại sau một phút."),
}

# An absolute POSIX path of 2+ segments (not the path of a URL, not a route like /api/v1/…),
# or a Windows path. Routes are left alone because they start with a word no filesystem root uses.
_ROOTS = "home|tmp|srv|var|opt|usr|etc|work|root|mnt|media|data|app|private|Users|Volumes|run|proc"
_PATH = re.compile(rf"(?<![\w.:/-])/(?:{_ROOTS})(?:/[^\s/'\"()<>,;]+)+/?|\b[A-Za-z]:\\[^\s'\"<>]+")


def scrub(text: str) -> str:
    """``text`` with every absolute server path replaced by its last component."""
    return _PATH.sub(lambda m: re.split(r"[/\\]", m.group(0).rstrip("/\\"))[-1], str(text))


def http_error(code: int, message: str, message_vi: str) -> HTTPException:
    """An HTTP error carrying both languages: ``raise http_error(403, "…", "…")``."""
    exc = default_exceptions[code](message)
    exc.message_vi = message_vi
    return exc


def _status(exc: GeoappError) -> int:
    return next(code for cls, code in STATUS if isinstance(exc, cls))


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _scrubbed(value):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value


def _answer(code: int, body: dict, headers: dict | None = None):
    """The JSON or HTML answer for ``body`` (which holds at least ``message`` and ``message_vi``)."""
    body = _scrubbed(body)
    if _wants_json():
        resp = jsonify({"status": code, **body})
    else:
        try:
            html = render_template("error.html", code=code, message=body["message"],
                                   message_vi=body["message_vi"])
        except Exception:          # the page itself failed (e.g. the store is down): plain text, both languages
            current_app.logger.exception("error page %s could not be rendered", code)
            html = f"{code}: {body['message']} / {body['message_vi']}"
        resp = current_app.make_response(html)
    resp.status_code = code
    resp.headers.update(headers or {})
    return resp


def _log(exc: BaseException) -> None:
    current_app.log_exception((type(exc), exc, exc.__traceback__))


def geoapp_error(exc: GeoappError):
    """A refusal geoapp raised on purpose; 5xx are logged and answered generically."""
    code = _status(exc)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimitedError) else None
    if code >= 500:
        _log(exc)
        en, vi = HTTP_TEXT[code]
        return _answer(code, {"error": type(exc).__name__, "message": en, "message_vi": vi})
    return _answer(code, exc.to_dict(), headers)


def _http_text(exc: HTTPException) -> tuple[str, str]:
    en_default, vi_default = HTTP_TEXT.get(exc.code, (exc.description, exc.description))
    if exc.code >= 500:
        return en_default, vi_default
    custom = exc.description and exc.description != type(exc).description
    if not custom:
        return en_default, vi_default
    return exc.description, getattr(exc, "message_vi", None) or f"{vi_default} ({exc.description})"


def http_exception(exc: HTTPException):
    """abort(…) and Flask's own 404/405/413: bilingual text, the exception's headers (Allow, Retry-After …)."""
    if exc.code is None or exc.response is not None:
        return exc.response if exc.response is not None else exc
    if exc.code >= 500:
        _log(exc.original_exception if isinstance(exc, InternalServerError) and exc.original_exception else exc)
    en, vi = _http_text(exc)
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    return _answer(exc.code, {"error": exc.name, "message": en, "message_vi": vi}, headers)


def unexpected(exc: Exception):
    """Any other exception: logged with its traceback, answered with a generic 500, no detail."""
    _log(exc)
    en, vi = HTTP_TEXT[500]
    return _answer(500, {"error": "Internal Server Error", "message": en, "message_vi": vi})


def init_app(app):
    app.register_error_handler(GeoappError, geoapp_error)
    app.register_error_handler(HTTPException, http_exception)
    app.register_error_handler(Exception, unexpected)
