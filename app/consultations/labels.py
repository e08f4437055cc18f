"""What a consultation's statuses, parties, stances and badges are called on the page, in the room and in
the minutes (translated lazily, when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.consultations.models import MotionState, Party, Phase
from app.procedure.engine import Stance

PHASE_LABELS = {
    Phase.DRAFT: _l("Draft"),
    Phase.OPEN: _l("Discussion"),
    Phase.VOTING: _l("Voting"),
    Phase.CONCLUDED: _l("Concluded"),
    Phase.ARCHIVED: _l("Archived"),
}

PARTY_LABELS = {
    Party.RESIDENTS_COMMITTEE: _l("Residents' committee (居委会)"),
    Party.OWNERS_COMMITTEE: _l("Owners' committee (业委会)"),
    Party.PROPERTY_MANAGER: _l("Property manager (物业)"),
    Party.SOCIAL_ORG: _l("Social organisations (社会组织)"),
    Party.RESIDENT_UNIT: _l("Resident units (驻区单位)"),
    Party.RESIDENTS: _l("Residents (居民)"),
}

# a stance as the room and the minutes show it
STANCE_LABELS = {Stance.FOR: _l("In favour"), Stance.AGAINST: _l("Against"), Stance.NEUTRAL: _l("Neutral")}

# a stance as the speaking form offers it
STANCE_CHOICE_LABELS = {
    Stance.FOR: _l("For (赞成)"),
    Stance.AGAINST: _l("Against (反对)"),
    Stance.NEUTRAL: _l("Neutral (中立)"),
}

# a vote on a motion, as its review step and the bottom bar name it
VOTE_LABELS = {"for": _l("In favour"), "against": _l("Against"), "abstain": _l("Abstain")}

MOTION_STATE_LABELS = {
    MotionState.MOVED: _l("Waiting for a second"),
    MotionState.DEBATE: _l("Under debate"),
    MotionState.VOTING: _l("Voting"),
    MotionState.CARRIED: _l("Carried"),
    MotionState.FAILED: _l("Not carried"),
    MotionState.WITHDRAWN: _l("Withdrawn"),
    MotionState.LAPSED: _l("Lapsed"),
}

# an action of the room's moderator log, as the room and the minutes name it
MODERATION_LABELS = {
    "hide": _l("Speech hidden"),
    "restore": _l("Speech restored"),
    "auto_hide": _l("Hidden after reports"),
    "warn": _l("Member warned"),
    "mute": _l("Member muted"),
    "lock": _l("Room locked"),
    "unlock": _l("Room unlocked"),
    "rules": _l("Rules changed"),
}

# the official-party badges a speech carries (keys: services.display.badges_of)
BADGE_LABELS = {
    "residents_committee": _l("Residents' committee"),
    "property_manager": _l("Property manager"),
    "owners_committee": _l("Owners' committee"),
    "social_org": _l("Social organisation"),
    "resident_unit": _l("Resident unit"),
}
