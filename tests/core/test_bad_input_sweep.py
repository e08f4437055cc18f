"""Bad input is never a 500: the sweep of tests/core/bad_input.py over every route, form and socket event, on
SQLite and on PostgreSQL. Each test prints its totals (requests sent, 500s found): run with -s to read them."""

from __future__ import annotations

import pytest

from app import demo
from app.extensions import db
from tests.core import bad_input
from tests.services.conftest import pg_app, pg_schema, pg_url  # noqa: F401  (fixtures)


def _demo(app) -> bad_input.Sweep:
    demo.load("demo-password-1")
    db.session.commit()
    return bad_input.Sweep(app)


def _check(sweep: bad_input.Sweep, label: str, record) -> None:
    print(f"\n[{label}] {sweep.totals()}")
    record(label, sweep.totals())
    assert not sweep.server_errors, sweep.report()
    assert not sweep.writes, sweep.report()


def _sweep_http(app, label, record):
    sweep = _demo(app)
    real = bad_input.real_arguments()
    bad_input.sweep_routes(sweep, real)
    forms = bad_input.sweep_forms(sweep, real)
    assert forms >= 30, forms  # the pages were reached with real ids, and their forms found
    _check(sweep, f"{label}: routes and forms ({forms} forms)", record)
    return sweep


def _sweep_sockets(app, label, record):
    sweep = _demo(app)
    events = bad_input.sweep_sockets(sweep)
    assert events >= 15, events
    _check(sweep, f"{label}: socket events ({events} events)", record)


def test_routes_and_forms_sqlite(app, record_property):
    _sweep_http(app, "sqlite", record_property)
    assert bad_input.stored_nuls() == []


def test_socket_events_sqlite(app, record_property):
    _sweep_sockets(app, "sqlite", record_property)
    assert bad_input.stored_nuls() == []


@pytest.mark.postgres
def test_routes_and_forms_postgres(pg_app, record_property):  # noqa: F811
    _sweep_http(pg_app, "postgresql", record_property)


@pytest.mark.postgres
def test_socket_events_postgres(pg_app, record_property):  # noqa: F811
    _sweep_sockets(pg_app, "postgresql", record_property)
