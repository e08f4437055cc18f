"""The /notifications namespace: each connection joins its user's own room."""

from __future__ import annotations

from flask_socketio import Namespace

from app.core.realtime import connect_user


class NotificationsNamespace(Namespace):
    def on_connect(self, auth=None):
        """Accept logged-in users only, into their own room."""
        connect_user()
