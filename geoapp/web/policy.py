"""The access policy: one rule per endpoint, checked before every request.

An endpoint missing from :data:`POLICY` is refused (fail closed), and a test walks the URL map
so a new route cannot be added without a rule. Views that list several provinces (the index,
``/api/v1/<edition>/provinces`` …) also filter their output by :func:`readable`.
"""
from __future__ import annotations

from flask import g, request

from ..errors import NotFoundError
from .store_access import store

PUBLIC = "public"          # anyone, signed in or not
SIGNED_IN = "signed_in"    # any user (or public read); the view filters provinces itself
ADMIN = "admin"


def _path_province(edition, args, view_args):
    p = view_args.get("province")
    return None if p == "all" else p


def _query_province(edition, args, view_args):
    p = args.get("province")
    return None if not p or p == "all" else p.zfill(2)


def _unit_province(edition, args, view_args):
    code = str(view_args.get("code", "")).zfill(5)
    units = store().units(edition)
    row = units[units["code"] == code]
    if row.empty:
        raise NotFoundError(f"no unit {code} in edition {edition}", message_vi=f"không có đơn vị {code}")
    return row.iloc[0]["province_code"]


def _outlines(edition, args, view_args):
    # province outlines are plain geography; district outlines belong to one province
    return _query_province(edition, args, view_args) if args.get("level") == "district" else SIGNED_IN


ANY_EDITOR = "any_editor"    # an editor of some province, or an admin (the upload form itself)


def _upload_province(edition, args, view_args):
    if request.method == "GET":
        return ANY_EDITOR
    return (request.form.get("province") or "").zfill(2) or None


#: endpoint → PUBLIC | SIGNED_IN | ADMIN | ("read" | "edit", how to find the province)
POLICY = {
    "static": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "pages.about": PUBLIC,
    "api.openapi_document": PUBLIC,
    "auth.logout_everywhere": SIGNED_IN,
    "pages.index": SIGNED_IN,
    "pages.overview": SIGNED_IN,
    "api.editions": SIGNED_IN,
    "api.provinces": SIGNED_IN,
    "api.provinces_geojson": SIGNED_IN,
    "api.outlines": ("read", _outlines),
    "pages.province_units": ("read", _path_province),
    "pages.province_map": ("read", _path_province),
    "pages.unit_page": ("read", _unit_province),
    "api.units": ("read", _query_province),
    "api.statuses": ("read", _query_province),
    "api.indicators": ("read", _query_province),
    "api.hotspots": ("read", _query_province),
    "api.emerging": ("read", _query_province),
    "api.stats": ("read", _query_province),
    "api.unit": ("read", _unit_province),
    "pages.embed_map": ("read", _path_province),
    "exports.export_view": ("read", _path_province),
    "pages.compare": ("read", lambda e, a, v: v.get("province")),
    "auth.create_share": SIGNED_IN,
    "auth.open_share": PUBLIC,
    "auth.revoke_share": SIGNED_IN,
    "admin.shares": SIGNED_IN,
    "admin.audit": ADMIN,
    "admin.users": ADMIN,
    "admin.upload": ("edit", _upload_province),
    "admin.upload_commit": ("edit", _upload_province),
}


def readable(edition: str, codes) -> list[str]:
    return g.principal.readable(edition, codes)
