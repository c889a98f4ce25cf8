"""The Flask app factory. Web code turns requests into store/domain calls and back; nothing else.

Trip-wire: :func:`create_app` refuses to start (:class:`geoapp.resources.ResourcesMissingError`, a
ConfigError naming every missing file and the fix) when a template, a browser library, a migration,
``schemes.toml`` or a catalogue is missing — a page must never be served with a map that cannot draw.
Templates and static files are found through :mod:`geoapp.resources` (checkout or installed wheel).
"""
from __future__ import annotations

from flask import Flask

from .. import config as cfg
from .. import resources
from ..store import open_store


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app. ``test_config`` overrides settings (keys as in :data:`geoapp.config.SETTINGS`)."""
    settings = cfg.load_settings()
    if test_config:
        settings.update(test_config)
    resources.require_all()
    app = Flask("geoapp", template_folder=str(resources.templates_dir()), static_folder=str(resources.static_dir()),
                instance_path=str(cfg.instance_path(settings)))
    app.config.update(settings)
    app.config["SECRET_KEY"] = cfg.secret_key(settings)
    app.config["MAX_CONTENT_LENGTH"] = int(settings.get("MAX_UPLOAD_MB", 100)) * 1024 * 1024
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=bool(settings.get("COOKIE_SECURE", True)),
                      SESSION_COOKIE_NAME="geoapp_session", PERMANENT_SESSION_LIFETIME=8 * 3600)
    app.config["JSON_SORT_KEYS"] = False
    store = open_store(cfg.database_url(settings))
    store.upgrade()
    app.extensions["geoapp.store"] = store
    from ..schemes import load_catalogue
    app.extensions["geoapp.catalogue"] = load_catalogue(settings.get("SCHEMES_FILE") or None)

    from . import (admin, api, auth, compress, errors, exports, gate, i18n, page_globals, pages, security,
                   static_files, strict_json)
    static_files.init_app(app)      # WhiteNoise: compressed, versioned /static/ (before ProxyFix wraps it)
    security.init_app(app)          # also ProxyFix when TRUSTED_PROXIES > 0
    strict_json.init_app(app)       # jsonify never writes NaN/Infinity
    compress.init_app(app)          # gzip pages and JSON the response cache does not already compress
    i18n.init_app(app)
    page_globals.init_app(app)      # sources line and demo mark for every template
    auth.init_app(app)
    gate.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)

    return app
