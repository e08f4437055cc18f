"""Proposal contests: helpers shared by the contest tests (the fixtures live in each module)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from app.communities import access
from app.communities.models import Community, Role
from app.contests import services
from app.contests.models import BallotUnit, Phase
from app.core.models import utcnow
from app.extensions import db
from app.flows import contests as flows
from app.voting.models import CertifierRole
from tests import factories

DAY = timedelta(days=1)


def viewer(user, thing):
    """How `user` stands in the community of `thing` (a community, or anything with a community_id): the
    actor the use cases take."""
    community = thing if isinstance(thing, Community) else access.community_by_id(thing.community_id)
    return access.viewer(user, community)


def second_staff(world):
    """A second community-staff member (counter and scrutineer must be two people); kept out of
    world.users so the role matrices still cover exactly the world."""
    from app.accounts.models import User

    user = db.session.scalar(select(User).where(User.name == "二号工作人员"))
    if user is None:
        user = factories.user(name="二号工作人员")
        factories.membership(user, world.community, Role.COMMUNITY_STAFF)
        db.session.commit()
    return user


def make_contest(world, *, k=2, winners=2, unit=BallotUnit.RESIDENT, secret=True, community=None, creator="staff"):
    now = utcnow()
    return services.create(
        viewer(world.users[creator], community or world.community),
        client_id=uuid.uuid4().hex,
        title=f"2027年幸福提案大赛 {uuid.uuid4().hex[:4]}",
        description="征集社区微更新提案。",
        max_choices=k,
        winner_count=winners,
        ballot_unit=unit.value,
        secret=secret,
        fund_year=now.year,
        submission_ends=now + 10 * DAY,
        screening_ends=now + 20 * DAY,
        voting_ends=now + 30 * DAY,
        announced_ends=now + 40 * DAY,
    )


def make_entry(world, contest, key="resident", *, budget_fen=350_000, title=None, idea_id=None):
    return flows.submit_entry(
        viewer(world.users[key], contest),
        contest,
        client_id=uuid.uuid4().hex,
        title=title or f"楼道加装扶手 {uuid.uuid4().hex[:4]}",
        summary="1栋楼道台阶陡，老人上下不方便，建议加装扶手。",
        budget_fen=budget_fen,
        idea_id=idea_id,
    )


def contest_in(world, phase: Phase, *, entries=3, ineligible=0, votes=(), **kw):
    """A contest moved through the service to `phase`: entries by resident, owner, leader_b; the last
    `ineligible` of them screened out; `votes` = [(user key, [entry index, ...])] cast while voting."""
    contest = make_contest(world, **kw)
    authors = ["resident", "owner", "leader_b", "resident_rep", "group_leader"]
    made = [make_entry(world, contest, authors[i % len(authors)], budget_fen=100_000 * (i + 1)) for i in range(entries)]
    if phase == Phase.SUBMISSION:
        return contest, made
    staff = world.users["staff"]
    services.advance(viewer(staff, contest), contest, Phase.SCREENING)
    if phase == Phase.SCREENING:
        return contest, made
    for i, entry in enumerate(made):
        services.screen(
            viewer(world.users["expert"], entry),
            entry,
            eligible=i < entries - ineligible,
            reason="符合征集要求" if i < entries - ineligible else "超出社区范围",
        )
    services.advance(viewer(staff, contest), contest, Phase.VOTING)
    for key, picks in votes:
        services.vote(viewer(world.users[key], contest), contest, [made[i].id for i in picks])
    if phase == Phase.VOTING:
        return contest, made
    services.advance(viewer(staff, contest), contest, Phase.COUNTING)
    if phase == Phase.COUNTING:
        return contest, made
    services.certify(viewer(staff, contest), contest, CertifierRole.COUNTER)
    services.certify(viewer(second_staff(world), contest), contest, CertifierRole.SCRUTINEER)
    if phase == Phase.ANNOUNCED:
        return contest, made
    services.sync(contest, now=contest.announced_ends + timedelta(seconds=1))
    assert contest.phase == Phase.CLOSED
    return contest, made


def logged_in(app, user, language: str = "en"):
    """A test client whose session is logged in as `user` (None: anonymous), asking for `language`."""
    http = app.test_client()
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    if user is not None:
        with http.session_transaction() as session:
            session["_user_id"] = factories.login_token(user)
            session["_fresh"] = True
    return http


def count(model, **filters) -> int:
    query = select(func.count()).select_from(model)
    for name, value in filters.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)
