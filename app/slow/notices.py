"""The slow mode's notification kind and the scheduler's two steps: proposals past their closing time are
closed (counted into their poll), and those who may take a position and have not hear the day before."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.communities.models import Membership, MembershipStatus
from app.consultations import permissions as consultation_permissions
from app.consultations.models import Consultation, Motion, MotionState, Phase
from app.consultations.services.shared import as_member
from app.core.templating import beijing_time
from app.core.web import path_for
from app.extensions import db
from app.notifications import kinds, schedule
from app.notifications.kinds import Importance
from app.notifications.services import notify
from app.slow import minutes as _minutes  # noqa: F401  (registers the consultations' minutes' slow section)
from app.slow import services
from app.slow.models import Position

KIND = "slow_proposal_closing"
AHEAD = timedelta(hours=24)

kinds.register(KIND, Importance.ACTION, _l("A proposal closes soon and you have not stated your position"))


def yet_to_take_part(motion: Motion) -> list[Membership]:
    """Verified members who may state a position on the proposal (its parties, in its scope) and have not."""
    consultation = motion.consultation
    taken = select(Position.user_id).where(Position.motion_id == motion.id)
    members = db.session.scalars(
        select(Membership)
        .where(
            Membership.community_id == consultation.community_id,
            Membership.status == MembershipStatus.VERIFIED,
            Membership.user_id.not_in(taken),
        )
        .options(selectinload(Membership.household), selectinload(Membership.user))
    )
    community = consultation.community
    chair_neutral = consultation.rule_set.chair_neutral
    return [
        m
        for m in members
        if consultation_permissions.can_vote(as_member(m, community), consultation)
        and not (chair_neutral and m.user_id == consultation.chair_id)
    ]


def remind_closing(now) -> int:
    """The day before a proposal closes, each member in scope who has not taken a position hears it, once."""
    sent = 0
    closing = (
        select(Motion)
        .join(Consultation, Motion.consultation_id == Consultation.id)
        .where(
            Consultation.phase == Phase.OPEN,
            Motion.state == MotionState.DEBATE,
            Motion.closes_at > now,
            Motion.closes_at <= now + AHEAD,
        )
    )
    for motion in db.session.scalars(closing).all():
        for member in yet_to_take_part(motion):
            item = notify(
                member.user,
                KIND,
                _l(
                    "The proposal “%(text)s” in “%(title)s” closes at %(when)s (Beijing time) and you have not "
                    "stated your position.",
                    text=motion.text[:60],
                    title=motion.consultation.title,
                    when=beijing_time(motion.closes_at),
                ),
                url=path_for("slow.show", consultation_id=motion.consultation_id),
                community_id=motion.consultation.community_id,
                key=f"{KIND}:{motion.id}",
            )
            sent += item is not None
    return sent


schedule.register("slow_proposals_close", services.close_due)
schedule.register("slow_proposals_closing", remind_closing)
