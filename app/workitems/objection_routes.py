"""Objection views (反映): community staff report work placed on their community outside the admitted list;
district staff answer; the street sees its communities' objections, the community its own and the answers."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import access
from app.communities.access import Viewer
from app.core.web import form_view
from app.documents import services as documents
from app.workitems import bp, permissions, queries, services, standing
from app.workitems.forms import AnswerForm, ObjectionForm
from app.workitems.models import WorkItemObjection
from app.workitems.routes import district_stance, require


def _community_page(viewer: Viewer, form, status=200):
    district = viewer.community.street.district
    form.department_id.choices = [SelectChoice(d.id, d.name) for d in queries.departments(district.id)]
    page = render_template(
        "workitems/community_objections.html",
        community=viewer.community,
        district=district,
        objections=queries.community_objections(viewer.community_id),
        form=form,
        can_object=permissions.can_object(viewer),
    )
    return page, status


@bp.route("/c/<slug>/workitems/objections", methods=["GET", "POST"])
@login_required
def community_objections(slug: str):
    """The community's objections and the answers; its staff report a new one."""
    viewer = access.community_viewer(slug, current_user)
    require(permissions.can_view_community_objections(viewer))
    form = ObjectionForm()
    if form.is_submitted():
        require(permissions.can_object(viewer))
    return form_view(
        form,
        lambda: services.file_objection(
            viewer,
            client_id=form.client_id.data,
            department_id=form.department_id.data,
            what=form.what.data,
            placed_on=form.placed_on.data,
            evidence=form.evidence.data,
        ),
        render=lambda status: _community_page(viewer, form, status),
        done=lambda objection: redirect(url_for("workitems.show_objection", work_objection_id=objection.id)),
        message=_("Reported to the district."),
    )


def _objection_page(objection: WorkItemObjection, viewer: Viewer, form, status=200):
    stance = standing.stance(current_user, viewer.community.street.district)
    page = render_template(
        "workitems/objection.html",
        objection=objection,
        community=viewer.community,
        form=form,
        can_answer=permissions.can_answer(stance, objection) and objection.answered_at is None,
        attachments=documents.panel(viewer, objection),
    )
    return page, status


def _load(work_objection_id: int) -> tuple[WorkItemObjection, Viewer]:
    return access.load(WorkItemObjection, work_objection_id, current_user, can=permissions.can_view_objection)


@bp.route("/workitems/objections/<int:work_objection_id>")
@login_required
def show_objection(work_objection_id: int):
    """One objection and its answer."""
    objection, viewer = _load(work_objection_id)
    return _objection_page(objection, viewer, AnswerForm())


@bp.route("/workitems/objections/<int:work_objection_id>/answer", methods=["POST"])
@login_required
def answer_objection(work_objection_id: int):
    """District staff answer an objection."""
    objection, viewer = _load(work_objection_id)
    stance = standing.stance(current_user, viewer.community.street.district)
    require(permissions.can_answer(stance, objection))
    form = AnswerForm()
    return form_view(
        form,
        lambda: services.answer_objection(stance, objection, form.answer.data),
        render=lambda status: _objection_page(objection, viewer, form, status),
        done=lambda _o: redirect(url_for("workitems.show_objection", work_objection_id=objection.id)),
        message=_("Answer sent to the community."),
    )


@bp.route("/d/<int:district_id>/workitems/objections")
@login_required
def objections(district_id: int):
    """The district's objections (district staff) or the street's communities' (street staff), with counts
    per department."""
    stance = district_stance(district_id)
    require(permissions.can_view_objections(stance))
    return render_template(
        "workitems/objections.html",
        district=stance.district,
        objections=queries.objections(stance),
        counts=queries.objection_counts(stance),
    )
