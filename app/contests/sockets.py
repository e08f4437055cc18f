"""The /contests namespace (docs/realtime.md): live turnout, voting, and the result once published."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import join_room, leave_room

from app.communities import access
from app.contests import permissions, services
from app.contests.models import Contest
from app.core.realtime import connect_user
from app.core.sockets import Namespace, acknowledged, int_field


def _load(data) -> tuple[Contest, access.Viewer]:
    return access.load(Contest, int_field(data, "contest_id"), current_user, can=permissions.can_view)


class ContestsNamespace(Namespace):
    def on_connect(self, auth=None):
        """Logged-in users only; each connection also joins its user's room."""
        connect_user()

    # its client asks again, with back-off, when told busy (static/js/contests.js): the pages go first
    @acknowledged(yields_to_pages=True)
    def on_join(self, data):
        """Enter a contest's room: {contest, turnout} (and the result, once published)."""
        contest, viewer = _load(data)
        state = services.room_state(viewer, contest)
        join_room(contest.room)
        return state

    @acknowledged
    def on_leave(self, data):
        contest, _viewer = _load(data)
        leave_room(contest.room)
        return {}

    @acknowledged
    def on_vote(self, data):
        """Cast the ballot: {contest_id, entry_ids: [...]} → {receipt}. A retry returns the same receipt."""
        contest, viewer = _load(data)
        ballot = services.vote(viewer, contest, data.get("entry_ids"))
        return {"receipt": ballot.receipt}
