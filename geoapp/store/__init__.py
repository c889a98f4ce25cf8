"""Backends of the store contract (:mod:`geoapp.store.base`) and the registry that picks one by URL."""
from __future__ import annotations

from ..errors import ConfigError
from .base import Store


def open_store(url: str) -> Store:
    """Open (not migrate) the store at ``url``: ``sqlite:///path`` now, ``postgresql://`` later."""
    if url.startswith("sqlite:///"):
        from .sqlite import SQLiteStore
        return SQLiteStore(url[len("sqlite:///"):])
    if url.startswith(("postgresql://", "postgres://")):
        raise ConfigError("the PostGIS backend is not built yet (issue 9); use an sqlite:/// URL "
                          "or leave GEOAPP_DATABASE_URL empty for the embedded store")
    raise ConfigError(f"unsupported database URL {url!r}: use sqlite:///PATH")
