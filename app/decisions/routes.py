"""Owners' decision views: the list, drafting, the community's thresholds, one decision (vote, roll, paper
ballots, closing, certifying, objections), the printable 公示 notice and its CSV and XLSX tables."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import services as accounts
from app.communities import services as communities
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.masking import mask_phone, mask_room
from app.core.web import handle_refusal
from app.decisions import bp, permissions, reports, services
from app.decisions.forms import (
    APPROVAL_MODES,
    CHOICE_LABELS,
    MATTERS,
    ROLE_LABELS,
    STATE_LABELS,
    ActionForm,
    AnswerForm,
    CertifyForm,
    CorrectForm,
    DecisionForm,
    ObjectionForm,
    PaperForm,
    RulesForm,
    VoteForm,
)
from app.decisions.models import Decision, DecisionState
from app.voting import registry as voting_registry
from app.voting import results, tally
from app.voting import services as voting

S = DecisionState


def _reader(slug: str):
    """The community and the user's membership, if they may read its decisions (members, overseers)."""
    community = communities.get_community(slug)
    member = communities.membership_of(current_user, community.id)
    oversees = community.id in communities.overseen_community_ids(current_user)
    if not permissions.can_view(member, community.id, oversees=oversees):
        raise Forbidden()
    return community, member


def _counter(slug: str):
    community = communities.get_community(slug)
    member = communities.membership_of(current_user, community.id)
    if not permissions.can_count(member, community.id):
        raise Forbidden(_("Only the owners' committee and community staff run and count owners' decisions."))
    return community, member


def _labels() -> dict[str, str]:
    return {choice.value: str(label) for choice, label in CHOICE_LABELS.items()}


def _common() -> dict:
    return {
        "matters": MATTERS,
        "state_labels": STATE_LABELS,
        "choice_labels": _labels(),
        "role_labels": ROLE_LABELS,
        "share_text": reports.share_text,
        "fraction_text": reports.fraction_text,
        "percent": reports.percent,
    }


@bp.route("/c/<slug>/decisions")
@login_required
def index(slug: str):
    """A community's owners' decisions, newest first."""
    community, member = _reader(slug)
    return render_template(
        "decisions/index.html",
        community=community,
        decisions=services.decisions_of(current_user, community),
        can_count=permissions.can_count(member, community.id),
        **_common(),
    )


# -- drafting ---------------------------------------------------------------------------------------


def _save(form: DecisionForm, community, decision: Decision | None):
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            values = {
                "matter": form.matter.data,
                "title": form.title.data,
                "body": form.body.data,
                "starts_on": form.voting_starts_on.data,
                "ends_on": form.voting_ends_on.data,
                "publicity_days": form.publicity_days.data,
            }
            try:
                if decision is None:
                    decision = services.create(current_user, community, client_id=form.client_id.data, **values)
                else:
                    decision = services.update(current_user, decision, **values)
            except DomainError as err:
                status = handle_refusal(err, form)
            else:
                flash(_("Draft saved. Check the roll, then open voting."), "success")
                return redirect(url_for("decisions.show", decision_id=decision.id))
    return (
        render_template("decisions/form.html", community=community, form=form, decision=decision, **_common()),
        status,
    )


@bp.route("/c/<slug>/decisions/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """The owners' committee or staff draft a decision on one art. 278 matter."""
    community, _member = _counter(slug)
    return _save(DecisionForm(), community, None)


@bp.route("/decisions/<int:decision_id>/edit", methods=["GET", "POST"])
@login_required
def edit(decision_id: int):
    """Revise a draft (until voting opens)."""
    decision = services.get(decision_id)
    member = services.visible(current_user, decision)
    if not permissions.can_count(member, decision.community_id):
        raise Forbidden()
    if decision.state != S.DRAFT:
        raise DomainError("wrong_phase", _("Voting has opened: the decision can no longer be changed."), status=409)
    community = communities.get_community_by_id(decision.community_id)
    form = DecisionForm() if request.method == "POST" else DecisionForm(obj=decision)
    return _save(form, community, decision)


@bp.route("/c/<slug>/decisions/rules", methods=["GET", "POST"])
@login_required
def rules(slug: str):
    """The community's own thresholds: stricter than the law's, never laxer."""
    community, _member = _counter(slug)
    current = services.rules_of(community.id)
    stricter = current.stricter if current is not None else None
    form = RulesForm(
        participation=reports.fraction_text(stricter.participation) if stricter else "",
        approval=reports.fraction_text(stricter.approval) if stricter else "",
        approval_mode="at_least" if stricter and stricter.approval_inclusive else "more",
    )
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            try:
                if form.clear.data:
                    participation = approval = None
                else:
                    participation = (
                        services.parse_share(form.participation.data, field="participation")
                        if form.participation.data
                        else None
                    )
                    approval = (
                        services.parse_share(form.approval.data, field="approval") if form.approval.data else None
                    )
                    if form.approval_mode.data not in APPROVAL_MODES:
                        raise DomainError("bad_request", _("Choose more than or at least."), field="approval_mode")
                services.set_rules(
                    current_user,
                    community,
                    participation=participation,
                    approval=approval,
                    inclusive=form.approval_mode.data == "at_least",
                )
            except DomainError as err:
                status = handle_refusal(err, form)
            else:
                flash(_("Thresholds saved. They apply to decisions whose voting opens from now on."), "success")
                return redirect(url_for("decisions.rules", slug=community.slug))
    law = [(n, tally.legal_thresholds(n)) for n in (1, 6)]
    return (
        render_template("decisions/rules.html", community=community, form=form, law=law, current=stricter, **_common()),
        status,
    )


# -- one decision -----------------------------------------------------------------------------------


def _show(decision: Decision, member, *, status=200, **forms):
    community = communities.get_community_by_id(decision.community_id)
    counter = permissions.can_count(member, decision.community_id)
    poll = services.poll_of(decision)
    entry = services.voter_entry(current_user, decision) if member is not None and member.is_verified else None
    ballot = services.ballot_of(decision, entry) if entry is not None and poll is not None else None
    outcome = None
    if decision.state == S.ANNOUNCED or (counter and decision.state == S.COUNTING):
        outcome = services.outcome(decision)
    voted_area, voted_heads = services.turnout(decision)
    draft = services.draft_roll(decision.community_id) if decision.state == S.DRAFT and counter else None
    certs = voting.certifications(poll) if poll is not None else []
    names = accounts.names_of([c.user_id for c in certs] + [o.author_id for o in services.objections_of(decision)])
    return (
        render_template(
            "decisions/show.html",
            community=community,
            decision=decision,
            poll=poll,
            counter=counter,
            entry=entry,
            ballot=ballot,
            ballot_counted=ballot is not None and decision.state == S.ANNOUNCED,
            outcome=outcome,
            checks=reports.checks(outcome, decision.roll_area, decision.roll_heads) if outcome else [],
            thresholds=services.thresholds_for(decision),
            voted_area=voted_area,
            voted_heads=voted_heads,
            draft=draft,
            certifications=certs,
            names=names,
            objections=services.objections_of(decision),
            can_object=permissions.can_object(member, decision.community_id) and decision.objections_open,
            vote_form=forms.get("vote_form") or VoteForm(formdata=None, prefix="vote"),
            certify_form=forms.get("certify_form") or CertifyForm(formdata=None, prefix="certify"),
            objection_form=forms.get("objection_form") or ObjectionForm(formdata=None, prefix="objection"),
            answer_form=AnswerForm(formdata=None, prefix="answer"),
            unsettled=services.unsettled_paper(decision) if counter and decision.state == S.VOTING else 0,
            **_common(),
        ),
        status,
    )


@bp.route("/decisions/<int:decision_id>")
@login_required
def show(decision_id: int):
    """One decision: text, thresholds, turnout, the owner's vote and receipt, and the result once published."""
    decision = services.get(decision_id)
    return _show(decision, services.visible(current_user, decision))


@bp.route("/decisions/<int:decision_id>/open", methods=["POST"])
@login_required
def open_voting(decision_id: int):
    """Freeze the roll and thresholds and open voting."""
    decision = services.get(decision_id)
    member = services.visible(current_user, decision)
    if not ActionForm().validate_on_submit():
        return _show(decision, member, status=400)
    try:
        services.open_voting(current_user, decision)
    except DomainError as err:
        return _show(decision, member, status=handle_refusal(err))
    flash(_("Voting is open. The roll of owners is frozen."), "success")
    return redirect(url_for("decisions.show", decision_id=decision.id))


@bp.route("/decisions/<int:decision_id>/vote", methods=["POST"])
@login_required
def vote(decision_id: int):
    """An owner on the roll votes 同意, 反对 or 弃权, by name; a retry shows the same receipt."""
    decision = services.get(decision_id)
    member = services.visible(current_user, decision)
    form = VoteForm(prefix="vote")
    if not form.validate_on_submit():
        return _show(decision, member, vote_form=form, status=400)
    try:
        ballot = services.vote(current_user, decision, form.choice.data)
    except DomainError as err:
        return _show(decision, member, vote_form=form, status=handle_refusal(err, form))
    flash(_("Your vote was recorded. Receipt: %(receipt)s", receipt=ballot.receipt), "success")
    return redirect(url_for("decisions.show", decision_id=decision.id) + "#my-vote")


@bp.route("/decisions/<int:decision_id>/roll")
@login_required
def roll(decision_id: int):
    """The roll of owners: frozen when voting opened (counters see a draft before). Phone and room numbers are
    masked for everyone but counters."""
    decision = services.get(decision_id)
    member = services.visible(current_user, decision)
    full = permissions.can_see_personal_data(member, decision.community_id)
    if decision.state == S.DRAFT:
        draft = services.draft_roll(decision.community_id)
        entries, area, heads = draft.entries, draft.area, draft.heads
    else:
        entries, area, heads = services.roll_of(decision), decision.roll_area, decision.roll_heads
    rows = []
    for entry in entries:
        units = [f"{b} {u}-{r if full else mask_room(r)}" for b, u, r in entry.households]
        rows.append(
            {
                "name": entry.name,
                "developer": entry.developer,
                "phone": entry.phone if full else mask_phone(entry.phone),
                "units": units,
                "area": entry.area,
                "heads": entry.heads,
                "online": entry.voter_user_id is not None,
            }
        )
    community = communities.get_community_by_id(decision.community_id)
    return render_template(
        "decisions/roll.html", community=community, decision=decision, rows=rows, area=area, heads=heads, full=full,
        **_common(),
    )  # fmt: skip


# -- paper ballots ----------------------------------------------------------------------------------


def _paper_page(decision, form, *, status=200, correct_form=None):
    community = communities.get_community_by_id(decision.community_id)
    entries = services.roll_of(decision)
    form.roll_entry.choices = [(e.id, _entry_label(e)) for e in entries]
    queue = services.paper_queue(decision)
    return (
        render_template(
            "decisions/paper.html",
            community=community,
            decision=decision,
            form=form,
            queue=queue,
            names=accounts.names_of(p.counter_id for s in queue for p in s.papers),
            correct_form=correct_form or CorrectForm(formdata=None, prefix="correct"),
            entry_label=_entry_label,
            **_common(),
        ),
        status,
    )


def _entry_label(entry) -> str:
    units = "、".join(f"{b} {u}-{r}" for b, u, r in entry.households[:3])
    more = "…" if len(entry.households) > 3 else ""
    name = entry.name or (_("Developer (unsold units)") if entry.developer else _("(no owner registered)"))
    return f"{units}{more} · {name}"


def _paper_decision(decision_id: int) -> Decision:
    decision = services.get(decision_id)
    member = services.visible(current_user, decision)
    if not permissions.can_count(member, decision.community_id):
        raise Forbidden(_("Only the owners' committee and community staff run and count owners' decisions."))
    return decision


@bp.route("/decisions/<int:decision_id>/paper", methods=["GET", "POST"])
@login_required
def paper(decision_id: int):
    """Counters enter paper ballots; each counts once two different counters have entered the same choice."""
    decision = _paper_decision(decision_id)
    if request.method == "GET":
        return _paper_page(decision, PaperForm(formdata=None))
    form = PaperForm()
    if not form.validate_on_submit():
        return _paper_page(decision, form, status=400)
    try:
        state = services.enter_paper(
            current_user,
            decision,
            roll_entry_id=form.roll_entry.data,
            choice=form.choice.data,
            client_id=form.client_id.data,
        )
    except DomainError as err:
        return _paper_page(decision, form, status=handle_refusal(err, form))
    messages = {
        "counted": _("Both entries agree: the paper ballot is counted."),
        "pending": _("First entry saved. A second, different counter must enter this ballot before it counts."),
        "disputed": _("The entries disagree: check the paper ballot together and reconcile it below."),
    }
    flash(messages.get(state.status, ""), "warning" if state.status == "disputed" else "success")
    return redirect(url_for("decisions.paper", decision_id=decision.id))


@bp.route("/decisions/<int:decision_id>/paper/<int:paper_id>/correct", methods=["POST"])
@login_required
def correct(decision_id: int, paper_id: int):
    """A counter corrects their own entry of a ballot not yet counted."""
    decision = _paper_decision(decision_id)
    form = CorrectForm(prefix="correct")
    if not form.validate_on_submit():
        return _paper_page(decision, PaperForm(formdata=None), correct_form=form, status=400)
    try:
        state = services.correct_paper(current_user, decision, paper_id, form.choice.data)
    except DomainError as err:
        return _paper_page(decision, PaperForm(formdata=None), status=handle_refusal(err))
    if state.status == "counted":
        flash(_("Both entries agree: the paper ballot is counted."), "success")
    else:
        flash(_("Your entry is corrected."), "success")
    return redirect(url_for("decisions.paper", decision_id=decision.id))


# -- closing, certifying, objections ----------------------------------------------------------------


@bp.route("/decisions/<int:decision_id>/close", methods=["POST"])
@login_required
def close(decision_id: int):
    """Close voting: the chain head at closing is recorded for the notice."""
    decision = services.get(decision_id)
    member = services.visible(current_user, decision)
    if not ActionForm().validate_on_submit():
        return _show(decision, member, status=400)
    try:
        services.close_voting(current_user, decision)
    except DomainError as err:
        return _show(decision, member, status=handle_refusal(err))
    flash(_("Voting is closed. A counter and a scrutineer now check and sign the count."), "success")
    return redirect(url_for("decisions.show", decision_id=decision.id))


@bp.route("/decisions/<int:decision_id>/certify", methods=["POST"])
@login_required
def certify(decision_id: int):
    """Sign the count as counter or scrutineer; with both, the result is published for 公示."""
    decision = services.get(decision_id)
    member = services.visible(current_user, decision)
    form = CertifyForm(prefix="certify")
    if not form.validate_on_submit():
        return _show(decision, member, certify_form=form, status=400)
    try:
        services.certify(current_user, decision, form.role.data)
    except DomainError as err:
        return _show(decision, member, certify_form=form, status=handle_refusal(err))
    if decision.state == S.ANNOUNCED:
        flash(_("Both have signed: the result is published for 公示."), "success")
    else:
        flash(_("Signed. The other certifier must sign too before the result is published."), "success")
    return redirect(url_for("decisions.show", decision_id=decision.id) + "#count")


@bp.route("/decisions/<int:decision_id>/objections", methods=["POST"])
@login_required
def object_to(decision_id: int):
    """An owner objects to the published result during 公示."""
    decision = services.get(decision_id)
    member = services.visible(current_user, decision)
    form = ObjectionForm(prefix="objection")
    if not form.validate_on_submit():
        return _show(decision, member, objection_form=form, status=400)
    try:
        services.object_to(current_user, decision, client_id=form.client_id.data, body=form.body.data)
    except DomainError as err:
        return _show(decision, member, objection_form=form, status=handle_refusal(err, form))
    flash(_("Your objection is recorded and shown with the result."), "success")
    return redirect(url_for("decisions.show", decision_id=decision.id) + "#objections")


@bp.route("/decisions/<int:decision_id>/objections/<int:objection_id>/answer", methods=["POST"])
@login_required
def answer(decision_id: int, objection_id: int):
    """Counters answer an objection."""
    decision = services.get(decision_id)
    member = services.visible(current_user, decision)
    form = AnswerForm(prefix="answer")
    if not form.validate_on_submit():
        if not permissions.can_count(member, decision.community_id):
            raise Forbidden()
        flash(" ".join(str(e) for e in form.answer.errors) or _("The request could not be understood."), "error")
        return _show(decision, member, status=400)
    try:
        services.answer_objection(current_user, decision, objection_id, form.answer.data)
    except DomainError as err:
        return _show(decision, member, status=handle_refusal(err))
    flash(_("Answer published."), "success")
    return redirect(url_for("decisions.show", decision_id=decision.id) + "#objections")


# -- the notice and its tables ----------------------------------------------------------------------


def _result(decision_id: int):
    """The decision and its outcome, if this reader may see it: everyone once published; counters while counting."""
    decision = services.get(decision_id)
    member = services.visible(current_user, decision)
    counter = permissions.can_count(member, decision.community_id)
    if decision.state == S.ANNOUNCED or (counter and decision.state == S.COUNTING):
        return decision, member, services.outcome(decision)
    raise NotFound(_("The result is shown once the count is certified and published."))


@bp.route("/decisions/<int:decision_id>/notice")
@login_required
def notice(decision_id: int):
    """The printable 公示 notice: verdict and reasons, charts by area and headcount, per-building counts, chain
    heads, the poll id to verify, and the certifiers."""
    decision, _member, outcome = _result(decision_id)
    poll = services.poll_of(decision)
    labels = _labels()
    charts = {}
    for measure, whole, title, unit in (
        ("area", decision.roll_area, _("Votes by floor area"), ""),
        ("heads", decision.roll_heads, _("Votes by number of owners"), _("owners")),
    ):
        bars = reports.chart_bars(
            outcome, measure=measure, whole=whole, labels=labels, not_voted=_("Did not vote"), unit=unit
        )
        charts[measure] = results.bar_chart_svg(bars, title=title, chart_id=f"chart-{measure}")
    certs = voting.certifications(poll)
    return render_template(
        "decisions/notice.html",
        community=communities.get_community_by_id(decision.community_id),
        decision=decision,
        poll=poll,
        outcome=outcome,
        checks=reports.checks(outcome, decision.roll_area, decision.roll_heads),
        charts=charts,
        choice_rows=reports.choice_rows(outcome, labels),
        certifications=certs,
        names=accounts.names_of([c.user_id for c in certs]),
        objections=services.objections_of(decision),
        **_common(),
    )


def _table_headers():
    return (
        [_("Choice"), _("Owners"), _("Floor area (m²)"), _("Share of owners voting"), _("Share of area voting")],
        [_("Building"), _("Choice"), _("Owners"), _("Floor area (m²)")],
    )


def _disposition(decision: Decision, extension: str) -> str:
    ascii_name = f"decision-{decision.id}-result.{extension}"
    utf8_name = f"{decision.title}-{_('Result')}.{extension}"
    return f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(utf8_name)}"


@bp.route("/decisions/<int:decision_id>/result.csv")
@login_required
def result_csv(decision_id: int):
    """The result as CSV: per choice by headcount and area, then per building."""
    decision, _member, outcome = _result(decision_id)
    labels = _labels()
    by_choice, by_building = _table_headers()
    rows = [
        *reports.choice_rows(outcome, labels),
        [],
        by_building,
        *reports.building_rows(outcome, labels, _("(no building)")),
    ]
    body = results.table_csv(by_choice, rows)
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": _disposition(decision, "csv"), "Cache-Control": "private, no-store"},
    )


@bp.route("/decisions/<int:decision_id>/result.xlsx")
@login_required
def result_xlsx(decision_id: int):
    """The result as an Excel workbook: a sheet per choice and a sheet per building."""
    decision, _member, outcome = _result(decision_id)
    labels = _labels()
    by_choice, by_building = _table_headers()
    body = results.table_xlsx(
        [
            (_("By choice"), by_choice, reports.choice_rows(outcome, labels)),
            (_("By building"), by_building, reports.building_rows(outcome, labels, _("(no building)"))),
        ]
    )
    return Response(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": _disposition(decision, "xlsx"), "Cache-Control": "private, no-store"},
    )


def _describe_decision(decision_id: int):
    """An owners' decision as the receipts page names it."""
    from app.voting.registry import Subject

    try:
        decision = services.get(decision_id)
    except DomainError:
        return None
    labels = _labels()
    return Subject(
        kind=_("Owners' decision"),
        title=decision.title,
        url=url_for("decisions.show", decision_id=decision.id),
        choice_label=lambda choice: labels.get(choice, choice),
    )


voting_registry.register(services.POLL_TYPE, _describe_decision)
