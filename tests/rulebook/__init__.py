"""The community's rules: helpers shared by the rulebook tests."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from app.communities import access
from app.core.models import utcnow
from app.extensions import db
from app.procedure.shipped import ensure_shipped
from app.rulebook import services
from app.rulebook.models import DraftState
from tests import factories

DAY = timedelta(days=1)
RESIDENTS = ["resident", "owner", "leader_a", "leader_b", "group_leader", "resident_rep", "owners_committee"]


def viewer(world, key, community=None):
    return access.viewer(world.users[key], community or world.community)


def make_draft(world, *, name="翠竹园社区议事规则", source=None, community=None, staff="staff"):
    source = source or ensure_shipped()[0]
    return services.create(
        viewer(world, staff, community),
        client_id=uuid.uuid4().hex,
        source_id=source.id,
        name=name,
        explanation="根据居民意见调整发言时长。",
    )


def draft_in(world, state: DraftState, *, votes=(), name="翠竹园社区议事规则", change=True):
    """A draft moved through the services to `state`; `votes` = [(key, choice)] cast while voting. Returns
    (draft, now): the moment the next step may happen at."""
    draft = make_draft(world, name=name)
    staff = viewer(world, "staff")
    if change:
        values = {"max_speech_chars": 300, "quorum_num": 1, "quorum_den": 3}
        text = draft.rule_set.text + "\n14. 每次议事会前三天公布议题。"
        services.update(staff, draft, values, name=name, text=text, explanation=draft.explanation)
    now = utcnow()
    if state == DraftState.DRAFTING:
        db.session.commit()
        return draft, now
    services.open_comments(staff, draft, now + 3 * DAY, now=now)
    if state == DraftState.COMMENTING:
        db.session.commit()
        return draft, now
    now = now + 3 * DAY + timedelta(seconds=1)
    services.open_vote(staff, draft, now + 7 * DAY, now=now)
    for key, choice in votes:
        services.vote(viewer(world, key), draft, choice, now=now)
    if state == DraftState.VOTING:
        db.session.commit()
        return draft, now
    now = now + 7 * DAY + timedelta(seconds=1)
    services.sync(draft, now)
    db.session.commit()
    assert draft.state == state, draft.state
    return draft, now


def count(model, **filters) -> int:
    query = select(func.count()).select_from(model)
    for name, value in filters.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def logged_in(app, user, language: str = "en"):
    """A test client whose session is logged in as `user` (None: anonymous)."""
    http = app.test_client()
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    if user is not None:
        with http.session_transaction() as session:
            session["_user_id"] = factories.login_token(user)
            session["_fresh"] = True
    return http
