"""Backends of the store contract (:mod:`geoapp.store.base`) and the registry that picks one by URL."""
from __future__ import annotations

from ..errors import ConfigError
from .base import Store

_PG_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def open_store(url: str) -> Store:
    """Open (not migrate) the store at ``url``: ``sqlite:///path`` or ``postgresql://user@host/db``."""
    if url.startswith("sqlite:///"):
        from .sqlite import SQLiteStore
        return SQLiteStore(url[len("sqlite:///"):])
    if url.startswith(_PG_PREFIXES):
        import importlib.util
        if importlib.util.find_spec("sqlalchemy") is None or importlib.util.find_spec("psycopg") is None:
            raise ConfigError("a postgresql:// URL needs the PostGIS extra: pip install 'geoapp[postgis]' "
                              "(SQLAlchemy, psycopg)")
        from .postgis import PostGISStore
        return PostGISStore(url)
    raise ConfigError(f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://USER@HOST/DB")
