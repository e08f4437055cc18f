"""How a draft's state and a ballot's choice are shown (lazy: translated when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.rulebook.models import DraftState

STATE_LABELS = {
    DraftState.DRAFTING: _l("Being drafted"),
    DraftState.COMMENTING: _l("Open for comments"),
    DraftState.VOTING: _l("Voting"),
    DraftState.ADOPTED: _l("Adopted"),
    DraftState.REJECTED: _l("Not adopted"),
    DraftState.WITHDRAWN: _l("Withdrawn"),
}

# a ballot's choice as stored in the poll, and as shown
CHOICE_LABELS = {"yes": _l("In favour"), "no": _l("Against"), "abstain": _l("Abstain")}
