"""The HTTP views of the cross-feature flows. The URLs are the features' own (an idea's adoption is posted
from the idea's page): only the code that writes across features lives here."""

from __future__ import annotations

from flask import redirect, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core.web import form_view
from app.flows import bp
from app.flows import ideas as idea_flows
from app.ideas import routes as idea_pages
from app.ideas.forms import AdoptForm, AdoptProjectForm


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
