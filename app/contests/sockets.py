"""The /contests namespace (docs/realtime.md): live turnout, voting, and the result once published."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import Namespace, join_room, leave_room

from app.contests import services
from app.core.realtime import connect_user
from app.core.sockets import acknowledged, int_field


class ContestsNamespace(Namespace):
    def on_connect(self, auth=None):
        """Logged-in users only; each connection also joins its user's room."""
        connect_user()

    @acknowledged
    def on_join(self, data):
        """Enter a contest's room: {contest, turnout} (and the result, once published)."""
        contest = services.get(int_field(data, "contest_id"))
        state = services.room_state(current_user, contest)
        join_room(contest.room)
        return state

    @acknowledged
    def on_leave(self, data):
        contest = services.get(int_field(data, "contest_id"))
        services.visible(current_user, contest)
        leave_room(contest.room)
        return {}

    @acknowledged
    def on_vote(self, data):
        """Cast the ballot: {contest_id, entry_ids: [...]} → {receipt}. A retry returns the same receipt."""
        contest = services.get(int_field(data, "contest_id"))
        entry_ids = data.get("entry_ids")
        ballot = services.vote(current_user, contest, entry_ids)
        return {"receipt": ballot.receipt}
