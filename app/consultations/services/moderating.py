"""Moderation in the room: members report a speech; the chair and staff hide speeches, warn and mute members
(the lock is with the consultation's other settings, lifecycle.set_locked)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.communities import access
from app.communities.access import Viewer
from app.consultations import permissions
from app.consultations.models import Consultation, Speech
from app.consultations.services.display import floor_dict, moderation_dict
from app.consultations.services.shared import NAMESPACE, bad_reason, check_view, end_floor, hands, refuse
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.models import utcnow
from app.core.realtime import emit_after_commit
from app.extensions import db
from app.moderation import services as moderation
from app.procedure.engine import Refusal


def _announce(consultation: Consultation, entry) -> None:
    db.session.flush()
    emit_after_commit("moderation", moderation_dict(entry), namespace=NAMESPACE, to=consultation.room)


def _announce_hidden(consultation: Consultation, speech: Speech, by: str | None) -> None:
    db.session.flush()
    emit_after_commit(
        "message_hidden",
        {"id": speech.id, "reason": speech.hidden_reason, "by": by},
        namespace=NAMESPACE,
        to=consultation.room,
    )


def report(viewer: Viewer, speech: Speech, reason) -> None:
    """Report a speech; after N open reports it hides itself pending review."""
    consultation = speech.consultation
    check_view(viewer, consultation)
    if not permissions.can_report(viewer, consultation):
        raise refuse(Refusal("not_verified"))
    if not isinstance(reason, str):
        raise bad_reason()
    _item, auto = moderation.report(
        viewer.user_id,
        speech,
        community_id=consultation.community_id,
        room=consultation.room,
        reason=reason,
        threshold=consultation.rule_set.auto_hide_reports,
    )
    if auto is not None:
        _announce_hidden(consultation, speech, None)
        _announce(consultation, auto)
    db.session.flush()


def hide(viewer: Viewer, speech: Speech, reason) -> None:
    """The chair or staff hide a speech; its place shows the reason."""
    consultation = speech.consultation
    check_view(viewer, consultation)
    if not permissions.can_moderate(viewer, consultation):
        raise Forbidden()
    if not isinstance(reason, str):
        raise bad_reason()
    entry = moderation.hide(
        viewer.user_id, speech, community_id=consultation.community_id, room=consultation.room, reason=reason
    )
    _announce_hidden(consultation, speech, viewer.user.name)
    _announce(consultation, entry)


def _moderated_member(viewer: Viewer, consultation: Consultation, target_user_id, reason) -> User:
    """The member a chair or staff member acts on: in this community, not themselves, with a reason."""
    check_view(viewer, consultation)
    if not permissions.can_moderate(viewer, consultation):
        raise Forbidden()
    target = db.session.get(User, target_user_id) if isinstance(target_user_id, int) else None
    if target is None or not access.viewer(target, consultation.community).is_member:
        raise NotFound()
    if viewer.is_user(target.id):
        raise DomainError("bad_request", _l("You cannot moderate yourself."))
    if not isinstance(reason, str):
        raise bad_reason()
    return target


def warn(viewer: Viewer, consultation: Consultation, target_user_id, reason) -> None:
    """The chair or staff warn a member: logged and shown to the whole room, short of a mute."""
    target = _moderated_member(viewer, consultation, target_user_id, reason)
    entry = moderation.warn(
        viewer.user_id, target.id, community_id=consultation.community_id, room=consultation.room, reason=reason
    )
    _announce(consultation, entry)


def mute(viewer: Viewer, consultation: Consultation, target_user_id, minutes, reason) -> None:
    """The chair or staff mute a member in this room for some minutes."""
    target = _moderated_member(viewer, consultation, target_user_id, reason)
    entry = moderation.mute(
        viewer.user_id,
        target.id,
        community_id=consultation.community_id,
        room=consultation.room,
        minutes=minutes,
        reason=reason,
    )
    if consultation.floor_holder_id == target.id:
        end_floor(consultation)
    for hand in hands(consultation):
        if hand.user_id == target.id:
            db.session.delete(hand)
    _announce(consultation, entry)
    emit_after_commit("floor", floor_dict(consultation, utcnow()), namespace=NAMESPACE, to=consultation.room)
