"""What the slow mode's use cases share: its socket namespace and room, the viewer's standing in the rules."""

from __future__ import annotations

from datetime import datetime

from app.communities.access import Viewer
from app.consultations import permissions as consultation_permissions
from app.consultations.models import Consultation, Phase
from app.core.errors import NotFound
from app.moderation import services as moderation
from app.procedure.engine import Mode, RoomState
from app.slow import permissions

NAMESPACE = "/slow"


def room_of(consultation: Consultation) -> str:
    """The socket room of a slow consultation's page (docs/slow.md)."""
    return f"slow:{consultation.id}"


def check_view(viewer: Viewer, consultation: Consultation) -> None:
    if not permissions.can_view(viewer, consultation):
        raise NotFound()


def is_slow(consultation: Consultation) -> bool:
    return consultation.rule_set.mode == Mode.SLOW


def room_state(consultation: Consultation) -> RoomState:
    return RoomState(phase_open=consultation.phase == Phase.OPEN, locked=consultation.locked)


def muted(viewer: Viewer, consultation: Consultation) -> bool:
    return moderation.muted_until(consultation.room, viewer.user_id) is not None


def is_chair(viewer: Viewer, consultation: Consultation) -> bool:
    return consultation_permissions.is_chair(viewer, consultation)


def aware(moment: datetime, like: datetime) -> datetime:
    """A time read back from SQLite has no zone: it is UTC like every stored time."""
    return moment.replace(tzinfo=like.tzinfo) if moment.tzinfo is None else moment
