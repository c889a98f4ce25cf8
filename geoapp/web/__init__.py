"""The Flask app factory. Web code turns requests into store/domain calls and back; nothing else."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from .. import config as cfg
from ..store import open_store

ROOT = Path(__file__).resolve().parents[2]


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app. ``test_config`` overrides settings (keys as in :data:`geoapp.config.SETTINGS`)."""
    settings = cfg.load_settings()
    if test_config:
        settings.update(test_config)
    app = Flask("geoapp", template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
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

    from . import admin, api, auth, errors, exports, gate, i18n, page_globals, pages, security, strict_json
    security.init_app(app)          # also ProxyFix when TRUSTED_PROXIES > 0
    strict_json.init_app(app)       # jsonify never writes NaN/Infinity
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
