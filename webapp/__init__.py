"""Flask adapter for Loketwijzer: an app factory, blueprints per audience, CLI commands.

All logic lives in ``loketwijzer`` (framework-independent); the web layer only turns
requests into calls of its service functions and results into HTML or JSON.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g

from loketwijzer.config import REPO_ROOT, Settings
from loketwijzer.db import Database


def create_app(settings: Settings | None = None, **config: Any) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(REPO_ROOT / "instance"))
    app.config.update(
        LOKETWIJZER=settings,
        JSON_SORT_KEYS=False,
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_TRANSLATION_DIRECTORIES=str(REPO_ROOT / "webapp" / "translations"),
    )
    app.config.update(config)
    if "SESSION_COOKIE_SECURE" not in config:
        app.config.pop("SESSION_COOKIE_SECURE", None)  # security.init_app decides

    from webapp import security

    security.init_app(app)
    if settings.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxies,  # type: ignore[method-assign]
                                x_proto=settings.proxies)
    from webapp.json_provider import FastJSONProvider

    app.json = FastJSONProvider(app)
    app.extensions["loketwijzer_db"] = Database(settings.database_url)

    from webapp import i18n, logging_setup, security_headers

    logging_setup.init_app(app)

    security_headers.init_app(app, public_url=settings.public_url,
                              extra_hosts=list(settings.trusted_hosts),
                              tile_url=settings.tile_url)

    i18n.init_app(app)

    from webapp.blueprints import (
        admin,
        api,
        audit,
        feedback,
        health,
        mysterie,
        public,
        referral,
        scan,
    )

    app.register_blueprint(public.bp)
    app.register_blueprint(referral.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(mysterie.bp)
    app.register_blueprint(scan.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(feedback.bp)
    app.register_blueprint(health.bp)

    from webapp import assets, errors

    assets.init_app(app)
    errors.init_app(app)

    from webapp.cli import register_commands

    register_commands(app)

    from webapp import warmup

    warmup.start(app)

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    return app
