"""Access to the app's store and scheme catalogue from a request."""
from flask import current_app

from ..schemes import Catalogue
from ..store.base import Store


def store() -> Store:
    return current_app.extensions["geoapp.store"]


def catalogue() -> Catalogue:
    return current_app.extensions["geoapp.catalogue"]
