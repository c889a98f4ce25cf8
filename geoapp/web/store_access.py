"""Access to the app's store from a request."""
from flask import current_app

from ..store.base import Store


def store() -> Store:
    return current_app.extensions["geoapp.store"]
