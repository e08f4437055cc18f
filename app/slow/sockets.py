"""The /slow namespace (docs/slow.md): a slow consultation's page follows its room. `join` loads the
consultation through the access rule (404 unless the user may see it) and answers the distribution of
positions on its proposal; the services emit `reply`, `reply_edited`, `reactions`, `positions`, `proposal`
and `mode` to the room after their commit."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import Namespace, join_room, leave_room

from app.communities import access
from app.consultations.models import Consultation
from app.core.realtime import connect_user
from app.core.sockets import acknowledged, int_field
from app.slow import permissions, services


def _consultation(data: dict):
    return access.load(Consultation, int_field(data, "consultation_id"), current_user, can=permissions.can_view)


class SlowNamespace(Namespace):
    def on_connect(self, auth=None):
        """Logged-in users only."""
        connect_user()

    @acknowledged
    def on_join(self, data):
        """Follow a slow consultation's page: its mode and the distribution of positions now."""
        consultation, _viewer = _consultation(data)
        join_room(services.room_of(consultation))
        motion = services.proposal_of(consultation)
        return {
            "mode": consultation.rule_set.mode.value,
            "positions": {"motion_id": motion.id, **services.distribution(motion).as_dict()} if motion else None,
        }

    @acknowledged
    def on_leave(self, data):
        """Stop following it."""
        consultation, _viewer = _consultation(data)
        leave_room(services.room_of(consultation))
        return {}
