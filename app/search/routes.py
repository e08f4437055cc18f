"""The search page: /c/<slug>/search, and the box in the header of community pages that leads to it."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from app.communities import access
from app.core.web import perform
from app.ideas.labels import CATEGORY_LABELS
from app.search import bp, services
from app.search.forms import SearchForm
from app.search.registry import PROVIDERS, groups


def _filters(form: SearchForm) -> services.Filters:
    return services.Filters(
        kind=form.kind.data if form.kind.data in groups() else "",
        status=form.status.data or "",
        since=form.since.data,
        until=form.until.data,
        category=form.category.data or "",
        building_id=form.building.data,
    )


def _statuses(kind: str) -> dict:
    """The statuses the filter offers: those of the kind chosen, or of every kind."""
    found: dict = {}
    for provider in PROVIDERS.values():
        if not kind or provider.filter == kind:
            found.update(provider.statuses)
    return found


@bp.route("/c/<slug>/search")
@login_required
def index(slug: str):
    """One box for the whole community: ideas, consultations and speeches, projects, entries, decisions."""
    viewer = access.community_viewer(slug, current_user)
    form = SearchForm(request.args)
    results, status = None, 200
    if not form.validate():
        status = 400
    elif form.q.data:
        outcome = perform(lambda: services.search(viewer, form.q.data, _filters(form), page=form.page.data or 1), form)
        results, status = outcome.result, outcome.status
    return render_template(
        "search/index.html",
        community=viewer.community,
        form=form,
        results=results,
        kinds=groups(),
        statuses=_statuses(form.kind.data or ""),
        categories={c.value: label for c, label in CATEGORY_LABELS.items()},
    ), status
