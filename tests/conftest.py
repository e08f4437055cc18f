"""Shared fixtures: app, client, auth, socket clients and a small two-community world."""

from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from flask import Flask, g
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from werkzeug.routing import Rule

from app import create_app
from app.communities.models import MembershipStatus, OfficeRole, Role
from app.extensions import db as _db
from app.extensions import socketio
from config import TestingConfig
from tests import factories


def _compile_url_builders_once() -> None:
    """Compile each URL rule's builder once per test process instead of once per application.

    Werkzeug compiles a Python function (ast, compile) per rule, twice, whenever an application
    registers its routes: most of what `create_app` costs, paid again by every test. The function
    depends only on the rule's text, parsed parts and defaults (it reaches the converters through
    the rule it is bound to), so applications with the same routes can share it.
    """
    compile_builder = Rule._compile_builder
    compiled: dict = {}

    def shared_builder(self, append_unknown=True):
        defaults = tuple((k, repr(v)) for k, v in (self.defaults or {}).items())
        key = (type(self), self.rule, self.subdomain, self.host, tuple(self._trace), defaults, append_unknown)
        builder = compiled.get(key)
        if builder is None:
            builder = compiled[key] = compile_builder(self, append_unknown)
        return builder

    Rule._compile_builder = shared_builder


_compile_url_builders_once()


class _SharedTemplateCode(BytecodeCache):
    """Compiled templates, kept in memory for every application of the test process.

    Each application has a Jinja environment of its own, which compiled every template it rendered
    afresh: a quarter of the time of tests that render pages. Jinja's bytecode cache (the one meant
    for sharing between processes) hands the code to the next application; a template whose source
    changed is compiled again.
    """

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = bucket.bytecode_to_string()


Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _SharedTemplateCode()}


@contextmanager
def running_app(stash_dir, **settings):
    """An application on a fresh in-memory database, its app context pushed for the test body.

    `settings` override TestingConfig (e.g. RATELIMIT_ENABLED=True).
    """
    defaults = {"ROSTER_STASH_DIR": str(stash_dir), "UPLOAD_DIR": str(stash_dir / "uploads")}
    config = type("Config", (TestingConfig,), {**defaults, **settings})
    application = create_app(config)

    @application.teardown_request
    def _forget_request_state(exc):
        # The test body holds one app context, which requests reuse: clear what
        # Flask-Login and Flask-Babel cache on `g` so each request stands alone.
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)

    with application.app_context():
        in_memory = _create_tables()
        yield application
        _db.session.remove()
        if in_memory:  # the database goes with its one connection
            for engine in _db.engines.values():
                engine.dispose()
        else:
            _db.drop_all()


_schema_template: sqlite3.Connection | None = None  # this process's empty in-memory database


def _create_tables() -> bool:
    """`db.create_all()`; on in-memory SQLite, a copy of the one this process built first. True if in memory.

    Building the tables of every model took longer than most tests; copying an empty database
    (SQLite's backup API, tables, indexes and constraints alike) takes a millisecond.
    """
    global _schema_template
    engine = _db.engine
    if engine.url.get_backend_name() != "sqlite" or engine.url.database not in (None, "", ":memory:"):
        _db.create_all()
        return False
    first = _schema_template is None
    if first:
        _db.create_all()
    raw = engine.raw_connection()  # in-memory SQLite: the pool's one connection is the database
    try:
        if first:
            _schema_template = sqlite3.connect(":memory:", check_same_thread=False)
            raw.driver_connection.backup(_schema_template)
        else:
            _schema_template.backup(raw.driver_connection)
    finally:
        raw.close()
    return True


@pytest.fixture
def app(tmp_path):
    """A fresh application on an in-memory SQLite database."""
    with running_app(tmp_path / "imports") as application:
        yield application


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    """A test client that asks for English, so tests can assert the English msgids.

    The site is Chinese first: a test that wants Chinese sends
    `Accept-Language: zh-CN` itself (or logs in a user whose locale is zh_CN).
    """
    test_client = app.test_client()
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_phone, password: str = factories.PASSWORD):
        phone = getattr(user_or_phone, "phone", user_or_phone)
        return self.client.post("/account/login", data={"phone": phone, "password": password})

    def logout(self):
        return self.client.post("/account/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def socket_client(app, client):
    """Make Socket.IO test clients sharing the HTTP client's session cookie."""
    made = []

    def make(namespace: str = "/notifications", flask_client=None, **kwargs):
        sc = socketio.test_client(app, namespace=namespace, flask_test_client=flask_client or client, **kwargs)
        made.append(sc)
        return sc

    yield make
    for sc in made:
        for namespace, connected in list(sc.connected.items()):
            if connected:
                sc.disconnect(namespace)


@dataclass
class World:
    """Two communities in one street (plus one in another street) and a member for every role."""

    community: object
    other: object
    far: object
    building_a: object
    building_b: object
    households: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    memberships: dict = field(default_factory=dict)


@pytest.fixture
def world(app):
    f = factories
    district = f.district("雨花台区")
    street = f.street(district, "梅山街道")
    far_street = f.street(district, "雨花街道")
    community = f.community(street, "翠竹园社区", "cuizhuyuan")
    other = f.community(street, "南塘社区", "nantang")
    far = f.community(far_street, "远方社区", "far")
    building_a = f.building(community, "1栋")
    building_b = f.building(community, "2栋")
    w = World(community, other, far, building_a, building_b)
    w.households["a101"] = f.household(building_a, "1", "101", owners=[("张建国", "13900000001")])
    w.households["a102"] = f.household(building_a, "1", "102", owners=[("李秀英", "13900000002")])
    w.households["b101"] = f.household(building_b, "1", "101", owners=[("王志强", "13900000003")])
    other_building = f.building(other, "1栋")
    w.households["other101"] = f.household(other_building, "1", "101")

    def member(key, *roles, status=MembershipStatus.VERIFIED, household=None, led=None, community_=None):
        u = f.user(name=key)
        w.users[key] = u
        w.memberships[key] = f.membership(
            u, community_ or community, *roles, status=status, household_=household, led_building=led
        )
        return u

    member("resident", Role.RESIDENT, household=w.households["a101"])
    member("owner", Role.RESIDENT, Role.OWNER, household=w.households["a102"])
    member("leader_a", Role.RESIDENT, Role.BUILDING_LEADER, household=w.households["a101"], led=building_a)
    member("leader_b", Role.RESIDENT, Role.BUILDING_LEADER, household=w.households["b101"], led=building_b)
    member("group_leader", Role.RESIDENT, Role.GROUP_LEADER, household=w.households["a101"])
    member("resident_rep", Role.RESIDENT, Role.RESIDENT_REP, household=w.households["b101"])
    member("property_manager", Role.PROPERTY_MANAGER)
    member("owners_committee", Role.RESIDENT, Role.OWNERS_COMMITTEE, household=w.households["b101"])
    member("staff", Role.COMMUNITY_STAFF)
    member("social_org", Role.SOCIAL_ORG)
    member("expert", Role.EXPERT)
    member("other_staff", Role.COMMUNITY_STAFF, community_=other)
    member("other_resident", Role.RESIDENT, household=w.households["other101"], community_=other)
    # Pending applicants, one per building of the community.
    member("pending_a", status=MembershipStatus.PENDING, household=w.households["a102"])
    member("pending_b", status=MembershipStatus.PENDING, household=w.households["b101"])
    member("unverified", status=MembershipStatus.PENDING, household=w.households["a101"])
    # Street and district staff hold no membership; they oversee.
    w.users["street_staff"] = f.user(name="street_staff")
    f.office(w.users["street_staff"], OfficeRole.STREET_STAFF, street_=street)
    w.users["district_staff"] = f.user(name="district_staff")
    f.office(w.users["district_staff"], OfficeRole.DISTRICT_STAFF, district_=district)
    w.users["outsider"] = f.user(name="outsider")
    _db.session.commit()
    return w


# Under pytest-xdist (`make test`) a file's tests run in one worker, and the files whose tests start
# servers (eventlet, gevent, Redis) and hold thousands of connections run one after another in one
# worker, so they do not fight each other for the cores. They and the other slow files are handed
# out first; the quick files fill the workers' time around them. tests/serving/test_operations.py
# starts servers too, but mostly waits (an outage, a presence expiring): it is a unit of its own, so
# its waiting overlaps the other servers' work instead of lengthening the longest worker.
ONE_AT_A_TIME = ("tests/serving/", "tests/bench/", "tests/services/test_redis_queue.py")
ON_ITS_OWN = ("tests/serving/test_operations.py",)
SLOW_FIRST = (
    *ONE_AT_A_TIME,
    "tests/deploy/",
    "tests/services/",
    "tests/browser/",
    "tests/test_migrations.py",
    "tests/core/test_bad_input_sweep.py",  # every route, form and socket event, on SQLite and PostgreSQL
)


def pytest_xdist_make_scheduler(config, log):
    """Work units of pytest-xdist: a file, or all of ONE_AT_A_TIME, in collection order (slow first)."""
    from xdist.scheduler import LoadScopeScheduling

    class FilesAndServers(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "servers" if path.startswith(ONE_AT_A_TIME) and not path.startswith(ON_ITS_OWN) else path

    config.option.loadscopereorder = False  # keep the order pytest_collection_modifyitems gave
    return FilesAndServers(config, log)


def pytest_collection_modifyitems(config, items):
    """Service-backed tests skip, with the reason, when their URL is not set; under xdist, slow first."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = str(config.rootpath)

        def slow_first(item) -> int:
            path = os.path.relpath(str(item.path), root).replace(os.sep, "/")
            return 0 if path.startswith(SLOW_FIRST) else 1

        items.sort(key=slow_first)  # stable: the order within each part stays
    needs = {
        "postgres": ("TEST_DATABASE_URL", "set TEST_DATABASE_URL to run PostgreSQL tests"),
        "redis": ("TEST_REDIS_URL", "set TEST_REDIS_URL to run Redis tests"),
        "browser": ("TEST_BROWSER", "set TEST_BROWSER=1 (and install chromium) to run browser tests"),
    }
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    for item in items:
        for marker, (variable, reason) in needs.items():
            if item.get_closest_marker(marker) and not os.environ.get(variable):
                if in_ci:  # CI runs every test: a service it forgot is an error, not a skip
                    raise pytest.UsageError(f"CI is set but {variable} is not: {reason}")
                item.add_marker(pytest.mark.skip(reason=reason))


# -- PostgreSQL: a database per xdist worker ---------------------------------------------------------

_worker_databases: dict[str, str] = {}  # TEST_DATABASE_URL -> this worker's database URL


def worker_database_url(url: str) -> str:
    """TEST_DATABASE_URL for this process: under pytest-xdist, a database of the worker's own.

    Worker gw0 of a run against `.../test` works in `.../test_gw0`, made afresh (dropped first
    if a killed run left it) through the server's `postgres` database on first use, and dropped
    when the worker ends. Without xdist the URL is used as it is. Unreachable is a failure.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    if url in _worker_databases:
        return _worker_databases[url]
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    _maintenance(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    _worker_databases[url] = parsed.set(database=name).render_as_string(hide_password=False)
    return _worker_databases[url]


def _maintenance(url: str, *statements: str) -> None:
    """Run statements (outside a transaction) in the `postgres` database of the server at `url`."""
    engine = create_engine(
        make_url(url).set(database="postgres"),
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 5},
    )
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    except OperationalError as err:
        safe = make_url(url).render_as_string(hide_password=True)
        pytest.fail(f"PostgreSQL at {safe} (TEST_DATABASE_URL) is unreachable: {err.orig}", pytrace=False)
    finally:
        engine.dispose()


def pytest_sessionfinish(session, exitstatus):
    """Drop the worker's database; the next run would drop it first anyway."""
    while _worker_databases:
        url, worker_url = _worker_databases.popitem()
        try:
            _maintenance(url, f'DROP DATABASE IF EXISTS "{make_url(worker_url).database}" WITH (FORCE)')
        except pytest.fail.Exception as err:
            print(f"could not drop the worker's database: {err}", file=sys.stderr)
