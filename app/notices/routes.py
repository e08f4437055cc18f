"""Notice views: the list, posting, one notice (reading marks it read), editing, unpinning, withdrawing."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import access
from app.communities.access import Viewer
from app.core.clock import local_time
from app.core.errors import Forbidden
from app.core.web import form_view, perform
from app.documents import services as documents
from app.notices import bp, permissions, queries, services
from app.notices.forms import EditNoticeForm, NoticeForm
from app.notices.labels import STATE_LABELS, WHOLE_COMMUNITY
from app.notices.models import Notice
from app.notifications.kinds import CHANNEL_LABELS


def load(notice_id: int) -> tuple[Notice, Viewer]:
    return access.load(Notice, notice_id, current_user, can=permissions.can_view)


def manager(notice_id: int) -> tuple[Notice, Viewer]:
    notice, viewer = load(notice_id)
    if not permissions.can_manage(viewer, notice):
        raise Forbidden()
    return notice, viewer


def state_of(notice: Notice) -> str:
    return "withdrawn" if notice.withdrawn_at else "active" if notice.is_active() else "expired"


@bp.route("/c/<slug>/notices")
@login_required
def index(slug: str):
    """The community's notices in the viewer's scope, pinned first."""
    viewer = access.community_viewer(slug, current_user)
    notices = queries.listing(viewer)
    return render_template(
        "notices/index.html",
        community=viewer.community,
        notices=notices,
        read=queries.read_ids(viewer, notices),
        can_post=permissions.can_post(viewer),
        state_of=state_of,
        states=STATE_LABELS,
        whole=WHOLE_COMMUNITY,
    )


def _scopes(viewer: Viewer) -> list[SelectChoice]:
    found = [SelectChoice("", WHOLE_COMMUNITY)] if permissions.can_post_to(viewer, None) else []
    return found + [
        SelectChoice(str(b.id), b.name) for b in viewer.community.buildings if permissions.can_post_to(viewer, b.id)
    ]


@bp.route("/c/<slug>/notices/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Post a notice to the community or one building."""
    viewer = access.community_viewer(slug, current_user)
    if not permissions.can_post(viewer):
        raise Forbidden()
    form = NoticeForm()
    form.scope.choices = _scopes(viewer)
    return form_view(
        form,
        lambda: services.post(
            viewer,
            client_id=form.client_id.data,
            title=form.title.data,
            body=form.body.data,
            building_id=form.scope.data,
            pinned=form.pinned.data,
            urgent=form.urgent.data,
            expires_on=form.expires_on.data,
        ),
        render=lambda status: (_form_page(viewer, form, None), status),
        done=lambda notice: redirect(url_for("notices.show", notice_id=notice.id)),
        message=_("Notice posted; the people it is for are being told."),
    )


def _form_page(viewer: Viewer, form, notice: Notice | None):
    return render_template(
        "notices/form.html",
        community=viewer.community,
        form=form,
        notice=notice,
        can_urgent=permissions.can_send_urgent(viewer),
    )


@bp.route("/notices/<int:notice_id>")
@login_required
def show(notice_id: int):
    """One notice; opening it marks it read for the reader's household. Its managers see who it reached."""
    notice, viewer = load(notice_id)
    perform(lambda: services.mark_read(viewer, notice))
    can_manage = permissions.can_manage(viewer, notice)
    return render_template(
        "notices/show.html",
        community=viewer.community,
        notice=notice,
        state=state_of(notice),
        states=STATE_LABELS,
        whole=WHOLE_COMMUNITY,
        can_manage=can_manage,
        reach=queries.reach(notice) if can_manage else None,
        channel_labels=CHANNEL_LABELS,
        attachments=documents.panel(viewer, notice),
    )


@bp.route("/notices/<int:notice_id>/edit", methods=["GET", "POST"])
@login_required
def edit(notice_id: int):
    """Correct a notice's text, pin or last day."""
    notice, viewer = manager(notice_id)
    form = EditNoticeForm(obj=notice)
    if not form.is_submitted() and notice.expires_at is not None:
        form.expires_on.data = (local_time(notice.expires_at) - timedelta(seconds=1)).date()  # the last day
    return form_view(
        form,
        lambda: services.edit(
            viewer,
            notice,
            title=form.title.data,
            body=form.body.data,
            pinned=form.pinned.data,
            expires_on=form.expires_on.data,
        ),
        render=lambda status: (_form_page(viewer, form, notice), status),
        done=lambda _n: redirect(url_for("notices.show", notice_id=notice.id)),
        message=_("Notice saved."),
    )


@bp.route("/notices/<int:notice_id>/unpin", methods=["POST"])
@login_required
def unpin(notice_id: int):
    notice, viewer = manager(notice_id)
    perform(lambda: services.unpin(viewer, notice))
    return redirect(url_for("notices.show", notice_id=notice.id))


@bp.route("/notices/<int:notice_id>/withdraw", methods=["POST"])
@login_required
def withdraw(notice_id: int):
    notice, viewer = manager(notice_id)
    if perform(lambda: services.withdraw(viewer, notice)).ok:
        flash(_("Notice withdrawn: residents no longer see it."), "success")
    return redirect(url_for("notices.index", slug=viewer.community.slug))
