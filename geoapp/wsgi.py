"""WSGI entry point for production servers: ``gunicorn -w 4 'geoapp.wsgi:app'``.

The app is built here, at import, on purpose: this module is only imported by a WSGI server.
Settings come from GEOAPP_* environment variables, as everywhere.
"""
from . import create_app

app = create_app()
