"""How the help board's kinds, categories and states are shown."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.neighbours.models import HelpCategory, HelpState, PostKind

KIND_LABELS = {PostKind.REQUEST: _l("I need help"), PostKind.OFFER: _l("I can help")}
CATEGORY_LABELS = {
    HelpCategory.TOOLS: _l("Borrow a tool (借用工具)"),
    HelpCategory.PARCELS: _l("Pick up a parcel (代取快递)"),
    HelpCategory.ESCORT: _l("Go along to the doctor (陪同就医)"),
    HelpCategory.OTHER: _l("Something else"),
}
STATE_LABELS = {
    HelpState.POSTED: _l("Waiting for a neighbour"),
    HelpState.TAKEN: _l("A neighbour is on it"),
    HelpState.DONE: _l("Done"),
    HelpState.THANKED: _l("Done and thanked"),
    HelpState.WITHDRAWN: _l("Withdrawn"),
}
# an action of the board's moderator log
MODERATION_LABELS = {
    "hide": _l("Post hidden"),
    "restore": _l("Post shown again"),
    "auto_hide": _l("Hidden after reports"),
    "mute": _l("Member muted"),
    "lock": _l("Board locked"),
    "unlock": _l("Board unlocked"),
}
