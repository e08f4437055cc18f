"""The application factory: binds extensions, registers blueprints and namespaces."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask.ctx import RequestContext
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from app.core.guards import GuardedMap
from app.core.priority import PagesInFlight
from config import Config, ProductionConfig, config_from_env, development_secret_key

_ADAPTER, _MATCH = "yishi.url_adapter", "yishi.url_match"  # kept in a WSGI environ (see Yishi)


class _RoutedOnce(RequestContext):
    """A request context that matches its environ's path once and keeps the answer in the environ."""

    def match_request(self) -> None:
        environ = self.request.environ
        kept = environ.get(_MATCH)
        if kept is None:
            super().match_request()
            view_args = self.request.view_args
            environ[_MATCH] = (
                self.request.url_rule,
                None if view_args is None else dict(view_args),
                _without_traceback(self.request.routing_exception),
            )
            return
        self.request.url_rule, view_args, self.request.routing_exception = kept
        self.request.view_args = dict(view_args) if view_args is not None else None


def _without_traceback(error: Exception | None) -> Exception | None:
    """The routing error, kept as long as its environ (a socket's: its whole life), without its traceback and the
    error it was raised from: their frames are the whole first event's, and would keep alive all it loaded (its
    app context, the user and login, the query's rows), 12 KB per connection. Raised again (an HTTP 404),
    it gets a traceback of its own."""
    if error is not None:
        error.__traceback__ = error.__context__ = error.__cause__ = None
    return error


class Yishi(Flask):
    """Flask, with URLs whose ids fit an INTEGER column and whose segments hold no control character.

    The URL map is bound and the path matched once per WSGI environ: every Socket.IO event of a connection
    runs in a request context made from its handshake's environ (Flask-SocketIO), and binding and matching
    that same path again at each event was a twentieth of a burst of votes (bench/NOTES.md). An HTTP
    request brings an environ of its own, so nothing changes for it."""

    url_map_class = GuardedMap

    def create_url_adapter(self, request):
        if request is None:
            return super().create_url_adapter(request)
        adapter = request.environ.get(_ADAPTER)
        if adapter is None:
            adapter = request.environ[_ADAPTER] = super().create_url_adapter(request)
        return adapter

    def request_context(self, environ) -> RequestContext:
        return _RoutedOnce(self, environ)


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build a Yishi application for the given config class (default: YISHI_CONFIG)."""
    config_class = config_class or config_from_env()
    if issubclass(config_class, ProductionConfig):
        config_class.check()

    app = Yishi(__name__, static_folder="../static", template_folder="../templates", instance_relative_config=False)
    app.config.from_object(config_class)
    app.instance_path = str(_instance_dir())
    _secret_key(app, config_class)
    _resolve_redis_names(app)
    from app.core.logs import configure_logging

    configure_logging(app)  # before anything logs, and before app.logger is first used
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).drivername in ("postgresql", "postgresql+psycopg2"):
        # UPDATEs of many rows (sealing a burst of ballots) in pages of statements, not a round trip each
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
            "executemany_mode": "values_plus_batch",
        }

    _init_extensions(app)

    # Late imports, on purpose: every module under app/ loads this package first, so the packages it
    # composes are imported when an app is built, not when `app` itself is imported.
    from app import cli, core, models  # noqa: F401  (models: the whole metadata)
    from app.accounts import bp as accounts_bp
    from app.accounts import recovery_routes as _recovery_routes  # noqa: F401
    from app.accounts import routes as _accounts_routes  # noqa: F401
    from app.assessment import bp as assessment_bp
    from app.communities import bp as communities_bp
    from app.communities import routes as _communities_routes  # noqa: F401
    from app.consultations import bp as consultations_bp
    from app.consultations import routes as _consultations_routes  # noqa: F401
    from app.consultations.sockets import ConsultationsNamespace
    from app.contests import bp as contests_bp
    from app.contests import routes as _contests_routes  # noqa: F401
    from app.contests.sockets import ContestsNamespace
    from app.core import bp as core_bp
    from app.core import pwa as _pwa  # noqa: F401  (the manifest, the service worker, the offline page)
    from app.core import routes as _core_routes  # noqa: F401
    from app.core.errors import register_error_handlers
    from app.core.guards import register_input_guards
    from app.core.logs import register_request_ids
    from app.core.metrics import register_metrics
    from app.core.realtime import DefaultNamespace, register_realtime_status
    from app.core.security import register_security_headers
    from app.core.templating import register_template_helpers
    from app.dashboards import bp as dashboards_bp
    from app.dashboards import sections as _dashboard_sections  # noqa: F401  (registers the sections)
    from app.decisions import bp as decisions_bp
    from app.decisions import paper_routes as _decisions_paper_routes  # noqa: F401
    from app.decisions import proxy_routes as _decisions_proxy_routes  # noqa: F401
    from app.decisions import routes as _decisions_routes  # noqa: F401
    from app.documents import bp as documents_bp
    from app.documents import routes as _documents_routes  # noqa: F401
    from app.flows import attachments as _attachments  # noqa: F401  (the features' objects that carry files)
    from app.flows import bp as flows_bp
    from app.flows import meetings as _meetings  # noqa: F401  (agenda item kinds, meeting notices, reminders)
    from app.flows import neighbours as _neighbours_notices  # noqa: F401  (help-board signals to notifications)
    from app.flows import notices as _notices  # noqa: F401  (the features' signals wired to notifications)
    from app.flows import objections as _objection_kinds  # noqa: F401  (what objections may be raised on)
    from app.flows import procurement_notices as _procurement_notices  # noqa: F401  (service projects, reminders)
    from app.flows import routes as _flows_routes  # noqa: F401
    from app.flows import rules_notices as _rules_notices  # noqa: F401  (the rules' signals to notifications)
    from app.flows import workitems as _workitems_notices  # noqa: F401  (work items' signals to notifications)
    from app.home import bp as home_bp
    from app.ideas import bp as ideas_bp
    from app.ideas import routes as _ideas_routes  # noqa: F401
    from app.meetings import bp as meetings_bp
    from app.meetings import hall_routes as _meetings_hall_routes  # noqa: F401
    from app.meetings import routes as _meetings_routes  # noqa: F401
    from app.microprojects import bp as microprojects_bp
    from app.microprojects import routes as _microprojects_routes  # noqa: F401
    from app.needs import bp as needs_bp
    from app.needs import guidance_routes as _needs_guidance_routes  # noqa: F401
    from app.needs import office_routes as _needs_office_routes  # noqa: F401
    from app.needs import routes as _needs_routes  # noqa: F401
    from app.needs import screening_routes as _needs_screening_routes  # noqa: F401
    from app.neighbours import bp as neighbours_bp
    from app.neighbours import group_routes as _neighbours_group_routes  # noqa: F401
    from app.neighbours import routes as _neighbours_routes  # noqa: F401
    from app.notices import bp as notices_bp
    from app.notices import routes as _notices_routes  # noqa: F401
    from app.notifications import bp as notifications_bp
    from app.notifications import routes as _notifications_routes  # noqa: F401
    from app.notifications.sockets import NotificationsNamespace
    from app.objections import bp as objections_bp
    from app.objections import routes as _objections_routes  # noqa: F401
    from app.orgs import bp as orgs_bp
    from app.procedure import bp as procedure_bp
    from app.procedure import routes as _procedure_routes  # noqa: F401
    from app.procurement import bp as procurement_bp
    from app.rulebook import bp as rulebook_bp
    from app.rulebook import routes as _rulebook_routes  # noqa: F401
    from app.satisfaction import bp as satisfaction_bp
    from app.satisfaction import notices as _satisfaction_notices  # noqa: F401  (its kind, reminder and close)
    from app.satisfaction import routes as _satisfaction_routes  # noqa: F401
    from app.satisfaction import street_routes as _satisfaction_street_routes  # noqa: F401
    from app.search import bp as search_bp
    from app.search import index as search_index
    from app.search import routes as _search_routes  # noqa: F401
    from app.slow import bp as slow_bp
    from app.slow import notices as _slow_notices  # noqa: F401  (its reminder and the close, on the tick)
    from app.slow import routes as _slow_routes  # noqa: F401
    from app.slow.sockets import SlowNamespace
    from app.surveys import bp as surveys_bp
    from app.surveys import routes as _surveys_routes  # noqa: F401
    from app.surveys import ticks as _surveys_ticks  # noqa: F401  (closing at closes_at, on the tick)
    from app.voting import bp as voting_bp
    from app.voting import routes as _voting_routes  # noqa: F401
    from app.workitems import bp as workitems_bp
    from app.workitems import objection_routes as _workitems_objection_routes  # noqa: F401
    from app.workitems import request_routes as _workitems_request_routes  # noqa: F401
    from app.workitems import routes as _workitems_routes  # noqa: F401

    register_request_ids(app)  # first: every later hook's log lines carry the request id
    register_input_guards(app)
    register_metrics(app)
    app.register_blueprint(core_bp)
    if not issubclass(config_class, ProductionConfig):  # /dev/sms: the development SMS backend's messages
        from app.core.dev import bp as dev_bp

        app.register_blueprint(dev_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(communities_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(consultations_bp)
    app.register_blueprint(procedure_bp)
    app.register_blueprint(rulebook_bp)
    app.register_blueprint(ideas_bp)
    app.register_blueprint(microprojects_bp)
    app.register_blueprint(voting_bp)
    app.register_blueprint(search_bp)
    search_index.listen()  # the search index follows every flush
    app.register_blueprint(contests_bp)
    app.register_blueprint(decisions_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(objections_bp)
    app.register_blueprint(notices_bp)
    app.register_blueprint(neighbours_bp)
    app.register_blueprint(needs_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(slow_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(satisfaction_bp)
    app.register_blueprint(procurement_bp)
    app.register_blueprint(orgs_bp)
    app.register_blueprint(workitems_bp)
    app.register_blueprint(flows_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(dashboards_bp)
    app.register_blueprint(assessment_bp)

    from app.extensions import socketio

    socketio.on_namespace(DefaultNamespace("/"))
    socketio.on_namespace(NotificationsNamespace("/notifications"))
    socketio.on_namespace(ConsultationsNamespace("/consultations"))
    socketio.on_namespace(ContestsNamespace("/contests"))
    socketio.on_namespace(SlowNamespace("/slow"))

    register_error_handlers(app)
    register_realtime_status(app)
    register_security_headers(app)
    register_template_helpers(app)
    cli.register(app)
    return app


def _resolve_redis_names(app: Flask) -> None:
    """The Socket.IO channel and the rate-limit key prefix follow REDIS_PREFIX unless set on their own."""
    prefix = app.config.get("REDIS_PREFIX") or "yishi"
    app.config["REDIS_PREFIX"] = prefix
    app.config["SOCKETIO_CHANNEL"] = app.config.get("SOCKETIO_CHANNEL") or f"{prefix}:socketio"
    app.config["RATELIMIT_KEY_PREFIX"] = app.config.get("RATELIMIT_KEY_PREFIX") or prefix


def _secret_key(app: Flask, config_class: type[Config]) -> None:
    """SECRET_KEY from the environment; in development, unset, the one kept under instance/ (made on first run).

    Production has been checked already (ProductionConfig.check refuses a missing or short key); the tests
    bring their own.
    """
    if app.config.get("SECRET_KEY"):
        return
    if os.environ.get("SECRET_KEY"):  # set after config.py was imported (a test, a CLI wrapper)
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
        return
    if issubclass(config_class, ProductionConfig) or app.testing:
        raise RuntimeError("SECRET_KEY is not set")
    app.config["SECRET_KEY"] = development_secret_key(Path(app.instance_path))


def _instance_dir():
    from config import INSTANCE_DIR

    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return INSTANCE_DIR


def _init_extensions(app: Flask) -> None:
    from app.accounts import sessions
    from app.core import socket_json
    from app.core.i18n import select_locale
    from app.core.realtime import REDIS_TIMEOUTS, client_manager
    from app.core.static_assets import register_static_assets
    from app.extensions import babel, compress, csrf, db, limiter, login_manager, migrate, socketio

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        # keys "<REDIS_PREFIX>:limits:<RATELIMIT_KEY_PREFIX>/...": the whole key space of a site starts with its prefix
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {**REDIS_TIMEOUTS, "key_prefix": f"{app.config['REDIS_PREFIX']}:limits"}
        )
    # `limiter` outlives an app and keeps the first key prefix it was given: each app brings its own
    limiter._key_prefix = ""
    limiter.init_app(app)
    register_static_assets(app)  # first: it sets Flask-Compress's cache for static files
    compress.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"

    # the "user id" in the cookies is the token of one login, looked up on every request and socket event
    login_manager.user_loader(sessions.load_user)

    manager = client_manager(app)  # Redis (REDIS_URL) shares rooms between processes
    # inside Flask-SocketIO's middleware: the HTTP requests in flight, which socket events that can wait let by
    app.wsgi_app = PagesInFlight(app.wsgi_app)
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        cors_allowed_origins=app.config["SOCKETIO_ALLOWED_ORIGINS"],
        client_manager=manager,  # always passed: `socketio` outlives an app, and None means in-process
        json=socket_json,  # the standard module, writing what is kept encoded (a room's join answer) as it is
        # logger and engineio_logger stay off: connections are logged by the server
    )
    from app.core.metrics import count_emits

    count_emits(socketio.server)
    hops = app.config["PROXY_HOPS"]
    if hops:  # outermost, so socket connections see the phone's address too
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


SQLITE_BUSY_TIMEOUT_MS = 15_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Per SQLite connection: foreign keys enforced (only when asked); concurrent writers wait their turn.

    WAL lets readers go on while one process writes; the busy timeout makes a writer that finds the
    database locked wait up to 15 s for it instead of failing at once with "database is locked". (An
    in-memory database keeps its own journal mode: the pragma answers "memory" and changes nothing.)
    """
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_in_a_transaction(connection, name) -> None:
    """SQLite's driver begins a transaction only before a write, so a savepoint taken before any write would
    start a transaction of its own, and releasing it would commit: the edge's rollback would then leave the
    savepoint's rows behind. Begin the transaction first, so the savepoint nests in it, as on PostgreSQL.

    IMMEDIATE: a savepoint is taken to write (an idempotent insert). A deferred BEGIN would read first and
    ask for the write lock at the insert; SQLite refuses that upgrade at once with "database is locked" when
    another connection wrote in between (its busy timeout does not apply to an upgrade, and in WAL mode the
    reader's snapshot is stale). Taking the write lock at BEGIN waits, under the busy timeout, instead."""
    dbapi_connection = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite" and not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
