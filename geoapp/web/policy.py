"""The access policy: for every endpoint, its declared parameters and who may call it.

Fail closed: an endpoint missing from :data:`POLICY` is refused, and :func:`decide` allows a request
only when a rule positively says so (a test walks the URL map so a new route cannot be added without a
rule). The policy reads exactly the parsed parameters the view reads (:mod:`geoapp.web.params`): the
province it checks is the province the view serves. Views that list several provinces (the index,
``/api/v1/<edition>/provinces`` …) also filter their output by :func:`readable`.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import g

from . import params as P

PUBLIC = "public"          # anyone, signed in or not
SIGNED_IN = "signed_in"    # any user (or public read); the view filters provinces itself
ADMIN = "admin"
ANY_EDITOR = "any_editor"  # an editor of some province, or an admin (the upload form itself)
READ = "read"              # read the edition/province named by the parameters (None = whole edition)
EDIT = "edit"              # write into the edition/province named by the parameters
UNSAFE = P.UNSAFE


@dataclass(frozen=True)
class Rule:
    """``params``: the declared parameters (GET and POST may differ); ``access``: one of the names above;
    ``share``: a share-link holder may call it for the shared province (only what a shared view needs)."""

    params: type[P.Params]
    access: str
    share: bool = False
    post_params: type[P.Params] | None = None
    post_access: str | None = None

    def for_method(self, method: str) -> tuple[type[P.Params], str]:
        if method in UNSAFE and self.post_params is not None:
            return self.post_params, self.post_access or self.access
        return self.params, self.access


def scope_of(params: P.Params) -> tuple[str, str | None] | None:
    """(edition, province) a READ/EDIT rule checks; None for plain geography anyone signed in may read."""
    if isinstance(params, P.ApiOutlinesParams) and params.level == "province":
        return None
    edition = getattr(params, "edition", None)
    if edition is None:
        raise LookupError("a scoped rule needs an edition")
    return edition, getattr(params, "province", None)


#: endpoint → Rule
POLICY: dict[str, Rule] = {
    "static": Rule(P.NoParams, PUBLIC),
    "auth.login": Rule(P.LoginParams, PUBLIC),
    "auth.logout": Rule(P.NoParams, PUBLIC),
    "auth.open_share": Rule(P.ShareTokenParams, PUBLIC),
    "pages.about": Rule(P.NoParams, PUBLIC),
    "api.openapi_document": Rule(P.NoParams, PUBLIC),
    "auth.logout_everywhere": Rule(P.NoParams, SIGNED_IN),
    "pages.index": Rule(P.NoParams, SIGNED_IN),
    "pages.overview": Rule(P.OverviewParams, SIGNED_IN),
    "api.editions": Rule(P.ApiParams, SIGNED_IN),
    "api.provinces": Rule(P.ApiEdition, SIGNED_IN),
    "api.provinces_geojson": Rule(P.ApiProvincesGeojsonParams, SIGNED_IN),
    "api.outlines": Rule(P.ApiOutlinesParams, READ, share=True),
    "pages.province_units": Rule(P.UnitListParams, READ),
    "pages.province_map": Rule(P.MapViewParams, READ),
    "pages.unit_page": Rule(P.UnitParams, READ),
    "api.units": Rule(P.ApiUnitsParams, READ, share=True),
    "api.statuses": Rule(P.ApiStatusesParams, READ, share=True),
    "api.indicators": Rule(P.ApiIndicatorsParams, READ, share=True),
    "api.hotspots": Rule(P.ApiHotspotsParams, READ, share=True),
    "api.emerging": Rule(P.ApiEmergingParams, READ, share=True),
    "api.stats": Rule(P.ApiStatsParams, READ, share=True),
    "api.unit": Rule(P.ApiUnitParams, READ),
    "pages.embed_map": Rule(P.MapViewParams, READ, share=True),
    "exports.export_view": Rule(P.ExportParams, READ, share=True),
    "pages.compare": Rule(P.CompareParams, READ),
    "auth.create_share": Rule(P.ShareParams, READ),
    "auth.revoke_share": Rule(P.ShareLinkParams, SIGNED_IN),
    "admin.shares": Rule(P.NoParams, SIGNED_IN),
    "admin.audit": Rule(P.NoParams, ADMIN),
    "admin.users": Rule(P.NoParams, ADMIN),
    "admin.embedding": Rule(P.NoParams, ADMIN),
    "admin.upload": Rule(P.NoParams, ANY_EDITOR, post_params=P.UploadParams, post_access=EDIT),
    "admin.upload_commit": Rule(P.UploadCommitParams, EDIT),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    status: int = 403
    message: str = ""
    message_vi: str = ""


ALLOW = Decision(True, 200)
SIGN_IN = Decision(False, 401, "sign in first", "hãy đăng nhập trước")


def must_sign_in(access: str, share_ok: bool, principal, method: str) -> bool:
    """Whether the caller must sign in before anything else is looked at (parameters included):
    nobody behind a non-public route, no write without a signed-in user, and a share-link holder
    only on the routes a shared view needs."""
    p = principal
    if access == PUBLIC:
        return False
    if not (p.authenticated or p.public_read or p.shared):
        return True
    if (method in UNSAFE or access in (EDIT, ADMIN, ANY_EDITOR)) and not p.authenticated:
        return True
    return p.via == "share" and not p.public_read and not (access == READ and share_ok)


def decide(access: str, share_ok: bool, principal, params: P.Params, method: str) -> Decision:
    """The decision for one request, from its parsed parameters. Anything not positively allowed is denied."""
    p = principal
    if access == PUBLIC:
        return ALLOW
    if must_sign_in(access, share_ok, p, method):
        return SIGN_IN
    if access == SIGNED_IN:
        return ALLOW if (p.authenticated or p.public_read) else SIGN_IN
    if access == ADMIN:
        return ALLOW if p.is_admin else Decision(False, 403, "administrators only", "chỉ dành cho quản trị viên")
    if access == ANY_EDITOR:
        return ALLOW if p.role in ("admin", "editor") else Decision(False, 403, "editors only",
                                                                    "chỉ dành cho biên tập viên")
    if access not in (READ, EDIT):
        return Decision(False, 403, "no access rule allows this request", "không có quy tắc nào cho phép yêu cầu này")
    scope = scope_of(params)
    if scope is None:
        return ALLOW if access == READ else _refuse(access, None, None)
    edition, province = scope
    if p.via == "share" and not p.public_read:
        # a share-link holder: only the shared province, never the whole edition
        return ALLOW if province is not None and f"{edition}:{province}" in p.shared else SIGN_IN
    allowed = p.can_edit(edition, province) if access == EDIT else p.can_read(edition, province)
    if allowed is True:
        return ALLOW
    return _refuse(access, edition, province) if (p.authenticated or p.public_read) else SIGN_IN


def _refuse(access: str, edition, province) -> Decision:
    verb, verb_vi = ("change", "thay đổi dữ liệu") if access == EDIT else ("read", "xem")
    if province:
        where, where_vi = f"province {province} of edition {edition}", f"tỉnh {province} (phiên bản {edition})"
    else:
        where, where_vi = f"the whole edition {edition}", f"toàn bộ phiên bản {edition}"
    return Decision(False, 403, f"you may not {verb} {where}", f"bạn không có quyền {verb_vi} {where_vi}")


def readable(edition: str, codes) -> list[str]:
    return g.principal.readable(edition, codes)
