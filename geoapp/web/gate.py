"""The gate, before every request: who asks, the CSRF check, the declared parameters, the decision.

Fails closed: the view runs only when :func:`geoapp.web.policy.decide` positively allows the request.
A missing rule, an exception while deciding, or a principal that cannot act denies it. Whoever is
not signed in is answered 401 *before* any parameter is parsed (a bad parameter never tells an
anonymous caller more than "sign in"). The parsed parameters are kept in ``g.params``: the view
reads those, never ``request.args``/``request.form`` again, so the policy and the view cannot
disagree about the province.
"""
from __future__ import annotations

from flask import current_app, g, request
from werkzeug.exceptions import HTTPException

from ..errors import GeoappError
from . import params as P
from .auth import check_csrf, deny, load_principal
from .policy import POLICY, SIGN_IN, decide, must_sign_in


def init_app(app):
    app.before_request(check_access)


def check_access():
    try:
        return _check()
    except (GeoappError, HTTPException):
        raise                                   # answered by the error handlers (4xx), view not run
    except Exception:                           # noqa: BLE001 — fail closed on anything unexpected
        current_app.logger.exception("access check failed; request denied")
        return deny(403, "the request could not be checked and was refused",
                    "không kiểm tra được yêu cầu nên yêu cầu bị từ chối")


def _check():
    g.principal = load_principal()
    check_csrf()
    if request.endpoint is None:
        return None                             # 404 / 405: Flask answers, no view runs
    rule = POLICY.get(request.endpoint)
    if rule is None:
        return deny(403, "no access rule for this page", "trang này chưa có quy tắc truy cập")
    model, access = rule.for_method(request.method)
    if must_sign_in(access, rule.share, g.principal, request.method):
        return deny(SIGN_IN.status, SIGN_IN.message, SIGN_IN.message_vi)
    g.params = P.parse(model)
    decision = decide(access, rule.share, g.principal, g.params, request.method)
    if decision.allowed is True:
        return None
    return deny(decision.status or 403, decision.message or "refused", decision.message_vi or "bị từ chối")
