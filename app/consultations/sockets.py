"""The /consultations namespace (docs/realtime.md). Handlers parse, then call the services."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from flask_socketio import Namespace, join_room, leave_room, rooms

from app.consultations import services
from app.core import presence, validation
from app.core.realtime import coalesced, connect_user
from app.core.sockets import acknowledged, int_field, socket_user_id, str_field
from app.extensions import db, socketio

ROOM_PREFIX = "consultation:"


def _presence(room: str, leaving: str | None = None) -> dict:
    return {"count": presence.count(services.NAMESPACE, room, leaving=leaving)}


def _announce_presence(room: str, leaving: str | None = None) -> None:
    """Tell the room how many are present: at most a few times a second, so a room of a thousand filling
    up sends a handful of updates rather than one per member to every member."""

    def send():
        socketio.emit("presence", _presence(room, leaving=leaving), namespace=services.NAMESPACE, to=room)

    coalesced.request(("presence", room), send)


class ConsultationsNamespace(Namespace):
    def on_connect(self, auth=None):
        """Logged-in users only; each connection also joins its user's room."""
        connect_user()

    def on_disconnect(self, reason=None):
        """Tell the rooms this connection was in that one fewer is present."""
        for room in rooms():
            if room.startswith(ROOM_PREFIX):
                presence.leave(room, request.sid)
                _announce_presence(room, leaving=request.sid)

    @acknowledged
    def on_join(self, data):
        """Enter a consultation's room; get its state and the messages after `after_id`."""
        consultation = services.get(int_field(data, "consultation_id"))
        state = services.room_state(current_user, consultation, int_field(data, "after_id", required=False))
        join_room(consultation.room)
        db.session.commit()  # end the read transaction: the connection goes back before anything is broadcast
        count = _presence(consultation.room)
        _announce_presence(consultation.room)
        return {**state, "presence": count}

    @acknowledged
    def on_leave(self, data):
        """Leave the room."""
        consultation = services.get(int_field(data, "consultation_id"))
        services.visible(current_user, consultation)
        leave_room(consultation.room)
        presence.leave(consultation.room, request.sid)
        _announce_presence(consultation.room)
        return {}

    @acknowledged
    def on_speak(self, data):
        """Make a speech (idempotent on client_id)."""
        consultation = services.get(int_field(data, "consultation_id"))
        spoken = services.speak(
            current_user,
            consultation,
            client_id=str_field(data, "client_id", max_length=validation.MAX_CLIENT_ID),
            body=str_field(data, "body"),
            stance=str_field(data, "stance", required=False, max_length=20),
            motion_id=int_field(data, "motion_id", required=False),
        )
        return {"message": spoken.message}  # as the room heard it: nothing to load again after the commit

    @acknowledged
    def on_raise_hand(self, data):
        """Join the queue for the floor."""
        consultation = services.get(int_field(data, "consultation_id"))
        stance = str_field(data, "stance", required=False, max_length=20)
        return {"floor": services.raise_hand(current_user, consultation, stance)}

    @acknowledged
    def on_lower_hand(self, data):
        """Leave the queue."""
        consultation = services.get(int_field(data, "consultation_id"))
        return {"floor": services.lower_hand(current_user, consultation)}

    @acknowledged
    def on_grant_floor(self, data):
        """The chair gives the floor."""
        consultation = services.get(int_field(data, "consultation_id"))
        return {"floor": services.grant_floor(current_user, consultation, int_field(data, "user_id"))}

    @acknowledged
    def on_yield_floor(self, data):
        """Give the floor back (holder) or take it back (chair)."""
        consultation = services.get(int_field(data, "consultation_id"))
        return {"floor": services.yield_floor(current_user, consultation)}

    @acknowledged
    def on_move(self, data):
        """Move a motion (idempotent on client_id)."""
        consultation = services.get(int_field(data, "consultation_id"))
        motion = services.move(
            current_user,
            consultation,
            client_id=str_field(data, "client_id", max_length=validation.MAX_CLIENT_ID),
            text=str_field(data, "text"),
        )
        return {"motion": services.motion_dict(motion)}

    @acknowledged
    def on_second(self, data):
        """Second the motion."""
        motion = services.second(current_user, services.get_motion(int_field(data, "motion_id")))
        return {"motion": services.motion_dict(motion)}

    @acknowledged
    def on_withdraw(self, data):
        """The mover withdraws the motion."""
        motion = services.withdraw(current_user, services.get_motion(int_field(data, "motion_id")))
        return {"motion": services.motion_dict(motion)}

    @acknowledged
    def on_call_vote(self, data):
        """The chair puts the motion to the vote."""
        motion = services.call_vote(current_user, services.get_motion(int_field(data, "motion_id")))
        return {"motion": services.motion_dict(motion)}

    @acknowledged
    def on_close_vote(self, data):
        """The chair closes the vote; the result is recorded and broadcast."""
        motion = services.close_vote(current_user, services.get_motion(int_field(data, "motion_id")))
        return {"motion": services.motion_dict(motion)}

    @acknowledged(database=False)
    def on_vote(self, data):
        """Vote for / against / abstain, once: written with the votes that arrive with it (core.batching)."""
        motion_id = int_field(data, "motion_id")
        voted = services.submit_vote(socket_user_id(), motion_id, str_field(data, "choice", max_length=20))
        return {"receipt": voted.receipt}

    @acknowledged
    def on_report(self, data):
        """Report a speech with a reason."""
        speech = services.get_speech(int_field(data, "message_id"))
        services.report(current_user, speech, str_field(data, "reason", max_length=1000))
        return {}

    @acknowledged
    def on_hide(self, data):
        """The chair or staff hide a speech."""
        speech = services.get_speech(int_field(data, "message_id"))
        services.hide(current_user, speech, str_field(data, "reason", max_length=1000))
        return {}

    @acknowledged
    def on_mute(self, data):
        """The chair or staff mute a member for some minutes."""
        consultation = services.get(int_field(data, "consultation_id"))
        services.mute(
            current_user,
            consultation,
            int_field(data, "user_id"),
            int_field(data, "minutes"),
            str_field(data, "reason", max_length=1000),
        )
        return {}

    @acknowledged
    def on_warn(self, data):
        """The chair or staff warn a member; the room sees the warning and its reason."""
        consultation = services.get(int_field(data, "consultation_id"))
        services.warn(
            current_user, consultation, int_field(data, "user_id"), str_field(data, "reason", max_length=1000)
        )
        return {}

    @acknowledged
    def on_lock(self, data):
        """The chair or staff lock or unlock the room."""
        consultation = services.get(int_field(data, "consultation_id"))
        locked = data.get("locked", True)
        if not isinstance(locked, bool):
            locked = True
        services.set_locked(current_user, consultation, locked, str_field(data, "reason", required=False) or "")
        return {"consultation": services.consultation_dict(consultation)}
