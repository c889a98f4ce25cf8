"""Strict JSON: never ``NaN`` or ``Infinity`` (invalid JSON that browsers' ``JSON.parse`` rejects).

Python's ``json`` writes ``NaN``/``Infinity`` by default, and pandas/numpy produce them easily
(an empty class break, a division by zero, ``fdr=Infinity`` echoed back). Here every non-finite
float, numpy float included, at any depth of dicts/lists/tuples, becomes ``null``, and the
final dump runs with ``allow_nan=False`` so anything missed fails loudly instead of shipping.

Trip-wire: the walk that replaces non-finite numbers runs only when the fast strict dump has
failed, so the common case (a large, clean GeoJSON) costs one C-speed ``json.dumps``.
"""
from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from flask.json.provider import DefaultJSONProvider


def plain(o: Any) -> Any:
    """A numpy scalar or array as the Python value json understands; anything else unchanged."""
    if isinstance(o, np.generic):
        o = o.item()
    elif isinstance(o, np.ndarray):
        o = o.tolist()
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return o


def finite(obj: Any) -> Any:
    """``obj`` with every non-finite float (also numpy, nested in dicts/lists/tuples) replaced by ``None``."""
    obj = plain(obj)
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    return obj


def _default_str(o: Any) -> Any:
    o = plain(o)
    return o if isinstance(o, (list, dict, int, float)) or o is None else str(o)


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON for the API; unknown objects (dates …) as ``str``, non-finite numbers as ``null``."""
    kw = dict(ensure_ascii=False, separators=(",", ":"), default=_default_str, allow_nan=False)
    try:
        text = json.dumps(obj, **kw)
    except ValueError:                 # a NaN/Infinity somewhere: clean the tree and dump again
        text = json.dumps(finite(obj), **kw)
    return text.encode("utf-8")


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's provider (``jsonify``, ``response.get_json`` …) with the same rule: no NaN, no Infinity."""

    @staticmethod
    def default(o: Any) -> Any:
        value = plain(o)
        if value is not o:
            return value
        return DefaultJSONProvider.default(o)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs["allow_nan"] = False
        try:
            return super().dumps(obj, **kwargs)
        except ValueError:
            return super().dumps(finite(obj), **kwargs)


def init_app(app) -> None:
    """Make ``jsonify`` strict for this app."""
    app.json = StrictJSONProvider(app)
