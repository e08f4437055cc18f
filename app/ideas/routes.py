"""Golden-idea views: the list with filters, submitting from a phone, one idea, review.

Adopting an idea as a consultation or a micro-project spans features: its views are in app/flows/routes.py,
and they show this feature's idea page (`render_idea`) when a form must be shown again.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import access
from app.communities.access import Viewer
from app.consultations import services as consultations
from app.contests import services as contests
from app.core import validation
from app.core.errors import Forbidden
from app.core.uploads import PhotoStore
from app.core.web import form_view, perform
from app.ideas import bp, permissions, services
from app.ideas.forms import AdoptForm, AdoptProjectForm, CommentForm, IdeaForm, StatusForm
from app.ideas.labels import CATEGORY_LABELS, STATUS_LABELS
from app.ideas.models import Category, Idea, IdeaStatus

# What the features above ideas add to an idea's page, as template variables from the idea (app/flows
# registers the micro-projects made from it): ideas shows them without importing those features.
PAGE_EXTRAS: list[Callable[[Idea], dict]] = []


def load(idea_id: int) -> tuple[Idea, Viewer]:
    """The idea and the viewer, if they may see it (a hidden idea: its author and the staff); 404 otherwise."""
    return access.load(Idea, idea_id, current_user, can=permissions.can_view)


def reviewer(idea_id: int) -> tuple[Idea, Viewer]:
    """The idea, for the community staff who review it; 403 for other readers."""
    idea, viewer = load(idea_id)
    if not permissions.can_review(viewer):
        raise Forbidden()
    return idea, viewer


def _filters() -> dict:
    args = request.args
    return {
        "category": args.get("category") if args.get("category") in {c.value for c in Category} else None,
        "status": args.get("status") if args.get("status") in {s.value for s in IdeaStatus} else None,
        "building": args.get("building", type=validation.id_arg),  # an id no row can have is no filter
        "sort": args.get("sort") if args.get("sort") in services.SORTS else "newest",
    }


@bp.route("/c/<slug>/ideas")
@login_required
def index(slug: str):
    """Ideas with filters (category, status, building) and sorting (newest, most endorsed)."""
    viewer = access.community_viewer(slug, current_user, check=False)  # a stranger is refused by listing
    filters = _filters()
    ideas = services.listing(
        viewer,
        category=filters["category"],
        status=filters["status"],
        building_id=filters["building"],
        sort=filters["sort"],
    )
    return render_template(
        "ideas/index.html",
        community=viewer.community,
        ideas=ideas,
        filters=filters,
        can_submit=permissions.can_submit(viewer),
        category_labels=CATEGORY_LABELS,
        status_labels=STATUS_LABELS,
    )


@bp.route("/c/<slug>/ideas/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Submit an idea with up to six photos."""
    viewer = access.community_viewer(slug, current_user, check=False)
    if not permissions.can_submit(viewer):
        raise Forbidden(_("Only verified residents can submit ideas."))
    form = IdeaForm()
    store = PhotoStore(current_app.config, community_id=viewer.community_id, owner_id=current_user.id)
    return form_view(
        form,
        lambda: services.submit(
            viewer,
            client_id=form.client_id.data,
            title=form.title.data,
            description=form.description.data,
            category=form.category.data,
            photos=[f.read() for f in form.photos.data or [] if f and f.filename],
            store=store,
        ),
        render=lambda status: (render_template("ideas/new.html", community=viewer.community, form=form), status),
        done=lambda idea: redirect(url_for("ideas.show", idea_id=idea.id)),
        message=_("Thank you. Your idea is in; you will be told of every step."),
    )


def adopt_form(community, form=None) -> AdoptForm:
    """The form adopting an idea as a consultation, with the community's chairs and rule sets to choose."""
    form = form or AdoptForm()
    form.chair_id.choices = [SelectChoice(m.user_id, m.user.name) for m in consultations.chair_choices(community)]
    form.rule_set_id.choices = [SelectChoice(r.id, r.name) for r in consultations.rule_set_choices(community)]
    return form


def render_idea(idea: Idea, viewer: Viewer, *, status: int = 200, **forms):
    """One idea's page; `forms` (comment_form, status_form, adopt_form, project_form) are shown again."""
    community = viewer.community
    can_review = permissions.can_review(viewer)
    if can_review and forms.get("adopt_form") is None:
        forms["adopt_form"] = adopt_form(community)
    extras = {}
    for extra in PAGE_EXTRAS:
        extras.update(extra(idea))
    page = render_template(
        "ideas/show.html",
        community=community,
        idea=idea,
        comments=services.comments(idea),
        endorsed=services.has_endorsed(viewer, idea),
        can_endorse=permissions.can_endorse(viewer, idea),
        is_author=viewer.is_user(idea.author_id),
        can_comment=permissions.can_comment(viewer),
        can_review=can_review,
        next_statuses=sorted(services.TRANSITIONS[idea.status], key=list(IdeaStatus).index),
        comment_form=forms.get("comment_form") or CommentForm(),
        status_form=forms.get("status_form") or StatusForm(),
        adopt_form=forms.get("adopt_form"),
        project_form=forms.get("project_form") or AdoptProjectForm(),
        contest_entries=contests.entries_from_idea(idea.id),
        status_labels=STATUS_LABELS,
        category_labels=CATEGORY_LABELS,
        threshold=community.idea_threshold,
        **extras,
    )
    return page, status


@bp.route("/ideas/<int:idea_id>")
@login_required
def show(idea_id: int):
    """One idea: photos, endorsements, comments, and its status history."""
    return render_idea(*load(idea_id))


@bp.route("/ideas/<int:idea_id>/endorse", methods=["POST"])
@login_required
def endorse(idea_id: int):
    """Endorse the idea (once)."""
    idea, viewer = load(idea_id)
    outcome = perform(lambda: services.endorse(viewer, idea))
    if not outcome.ok:
        return render_idea(idea, viewer, status=outcome.status)
    return redirect(url_for("ideas.show", idea_id=idea.id))


@bp.route("/ideas/<int:idea_id>/comments", methods=["POST"])
@login_required
def comment(idea_id: int):
    """Add a comment."""
    idea, viewer = load(idea_id)
    form = CommentForm()
    return form_view(
        form,
        lambda: services.comment(viewer, idea, client_id=form.client_id.data, body=form.body.data),
        render=lambda status: render_idea(idea, viewer, comment_form=form, status=status),
        done=lambda _comment: redirect(url_for("ideas.show", idea_id=idea.id) + "#comments"),
    )


@bp.route("/ideas/<int:idea_id>/status", methods=["POST"])
@login_required
def change_status(idea_id: int):
    """Staff move the idea on, with a reason."""
    idea, viewer = reviewer(idea_id)
    form = StatusForm()
    return form_view(
        form,
        lambda: services.change_status(
            viewer, idea, form.status.data, form.reason.data, merged_into_id=form.merged_into_id.data
        ),
        render=lambda status: render_idea(idea, viewer, status_form=form, status=status),
        done=lambda _idea: redirect(url_for("ideas.show", idea_id=idea.id)),
        message=_("Status changed; the submitter has been told."),
    )
