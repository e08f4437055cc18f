"""core.web.handle_refusal: how every view answers a service's DomainError."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from sqlalchemy import func, select
from wtforms import Form, StringField

from app.accounts.models import User
from app.core.errors import Conflict, DomainError, Forbidden, NotFound
from app.core.web import handle_refusal
from tests import factories


class TitleForm(Form):
    title = StringField()


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def refused(err, form=None, **kwargs):
    """As a view calls it: inside `except DomainError as err:`."""
    try:
        raise err
    except DomainError as caught:
        return handle_refusal(caught, form, **kwargs)


def flashed():
    return get_flashed_messages(with_categories=True)


def user_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_an_error_naming_a_field_goes_next_to_it(request_ctx):
    form = TitleForm()
    status = refused(DomainError("too_long", "The title is too long.", field="title"), form)
    assert status == 400
    assert form.title.errors == ["The title is too long."]
    assert flashed() == []


def test_an_error_joins_the_errors_already_on_the_field(request_ctx):
    form = TitleForm()
    form.title.errors = ["Required."]
    refused(DomainError("taken", "That title is taken.", field="title"), form)
    assert form.title.errors == ["Required.", "That title is taken."]


@pytest.mark.parametrize("field", [None, "no_such_field"])
def test_an_error_without_a_field_on_the_form_is_flashed(request_ctx, field):
    form = TitleForm()
    refused(DomainError("wrong_phase", "Voting has closed.", field=field, status=409), form)
    assert flashed() == [("error", "Voting has closed.")]
    assert not form.title.errors


def test_without_a_form_the_error_is_flashed_even_if_it_names_a_field(request_ctx):
    assert refused(DomainError("bad_request", "Choose a phase.", field="to")) == 400
    assert flashed() == [("error", "Choose a phase.")]


def test_the_status_to_answer_with_is_the_errors(request_ctx):
    assert refused(Conflict("taken", "Already done."), TitleForm()) == 409
    assert refused(DomainError("too_large", "Too large.", status=413)) == 413


@pytest.mark.parametrize("err", [Forbidden(), NotFound()], ids=["403", "404"])
def test_forbidden_and_not_found_are_raised_again_for_the_error_page(request_ctx, db, err):
    factories.user()
    form = TitleForm()
    with pytest.raises(DomainError) as raised:
        refused(err, form)
    assert raised.value is err
    assert flashed() == [] and not form.title.errors
    assert user_count(db) == 0  # rolled back before it went on


def test_a_view_may_show_a_forbidden_refusal_instead(request_ctx):
    not_verified = Forbidden("Wait for the staff to verify you.", code="not_verified")
    assert refused(not_verified, reraise=()) == 403
    assert flashed() == [("error", "Wait for the staff to verify you.")]


def test_what_the_failed_call_wrote_is_rolled_back(request_ctx, db):
    kept = factories.user(name="kept")
    db.session.commit()
    half_written = factories.user(name="half-written")  # added and flushed, not committed
    assert user_count(db) == 2
    refused(DomainError("bad_request", "No."), TitleForm())
    assert user_count(db) == 1
    assert half_written not in db.session
    assert db.session.get(User, kept.id).name == "kept"
