"""The OpenAPI 3.0 document of /api/v1, written out by hand and checked against the URL map by a test."""
from __future__ import annotations

from .. import __version__

_EDITION = {"name": "edition", "in": "path", "required": True, "schema": {"type": "string", "enum": ["2025", "pre2025"]}}
_PROVINCE = {"name": "province", "in": "query", "required": True, "schema": {"type": "string", "pattern": "^[0-9]{1,2}$"},
             "description": "Province code of the edition (e.g. 12 for Lai Châu)."}
_AS_OF = {"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"},
          "description": "Date (YYYY-MM-DD); default today."}
_SCHEME = {"name": "scheme", "in": "query", "schema": {"type": "string", "default": "antt"}}
_LANG = {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["vi", "en"]}}
_ERROR = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _op(summary, params, content="application/json"):
    return {"get": {"summary": summary, "parameters": params,
                    "responses": {"200": {"description": "OK", "content": {content: {"schema": {}}}},
                                  "304": {"description": "Not modified (ETag)"},
                                  "400": _ERROR, "404": _ERROR}}}


def document(app=None) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "geoapp API", "version": __version__,
                 "description": "Commune-level units, statuses and indicators of Vietnam. Errors share one shape."},
        "paths": {
            "/api/v1/editions": _op("Editions with unit counts", []),
            "/api/v1/{edition}/provinces": _op("Provinces of an edition", [_EDITION]),
            "/api/v1/{edition}/units": _op("Units of a province as GeoJSON or CSV", [
                _EDITION, _PROVINCE,
                {"name": "lod", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 3, "default": 2}},
                {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["geojson", "csv"]}}],
                "application/geo+json"),
            "/api/v1/{edition}/statuses": _op("Status of every unit of a province on a date",
                                              [_EDITION, _PROVINCE, _SCHEME, _AS_OF, _LANG]),
            "/api/v1/{edition}/indicators": _op("Indicator values of a province for a period, classed", [
                _EDITION, _PROVINCE, _LANG,
                {"name": "indicator", "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "period", "in": "query", "schema": {"type": "string"}},
                {"name": "classes", "in": "query",
                 "schema": {"type": "string", "enum": ["quantiles", "fisher_jenks", "equal_interval"]}},
                {"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 2, "maximum": 7}},
                {"name": "breaks", "in": "query", "schema": {"type": "string"}, "description": "e.g. 5,10,20"},
                {"name": "rate", "in": "query", "schema": {"type": "string", "enum": ["1000"]},
                 "description": "1000: per 1,000 people (dan_so)"}]),
            "/api/v1/{edition}/provinces.geojson": _op("Province outlines with per-province status counts",
                                                       [_EDITION, _SCHEME, _AS_OF], "application/geo+json"),
            "/api/v1/{edition}/outlines": _op("Province outlines, or district outlines of a province", [
                _EDITION, {**_PROVINCE, "required": False},
                {"name": "level", "in": "query", "schema": {"type": "string", "enum": ["province", "district"]}}],
                "application/geo+json"),
            "/api/v1/{edition}/hotspots": _op("Hot spots: Gi*, Local Moran or Local Join Count, with FDR", [
                _EDITION, {**_PROVINCE, "required": False}, _LANG, _AS_OF,
                {"name": "indicator", "in": "query", "schema": {"type": "string"}},
                {"name": "scheme", "in": "query", "schema": {"type": "string"}},
                {"name": "status", "in": "query", "schema": {"type": "string"},
                 "description": "status code(s), comma-separated, or 'key'"},
                {"name": "period", "in": "query", "schema": {"type": "string"}},
                {"name": "method", "in": "query",
                 "schema": {"type": "string", "enum": ["gi_star", "local_moran", "join_count"]}},
                {"name": "weights", "in": "query", "schema": {"type": "string", "enum": ["queen", "rook", "knn", "distance"]}},
                {"name": "permutations", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 9999}},
                {"name": "seed", "in": "query", "schema": {"type": "integer"}},
                {"name": "fdr", "in": "query", "schema": {"type": "string"}, "description": "alpha, or 'none'"},
                {"name": "rate", "in": "query", "schema": {"type": "string", "enum": ["1000"]}}]),
            "/api/v1/{edition}/emerging": _op("Emerging hot spots of an indicator over the yearly series", [
                _EDITION, {**_PROVINCE, "required": False},
                {"name": "indicator", "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "rate", "in": "query", "schema": {"type": "string", "enum": ["1000"]}}]),
            "/api/v1/{edition}/stats": _op("Units per status", [
                _EDITION, {**_PROVINCE, "required": False}, _SCHEME, _AS_OF]),
            "/api/v1/{edition}/units/{code}": _op("One unit with its history", [
                _EDITION, {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}]),
            "/api/v1/openapi.json": _op("This document", []),
        },
        "components": {"schemas": {"Error": {
            "type": "object", "required": ["status", "error", "message", "message_vi"],
            "properties": {"status": {"type": "integer"}, "error": {"type": "string"},
                           "message": {"type": "string"}, "message_vi": {"type": "string"},
                           "problems": {"type": "array", "items": {"type": "object"}}}}}},
    }
