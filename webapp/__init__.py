"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import config as config_mod
from webapp import security
from webapp.extensions import SETTINGS
from webapp.extensions import babel
from webapp.extensions import csrf
from webapp.extensions import db
from webapp.extensions import login_manager
from webapp.extensions import migrate
from workflows.engine import locking
from workflows.settings import Settings

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(config_mod.REPO / "instance"))
    app.config.from_mapping(config_mod.load(app.instance_path, test_config))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # readable Chinese in API answers
    # Keys in the order the answer builds them (id, status, … then the nested parts), not sorted:
    # sorting cost every answer a pass over each of its objects (issue 17).
    app.json.sort_keys = False  # type: ignore[attr-defined]
    register_extensions(app)
    security.bound_ids(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_error_handlers(app)
    register_commands(app)
    register_template_filters(app)
    hops = app.config["ORGFLOW_PROXY_HOPS"]
    if hops:  # the client's own address (login limit, audit) and scheme behind nginx
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def register_template_filters(app: Flask) -> None:
    from webapp.pages.documents.common import breakable
    from workflows.engine import clock

    app.jinja_env.filters["breakable"] = breakable  # print templates: long unbroken runs may wrap

    @app.template_filter("localtime")
    def localtime(moment: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return moment.astimezone(clock.SHANGHAI).strftime(fmt) if moment else ""


def register_extensions(app: Flask) -> None:
    # The services' configuration (audit keys, attachments, password hashing), carried by every
    # session the app opens: webapp.extensions.AppSession and the CLI's `session_factory`.
    app.extensions[SETTINGS] = Settings.from_config(app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_mod.REPO / "migrations"))
    csrf.init_app(app)
    from webapp.auth.session import init_login

    init_login(app, login_manager)
    with app.app_context():
        locking.install_sqlite_pragmas(db.engine)
    from webapp.i18n import install_template_gettext
    from webapp.i18n import select_locale
    from webapp.ui import register_context

    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    register_context(app)


def register_blueprints(app: Flask) -> None:
    from webapp.admin import cases as _admin_cases  # noqa: F401  (管理 · 流程实例)
    from webapp.admin.routes import bp as admin_bp
    from webapp.api import actions as _api_actions  # noqa: F401  (approval actions)
    from webapp.api import batch as _api_batch  # noqa: F401  (批量同意)
    from webapp.api import cadres as _api_cadres  # noqa: F401  (干部信息)
    from webapp.api import collaboration as _api_collaboration  # noqa: F401  (notifications, delegations)
    from webapp.api import conduct as _api_conduct  # noqa: F401  (现实表现纪实)
    from webapp.api import documents as _api_documents  # noqa: F401  (PDFs of a case)
    from webapp.api import probation as _api_probation  # noqa: F401  (预备党员名册)
    from webapp.api import reserve as _api_reserve  # noqa: F401  (后备干部库)
    from webapp.api import routes as _api_routes  # noqa: F401  (attaches the core API routes)
    from webapp.api import rule_packs as _rule_packs  # noqa: F401  (rule packs and their windows)
    from webapp.api import special_reports as _api_special_reports  # noqa: F401  (重要情况专报)
    from webapp.api import weekly as _api_weekly  # noqa: F401  (周报)
    from webapp.api.blueprint import bp as api_bp
    from webapp.audit.routes import bp as audit_bp
    from webapp.auth.routes import bp as auth_bp
    from webapp.cases.routes import bp as cases_bp
    from webapp.documents.routes import bp as documents_bp
    from webapp.inbox.routes import bp as inbox_bp
    from webapp.main.routes import bp as main_bp
    from webapp.mine.routes import bp as mine_bp
    from webapp.records.routes import bp as records_bp
    from webapp.reserve.routes import bp as reserve_bp
    from webapp.special_reports.routes import bp as special_reports_bp
    from webapp.start.routes import bp as start_bp
    from webapp.weekly.routes import bp as weekly_bp

    for blueprint in (auth_bp, main_bp, inbox_bp, start_bp, cases_bp, documents_bp, mine_bp, admin_bp, audit_bp,
                      reserve_bp, records_bp, weekly_bp, special_reports_bp, api_bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # bearer-token auth, no cookies: CSRF does not apply


def register_request_hooks(app: Flask) -> None:
    security.register(app)
    security.refuse_unstorable_text(app)

    @app.before_request
    def _writes_take_the_write_lock() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if request.method in WRITE_METHODS and not getattr(view, "locks_at_first_write", False):
            locking.begin_write(db.session)


def register_error_handlers(app: Flask) -> None:
    from webapp.errors import register_error_handlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from webapp.commands import register

    register(app)
