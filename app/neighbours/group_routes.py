"""A group's own pages beyond its board: editing and dissolving it, moderation (mutes, the lock, the log), its
consultations, and the yearly summary of what it settled and helped with."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SelectChoice

from app.communities.access import Viewer
from app.consultations.labels import MOTION_STATE_LABELS, PHASE_LABELS
from app.core.clock import local_today
from app.core.errors import Forbidden
from app.core.web import form_view
from app.moderation import services as moderation
from app.neighbours import bp, permissions, queries, services
from app.neighbours.forms import GroupForm, MuteForm, ReasonForm
from app.neighbours.labels import CATEGORY_LABELS, MODERATION_LABELS, STATE_LABELS
from app.neighbours.models import HelpState, NeighbourGroup
from app.neighbours.routes import load_group, moderator
from app.neighbours.services.groups import buildings_without_group


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


def _edit_page(group: NeighbourGroup, viewer: Viewer, status: int = 200, *, form=None, dissolve_form=None):
    can_edit_buildings = permissions.can_edit_buildings(viewer, group)
    if form is None:
        form = GroupForm(formdata=None, obj=group)
        form.buildings.data = sorted(group.building_ids)
    if can_edit_buildings:
        own = [link.building for link in group.buildings]
        form.buildings.choices = [
            SelectChoice(b.id, b.name) for b in sorted([*own, *buildings_without_group(viewer)], key=lambda b: b.id)
        ]
    return render_template(
        "neighbours/edit.html",
        community=viewer.community,
        group=group,
        form=form,
        can_edit_buildings=can_edit_buildings,
        can_dissolve=permissions.can_dissolve(viewer, group),
        dissolve_form=dissolve_form or ReasonForm(formdata=None, prefix="dissolve"),
    ), status


def editor(group_id: int) -> tuple[NeighbourGroup, Viewer]:
    group, viewer = load_group(group_id)
    if not permissions.can_edit(viewer, group):
        raise Forbidden()
    return group, viewer


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@login_required
def edit(group_id: int):
    """Its leaders and staff change the name and description; staff also its buildings, and may dissolve it."""
    group, viewer = editor(group_id)
    form = GroupForm()
    if request.method == "GET":
        return _edit_page(group, viewer)
    buildings = form.buildings.data if permissions.can_edit_buildings(viewer, group) else None
    return form_view(
        form,
        lambda: services.update(
            viewer, group, name=form.name.data, description=form.description.data, buildings=buildings
        ),
        render=lambda status: _edit_page(group, viewer, status, form=form),
        done=lambda _g: redirect(url_for("neighbours.show", group_id=group.id)),
        message=_("The group is updated."),
    )


@bp.route("/groups/<int:group_id>/dissolve", methods=["POST"])
@login_required
def dissolve(group_id: int):
    """Staff dissolve the group with a reason; its members are told, its board stays as a record."""
    group, viewer = load_group(group_id)
    if not permissions.can_dissolve(viewer, group):
        raise Forbidden()
    form = ReasonForm(prefix="dissolve")
    return form_view(
        form,
        lambda: services.dissolve(viewer, group, form.reason.data),
        render=lambda status: _edit_page(group, viewer, status, dissolve_form=form),
        done=lambda _g: redirect(url_for("neighbours.show", group_id=group.id)),
        message=_("The group is dissolved; its members have been told."),
    )
