"""The OpenAPI 3.0 document of /api/v1, generated from the URL map and the declared parameters.

Each API route's parameters come from its model in :mod:`geoapp.web.params` (the same model the
gate parses and the policy checks), so the document cannot drift from what the server accepts.
Path parameters are the model's ``PATH`` fields; the rest are query parameters.
"""
from __future__ import annotations

import re

from flask import Flask

from .. import __version__
from .policy import POLICY

_ERROR = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_CONTENT = {"api.units": "application/geo+json", "api.provinces_geojson": "application/geo+json",
            "api.outlines": "application/geo+json"}
_DROP = {"title"}


def _schema(prop: dict) -> dict:
    """A pydantic (JSON Schema 2020-12) property as an OpenAPI 3.0 parameter schema."""
    prop = {k: v for k, v in prop.items() if k not in _DROP}
    if "anyOf" in prop:                       # Optional[X] → X (absent means the default)
        options = [o for o in prop.pop("anyOf") if o.get("type") != "null"]
        if len(options) == 1:
            prop = {**options[0], **prop}
        else:
            prop["anyOf"] = options
    if "const" in prop:
        prop["enum"] = [prop.pop("const")]
    if prop.get("readOnly"):
        return {}
    if prop.get("type") == "array":           # comma-separated lists travel as one string
        prop = {"type": "string", **({"default": ",".join(map(str, prop["default"]))} if prop.get("default") else {})}
        prop.pop("default", None)
    if prop.get("enum") and prop.get("type") != "integer":
        prop["type"] = "string"
        prop["enum"] = [str(v) for v in prop["enum"]]
    if prop.get("type") == "boolean":
        prop = {"type": "string", "enum": ["0", "1"]}
    if prop.get("default") is None or ("enum" in prop and str(prop["default"]) not in map(str, prop["enum"])):
        prop.pop("default", None)
    return prop


def parameters(model) -> list[dict]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        if name in getattr(model, "DERIVED", ()):
            continue
        where = "path" if name in model.PATH else "query"
        param = {"name": name, "in": where, "required": where == "path" or name in required,
                 "schema": _schema(prop)}
        out.append(param)
    return out


def _path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def document(app: Flask) -> dict:
    paths = {}
    for url_rule in app.url_map.iter_rules():
        endpoint = url_rule.endpoint
        if not endpoint.startswith("api.") or endpoint not in POLICY:
            continue
        view = app.view_functions[endpoint]
        summary = (view.__doc__ or endpoint).strip().splitlines()[0]
        content = _CONTENT.get(endpoint, "application/json")
        paths[_path(url_rule.rule)] = {"get": {
            "summary": summary, "operationId": endpoint.replace(".", "_"),
            "parameters": parameters(POLICY[endpoint].params),
            "responses": {"200": {"description": "OK", "content": {content: {"schema": {}}}},
                          "304": {"description": "Not modified (ETag)"},
                          "400": _ERROR, "401": _ERROR, "403": _ERROR, "404": _ERROR, "429": _ERROR}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "geoapp API", "version": __version__,
                 "description": "Commune-level units, statuses and indicators of Vietnam. Errors share one shape; "
                                "a parameter given twice, or in the path and again in the query, is refused."},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": {"Error": {
            "type": "object", "required": ["status", "error", "message", "message_vi"],
            "properties": {"status": {"type": "integer"}, "error": {"type": "string"},
                           "message": {"type": "string"}, "message_vi": {"type": "string"},
                           "problems": {"type": "array", "items": {"type": "object"}}}}}},
    }
