"""What the meeting use cases have in common: the checks, the window, who is in scope, the quorum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.communities.access import Viewer
from app.communities.models import Household, Membership, MembershipStatus
from app.consultations import permissions as consultation_permissions
from app.consultations.services.shared import as_member
from app.core.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.meetings import permissions
from app.meetings.models import IN_THE_HALL, Meeting, MeetingAttendance, MeetingState, Via

# The hall's sign-in opens this long before the meeting starts, and closes when it ends.
EARLY = timedelta(minutes=30)
PUBLICITY_DAYS = 7  # the minutes' 公示 period, for objections


def check_view(viewer: Viewer, meeting: Meeting) -> None:
    if not permissions.can_view(viewer, meeting):
        raise NotFound()


def check_manage(viewer: Viewer, meeting: Meeting) -> None:
    check_view(viewer, meeting)
    if not permissions.can_manage(viewer, meeting):
        raise Forbidden(_l("Only the convenor, the chair and community staff run a meeting."))


def wrong_state(message) -> DomainError:
    return DomainError("wrong_state", message, status=409)


def window(meeting: Meeting) -> tuple[datetime, datetime]:
    """When the hall's sign-in is open: from a little before the start to the end."""
    return meeting.starts_at - EARLY, meeting.ends_at


def in_window(meeting: Meeting, now: datetime) -> bool:
    start, end = window(meeting)
    return meeting.state in (MeetingState.SCHEDULED, MeetingState.OPEN) and start <= now <= end


def members_in_scope(meeting: Meeting) -> list[Membership]:
    """Verified members of the community in the consultation's scope (its building, if it has one)."""
    query = (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.community_id == meeting.community_id,
            Membership.status == MembershipStatus.VERIFIED,
            User.active.is_(True),
        )
        .options(joinedload(Membership.roles), joinedload(Membership.user))
        .order_by(Membership.id)
    )
    building_id = meeting.consultation.building_id
    if building_id is not None:
        query = query.join(Household, Membership.household_id == Household.id).where(
            Household.building_id == building_id
        )
    return list(db.session.scalars(query).unique())


def voters(meeting: Meeting) -> list[Membership]:
    """Who counts towards the quorum: verified members who may vote in the consultation (its parties)."""
    query = (
        select(Membership)
        .where(Membership.community_id == meeting.community_id, Membership.status == MembershipStatus.VERIFIED)
        .options(joinedload(Membership.roles), joinedload(Membership.user))
    )
    consultation, community = meeting.consultation, meeting.community
    return [
        m
        for m in db.session.scalars(query).unique()
        if consultation_permissions.can_vote(as_member(m, community), consultation)
    ]


def attendances(meeting: Meeting) -> list[MeetingAttendance]:
    return list(
        db.session.scalars(
            select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id).order_by(MeetingAttendance.id)
        )
    )


@dataclass(frozen=True)
class Quorum:
    hall: int  # signed in or ticked in the hall
    online: int  # in the online room during the meeting
    present: int  # of those who count: hall + online voters
    eligible: int  # verified members who may vote
    required: Fraction  # the rule set's quorum, a share of the eligible

    @property
    def share(self) -> Fraction:
        return Fraction(self.present, self.eligible) if self.eligible else Fraction(0)

    @property
    def met(self) -> bool:
        return self.eligible > 0 and self.share >= self.required

    @property
    def needed(self) -> int:
        """How many present voters the quorum needs (the least whole number reaching the share)."""
        need = self.required * self.eligible
        return int(need) if need.denominator == 1 else int(need) + 1


def quorum(meeting: Meeting) -> Quorum:
    """Hall and online together, against the rule set's quorum, in exact fractions."""
    rows = attendances(meeting)
    eligible_ids = {m.user_id for m in voters(meeting)}
    rules = meeting.consultation.rule_set
    return Quorum(
        hall=sum(1 for a in rows if a.via in IN_THE_HALL),
        online=sum(1 for a in rows if a.via == Via.ONLINE),
        present=sum(1 for a in rows if a.user_id in eligible_ids),
        eligible=len(eligible_ids),
        required=Fraction(rules.quorum_num, rules.quorum_den),
    )
