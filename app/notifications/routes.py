"""Notification views: the inbox."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from app.core.web import perform
from app.notifications import bp, services


@bp.route("/")
@login_required
def inbox():
    """The user's notifications, newest first."""
    return render_template("notifications/inbox.html", notifications=services.inbox(current_user))


@bp.route("/read", methods=["POST"])
@login_required
def mark_all_read():
    """Mark every notification read."""
    perform(lambda: services.mark_all_read(current_user))
    return redirect(url_for("notifications.inbox"))


@bp.app_context_processor
def _unread():
    """The unread count in every page's header."""
    return {"unread_count": services.unread_count(current_user) if current_user.is_authenticated else 0}
