"""Golden-idea views: the list with filters, submitting from a phone, one idea, review."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import services as communities
from app.core.errors import DomainError, Forbidden
from app.core.uploads import PhotoStore
from app.core.web import handle_refusal
from app.ideas import bp, permissions, services
from app.ideas.forms import AdoptForm, AdoptProjectForm, CommentForm, IdeaForm, StatusForm
from app.ideas.models import Category, IdeaStatus


@bp.route("/c/<slug>/ideas")
@login_required
def index(slug: str):
    """Ideas with filters (category, status, building) and sorting (newest, most endorsed)."""
    community = communities.get_community(slug)
    args = request.args
    category = args.get("category") if args.get("category") in {c.value for c in Category} else None
    status = args.get("status") if args.get("status") in {s.value for s in IdeaStatus} else None
    building_id = args.get("building", type=int)
    sort = args.get("sort") if args.get("sort") in services.SORTS else "newest"
    ideas = services.listing(
        current_user, community, category=category, status=status, building_id=building_id, sort=sort
    )
    member = communities.membership_of(current_user, community.id)
    return render_template(
        "ideas/index.html",
        community=community,
        ideas=ideas,
        filters={"category": category, "status": status, "building": building_id, "sort": sort},
        can_submit=permissions.can_submit(member),
        category_labels=services.CATEGORY_LABELS,
        status_labels=services.STATUS_LABELS,
    )


@bp.route("/c/<slug>/ideas/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Submit an idea with up to six photos."""
    community = communities.get_community(slug)
    if not permissions.can_submit(communities.membership_of(current_user, community.id)):
        raise Forbidden(_("Only verified residents can submit ideas."))
    form = IdeaForm()
    status = 200
    if form.validate_on_submit():
        files = [f for f in (form.photos.data or []) if f and f.filename]
        try:
            idea = services.submit(
                current_user,
                community,
                client_id=form.client_id.data,
                title=form.title.data,
                description=form.description.data,
                category=form.category.data,
                photos=[f.read() for f in files],
                store=PhotoStore(current_app.config, community_id=community.id, owner_id=current_user.id),
            )
        except DomainError as err:
            status = handle_refusal(err, form)
        else:
            flash(_("Thank you. Your idea is in; you will be told of every step."), "success")
            return redirect(url_for("ideas.show", idea_id=idea.id))
    elif request.method == "POST":
        status = 400
    return render_template("ideas/new.html", community=community, form=form), status


def _contest_entries_of(idea):
    """Proposal-contest entries made from the idea."""
    from app.contests import services as contests  # a read across features, as micro-projects do for ideas

    return contests.entries_from_idea(idea.id)


def _show(idea, actor, *, comment_form=None, status_form=None, adopt_form=None, project_form=None, status=200):
    community = communities.get_community_by_id(idea.community_id)
    can_review = permissions.can_review(actor.member, idea.community_id)
    if can_review and adopt_form is None:
        adopt_form = _adopt_form(community)
    return (
        render_template(
            "ideas/show.html",
            community=community,
            idea=idea,
            comments=services.comments(idea),
            endorsed=services.has_endorsed(current_user, idea),
            can_endorse=permissions.can_endorse(actor.member),
            can_comment=permissions.can_comment(actor.member),
            can_review=can_review,
            next_statuses=sorted(services.TRANSITIONS[idea.status], key=list(IdeaStatus).index),
            comment_form=comment_form or CommentForm(),
            status_form=status_form or StatusForm(),
            adopt_form=adopt_form,
            project_form=project_form or AdoptProjectForm(),
            micro_projects=services.micro_projects_of(idea),
            contest_entries=_contest_entries_of(idea),
            status_labels=services.STATUS_LABELS,
            category_labels=services.CATEGORY_LABELS,
            threshold=community.idea_threshold,
        ),
        status,
    )


def _adopt_form(community, form=None):
    from app.consultations import services as consultations

    form = form or AdoptForm()
    form.chair_id.choices = [SelectChoice(m.user_id, m.user.name) for m in consultations.chair_choices(community)]
    form.rule_set_id.choices = [SelectChoice(r.id, r.name) for r in consultations.rule_set_choices(community)]
    return form


@bp.route("/ideas/<int:idea_id>")
@login_required
def show(idea_id: int):
    """One idea: photos, endorsements, comments, and its status history."""
    idea = services.get(idea_id)
    return _show(idea, services.visible(current_user, idea))


@bp.route("/ideas/<int:idea_id>/endorse", methods=["POST"])
@login_required
def endorse(idea_id: int):
    """Endorse the idea (once)."""
    idea = services.get(idea_id)
    try:
        services.endorse(current_user, idea)
    except DomainError as err:
        status = handle_refusal(err)
        return _show(idea, services.visible(current_user, idea), status=status)
    return redirect(url_for("ideas.show", idea_id=idea.id))


@bp.route("/ideas/<int:idea_id>/comments", methods=["POST"])
@login_required
def comment(idea_id: int):
    """Add a comment."""
    idea = services.get(idea_id)
    actor = services.visible(current_user, idea)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            services.comment(current_user, idea, client_id=form.client_id.data, body=form.body.data)
        except DomainError as err:
            return _show(idea, actor, comment_form=form, status=handle_refusal(err, form))
        return redirect(url_for("ideas.show", idea_id=idea.id) + "#comments")
    return _show(idea, actor, comment_form=form, status=400)


@bp.route("/ideas/<int:idea_id>/status", methods=["POST"])
@login_required
def change_status(idea_id: int):
    """Staff move the idea on, with a reason."""
    idea = services.get(idea_id)
    actor = services.visible(current_user, idea)
    if not permissions.can_review(actor.member, idea.community_id):
        raise Forbidden()
    form = StatusForm()
    if form.validate_on_submit():
        try:
            services.change_status(
                current_user, idea, form.status.data, form.reason.data, merged_into_id=form.merged_into_id.data
            )
        except DomainError as err:
            return _show(idea, actor, status_form=form, status=handle_refusal(err, form))
        flash(_("Status changed; the submitter has been told."), "success")
        return redirect(url_for("ideas.show", idea_id=idea.id))
    return _show(idea, actor, status_form=form, status=400)


@bp.route("/ideas/<int:idea_id>/adopt", methods=["POST"])
@login_required
def adopt(idea_id: int):
    """Staff turn the idea into a draft consultation."""
    idea = services.get(idea_id)
    actor = services.visible(current_user, idea)
    if not permissions.can_review(actor.member, idea.community_id):
        raise Forbidden()
    community = communities.get_community_by_id(idea.community_id)
    form = _adopt_form(community, AdoptForm())
    if form.validate_on_submit():
        try:
            services.adopt_as_consultation(
                current_user,
                idea,
                chair_id=form.chair_id.data,
                rule_set_id=form.rule_set_id.data,
                reason=form.reason.data,
            )
        except DomainError as err:
            return _show(idea, actor, adopt_form=form, status=handle_refusal(err, form))
        flash(_("A draft consultation was made from this idea."), "success")
        return redirect(url_for("consultations.room", consultation_id=idea.consultation_id))
    return _show(idea, actor, adopt_form=form, status=400)


@bp.route("/ideas/<int:idea_id>/adopt-project", methods=["POST"])
@login_required
def adopt_project(idea_id: int):
    """Staff turn the idea into a draft micro-project application in its submitter's name."""
    idea = services.get(idea_id)
    actor = services.visible(current_user, idea)
    if not permissions.can_review(actor.member, idea.community_id):
        raise Forbidden()
    form = AdoptProjectForm()
    if form.validate_on_submit():
        try:
            services.adopt_as_micro_project(current_user, idea, reason=form.reason.data)
        except DomainError as err:
            return _show(idea, actor, project_form=form, status=handle_refusal(err, form))
        flash(
            _("A draft micro-project was made from this idea; its submitter has been asked to add the budget."),
            "success",
        )
        return redirect(url_for("ideas.show", idea_id=idea.id))
    return _show(idea, actor, project_form=form, status=400)
