"""One error handler: JSON under /api/, HTML elsewhere. The status table lives here, not in the domain."""
from __future__ import annotations

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import GeoappError, InputError, NotFoundError, StoreError

STATUS = ((NotFoundError, 404), (InputError, 400), (StoreError, 503), (GeoappError, 400))


def _status(exc: GeoappError) -> int:
    return next(code for cls, code in STATUS if isinstance(exc, cls))


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app):
    @app.errorhandler(GeoappError)
    def geoapp_error(exc: GeoappError):
        code = _status(exc)
        if _wants_json():
            return jsonify({"status": code, **exc.to_dict()}), code
        return render_template("error.html", code=code, message=exc.message, message_vi=exc.message_vi), code

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_json():
            return jsonify({"status": exc.code, "error": exc.name, "message": exc.description,
                            "message_vi": exc.description}), exc.code
        return render_template("error.html", code=exc.code, message=exc.description,
                               message_vi=exc.description), exc.code
