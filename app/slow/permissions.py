"""Who may do what in a slow consultation (异步协商). The consultation's own rules decide who takes part
(consultations.permissions: the parties, the scope); these add the slow mode's verbs. Viewer first, then the
consultation (or the reply, the proposal)."""

from __future__ import annotations

from app.communities.access import Viewer
from app.consultations import permissions as consultation
from app.consultations.models import Consultation
from app.slow.models import Reply


def can_view(viewer: Viewer, subject: Consultation) -> bool:
    """Whoever may see the consultation reads its replies and proposals."""
    return consultation.can_view(viewer, subject)


def can_view_reply(viewer: Viewer, reply: Reply) -> bool:
    return consultation.can_view(viewer, reply.consultation)


def can_reply(viewer: Viewer, subject: Consultation) -> bool:
    """Those who may speak in the consultation reply (the rule engine then checks the slow mode's limits)."""
    return consultation.can_speak(viewer, subject)


def can_edit(viewer: Viewer, reply: Reply) -> bool:
    """Only the author changes a reply's words (it is then shown as edited)."""
    return viewer.is_user(reply.author_id) and consultation.can_speak(viewer, reply.consultation)


def can_react(viewer: Viewer, reply: Reply) -> bool:
    """Those who may reply mark another's reply 同意 or 有用 (never their own)."""
    return consultation.can_speak(viewer, reply.consultation) and not viewer.is_user(reply.author_id)


def can_put_proposal(viewer: Viewer, subject: Consultation) -> bool:
    """The parties (those who move motions) and those who manage the consultation put a proposal."""
    return consultation.can_vote(viewer, subject) or consultation.can_manage(viewer, subject)


def can_state_position(viewer: Viewer, subject: Consultation) -> bool:
    """Those who may vote in the consultation state a position on its proposal."""
    return consultation.can_vote(viewer, subject)


def can_switch_mode(viewer: Viewer, subject: Consultation) -> bool:
    """The chair (and the community's staff) move the consultation from slow to a live meeting and back."""
    return consultation.is_chair(viewer, subject) or consultation.is_staff(viewer, subject)


def can_moderate(viewer: Viewer, subject: Consultation) -> bool:
    """Hide replies, mute, lock: as in the live room, the chair and staff."""
    return consultation.can_moderate(viewer, subject)


def can_report(viewer: Viewer, subject: Consultation) -> bool:
    return consultation.can_report(viewer, subject)
