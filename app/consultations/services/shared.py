"""What the consultation use cases share: the room's namespace, the rule engine's refusals in words, the
check that the viewer may see the consultation, and the queries of the floor and pending motions."""

from __future__ import annotations

from datetime import datetime

from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.communities.access import Viewer
from app.communities.models import Community, Membership
from app.consultations import permissions
from app.consultations.labels import PARTY_LABELS, PHASE_LABELS
from app.consultations.models import PENDING_MOTION_STATES, Consultation, HandRaise, Motion
from app.core.errors import DomainError, NotFound
from app.extensions import db
from app.procedure.engine import Refusal

NAMESPACE = "/consultations"
POLL = "motion"
REPLAY_LIMIT = 200

# Each refusal code of the rule engine and the consultation's permissions, as the translated sentence the
# member reads: each names its own cause (docs/realtime.md lists the codes).
REFUSALS = {
    "not_verified": lambda p: _l("Only verified members of this community can take part; you can read along."),
    "not_a_party": lambda p: _l(
        "Only the parties taking part in this consultation (%(parties)s) speak and vote here; you can read along.",
        parties=p.get("parties", ""),
    ),
    "not_a_party_vote": lambda p: _l(
        "Residents who are not a listed party may speak here, but only the parties (%(parties)s) move, second "
        "and vote.",
        parties=p.get("parties", ""),
    ),
    "not_in_scope": lambda p: _l(
        "This consultation is for the residents of %(building)s; you can read along.", building=p.get("building", "")
    ),
    "wrong_phase": lambda p: (
        _l("Not possible at this stage of the consultation (%(phase)s).", phase=p["phase"])
        if "phase" in p
        else _l("This consultation is not open for that now.")
    ),
    "vote_in_progress": lambda p: _l("A vote is under way: speeches and raised hands wait until the chair closes it."),
    "vote_not_open": lambda p: _l("This motion is not being voted on now (it is: %(state)s).", state=p["state"]),
    "locked": lambda p: _l("The chair has locked the room; only the chair can speak now."),
    "muted": lambda p: _l("You are muted in this room for now."),
    "bad_request": lambda p: _l("The request could not be understood."),
    "rule_too_long": lambda p: _l("A speech can be at most %(max)d characters; yours has %(length)d.", **p),
    "rule_speech_limit": lambda p: (
        _l(
            "Each person may speak at most %(max)d times on this motion; you have spoken %(count)d times.",
            max=p["max"],
            count=p["count"],
        )
        if p.get("per") == "motion"
        else _l(
            "Each person may speak at most %(max)d times in this consultation; you have spoken %(count)d times.",
            max=p["max"],
            count=p["count"],
        )
    ),
    "rule_slow_mode": lambda p: _l("Please wait %(seconds)d seconds before speaking again.", **p),
    "rule_no_floor": lambda p: _l("Raise your hand and wait for the chair to give you the floor."),
    "rule_floor_time_up": lambda p: _l(
        "Your %(seconds)d seconds on the floor are up. Raise your hand again to speak.", seconds=p["seconds"]
    ),
    "rule_no_motion": lambda p: _l(
        "No motion is pending, and there is no debate without a motion: ask a question without taking a side, "
        "or move a motion."
    ),
    "rule_open_mode": lambda p: _l("In open mode there is no queue: everyone speaks directly."),
    "rule_slow_room": lambda p: _l(
        "This consultation runs in slow mode: write a reply under the background instead of speaking live."
    ),
    "rule_not_slow": lambda p: _l("This consultation is meeting live now: replies wait until it is back in slow mode."),
    "rule_reply_too_long": lambda p: _l("A reply can be at most %(max)d characters; yours has %(length)d.", **p),
    "rule_reply_day_limit": lambda p: _l(
        "Each person may write at most %(max)d replies in 24 hours; you have written %(count)d. Please come back "
        "later.",
        **p,
    ),
    "proposal_closed": lambda p: _l("This proposal has closed: positions can no longer be stated or changed."),
    "rule_stance_required": lambda p: _l("Say first whether you are for, against or neutral on the motion."),
    "rule_chair_neutral": lambda p: _l("The chair stays neutral: the chair does not argue for a side or vote."),
    "rule_alternate": lambda p: _l("Speakers alternate: give the floor to someone from the other side first."),
    "rule_own_motion": lambda p: _l("You moved this motion: another member must second it."),
    "grant_locked": lambda p: _l("The room is locked: unlock it before giving anyone the floor."),
    "grant_muted": lambda p: _l(
        "%(name)s is muted in this room: the floor cannot be given to them until the mute ends.", name=p["name"]
    ),
    "grant_speech_limit": lambda p: (
        _l(
            "%(name)s has spoken %(count)d times on this motion, the most the rules allow: the floor cannot be "
            "given to them.",
            name=p["name"],
            count=p["count"],
        )
        if p.get("per") == "motion"
        else _l(
            "%(name)s has spoken %(count)d times in this consultation, the most the rules allow: the floor cannot "
            "be given to them.",
            name=p["name"],
            count=p["count"],
        )
    ),
    "already_voted": lambda p: _l("You have voted already; a vote cannot be changed."),
    "forbidden": lambda p: _l("You do not have permission to do this."),
}
REFUSAL_STATUS = {
    "forbidden": 403,
    "not_verified": 403,
    "not_a_party": 403,
    "not_a_party_vote": 403,
    "not_in_scope": 403,
    "already_voted": 409,
    "bad_request": 400,
}


def listed(labels) -> LazyString:
    """Labels joined as a list in the reader's language (translated when the message is shown)."""

    def joined() -> str:
        locale = get_locale()
        return ("、" if locale is None or locale.language == "zh" else ", ").join(str(label) for label in labels)

    return LazyString(joined)


def about(consultation: Consultation) -> dict:
    """What a refusal's message may name about the consultation: its stage, parties and building."""
    parties = [PARTY_LABELS[p] for p in PARTY_LABELS if p.value in (consultation.parties or ())]
    return {
        "phase": PHASE_LABELS[consultation.phase],
        "parties": listed(parties),
        "building": consultation.building.name if consultation.building_id else "",
    }


def refuse(refusal: Refusal, consultation: Consultation | None = None) -> DomainError:
    """Turn the engine's or the permissions' refusal into the DomainError that views and sockets report;
    with the consultation, the message can name its stage, parties and building."""
    params = {**(about(consultation) if consultation is not None else {}), **dict(refusal.params)}
    message = REFUSALS[refusal.code](params)
    return DomainError(refusal.code, message, status=REFUSAL_STATUS.get(refusal.code, 422))


def bad_reason() -> DomainError:
    return DomainError("bad_request", _l("Give a reason: it is shown to everyone in the room."), field="reason")


def check_view(viewer: Viewer, consultation: Consultation) -> None:
    """Every use case starts here: NotFound unless the viewer may see the consultation (the edge that loaded
    it with access.load(..., can=permissions.can_view) has asked already; a direct caller has not)."""
    if not permissions.can_view(viewer, consultation):
        raise NotFound()


def as_member(membership: Membership, community: Community, *, user: User | None = None) -> Viewer:
    """A member of `community` as a viewer there, from their membership already loaded (for the rules asked
    of many members at once: the chair list, a batch of votes). Their oversight does not matter: a member
    sees their own community's things."""
    return Viewer(user=user or membership.user, community=community, membership=membership, oversees=False)


def pending_motions(consultation: Consultation) -> list[Motion]:
    return list(
        db.session.scalars(
            select(Motion)
            .where(Motion.consultation_id == consultation.id, Motion.state.in_(PENDING_MOTION_STATES))
            .order_by(Motion.id)
        )
    )


def hands(consultation: Consultation) -> list[HandRaise]:
    return list(
        db.session.scalars(select(HandRaise).where(HandRaise.consultation_id == consultation.id).order_by(HandRaise.id))
    )


def seconds_left(consultation: Consultation, now: datetime) -> float:
    if consultation.floor_holder_id is None or consultation.floor_ends_at is None:
        return 0.0
    return max((consultation.floor_ends_at - now).total_seconds(), 0.0)


def end_floor(consultation: Consultation) -> None:
    consultation.floor_holder = None
    consultation.floor_ends_at = None
    consultation.floor_stance = None
