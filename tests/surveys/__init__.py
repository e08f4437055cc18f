"""The survey engine's tests: helpers shared by the modules."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from app.communities import access
from app.extensions import db
from app.surveys import services
from tests import factories


def viewer(world, key: str, community=None):
    return access.viewer(world.users[key], community or world.community)


def answer(world, key, survey, **kw):
    """world.users[key] answers through the service, committed as the edge would."""
    client_id = kw.pop("client_id", None) or uuid.uuid4().hex
    done = services.answer(
        viewer(world, key), survey, client_id=client_id, answers=factories.survey_answers(survey, **kw)
    )
    db.session.commit()
    return done


def count(model, **filters) -> int:
    query = select(func.count()).select_from(model)
    for name, value in filters.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def logged_in(app, user, language: str = "en"):
    """A test client logged in as `user` (None: a visitor), asking for `language`."""
    http = app.test_client()
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    if user is not None:
        with http.session_transaction() as session:
            session["_user_id"] = factories.login_token(user)
            session["_fresh"] = True
    return http


def as_form(data: dict) -> list[tuple[str, str]]:
    """Answer fields as the browser posts them (a key repeated for several options)."""
    return [(key, value) for key, values in data.items() for value in values]
