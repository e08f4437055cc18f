"""Participation: members verified, households taking part in consultations, votes in owners' decisions and
contests, and the turnout of each decision's vote."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from app.communities.models import Community, Membership, MembershipStatus
from app.consultations.models import Attendance, Consultation
from app.dashboards.period import Period
from app.dashboards.registry import COUNT, SHARE, Detail, Figure, Scope, SectionData, section
from app.dashboards.sections.common import distinct_at_levels
from app.dashboards.sql import bucket, within
from app.decisions.models import Decision
from app.extensions import db
from app.voting.models import Participation, Poll


def _members_link(community, _period):
    return url_for("communities.members", slug=community.slug, status=MembershipStatus.VERIFIED.value)


def _consultations_link(community, _period):
    return url_for("consultations.index", slug=community.slug)


def _decisions_link(community, _period):
    return url_for("decisions.index", slug=community.slug)


def _contests_link(community, _period):
    return url_for("contests.index", slug=community.slug)


def _verified(scope: Scope, period: Period) -> Figure:
    figure = Figure("members_verified", _("Members verified"), COUNT, _members_link)
    when = func.coalesce(Membership.reviewed_at, Membership.created_at)
    b = bucket(when, period)
    rows = db.session.execute(
        select(Membership.community_id, b, func.count(), 0)
        .where(
            Membership.community_id.in_(scope.community_ids),
            Membership.status == MembershipStatus.VERIFIED,
            within(when, period),
        )
        .group_by(Membership.community_id, b)
    )
    figure.add_rows(scope, rows)
    return figure


def _households_taking_part(scope: Scope, period: Period) -> Figure:
    figure = Figure("household_share", _("Households taking part in consultations"), SHARE, _consultations_link)
    base = (
        select(
            Consultation.community_id.label("cid"),
            Community.street_id.label("sid"),
            bucket(Attendance.first_seen_at, period).label("b"),
            Membership.household_id.label("v"),
        )
        .select_from(Attendance)
        .join(Consultation, Attendance.consultation_id == Consultation.id)
        .join(Community, Consultation.community_id == Community.id)
        .join(
            Membership,
            and_(Membership.user_id == Attendance.user_id, Membership.community_id == Consultation.community_id),
        )
        .where(
            Consultation.community_id.in_(scope.community_ids),
            Membership.household_id.is_not(None),
            within(Attendance.first_seen_at, period),
        )
        .subquery()
    )
    distinct_at_levels(figure, scope, base)
    figure.divide_by_households(scope, period.buckets())
    return figure


def _votes(scope: Scope, period: Period, poll_type: str, figure: Figure) -> Figure:
    """The participations counted per poll first (its primary key's range: no row read twice), then bucketed by
    the polls' opening: a few hundred polls to bucket, not every vote."""
    polls = select(Poll.subject_id).where(
        Poll.poll_type == poll_type, Poll.community_id.in_(scope.community_ids), within(Poll.opened_at, period)
    )
    per_poll = (
        select(Participation.poll_id.label("poll_id"), func.count().label("n"))
        .where(Participation.poll_type == poll_type, Participation.poll_id.in_(polls))
        .group_by(Participation.poll_id)
        .subquery()
    )
    b = bucket(Poll.opened_at, period)
    rows = db.session.execute(
        select(Poll.community_id, b, func.sum(per_poll.c.n), 0)
        .select_from(per_poll)
        .join(Poll, and_(Poll.poll_type == poll_type, Poll.subject_id == per_poll.c.poll_id))
        .group_by(Poll.community_id, b)
    )
    figure.add_rows(scope, rows)
    return figure


def _turnout(scope: Scope, period: Period) -> tuple[Figure, Detail]:
    """Votes over the heads on the frozen roll, of the decisions whose voting opened in the period; and each one."""
    figure = Figure("decision_turnout", _("Turnout of owners' decisions"), SHARE, _decisions_link)
    in_scope = (Decision.community_id.in_(scope.community_ids), within(Decision.opened_at, period))
    voted = (  # the votes of those decisions only, not of every decision ever held
        select(Participation.poll_id.label("decision_id"), func.count().label("votes"))
        .join(Decision, Decision.id == Participation.poll_id)
        .where(Participation.poll_type == "decision", *in_scope)
        .group_by(Participation.poll_id)
        .subquery()
    )
    query = (
        select(
            Decision.id,
            Decision.community_id,
            Decision.title,
            bucket(Decision.opened_at, period),
            Decision.roll_heads,
            func.coalesce(voted.c.votes, 0),
        )
        .outerjoin(voted, voted.c.decision_id == Decision.id)
        .where(*in_scope)
        .order_by(Decision.opened_at, Decision.id)
    )
    names = {c.id: c.name for c in scope.communities}
    detail = Detail(
        _("Turnout of each owners' decision"),
        [_("Community"), _("Owners' decision"), _("Voted"), _("On the roll"), _("Share voted")],
        [],
    )
    rows = []
    for decision_id, community_id, title, when, heads, count in db.session.execute(query):
        rows.append((community_id, when, count, heads))
        share = f"{count * 1000 // heads / 10:.1f}%" if heads else "—"
        url = url_for("decisions.show", decision_id=decision_id)
        detail.rows.append(
            [(names[community_id], None), (title, url), (str(count), None), (str(heads), None), (share, None)]
        )
    figure.add_rows(scope, rows)
    return figure, detail


@section("participation", _l("Participation"), 10)
def build(scope: Scope, period: Period) -> SectionData:
    decision_votes = _votes(
        scope, period, "decision", Figure("decision_votes", _("Votes in owners' decisions"), COUNT, _decisions_link)
    )
    contest_votes = _votes(
        scope, period, "contest", Figure("contest_votes", _("Votes in contests"), COUNT, _contests_link)
    )
    turnout, each = _turnout(scope, period)
    figures = [_verified(scope, period), _households_taking_part(scope, period), decision_votes, contest_votes, turnout]
    return SectionData(figures, [each])
