"""The HTTP views of the cross-feature flows. The URLs are the features' own (an idea's adoption is posted
from the idea's page): only the code that writes across features lives here."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import access
from app.consultations import permissions as consultation_permissions
from app.consultations.models import Consultation
from app.core.errors import Forbidden
from app.core.forms import ButtonForm
from app.core.web import form_view, perform
from app.flows import bp, group_consultations, milestone_satisfaction
from app.flows import ideas as idea_flows
from app.flows import needs as need_flows
from app.ideas import routes as idea_pages
from app.ideas.forms import AdoptForm, AdoptProjectForm
from app.needs import permissions as need_permissions
from app.neighbours import permissions as group_permissions
from app.neighbours.forms import ConveneForm
from app.neighbours.routes import load_group
from app.procurement import parties as procurement_parties


@bp.route("/ideas/<int:idea_id>/adopt", methods=["POST"])
@login_required
def adopt_idea(idea_id: int):
    """Staff turn the idea into a draft consultation."""
    idea, viewer = idea_pages.reviewer(idea_id)
    form = idea_pages.adopt_form(viewer.community, AdoptForm())
    return form_view(
        form,
        lambda: idea_flows.adopt_as_consultation(
            viewer, idea, chair_id=form.chair_id.data, rule_set_id=form.rule_set_id.data, reason=form.reason.data
        ),
        render=lambda status: idea_pages.render_idea(idea, viewer, adopt_form=form, status=status),
        done=lambda _idea: redirect(url_for("consultations.room", consultation_id=idea.consultation_id)),
        message=_("A draft consultation was made from this idea."),
    )


@bp.route("/ideas/<int:idea_id>/adopt-project", methods=["POST"])
@login_required
def adopt_idea_as_project(idea_id: int):
    """Staff turn the idea into a draft micro-project application in its submitter's name."""
    idea, viewer = idea_pages.reviewer(idea_id)
    form = AdoptProjectForm()
    return form_view(
        form,
        lambda: idea_flows.adopt_as_micro_project(viewer, idea, reason=form.reason.data),
        render=lambda status: idea_pages.render_idea(idea, viewer, project_form=form, status=status),
        done=lambda _idea: redirect(url_for("ideas.show", idea_id=idea.id)),
        message=_("A draft micro-project was made from this idea; its submitter has been asked to add the budget."),
    )


@bp.route("/groups/<int:group_id>/consultations/new", methods=["GET", "POST"])
@login_required
def convene_group_consultation(group_id: int):
    """A leader drafts one of the group's consultations (its building, the simple rules by default)."""
    group, viewer = load_group(group_id)
    if not group_permissions.can_convene(viewer, group):
        raise Forbidden()
    form = ConveneForm()
    form.building_id.choices = [SelectChoice(b.building_id, b.building.name) for b in group.buildings]
    form.rule_set_id.choices = [SelectChoice(r.id, r.name) for r in group_consultations.rule_set_choices(viewer)]
    return form_view(
        form,
        lambda: group_consultations.convene(
            viewer,
            group,
            title=form.title.data,
            background=form.background.data,
            building_id=form.building_id.data,
            rule_set_id=form.rule_set_id.data,
        ),
        render=lambda status: (
            render_template("neighbours/convene.html", community=viewer.community, group=group, form=form),
            status,
        ),
        done=lambda consultation: redirect(url_for("consultations.room", consultation_id=consultation.id)),
        message=_("The group's consultation is drafted: open it when it is ready."),
    )


@bp.route("/ideas/<int:idea_id>/raise-need", methods=["GET", "POST"])
@login_required
def raise_need_from_idea(idea_id: int):
    """Staff raise a need (需求清单) from the golden idea; the need links back to it."""
    idea, viewer = idea_pages.reviewer(idea_id)
    back = url_for("ideas.show", idea_id=idea.id)
    return _raise_need(viewer, idea.title, back, lambda: need_flows.raise_from_idea(viewer, idea))


@bp.route("/consultations/<int:consultation_id>/raise-need", methods=["GET", "POST"])
@login_required
def raise_need_from_consultation(consultation_id: int):
    """Staff raise a need from a concluded consultation's outcome; the need links back to it."""
    consultation, viewer = access.load(
        Consultation, consultation_id, current_user, can=consultation_permissions.can_view
    )
    if not need_permissions.can_review(viewer):
        raise Forbidden()
    back = url_for("consultations.room", consultation_id=consultation.id)
    return _raise_need(
        viewer, consultation.title, back, lambda: need_flows.raise_from_consultation(viewer, consultation)
    )


def _raise_need(viewer, title: str, back: str, action):
    form = ButtonForm()
    return form_view(
        form,
        action,
        render=lambda status: (
            render_template("needs/raise.html", community=viewer.community, title=title, back=back, form=form),
            status,
        ),
        done=lambda need: redirect(url_for("needs.show", need_id=need.id)),
        message=_("The need is in the needs list, linked to where it came from."),
    )


@bp.route("/procurement/milestones/<int:milestone_id>/ask-again", methods=["POST"])
@login_required
def ask_households_again(milestone_id: int):
    """A milestone's survey closed with no answers: the households are asked again (a new survey)."""
    milestone, party = procurement_parties.load_milestone(milestone_id, current_user)
    form = ButtonForm()
    if form.validate_on_submit() and perform(lambda: milestone_satisfaction.ask_again(party, milestone)).ok:
        flash(_("The households are asked again: a new survey is open."), "success")
    return redirect(url_for("procurement.milestone", milestone_id=milestone.id))
