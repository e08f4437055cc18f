"""Calls, applications, the panel's scoring and the award: thin views over services. Objects are loaded
through parties.load_* (404 for who may not see); forms commit through core.web.form_view."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import access
from app.core.errors import Forbidden
from app.core.web import form_view
from app.orgs.models import Organisation
from app.procurement import bp, parties, permissions, reports, services
from app.procurement.forms import ApplicationForm, AwardForm, CallForm, DeclareForm, score_form
from app.procurement.labels import CALL_STATUS_LABELS
from app.procurement.models import Application, ServiceCall


@bp.route("/c/<slug>/procurement")
@login_required
def index(slug: str):
    """The community's calls (招标/征集), for those who may see each."""
    community = access.community_by_slug(slug)
    party = parties.party(current_user, community)
    calls = [c for c in services.calls_in(community) if permissions.can_view_call(party, c)]
    if not calls and not party.viewer.may_see:
        abort(404)
    return render_template(
        "procurement/index.html",
        community=community,
        calls=calls,
        can_publish=permissions.can_publish(party),
        status_labels=CALL_STATUS_LABELS,
    )


def _call_form(party, form=None) -> CallForm:
    form = form or CallForm()
    form.item_id.choices = [SelectChoice(i.id, f"{i.year} {i.title}") for i in services.items_for(party)]
    form.panel.choices = [
        SelectChoice(a.user_id, f"{a.user.name} {a.field}".strip())
        for a in services.panel_choices(party.viewer.community)
    ]
    return form


@bp.route("/c/<slug>/procurement/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Staff publish a call for a published guidance item."""
    community = access.community_viewer(slug, current_user).community
    party = parties.party(current_user, community)
    if not permissions.can_publish(party):
        raise Forbidden(_("Only the community's staff or the street's staff publish calls."))
    form = _call_form(party)
    return form_view(
        form,
        lambda: services.publish_call(
            party,
            client_id=form.client_id.data,
            item_id=form.item_id.data,
            title=form.title.data,
            scope=form.scope.data,
            ceiling_fen=form.ceiling.data,
            deadline_day=form.deadline.data,
            scoring_day=form.scoring_ends.data,
            criteria=form.criteria.data,
            panel_ids=[i for i in form.panel.data or [] if i is not None],
        ),
        render=lambda status: (render_template("procurement/new.html", community=community, form=form), status),
        done=lambda call: redirect(url_for("procurement.call", call_id=call.id)),
        message=_("The call is published."),
    )


def render_call(call: ServiceCall, party, *, status: int = 200, award_form=None):
    """A call's page: what is asked, the criteria and panel, the applications and scores the party sees."""
    mine = [a for a in call.applications if permissions.acts_for(party, a.organisation_id)]
    visible = [a for a in call.applications if permissions.can_view_application(party, a)]
    ranking = [(a, c) for a, c in services.ranking(call) if a in visible]
    form = award_form or AwardForm()
    form.application_id.choices = [SelectChoice(a.id, a.organisation.name) for a, _c in ranking]
    page = render_template(
        "procurement/call.html",
        call=call,
        community=call.community,
        mine=mine,
        ranking=ranking,
        show_scores=permissions.can_see_all_scores(party, call),
        can_apply=any(permissions.can_apply(party, call, o) for o in party.agent_orgs) and not mine,
        can_award=permissions.can_award(party, call),
        award_form=form,
        contract=services.contract_of(call),
        status_labels=CALL_STATUS_LABELS,
    )
    return page, status


@bp.route("/procurement/calls/<int:call_id>")
@login_required
def call(call_id: int):
    call, party = parties.load_call(call_id, current_user)
    return render_call(call, party)


def _organisation_choices(party, call) -> list[Organisation]:
    return [o for o in party.agent_orgs if permissions.can_apply(party, call, o)]


@bp.route("/procurement/calls/<int:call_id>/apply", methods=["GET", "POST"])
@login_required
def apply(call_id: int):
    """An organisation's agent applies, with a plan, budget lines and milestones."""
    call, party = parties.load_call(call_id, current_user)
    orgs = _organisation_choices(party, call)
    if not orgs:
        raise Forbidden(_("Only an agent of a verified organisation of this district may apply."))
    form = ApplicationForm()
    form.organisation_id.choices = [SelectChoice(o.id, o.name) for o in orgs]
    return form_view(
        form,
        lambda: services.apply(
            party,
            call,
            next((o for o in orgs if o.id == form.organisation_id.data), None),
            plan=form.plan.data,
            budget=form.budget.data,
            milestones=form.milestones.data,
        ),
        render=lambda status: (render_template("procurement/apply.html", call=call, form=form), status),
        done=lambda application: redirect(url_for("procurement.application", application_id=application.id)),
        message=_("Your application is in. You may change it until the deadline."),
    )


def render_application(application: Application, party, *, status: int = 200, **forms):
    call = application.call
    sheet = services.sheet_of(application, party.user.id)
    page = render_template(
        "procurement/application.html",
        application=application,
        call=call,
        community=call.community,
        combined=services.combined(application),
        sheets=services.visible_sheets(party, application),
        sheet=sheet,
        can_edit=permissions.can_edit_application(party, application),
        can_score=permissions.can_score(party, application),
        scoring_ended=services.scoring_ended_for(party, application),
        declare_form=forms.get("declare_form") or DeclareForm(),
        score_form=forms.get("score_form") or score_form(call),
    )
    return page, status


@bp.route("/procurement/applications/<int:application_id>")
@login_required
def application(application_id: int):
    application, party = parties.load_application(application_id, current_user)
    return render_application(application, party)


@bp.route("/procurement/applications/<int:application_id>/edit", methods=["GET", "POST"])
@login_required
def edit(application_id: int):
    """The organisation's agent changes its application until the deadline."""
    application, party = parties.load_application(application_id, current_user)
    if not permissions.can_edit_application(party, application):
        raise Forbidden()
    form = ApplicationForm(data=services.as_text(application) if request.method == "GET" else None)
    form.organisation_id.choices = [SelectChoice(application.organisation_id, application.organisation.name)]
    return form_view(
        form,
        lambda: services.edit(
            party, application, plan=form.plan.data, budget=form.budget.data, milestones=form.milestones.data
        ),
        render=lambda status: (
            render_template("procurement/apply.html", call=application.call, form=form, application=application),
            status,
        ),
        done=lambda _a: redirect(url_for("procurement.application", application_id=application.id)),
        message=_("Your application is changed."),
    )


@bp.route("/procurement/applications/<int:application_id>/declare", methods=["POST"])
@login_required
def declare(application_id: int):
    """A panel expert declares a conflict of interest (or none) before scoring."""
    application, party = parties.load_application(application_id, current_user)
    form = DeclareForm()
    return form_view(
        form,
        lambda: services.declare(party, application, conflicted=form.conflicted.data, note=form.note.data),
        render=lambda status: render_application(application, party, status=status, declare_form=form),
        done=lambda _s: redirect(url_for("procurement.application", application_id=application.id)),
        message=_("Your declaration is recorded."),
    )


@bp.route("/procurement/applications/<int:application_id>/score", methods=["POST"])
@login_required
def score(application_id: int):
    """A panel expert submits their scores, alone, once."""
    application, party = parties.load_application(application_id, current_user)
    form = score_form(application.call, formdata=request.form)
    points = {c.id: getattr(form, f"c{c.id}").data for c in application.call.criteria}
    return form_view(
        form,
        lambda: services.submit_scores(party, application, points),
        render=lambda status: render_application(application, party, status=status, score_form=form),
        done=lambda _s: redirect(url_for("procurement.application", application_id=application.id)),
        message=_("Your scores are submitted."),
    )


@bp.route("/procurement/calls/<int:call_id>/award", methods=["POST"])
@login_required
def award(call_id: int):
    """Staff award the call; the contract is made."""
    call, party = parties.load_call(call_id, current_user)
    if not permissions.can_award(party, call):
        raise Forbidden()
    form = AwardForm()
    return form_view(
        form,
        lambda: services.award(
            party,
            call,
            next((a for a in call.applications if a.id == form.application_id.data), None),
            reason=form.reason.data,
        ),
        render=lambda status: render_call(call, party, status=status, award_form=form),
        done=lambda contract: redirect(url_for("procurement.contract", contract_id=contract.id)),
        message=_("The call is awarded and the award published with all scores."),
    )


@bp.route("/procurement/calls/<int:call_id>/publicity")
@login_required
def publicity(call_id: int):
    """The printable 公示 of the award, with every score and the formula."""
    call, _party = parties.load_call(call_id, current_user)
    if call.award is None:
        abort(404)
    return render_template("procurement/publicity.html", call=call, ranking=services.ranking(call))


@bp.route("/c/<slug>/procurement/awards.<any(csv, xlsx):fmt>")
@login_required
def awards_export(slug: str, fmt: str):
    """The community's awards with every application's scores, as CSV or XLSX."""
    community = access.community_viewer(slug, current_user).community
    return reports.awards_download(community, services.calls_in(community), fmt)
