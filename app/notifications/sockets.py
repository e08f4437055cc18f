"""The /notifications namespace: each connection joins its user's own room."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import Namespace, join_room

from app.core.realtime import refuse_anonymous, user_room


class NotificationsNamespace(Namespace):
    def on_connect(self, auth=None):
        """Accept logged-in users only, into their own room."""
        refuse_anonymous()
        join_room(user_room(current_user.id))
