"""A group's own pages beyond its board: moderation (mutes, the lock, the log), its consultations, and the
yearly summary of what it settled and helped with."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SelectChoice

from app.communities.access import Viewer
from app.consultations.labels import MOTION_STATE_LABELS, PHASE_LABELS
from app.core.clock import local_today
from app.core.web import form_view
from app.moderation import services as moderation
from app.neighbours import bp, queries, services
from app.neighbours.forms import MuteForm, ReasonForm
from app.neighbours.labels import CATEGORY_LABELS, MODERATION_LABELS, STATE_LABELS
from app.neighbours.models import HelpState, NeighbourGroup
from app.neighbours.routes import load_group, moderator


def _moderation_page(group: NeighbourGroup, viewer: Viewer, status: int = 200, **forms):
    mute_form = forms.get("mute_form") or MuteForm(formdata=None)
    mute_form.user_id.choices = [
        SelectChoice(m.user_id, m.user.name) for m in queries.members(group) if not viewer.is_user(m.user_id)
    ]
    return render_template(
        "neighbours/moderation.html",
        community=viewer.community,
        group=group,
        mute_form=mute_form,
        lock_form=forms.get("lock_form") or ReasonForm(formdata=None),
        log=moderation.room_log(group.room, 50),
        actions=MODERATION_LABELS,
    ), status


@bp.route("/groups/<int:group_id>/moderation")
@login_required
def moderation_page(group_id: int):
    """For the group's leaders and staff: mute someone on the board, lock it, and the log of what was done."""
    group, viewer = moderator(group_id)
    return _moderation_page(group, viewer)


@bp.route("/groups/<int:group_id>/mute", methods=["POST"])
@login_required
def mute(group_id: int):
    group, viewer = moderator(group_id)
    form = MuteForm()
    form.user_id.choices = [SelectChoice(m.user_id, m.user.name) for m in queries.members(group)]
    return form_view(
        form,
        lambda: services.mute(viewer, group, form.user_id.data, form.minutes.data, form.reason.data),
        render=lambda status: _moderation_page(group, viewer, status, mute_form=form),
        done=lambda _r: redirect(url_for("neighbours.moderation_page", group_id=group.id)),
        message=_("Muted on the board."),
    )


@bp.route("/groups/<int:group_id>/<any(lock, unlock):switch>", methods=["POST"])
@login_required
def lock(group_id: int, switch: str):
    """Lock the board (only leaders post; nothing is taken) or unlock it."""
    group, viewer = moderator(group_id)
    form = ReasonForm()
    if switch == "unlock":
        form.reason.validators = []
    return form_view(
        form,
        lambda: services.set_locked(viewer, group, switch == "lock", form.reason.data),
        render=lambda status: _moderation_page(group, viewer, status, lock_form=form),
        done=lambda _g: redirect(url_for("neighbours.moderation_page", group_id=group.id)),
        message=_("The board is locked.") if switch == "lock" else _("The board is open again."),
    )


@bp.route("/groups/<int:group_id>/summary")
@login_required
def summary(group_id: int):
    """The year's summary: the group's consultations and their results, and the help given, by kind."""
    group, viewer = load_group(group_id)
    this_year = local_today().year
    year = request.args.get("year", type=int) or this_year
    if not 2000 <= year <= this_year:
        year = this_year
    return render_template(
        "neighbours/summary.html",
        community=viewer.community,
        group=group,
        summary=services.summary(group, year),
        years=range(this_year, max(2000, this_year - 5) - 1, -1),
        phases=PHASE_LABELS,
        motion_states=MOTION_STATE_LABELS,
        categories=CATEGORY_LABELS,
        states=STATE_LABELS,
        state_order=list(HelpState),
    )
