"""The request's language: ``?lang=en`` switches to English and is remembered in a cookie; Vietnamese
by default. The Flask glue only: the strings themselves live in :mod:`geoapp.strings`.

Trip-wire: :func:`translate` reads ``g.lang``, so it works only inside a request; outside one
(CLI, briefing) call :func:`geoapp.strings.translate` with the language.
"""
from __future__ import annotations

from flask import g, request

from .. import locale, strings


def translate(key: str) -> str:
    """The text of ``key`` in this request's language."""
    return strings.translate(key, getattr(g, "lang", "vi"))


def init_app(app):
    @app.before_request
    def pick_language():
        lang = request.args.get("lang") or request.cookies.get("lang") or "vi"
        g.lang = "en" if lang == "en" else "vi"

    @app.after_request
    def remember_language(resp):
        if request.args.get("lang") in ("vi", "en"):
            resp.set_cookie("lang", request.args["lang"], max_age=365 * 86400, samesite="Lax", httponly=True)
        return resp

    for name in ("number", "percent", "day", "moment", "number_range"):
        app.add_template_filter(_filter(getattr(locale, name)), name)

    @app.context_processor
    def translator():
        lang = getattr(g, "lang", "vi")
        return {"t": strings.translator(lang), "lang": lang}


def _filter(fmt):
    """A jinja filter of a :mod:`geoapp.locale` formatter in this request's language: ``{{ n | number(1) }}``,
    ``{{ lo | number_range(hi) }}``."""
    def apply(value, *args, **kwargs):
        lang = getattr(g, "lang", "vi")
        if fmt is locale.number_range:
            return fmt(value, args[0], lang, *args[1:], **kwargs)
        return fmt(value, lang, *args, **kwargs)
    apply.__name__ = fmt.__name__
    return apply
