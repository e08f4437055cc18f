"""Notification views: the inbox, the person's choices of channel, their email address, and the failed
deliveries of a community for its staff."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities import access
from app.core.errors import Forbidden
from app.core.web import form_view, perform
from app.notifications import bp, outbox, permissions, preferences, services
from app.notifications.forms import EmailForm, PreferencesForm
from app.notifications.kinds import CHANNEL_LABELS, IMPORTANCE_LABELS, MODE_LABELS, Channel, Mode
from app.notifications.models import Delivery


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


def _choices() -> dict:
    """The page's radio groups `<kind>:<channel>` (unknown channels are no choice)."""
    found = {}
    for name, value in request.form.items():
        kind, _sep, channel = name.partition(":")
        if channel in {c.value for c in Channel}:
            found[(kind, Channel(channel))] = value
    return found


def _settings_page(form, email_form, status=200):
    return render_template(
        "notifications/settings.html",
        form=form,
        email_form=email_form,
        rows=preferences.table(current_user.id),
        email=preferences.confirmed_email(current_user.id),
        pending=preferences.pending_email(current_user.id),
        channels=list(Channel),
        modes=list(Mode),
        channel_labels=CHANNEL_LABELS,
        mode_labels=MODE_LABELS,
        importance_labels=IMPORTANCE_LABELS,
    ), status


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Per kind of message: a text message, an email, the daily digest or nothing (the inbox gets all)."""
    form = PreferencesForm()
    return form_view(
        form,
        lambda: preferences.save(current_user, _choices()),
        render=lambda status: _settings_page(form, EmailForm(formdata=None), status),
        done=lambda _n: redirect(url_for("notifications.settings")),
        message=_("Your choices are saved."),
    )


@bp.route("/email", methods=["POST"])
@login_required
def email():
    """Add or change the email address: a confirmation link is mailed to it."""
    form = EmailForm()
    return form_view(
        form,
        lambda: preferences.set_email(
            current_user,
            form.email.data,
            link=lambda token: url_for("notifications.confirm_email", token=token, _external=True),
        ),
        render=lambda status: _settings_page(PreferencesForm(formdata=None), form, status),
        done=lambda _row: redirect(url_for("notifications.settings")),
        message=_("We sent a link to this address: open it to confirm."),
    )


@bp.route("/email/remove", methods=["POST"])
@login_required
def remove_email():
    """Forget the email address (email messages stop)."""
    perform(lambda: preferences.remove_email(current_user))
    return redirect(url_for("notifications.settings"))


@bp.route("/email/confirm/<token>")
@login_required
def confirm_email(token: str):
    """The link of the confirmation email."""
    if perform(lambda: preferences.confirm_email(current_user, token)).ok:
        flash(_("Your email address is confirmed."), "success")
    return redirect(url_for("notifications.settings"))


@bp.route("/c/<slug>/failed")
@login_required
def failed(slug: str):
    """Community staff: the messages that could not be delivered, with a retry each."""
    viewer = access.community_viewer(slug, current_user)
    if not permissions.can_manage_deliveries(viewer):
        raise Forbidden()
    return render_template(
        "notifications/failed.html", community=viewer.community, rows=outbox.failed(viewer), labels=CHANNEL_LABELS
    )


@bp.route("/deliveries/<int:delivery_id>/retry", methods=["POST"])
@login_required
def retry(delivery_id: int):
    """Community staff try a failed delivery again."""
    row, viewer = access.load(Delivery, delivery_id, current_user)
    if not permissions.can_manage_deliveries(viewer):
        raise Forbidden()
    if perform(lambda: outbox.retry(viewer, row)).ok:
        flash(_("Sent again."), "success")
    return redirect(url_for("notifications.failed", slug=viewer.community.slug))


@bp.app_context_processor
def _unread():
    """The unread count in every page's header."""
    return {"unread_count": services.unread_count(current_user) if current_user.is_authenticated else 0}
