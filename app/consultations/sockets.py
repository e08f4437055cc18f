"""The /consultations namespace (docs/realtime.md). Handlers parse, load what the payload names through the
access rule (404 unless the user may see it), then call the services with the viewer; `acknowledged`
commits once."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from flask_socketio import join_room, leave_room, rooms

from app.communities import access
from app.consultations import permissions, services
from app.consultations.models import Consultation, Motion, Speech
from app.core import presence, validation
from app.core.realtime import coalesced, connect_user
from app.core.sockets import Namespace, acknowledged, int_field, socket_login_id, socket_user_id, str_field
from app.extensions import socketio

ROOM_PREFIX = "consultation:"


def _consultation(data: dict):
    """(consultation, viewer) for the payload's consultation_id; NotFound unless the user may see it. The
    consultation as the room keeps it (loaded once per change of the room, with its community)."""
    return access.load(
        Consultation,
        int_field(data, "consultation_id"),
        current_user,
        can=permissions.can_view,
        get=services.consultation_of_room,
        community=lambda consultation: consultation.community,
    )


def _in_consultation(model, object_id, can):
    """(motion or speech, viewer) for an id in a payload, seen through its consultation."""
    return access.load(model, object_id, current_user, can=can, community_of=lambda obj: obj.consultation.community_id)


def _motion(data: dict):
    return _in_consultation(Motion, int_field(data, "motion_id"), permissions.can_view_motion)


def _speech(data: dict):
    return _in_consultation(Speech, int_field(data, "message_id"), permissions.can_view_speech)


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
        """Logged-in users only; each connection also joins its user's room, and keeps their memberships."""
        connect_user(also=access.keep_standing)

    def on_disconnect(self, reason=None):
        """Tell the rooms this connection was in that one fewer is present."""
        for room in rooms():
            if room.startswith(ROOM_PREFIX):
                presence.leave(room, request.sid)
                _announce_presence(room, leaving=request.sid)

    # the web client waits 15 s for a join, and asks again: the room's page goes first (core.priority)
    @acknowledged(
        slot_wait="SOCKET_JOIN_SLOT_WAIT_SECONDS",
        expect=services.expect_join,
        slot_when_needed=True,
        yields_to_pages=True,
        as_kept=True,
    )
    def on_join(self, data):
        """Enter a consultation's room; get its state and the last page's messages after `after_id` (`older`:
        there are more before them, which `history` pages). Idempotent: a retried join is one member. It reads
        the user, their membership and the room as the connection and the process keep them (as_kept): a storm
        of joins copies no row into a session."""
        consultation, viewer = _consultation(data)
        after_id = int_field(data, "after_id", required=False)
        room = consultation.room
        # into the room first: a change committed after the state below was read reaches this joiner; then
        # counted present, with the room's version read in the same round trip to Redis (after joining)
        join_room(room)
        count = presence.join(services.NAMESPACE, room, request.sid, counters=services.room_counters(consultation.id))
        try:
            state = services.join_state(viewer, consultation, after_id, attend=False, fresh=False)
        except Exception:
            leave_room(room)
            presence.leave(room, request.sid)
            raise
        participant, consultation_id, user_id = state["you"]["can_speak"], consultation.id, viewer.user_id
        community_id = consultation.community_id
        if participant:
            services.entered(viewer, consultation)  # a meeting under way counts them online
            # any transaction commits first: its connection goes back before the attendance waits for its batch
            services.attend(consultation_id, community_id, user_id)  # written with the joins that arrive with it
        _announce_presence(room)
        return {**state, "presence": {"count": count}}

    @acknowledged
    def on_history(self, data):
        """A page of older speeches: the newest before `before_id` (and after `after_id`, what the client has)."""
        consultation, viewer = _consultation(data)
        return services.history(
            viewer,
            consultation,
            int_field(data, "before_id"),
            int_field(data, "after_id", required=False),
        )

    @acknowledged
    def on_leave(self, data):
        """Leave the room."""
        consultation, _viewer = _consultation(data)
        leave_room(consultation.room)
        presence.leave(consultation.room, request.sid)
        _announce_presence(consultation.room)
        return {}

    @acknowledged
    def on_speak(self, data):
        """Make a speech (idempotent on client_id)."""
        consultation, viewer = _consultation(data)
        spoken = services.speak(
            viewer,
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
        consultation, viewer = _consultation(data)
        stance = str_field(data, "stance", required=False, max_length=20)
        return {"floor": services.raise_hand(viewer, consultation, stance)}

    @acknowledged
    def on_lower_hand(self, data):
        """Leave the queue."""
        consultation, viewer = _consultation(data)
        return {"floor": services.lower_hand(viewer, consultation)}

    @acknowledged
    def on_grant_floor(self, data):
        """The chair gives the floor."""
        consultation, viewer = _consultation(data)
        return {"floor": services.grant_floor(viewer, consultation, int_field(data, "user_id"))}

    @acknowledged
    def on_yield_floor(self, data):
        """Give the floor back (holder) or take it back (chair)."""
        consultation, viewer = _consultation(data)
        return {"floor": services.yield_floor(viewer, consultation)}

    @acknowledged
    def on_move(self, data):
        """Move a motion (idempotent on client_id)."""
        consultation, viewer = _consultation(data)
        motion = services.move(
            viewer,
            consultation,
            client_id=str_field(data, "client_id", max_length=validation.MAX_CLIENT_ID),
            text=str_field(data, "text"),
        )
        return {"motion": services.motion_dict(motion)}

    @acknowledged
    def on_second(self, data):
        """Second the motion."""
        motion, viewer = _motion(data)
        motion = services.second(viewer, motion)
        return {"motion": services.motion_dict(motion)}

    @acknowledged
    def on_withdraw(self, data):
        """The mover withdraws the motion."""
        motion, viewer = _motion(data)
        motion = services.withdraw(viewer, motion)
        return {"motion": services.motion_dict(motion)}

    @acknowledged
    def on_call_vote(self, data):
        """The chair puts the motion to the vote."""
        motion, viewer = _motion(data)
        motion = services.call_vote(viewer, motion)
        return {"motion": services.motion_dict(motion)}

    @acknowledged
    def on_close_vote(self, data):
        """The chair closes the vote; the result is recorded and broadcast."""
        motion, viewer = _motion(data)
        motion = services.close_vote(viewer, motion)
        return {"motion": services.motion_dict(motion)}

    @acknowledged(database=False)
    def on_vote(self, data):
        """Vote for / against / abstain, once: written with the votes that arrive with it (core.batching)."""
        motion_id = int_field(data, "motion_id")
        choice = str_field(data, "choice", max_length=20)
        # the login is checked with the batch: a socket whose login has ended votes no more
        voted = services.submit_vote(socket_user_id(), motion_id, choice, login_id=socket_login_id())
        return {"receipt": voted.receipt}

    @acknowledged
    def on_report(self, data):
        """Report a speech with a reason."""
        speech, viewer = _speech(data)
        services.report(viewer, speech, str_field(data, "reason", max_length=1000))
        return {}

    @acknowledged
    def on_hide(self, data):
        """The chair or staff hide a speech."""
        speech, viewer = _speech(data)
        services.hide(viewer, speech, str_field(data, "reason", max_length=1000))
        return {}

    @acknowledged
    def on_mute(self, data):
        """The chair or staff mute a member for some minutes."""
        consultation, viewer = _consultation(data)
        services.mute(
            viewer,
            consultation,
            int_field(data, "user_id"),
            int_field(data, "minutes"),
            str_field(data, "reason", max_length=1000),
        )
        return {}

    @acknowledged
    def on_warn(self, data):
        """The chair or staff warn a member; the room sees the warning and its reason."""
        consultation, viewer = _consultation(data)
        services.warn(viewer, consultation, int_field(data, "user_id"), str_field(data, "reason", max_length=1000))
        return {}

    @acknowledged
    def on_lock(self, data):
        """The chair or staff lock or unlock the room."""
        consultation, viewer = _consultation(data)
        locked = data.get("locked", True)
        if not isinstance(locked, bool):
            locked = True
        services.set_locked(viewer, consultation, locked, str_field(data, "reason", required=False) or "")
        return {"consultation": services.consultation_dict(consultation)}
