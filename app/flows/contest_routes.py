"""The HTTP views of the contest flows (app.flows.contests), at the contests' own URLs: entering a
proposal (from scratch or from a golden idea) and granting the winners."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SelectChoice

from app.contests import permissions as contest_permissions
from app.contests import routes as contest_pages
from app.contests import services as contests
from app.contests.forms import EntryForm, GrantForm
from app.contests.models import Phase
from app.core.errors import DomainError, Forbidden
from app.core.web import form_view, handle_refusal
from app.extensions import db
from app.flows import bp
from app.flows import contests as flows


def _entry_form(viewer, contest) -> EntryForm:
    """The entry form, offering the viewer's golden ideas (a GET with ?idea=<id> starts from that one)."""
    ideas = flows.idea_choices(viewer, contest)
    form = EntryForm()
    form.idea_id.choices = [SelectChoice("", _("No, a new proposal"))] + [
        SelectChoice(str(i.id), f"#{i.id} {i.title}") for i in ideas
    ]
    orgs = contests.entering_for(viewer, contest)
    if orgs:  # who enters: the resident themselves (if they may), or one of the organisations they act for
        mine = [SelectChoice("", _("Myself, as a resident"))] if contest_permissions.can_submit(viewer) else []
        form.organisation_id.choices = mine + [SelectChoice(o.id, o.name) for o in orgs]
    items = contests.guidance_choices(contest)
    if items:
        optional = [] if contest.requires_guidance else [SelectChoice("", _("None"))]
        form.guidance_item_id.choices = optional + [SelectChoice(i.id, f"{i.year} · {i.title}") for i in items]
    chosen = next((i for i in ideas if str(i.id) == request.args.get("idea")), None)
    if request.method == "GET" and chosen is not None:
        form.idea_id.data, form.title.data, form.summary.data = str(chosen.id), chosen.title, chosen.description
    return form


@bp.route("/contests/<int:contest_id>/entries/new", methods=["GET", "POST"])
@login_required
def new_contest_entry(contest_id: int):
    """Enter a proposal, from scratch or from one of the member's golden ideas."""
    contest, viewer = contest_pages.load_contest(contest_id)
    contests.check_may_enter(viewer, contest)  # a resident, or an organisation's agent where it admits them
    form = _entry_form(viewer, contest)

    def render(status):
        return render_template(
            "contests/entry_form.html", community=viewer.community, contest=contest, form=form
        ), status

    if contest.phase != Phase.SUBMISSION:
        flash(_("Proposals are accepted only during submission."), "error")
        return render(409)
    return form_view(
        form,
        lambda: flows.submit_entry(viewer, contest, idea_id=form.idea(), **form.entry_fields()),
        render=render,
        done=lambda entry: redirect(url_for("contests.entry", entry_id=entry.id)),
        message=_("Thank you. Your proposal is in; you will be told the screening result."),
    )


@bp.route("/contests/<int:contest_id>/grant", methods=["POST"])
@login_required
def grant_contest_winners(contest_id: int):
    """After 公示, staff turn the winners into micro-projects funded with their budgets."""
    contest, viewer, res = contest_pages.load_published(contest_id)
    if not contest_permissions.can_manage(viewer):
        raise Forbidden()
    if not GrantForm().validate_on_submit():
        flash(_("The form expired or was sent twice. Please reload the page and try again."), "error")
        return contest_pages.notice_page(contest, viewer, res, status=400)
    try:
        projects = flows.grant_winners(viewer, contest)
    except DomainError as err:
        db.session.commit()  # the winners granted before the refusal stay granted (each one whole)
        status = handle_refusal(err)
        return contest_pages.notice_page(contest, viewer, contests.result(viewer, contest), status=status)
    db.session.commit()
    flash(_("%(n)d winning entries are now micro-projects.", n=len(projects)), "success")
    return redirect(url_for("contests.results", contest_id=contest.id))
