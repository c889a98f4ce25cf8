"""geoapp: commune-level maps of security and drug-prevention status in Vietnam.

Nothing is built at import time; the web app comes from :func:`create_app`.
"""
__version__ = "0.1.0"


def create_app(test_config=None):
    """Build the Flask app (see :func:`geoapp.web.create_app`)."""
    from .web import create_app as _create

    return _create(test_config)
