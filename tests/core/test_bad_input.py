"""Bad input never a 500, piece by piece: the URL converters, the query-string check, the base form, socket
payloads, the services' text checks, and error pages that render after the database refused a statement.

The sweep over the whole site is tests/core/test_bad_input_sweep.py.
"""

from __future__ import annotations

import importlib
import pkgutil
import uuid

import pytest
from flask import abort, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms import Form as PlainForm

import app as app_package
from app.accounts.models import User
from app.core import validation
from app.core.errors import DomainError
from app.core.forms import SiteForm
from app.extensions import db
from app.ideas.models import Idea
from tests.contests import logged_in
from tests.services.conftest import pg_app, pg_schema, pg_url  # noqa: F401  (fixtures)

CONTROL = "This field contains a character that cannot be stored (a control character). Remove it and try again."
CONTROL_ZH = "这一栏含有无法保存的字符（控制字符），请删除后再试。"


# -- every form is a SiteForm ---------------------------------------------------------------------------


def _form_classes():
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return {cls for cls in subclasses(FlaskForm) if cls.__module__.startswith("app.")}


def test_every_form_of_the_site_is_a_site_form():
    forms = _form_classes()
    assert len(forms) > 40
    assert not {f"{cls.__module__}.{cls.__name__}" for cls in forms if not issubclass(cls, SiteForm)}


# -- the base form -----------------------------------------------------------------------------------------


class Line(PlainForm):
    item = StringField()


class Sample(SiteForm):
    class Meta:
        csrf = False

    title = StringField()
    body = TextAreaField()
    count = IntegerField()
    building_id = SelectField(coerce=int, validate_choice=False)
    lines = FieldList(FormField(Line), min_entries=1)


def _plain(errors):
    if isinstance(errors, dict):
        return {k: _plain(v) for k, v in errors.items()}
    if isinstance(errors, list):
        return [_plain(v) for v in errors]
    return str(errors)


def _sample(app, **data):
    """(the form's errors as plain English text, whether it validated) for a POST of `data`."""
    with app.test_request_context(
        method="POST", data=MultiDict({"building_id": "1", **data}), headers={"Accept-Language": "en"}
    ):
        form = Sample()
        valid = form.validate()
        return _plain(form.errors), valid


def test_a_clean_form_passes(app):
    body = "第一行\n第二行\t缩进\r\n"
    errors, valid = _sample(app, title="楼道加装扶手", body=body, count="3", **{"lines-0-item": "扶手"})
    assert valid, errors


@pytest.mark.parametrize("bad", ["a\x00b", "\x01", "a\x1fb", "a\x7f", "a\x0bb", "a\x0cb"])
def test_a_control_character_is_refused_in_any_field(app, bad):
    for name in ("title", "body", "count", "building_id", "lines-0-item"):
        errors, valid = _sample(app, **{name: bad})
        assert not valid
        if name.startswith("lines"):
            assert errors["lines"] == [{"item": [CONTROL]}], errors
        else:
            assert errors[name] == [CONTROL], name  # its own message, not "not a valid integer"


def test_line_breaks_and_tabs_only_in_multi_line_text(app):
    assert _sample(app, body="一\n二\t三\r\n")[1]
    for bad in ("一\n二", "一\t二", "一\r二"):
        errors, valid = _sample(app, title=bad)
        assert not valid and errors["title"] == [CONTROL]


def test_numbers_beyond_an_integer_column_are_refused(app):
    for name, value in (("count", str(2**31)), ("building_id", str(2**63)), ("count", str(-(2**31) - 1))):
        errors, valid = _sample(app, **{name: value})
        assert not valid and errors[name] == ["This number is too large."], (name, value)
    assert _sample(app, count=str(2**31 - 1), building_id=str(-(2**31)))[1]


def test_a_refused_form_says_why_in_chinese_and_stores_nothing(app, world):
    world.users["resident"].locale = "zh_CN"
    db.session.commit()
    http = logged_in(app, world.users["resident"], "zh-CN")
    before = db.session.scalar(select(func.count()).select_from(Idea))
    page = http.post(
        f"/c/{world.community.slug}/ideas/new",
        data={"client_id": uuid.uuid4().hex, "title": "加装\x00扶手", "category": "elderly", "description": "台阶陡。"},
    )
    assert page.status_code == 400
    assert CONTROL_ZH in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Idea)) == before


# -- URLs and query strings ----------------------------------------------------------------------------


def test_ids_beyond_the_column_are_not_found(app, world):
    http = logged_in(app, world.users["resident"])
    assert http.get("/ideas/2147483647").status_code == 404  # the largest id: looked up, not there
    for bad in ("2147483648", "9223372036854775808", "99999999999999999999999999", "-1", "0", "1.5"):
        assert http.get(f"/ideas/{bad}").status_code == 404, bad
        assert http.post(f"/ideas/{bad}/endorse").status_code == 404, bad
    with app.test_request_context():
        assert url_for("ideas.show", idea_id=7) == "/ideas/7"


def test_a_control_character_in_a_path_is_not_found(app, world):
    http = logged_in(app, world.users["resident"])
    for path in ("/c/a%00b/", "/c/cuizhuyuan%01/ideas", "/join/AB%00CD", "/static/css%00/app.css"):
        assert http.get(path).status_code == 404, path
    assert http.get(f"/c/{world.community.slug}/").status_code == 200


def test_a_control_character_in_the_query_string_is_refused(app, world):
    http = logged_in(app, world.users["resident"])
    for query in ("q=a%00b", "next=%2F%00", "a%00=1", "status=%1b"):
        assert http.get(f"/c/{world.community.slug}/ideas?{query}").status_code == 400, query
    assert http.get(f"/c/{world.community.slug}/ideas?building=9223372036854775808").status_code == 200


# -- socket payloads and services ----------------------------------------------------------------------


def test_socket_payloads(app, world, socket_client):
    from app.procedure.shipped import ensure_shipped
    from tests.consultations.conftest import make_consultation

    consultation = make_consultation(world, {r.key: r for r in ensure_shipped()})
    db.session.commit()
    http = logged_in(app, world.users["resident"])
    sc = socket_client("/consultations", flask_client=http)

    def ack(payload):
        return sc.emit("join", payload, namespace="/consultations", callback=True)

    assert ack({"consultation_id": consultation.id})["ok"]
    assert ack({"consultation_id": 2**63})["error"]["code"] == "not_found"
    assert ack({"consultation_id": 2**31})["error"]["code"] == "not_found"
    assert ack({"consultation_id": -1})["error"]["code"] == "bad_request"
    for payload in (
        {"consultation_id": consultation.id, "after_id": "a\x00b"},
        {"consultation_id": consultation.id, "x\x00": 1},
        {"consultation_id": consultation.id, "nested": [{"deep": "\x01"}]},
    ):
        answer = ack(payload)
        assert answer["error"] == {"code": "control_character", "message": CONTROL}, payload
    speech = sc.emit(
        "speak",
        {"consultation_id": consultation.id, "client_id": "c1", "body": "我\x00同意"},
        namespace="/consultations",
        callback=True,
    )
    assert speech["error"]["code"] == "control_character"


def test_services_refuse_control_characters():
    with pytest.raises(DomainError) as err:
        validation.text("加装\x00扶手", field="title", low=1, high=100, message="no")
    assert err.value.code == "control_character" and err.value.field == "title"
    assert validation.text(" 第一行\n第二行 ", field="body", low=1, high=100, message="no") == "第一行\n第二行"
    with pytest.raises(DomainError):
        validation.client_id("abc\x00")
    assert validation.unstorable("\ud800")  # a lone surrogate: it cannot be encoded for the database


# -- error pages after the database refused ------------------------------------------------------------


def _failing_routes(app):
    """A flush the database refuses, then an error page; and a statement it refuses (PostgreSQL aborts the
    transaction), then a 404."""

    @app.route("/_test/flush-then-404")
    def _flush_then_404():
        db.session.add(User(phone="19900000000", name=None, password_hash="x"))  # name is NOT NULL
        try:
            db.session.flush()
        except IntegrityError:
            abort(404)  # no rollback here: the error page must cope

    @app.route("/_test/flush-then-500")
    def _flush_then_500():
        db.session.add(User(phone="19900000001", name=None, password_hash="x"))
        db.session.flush()

    @app.route("/_test/statement-then-404")
    def _statement_then_404():
        try:
            db.session.execute(text("SELECT CAST('x' AS INTEGER) / 0"))
            db.session.execute(text("SELECT no_such_column FROM users"))
        except Exception:
            abort(404)


@pytest.fixture
def failing(app):
    _failing_routes(app)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def _error_pages(application, user):
    http = logged_in(application, user)  # the page reads the user: a query on the failed transaction
    page = http.get("/_test/flush-then-404")
    assert page.status_code == 404 and "Page not found" in page.get_data(as_text=True)
    page = http.get("/_test/flush-then-500")
    assert page.status_code == 500 and "Something went wrong" in page.get_data(as_text=True)
    page = http.get("/_test/statement-then-404")
    assert page.status_code == 404 and "Page not found" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User).where(User.phone.like("1990000000_"))) == 0


def test_error_pages_render_after_a_failed_flush(failing, world):
    _error_pages(failing, world.users["resident"])


@pytest.mark.postgres
def test_error_pages_render_after_postgresql_refused(pg_app):  # noqa: F811
    from tests import factories

    _failing_routes(pg_app)
    pg_app.config["PROPAGATE_EXCEPTIONS"] = False
    user = factories.user()
    db.session.commit()
    _error_pages(pg_app, user)
