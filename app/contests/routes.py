"""Proposal-contest views: list, create, one contest, entries and screening, the ballot, counting,
the 公示 notice with its exports, objections. Thin: parse, call the service, render."""

from __future__ import annotations

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError
from wtforms import SelectChoice

from app.accounts import services as accounts
from app.communities import services as communities
from app.contests import bp, permissions, services
from app.contests.forms import (
    AdvanceForm,
    AnswerForm,
    CertifyForm,
    ContestForm,
    EntryForm,
    GrantForm,
    ObjectionForm,
    ScreenForm,
    VoteForm,
)
from app.contests.models import Phase
from app.core.clock import local_today
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.web import handle_refusal
from app.microprojects.ledger import parse_yuan
from app.voting import registry as voting_registry
from app.voting import results as charts
from app.voting import services as voting


def receipts_url() -> str:
    """The receipts lookup page (/receipts), where a voter checks their ballot was counted."""
    try:
        return url_for("voting.receipt")
    except BuildError:
        return "/receipts"


@bp.route("/c/<slug>/contests")
@login_required
def index(slug: str):
    community = communities.get_community(slug)
    contests = services.listing(current_user, community)
    member = communities.membership_of(current_user, community.id)
    return render_template(
        "contests/index.html",
        community=community,
        contests=contests,
        can_create=permissions.can_manage(member, community.id),
        phase_labels=services.PHASE_LABELS,
    )


@bp.route("/c/<slug>/contests/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    community = communities.get_community(slug)
    if not permissions.can_manage(communities.membership_of(current_user, community.id), community.id):
        raise Forbidden(_("Only community staff can create a contest."))
    form = ContestForm()
    if request.method == "GET":
        form.fund_year.data = local_today().year
    status = 200
    if form.validate_on_submit():
        try:
            contest = services.create(
                current_user,
                community,
                client_id=form.client_id.data,
                title=form.title.data,
                description=form.description.data,
                max_choices=form.max_choices.data,
                winner_count=form.winner_count.data,
                ballot_unit=form.ballot_unit.data,
                secret=form.secret.data,
                fund_year=form.fund_year.data,
                submission_ends=services.end_of_day(form.submission_ends.data),
                screening_ends=services.end_of_day(form.screening_ends.data),
                voting_ends=services.end_of_day(form.voting_ends.data),
                announced_ends=services.end_of_day(form.announced_ends.data),
            )
        except DomainError as err:
            status = handle_refusal(err, form)
        else:
            flash(_("The contest is open for proposals."), "success")
            return redirect(url_for("contests.show", contest_id=contest.id))
    elif request.method == "POST":
        status = 400
    return render_template("contests/new.html", community=community, form=form), status


def _page(contest, actor, *, status=200, **forms):
    community = communities.get_community_by_id(contest.community_id)
    member = actor.member
    can_manage = permissions.can_manage(member, contest.community_id)
    entries = list(contest.entries)
    next_phase = services.NEXT[contest.phase]
    return (
        render_template(
            "contests/show.html",
            community=community,
            contest=contest,
            entries=entries,
            can_manage=can_manage,
            can_submit=permissions.can_submit(member, contest.community_id) and contest.phase == Phase.SUBMISSION,
            can_vote=permissions.can_vote(member, contest.community_id),
            can_screen=permissions.can_screen(member, contest.community_id),
            next_phase=next_phase,
            blocked=services.refusal(contest, next_phase, by_staff=True) if next_phase else None,
            deadline=services.deadline(contest),
            last_day=services.last_day,
            turnout=services.turnout(contest) if contest.poll_id else None,
            receipt=services.my_receipt(current_user, contest),
            receipts_url=receipts_url(),
            phase_labels=services.PHASE_LABELS,
            status_labels=services.STATUS_LABELS,
            unit_labels=services.UNIT_LABELS,
            phases=services.ORDER,
            advance_form=forms.get("advance_form") or AdvanceForm(),
        ),
        status,
    )


@bp.route("/contests/<int:contest_id>")
@login_required
def show(contest_id: int):
    """One contest: its phases and dates, its entries, and what the member can do now."""
    contest = services.get(contest_id)
    actor = services.visible(current_user, contest)
    services.sync(contest)
    return _page(contest, actor)


@bp.route("/contests/<int:contest_id>/advance", methods=["POST"])
@login_required
def advance(contest_id: int):
    """Staff move the contest to its next phase before its date."""
    contest = services.get(contest_id)
    actor = services.visible(current_user, contest)
    if not permissions.can_manage(actor.member, contest.community_id):
        raise Forbidden()
    form = AdvanceForm()
    if not form.validate_on_submit():
        flash(_("The request could not be understood."), "error")
        return _page(contest, actor, status=400)
    try:
        services.advance(current_user, contest, form.to.data)
    except DomainError as err:
        return _page(contest, actor, status=handle_refusal(err))
    flash(_("The contest is now in %(phase)s.", phase=services.PHASE_LABELS[contest.phase]), "success")
    return redirect(url_for("contests.show", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/entries/new", methods=["GET", "POST"])
@login_required
def new_entry(contest_id: int):
    """Enter a proposal, from scratch or from one of the member's golden ideas."""
    contest = services.get(contest_id)
    actor = services.visible(current_user, contest)
    if not permissions.can_submit(actor.member, contest.community_id):
        raise Forbidden(_("Only verified residents can enter a proposal."))
    services.sync(contest)
    ideas = services.idea_choices(current_user, contest)
    form = EntryForm()
    form.idea_id.choices = [SelectChoice("", _("No, a new proposal"))] + [
        SelectChoice(str(i.id), f"#{i.id} {i.title}") for i in ideas
    ]
    if request.method == "GET":
        chosen = next((i for i in ideas if str(i.id) == request.args.get("idea")), None)
        if chosen is not None:
            form.idea_id.data = str(chosen.id)
            form.title.data = chosen.title
            form.summary.data = chosen.description
    status = 200
    if contest.phase != Phase.SUBMISSION:
        flash(_("Proposals are accepted only during submission."), "error")
        status = 409
    elif form.validate_on_submit():
        try:
            entry = services.submit_entry(
                current_user,
                contest,
                client_id=form.client_id.data,
                title=form.title.data,
                summary=form.summary.data,
                budget_fen=parse_yuan(form.budget.data, field="budget"),
                idea_id=form.idea(),
            )
        except DomainError as err:
            status = handle_refusal(err, form)
        else:
            flash(_("Thank you. Your proposal is in; you will be told the screening result."), "success")
            return redirect(url_for("contests.entry", entry_id=entry.id))
    elif request.method == "POST":
        status = 400
    community = communities.get_community_by_id(contest.community_id)
    return render_template("contests/entry_form.html", community=community, contest=contest, form=form), status


def _entry_page(entry, actor, *, form=None, status=200):
    contest = entry.contest
    community = communities.get_community_by_id(contest.community_id)
    res = services.result(current_user, contest)
    standing = next((s for s in res.standings if s.entry.id == entry.id), None) if res else None
    return (
        render_template(
            "contests/entry.html",
            community=community,
            contest=contest,
            entry=entry,
            standing=standing,
            can_see_reason=permissions.can_see_reason(actor.member, entry),
            can_screen=permissions.can_screen(actor.member, contest.community_id) and contest.phase == Phase.SCREENING,
            screener=accounts.names_of([entry.screened_by_id]).get(entry.screened_by_id),
            form=form or ScreenForm(),
            status_labels=services.STATUS_LABELS,
            phase_labels=services.PHASE_LABELS,
        ),
        status,
    )


@bp.route("/contests/entries/<int:entry_id>")
@login_required
def entry(entry_id: int):
    entry = services.get_entry(entry_id)
    actor = services.entry_visible(current_user, entry)
    services.sync(entry.contest)
    return _entry_page(entry, actor)


@bp.route("/contests/entries/<int:entry_id>/screen", methods=["POST"])
@login_required
def screen(entry_id: int):
    """Experts and staff: eligible or not, with a reason the author reads."""
    entry = services.get_entry(entry_id)
    actor = services.entry_visible(current_user, entry)
    if not permissions.can_screen(actor.member, entry.community_id):
        raise Forbidden(_("Only experts and community staff screen entries."))
    form = ScreenForm()
    if form.validate_on_submit():
        try:
            services.screen(current_user, entry, eligible=form.decision.data == "eligible", reason=form.reason.data)
        except DomainError as err:
            return _entry_page(entry, actor, form=form, status=handle_refusal(err, form))
        flash(_("Screening recorded; the author has been told."), "success")
        return redirect(url_for("contests.entry", entry_id=entry.id))
    return _entry_page(entry, actor, form=form, status=400)


def _ballot_page(contest, *, chosen=(), receipt=None, status=200):
    community = communities.get_community_by_id(contest.community_id)
    return (
        render_template(
            "contests/vote.html",
            community=community,
            contest=contest,
            entries=services.eligible_entries(contest),
            chosen=set(chosen),
            receipt=receipt,
            receipts_url=receipts_url(),
            form=VoteForm(),
            unit_labels=services.UNIT_LABELS,
        ),
        status,
    )


@bp.route("/contests/<int:contest_id>/vote", methods=["GET", "POST"])
@login_required
def vote(contest_id: int):
    """The ballot: check up to k entries. Works without JavaScript."""
    contest = services.get(contest_id)
    services._voter(current_user, contest)
    services.sync(contest)
    if request.method == "GET":
        if contest.phase != Phase.VOTING:
            flash(_("Voting is not open."), "error")
            return _ballot_page(contest, receipt=services.my_receipt(current_user, contest), status=409)
        return _ballot_page(contest, receipt=services.my_receipt(current_user, contest))
    form = VoteForm()
    if not form.validate_on_submit():
        flash(_("The form expired or was sent twice. Please reload the page and try again."), "error")
        return _ballot_page(contest, status=400)
    values = request.form.getlist("entry")
    try:
        ballot = services.vote(current_user, contest, form.entry_ids(values))
    except DomainError as err:
        status = handle_refusal(err)
        chosen = [int(v) for v in values if str(v).isdigit()]
        return _ballot_page(contest, chosen=chosen, receipt=services.my_receipt(current_user, contest), status=status)
    flash(_("Your ballot is in. Keep your tracking code to check it was counted."), "success")
    return _ballot_page(contest, receipt=ballot.receipt)


@bp.route("/contests/<int:contest_id>/turnout")
@login_required
def turnout(contest_id: int):
    """Turnout as JSON (what the room receives): who voted, never what."""
    contest = services.get(contest_id)
    services.visible(current_user, contest)
    services.sync(contest)
    return jsonify(ok=True, contest=services.contest_dict(contest), turnout=services.turnout(contest))


@bp.route("/contests/<int:contest_id>/count")
@login_required
def count(contest_id: int):
    """The counters' page: chain heads at opening and closing, the count once voting closed, signatures."""
    contest = services.get(contest_id)
    actor = services.visible(current_user, contest)
    if not permissions.can_manage(actor.member, contest.community_id):
        raise Forbidden(_("Only community staff count and scrutinise the vote."))
    services.sync(contest)
    return _count_page(contest)


def _count_page(contest, *, form=None, status=200):
    community = communities.get_community_by_id(contest.community_id)
    poll = services.poll_of(contest)
    signed = services.certifiers(contest)
    return (
        render_template(
            "contests/count.html",
            community=community,
            contest=contest,
            poll=poll,
            res=services.result(current_user, contest),
            check=voting.verify(poll) if poll is not None and poll.state.value != "open" else None,
            turnout=services.turnout(contest),
            signed=signed,
            signed_ids={u.id for _r, u in signed},
            form=form or CertifyForm(),
            role_labels=services.ROLE_LABELS,
            phase_labels=services.PHASE_LABELS,
        ),
        status,
    )


@bp.route("/contests/<int:contest_id>/certify", methods=["POST"])
@login_required
def certify(contest_id: int):
    contest = services.get(contest_id)
    actor = services.visible(current_user, contest)
    if not permissions.can_manage(actor.member, contest.community_id):
        raise Forbidden(_("Only community staff count and scrutinise the vote."))
    form = CertifyForm()
    if not form.validate_on_submit():
        return _count_page(contest, form=form, status=400)
    try:
        services.certify(current_user, contest, form.role.data)
    except DomainError as err:
        return _count_page(contest, form=form, status=handle_refusal(err))
    if contest.phase == Phase.ANNOUNCED:
        flash(_("Both signatures are in: the result is published for 公示."), "success")
        return redirect(url_for("contests.results", contest_id=contest.id))
    flash(_("Your signature is recorded. A second staff member must sign in the other role."), "success")
    return redirect(url_for("contests.count", contest_id=contest.id))


def _published(contest_id: int):
    contest = services.get(contest_id)
    actor = services.visible(current_user, contest)
    services.sync(contest)
    if contest.phase not in (Phase.ANNOUNCED, Phase.CLOSED):
        raise NotFound(_("The result is not published yet."))
    return contest, actor, services.result(current_user, contest)


def _entry_label(entry) -> str:
    return f"#{entry.id} {entry.title}"


def _notice(contest, actor, res, *, objection_form=None, status=200):
    community = communities.get_community_by_id(contest.community_id)
    poll = services.poll_of(contest)
    bars = [
        charts.Bar(
            label=_entry_label(s.entry),
            value=s.votes,
            text=_("%(votes)d votes", votes=s.votes) + (" · " + _("winner") if s.winner else ""),
            highlight=s.winner,
        )
        for s in res.standings
    ]
    objections = services.objections(contest)
    names = accounts.names_of([o.author_id for o in objections] + [o.answered_by_id for o in objections])
    return (
        render_template(
            "contests/results.html",
            community=community,
            contest=contest,
            poll=poll,
            res=res,
            chart=charts.bar_chart_svg(bars, title=_("Votes per entry"), chart_id="contest-chart"),
            entry_titles={str(s.entry.id): _entry_label(s.entry) for s in res.standings},
            signed=services.certifiers(contest),
            objections=objections,
            names=names,
            can_object=permissions.can_object(actor.member, contest.community_id) and contest.phase == Phase.ANNOUNCED,
            can_answer=permissions.can_manage(actor.member, contest.community_id),
            can_grant=permissions.can_manage(actor.member, contest.community_id) and contest.phase == Phase.CLOSED,
            objection_form=objection_form or ObjectionForm(),
            answer_form=AnswerForm(),
            grant_form=GrantForm(),
            receipts_url=receipts_url(),
            role_labels=services.ROLE_LABELS,
            phase_labels=services.PHASE_LABELS,
            last_day=services.last_day,
        ),
        status,
    )


@bp.route("/contests/<int:contest_id>/results")
@login_required
def results(contest_id: int):
    """The printable 公示 notice: chart, per-entry and per-building counts, chain heads, certifiers."""
    contest, actor, res = _published(contest_id)
    return _notice(contest, actor, res)


def _tables(contest, res):
    entries = (
        [_("Rank"), _("Entry no."), _("Entry"), _("Budget (fen)"), _("Votes"), _("Winner")],
        [
            [s.rank, s.entry.id, s.entry.title, s.entry.budget_fen, s.votes, _("Yes") if s.winner else _("No")]
            for s in res.standings
        ],
    )
    ids = [s.entry.id for s in res.standings]
    buildings = (
        [_("Building"), *[f"#{i}" for i in ids]],
        [[b["name"] or _("No building"), *[b["entries"].get(str(i), 0) for i in ids]] for b in res.by_building],
    )
    return entries, buildings


@bp.route("/contests/<int:contest_id>/results.csv")
@login_required
def results_csv(contest_id: int):
    contest, _actor, res = _published(contest_id)
    headers, rows = _tables(contest, res)[0]
    return Response(
        charts.table_csv(headers, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=contest-{contest.id}-results.csv"},
    )


@bp.route("/contests/<int:contest_id>/results.xlsx")
@login_required
def results_xlsx(contest_id: int):
    contest, _actor, res = _published(contest_id)
    (eh, er), (bh, br) = _tables(contest, res)
    data = charts.table_xlsx([(_("Entries"), eh, er), (_("By building"), bh, br)])
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename=contest-{contest.id}-results.xlsx"},
    )


@bp.route("/contests/<int:contest_id>/objections", methods=["POST"])
@login_required
def object_to(contest_id: int):
    contest, actor, res = _published(contest_id)
    if not permissions.can_object(actor.member, contest.community_id):
        raise Forbidden(_("Only verified members can raise an objection."))
    form = ObjectionForm()
    if form.validate_on_submit():
        try:
            services.object_to(current_user, contest, client_id=form.client_id.data, body=form.body.data)
        except DomainError as err:
            return _notice(contest, actor, res, objection_form=form, status=handle_refusal(err, form))
        flash(_("Your objection is recorded and shown below; the staff will answer it."), "success")
        return redirect(url_for("contests.results", contest_id=contest.id) + "#objections")
    return _notice(contest, actor, res, objection_form=form, status=400)


@bp.route("/contests/<int:contest_id>/objections/<int:objection_id>/answer", methods=["POST"])
@login_required
def answer(contest_id: int, objection_id: int):
    contest, actor, res = _published(contest_id)
    if not permissions.can_manage(actor.member, contest.community_id):
        raise Forbidden(_("Only community staff answer objections."))
    objection = services.get_objection(contest, objection_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.answer_objection(current_user, contest, objection, form.answer.data)
        except DomainError as err:
            return _notice(contest, actor, res, status=handle_refusal(err))
        flash(_("Your answer is shown beside the objection."), "success")
        return redirect(url_for("contests.results", contest_id=contest.id) + "#objections")
    flash(_("Write an answer."), "error")
    return _notice(contest, actor, res, status=400)


@bp.route("/contests/<int:contest_id>/grant", methods=["POST"])
@login_required
def grant(contest_id: int):
    """After 公示, staff turn the winners into micro-projects funded with their budgets."""
    contest, actor, res = _published(contest_id)
    if not permissions.can_manage(actor.member, contest.community_id):
        raise Forbidden()
    if not GrantForm().validate_on_submit():
        flash(_("The form expired or was sent twice. Please reload the page and try again."), "error")
        return _notice(contest, actor, res, status=400)
    try:
        projects = services.grant_winners(current_user, contest)
    except DomainError as err:
        status = handle_refusal(err)
        return _notice(contest, actor, services.result(current_user, contest), status=status)
    flash(_("%(n)d winning entries are now micro-projects.", n=len(projects)), "success")
    return redirect(url_for("contests.results", contest_id=contest.id))


def _describe_contest(contest_id: int):
    """A contest's vote as the receipts page names it (a secret ballot: the choice is never shown)."""
    from app.voting.registry import Subject

    try:
        contest = services.get(contest_id)
    except DomainError:
        return None
    return Subject(kind=_("Proposal contest"), title=contest.title, url=url_for("contests.show", contest_id=contest.id))


voting_registry.register(services.POLL_TYPE, _describe_contest)
