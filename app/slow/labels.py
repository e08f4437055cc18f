"""How a reply's stance, a reaction and a position are named on the page (translated when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.procedure.engine import Choice
from app.slow.models import Reaction, ReplyStance

STANCE_LABELS = {
    ReplyStance.FOR: _l("For (赞成)"),
    ReplyStance.AGAINST: _l("Against (反对)"),
    ReplyStance.NEUTRAL: _l("Neutral (中立)"),
    ReplyStance.QUESTION: _l("Question (提问)"),
}

REACTION_LABELS = {Reaction.AGREE: _l("Agree (同意)"), Reaction.USEFUL: _l("Useful (有用)")}

POSITION_LABELS = {Choice.FOR: _l("In favour"), Choice.AGAINST: _l("Against"), Choice.ABSTAIN: _l("Abstain")}
