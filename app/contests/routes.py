"""Proposal-contest views: list, create, one contest, entries and screening, the ballot, counting,
the 公示 notice with its exports, objections. Thin: load what the viewer may see, call the use case
through `core.web` (which commits once), render. Entering an idea and granting the winners are
cross-feature flows: their views are in app/flows/contest_routes.py."""

from __future__ import annotations

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from app.accounts import services as accounts
from app.communities import access
from app.contests import bp, permissions, services
from app.contests.forms import (
    AdvanceForm,
    AnswerForm,
    CertifyForm,
    ContestForm,
    GrantForm,
    ObjectionForm,
    ScreenForm,
    VoteForm,
)
from app.contests.labels import PHASE_LABELS, ROLE_LABELS, STATUS_LABELS, UNIT_LABELS, submitted_by
from app.contests.models import Contest, Entry, Phase
from app.core.clock import local_today
from app.core.errors import Forbidden, NotFound
from app.core.web import form_view, perform
from app.documents import services as documents
from app.extensions import db
from app.objections import services as objection_kernel
from app.voting import registry as voting_registry
from app.voting import results as charts
from app.voting import services as voting

bp.add_app_template_global(submitted_by, "entry_submitted_by")  # lists, pages, results: who entered it


def receipts_url() -> str:
    """The receipts lookup page (/receipts), where a voter checks their ballot was counted."""
    try:
        return url_for("voting.receipt")
    except BuildError:
        return "/receipts"


def guidance_url(item) -> str | None:
    """Where the needs feature shows the guidance item: in its year's published list (a community's, or the
    street's for a street-wide item), at the item."""
    if item is None:
        return None
    if item.community_id is not None:
        url = url_for("needs.community_guidance_year", slug=item.community.slug, year=item.year)
    else:
        url = url_for("needs.street_guidance_year", street_id=item.street_id, year=item.year)
    return f"{url}#guidance-{item.id}"


def load_contest(contest_id: int, *, can=permissions.can_view):
    """(contest, viewer), moved on to the phase its dates say (committed); 404 unless the viewer may see it."""
    contest, viewer = access.load(Contest, contest_id, current_user, can=can)
    perform(lambda: services.sync(contest))
    return contest, viewer


def _require(allowed: bool, message=None) -> None:
    if not allowed:
        raise Forbidden(message)


@bp.route("/c/<slug>/contests")
@login_required
def index(slug: str):
    viewer = access.community_viewer(slug, current_user, check=False)
    contests = perform(lambda: services.listing(viewer)).result
    return render_template(
        "contests/index.html",
        community=viewer.community,
        contests=contests,
        can_create=permissions.can_manage(viewer),
        phase_labels=PHASE_LABELS,
    )


@bp.route("/c/<slug>/contests/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    viewer = access.community_viewer(slug, current_user, check=False)
    _require(permissions.can_manage(viewer), _("Only community staff can create a contest."))
    form = ContestForm()
    if request.method == "GET":
        form.fund_year.data = local_today().year
    return form_view(
        form,
        lambda: services.create(viewer, **form.contest_fields(services.end_of_day)),
        render=lambda status: (render_template("contests/new.html", community=viewer.community, form=form), status),
        done=lambda contest: redirect(url_for("contests.show", contest_id=contest.id)),
        message=_("The contest is open for proposals."),
    )


def _page(contest, viewer, *, status=200):
    next_phase = services.NEXT[contest.phase]
    return (
        render_template(
            "contests/show.html",
            community=viewer.community,
            contest=contest,
            entries=list(contest.entries),
            can_manage=permissions.can_manage(viewer),
            can_submit=contest.phase == Phase.SUBMISSION and services.may_enter(viewer, contest),
            can_vote=permissions.can_vote(viewer),
            can_screen=permissions.can_screen(viewer),
            next_phase=next_phase,
            blocked=services.refusal(contest, next_phase, by_staff=True) if next_phase else None,
            deadline=services.deadline(contest),
            last_day=services.last_day,
            turnout=services.turnout(contest) if contest.poll_id else None,
            receipt=services.my_receipt(viewer, contest),
            receipts_url=receipts_url(),
            phase_labels=PHASE_LABELS,
            status_labels=STATUS_LABELS,
            unit_labels=UNIT_LABELS,
            phases=services.ORDER,
            advance_form=AdvanceForm(),
        ),
        status,
    )


@bp.route("/contests/<int:contest_id>")
@login_required
def show(contest_id: int):
    """One contest: its phases and dates, its entries, and what the member can do now."""
    contest, viewer = load_contest(contest_id)
    return _page(contest, viewer)


@bp.route("/contests/<int:contest_id>/advance", methods=["POST"])
@login_required
def advance(contest_id: int):
    """Staff move the contest to its next phase before its date."""
    contest, viewer = load_contest(contest_id)
    _require(permissions.can_manage(viewer))
    form = AdvanceForm()
    if not form.validate_on_submit():
        flash(_("The request could not be understood."), "error")
        return _page(contest, viewer, status=400)
    outcome = perform(lambda: services.advance(viewer, contest, form.to.data))
    if not outcome.ok:
        return _page(contest, viewer, status=outcome.status)
    flash(_("The contest is now in %(phase)s.", phase=PHASE_LABELS[contest.phase]), "success")
    return redirect(url_for("contests.show", contest_id=contest.id))


def entry_page(entry, viewer, *, form=None, status=200):
    contest = entry.contest
    res = services.result(viewer, contest)
    return (
        render_template(
            "contests/entry.html",
            community=viewer.community,
            contest=contest,
            entry=entry,
            attachments=documents.panel(viewer, entry),
            guidance_url=guidance_url(entry.guidance_item),
            standing=next((s for s in res.standings if s.entry.id == entry.id), None) if res else None,
            can_see_reason=permissions.can_see_reason(viewer, entry),
            can_screen=permissions.can_screen(viewer) and contest.phase == Phase.SCREENING,
            screener=accounts.names_of([entry.screened_by_id]).get(entry.screened_by_id),
            form=form or ScreenForm(),
            status_labels=STATUS_LABELS,
            phase_labels=PHASE_LABELS,
        ),
        status,
    )


def _load_entry(entry_id: int):
    entry, viewer = access.load(Entry, entry_id, current_user, can=permissions.can_view)
    perform(lambda: services.sync(entry.contest))
    return entry, viewer


@bp.route("/contests/entries/<int:entry_id>")
@login_required
def entry(entry_id: int):
    return entry_page(*_load_entry(entry_id))


@bp.route("/contests/entries/<int:entry_id>/screen", methods=["POST"])
@login_required
def screen(entry_id: int):
    """Experts and staff: eligible or not, with a reason the author reads."""
    entry, viewer = _load_entry(entry_id)
    _require(permissions.can_screen(viewer), _("Only experts and community staff screen entries."))
    form = ScreenForm()
    return form_view(
        form,
        lambda: services.screen(viewer, entry, eligible=form.decision.data == "eligible", reason=form.reason.data),
        render=lambda status: entry_page(entry, viewer, form=form, status=status),
        done=lambda _entry: redirect(url_for("contests.entry", entry_id=entry.id)),
        message=_("Screening recorded; the author has been told."),
    )


def _ballot_page(contest, viewer, *, chosen=(), receipt=None, status=200):
    return (
        render_template(
            "contests/vote.html",
            community=viewer.community,
            contest=contest,
            entries=services.eligible_entries(contest),
            chosen=set(chosen),
            receipt=receipt,
            receipts_url=receipts_url(),
            form=VoteForm(),
            unit_labels=UNIT_LABELS,
        ),
        status,
    )


@bp.route("/contests/<int:contest_id>/vote", methods=["GET", "POST"])
@login_required
def vote(contest_id: int):
    """The ballot: check up to k entries. Works without JavaScript."""
    contest, viewer = load_contest(contest_id)
    services.check_voter(viewer, contest)
    if request.method == "GET":
        if contest.phase != Phase.VOTING:
            flash(_("Voting is not open."), "error")
            return _ballot_page(contest, viewer, receipt=services.my_receipt(viewer, contest), status=409)
        chosen = [int(v) for v in request.args.getlist("entry") if v.isdigit() and len(v) <= 10]  # "change my choice"
        return _ballot_page(contest, viewer, chosen=chosen, receipt=services.my_receipt(viewer, contest))
    form = VoteForm()
    if not form.validate_on_submit():
        flash(_("The form expired or was sent twice. Please reload the page and try again."), "error")
        return _ballot_page(contest, viewer, status=400)
    values = request.form.getlist("entry")
    if not form.is_confirmed:  # the review step: the chosen entries, and that a ballot cannot be changed
        outcome = perform(lambda: services.review_ballot(viewer, contest, form.entry_ids(values)))
        if outcome.ok:
            return render_template(
                "contests/review.html", community=viewer.community, contest=contest, chosen=outcome.result
            )
    else:
        outcome = perform(lambda: services.vote(viewer, contest, form.entry_ids(values)))
    if not outcome.ok:
        chosen = [int(v) for v in values if str(v).isdigit()]
        receipt = services.my_receipt(viewer, contest)
        return _ballot_page(contest, viewer, chosen=chosen, receipt=receipt, status=outcome.status)
    flash(_("Your ballot is in. Keep your tracking code to check it was counted."), "success")
    return _ballot_page(contest, viewer, receipt=outcome.result.receipt)


@bp.route("/contests/<int:contest_id>/turnout")
@login_required
def turnout(contest_id: int):
    """Turnout as JSON (what the room receives): who voted, never what."""
    contest, _viewer = load_contest(contest_id)
    return jsonify(ok=True, contest=services.contest_dict(contest), turnout=services.turnout(contest))


@bp.route("/contests/<int:contest_id>/count")
@login_required
def count(contest_id: int):
    """The counters' page: chain heads at opening and closing, the count once voting closed, signatures."""
    contest, viewer = load_contest(contest_id)
    _require(permissions.can_manage(viewer), _("Only community staff count and scrutinise the vote."))
    return _count_page(contest, viewer)


def _count_page(contest, viewer, *, form=None, status=200):
    poll = services.poll_of(contest)
    signed = services.certifiers(contest)
    return (
        render_template(
            "contests/count.html",
            community=viewer.community,
            contest=contest,
            poll=poll,
            res=services.result(viewer, contest),
            check=voting.verify(poll) if poll is not None and poll.state.value != "open" else None,
            turnout=services.turnout(contest),
            signed=signed,
            signed_ids={u.id for _r, u in signed},
            form=form or CertifyForm(),
            role_labels=ROLE_LABELS,
            phase_labels=PHASE_LABELS,
        ),
        status,
    )


def _certified(contest):
    if contest.phase == Phase.ANNOUNCED:
        flash(_("Both signatures are in: the result is published for 公示."), "success")
        return redirect(url_for("contests.results", contest_id=contest.id))
    flash(_("Your signature is recorded. A second staff member must sign in the other role."), "success")
    return redirect(url_for("contests.count", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/certify", methods=["POST"])
@login_required
def certify(contest_id: int):
    contest, viewer = load_contest(contest_id)
    _require(permissions.can_manage(viewer), _("Only community staff count and scrutinise the vote."))
    form = CertifyForm()
    if not form.validate_on_submit():
        return _count_page(contest, viewer, form=form, status=400)
    outcome = perform(lambda: services.certify(viewer, contest, form.role.data))
    if not outcome.ok:
        return _count_page(contest, viewer, form=form, status=outcome.status)
    return _certified(contest)


def load_published(contest_id: int):
    """(contest, viewer, result) of a contest whose result is published; 404 before publication."""
    contest, viewer = load_contest(contest_id)
    if contest.phase not in (Phase.ANNOUNCED, Phase.CLOSED):
        raise NotFound(_("The result is not published yet."))
    return contest, viewer, services.result(viewer, contest)


def _entry_label(entry) -> str:
    return f"#{entry.id} {entry.title}"


def _chart(res):
    bars = [
        charts.Bar(
            label=_entry_label(s.entry),
            value=s.votes,
            text=_("%(votes)d votes", votes=s.votes) + (" · " + _("winner") if s.winner else ""),
            highlight=s.winner,
        )
        for s in res.standings
    ]
    return charts.bar_chart_svg(bars, title=_("Votes per entry"), chart_id="contest-chart")


def notice_page(contest, viewer, res, *, objection_form=None, status=200):
    """The 公示 notice (also shown by the grant flow's view when a grant is refused)."""
    objections = services.objections(contest)
    names = accounts.names_of([o.author_id for o in objections] + [o.answered_by_id for o in objections])
    return (
        render_template(
            "contests/results.html",
            community=viewer.community,
            contest=contest,
            poll=services.poll_of(contest),
            res=res,
            chart=_chart(res),
            entry_titles={str(s.entry.id): _entry_label(s.entry) for s in res.standings},
            signed=services.certifiers(contest),
            objections=objections,
            objection_panel=objection_kernel.panel(viewer, objections),
            names=names,
            can_object=permissions.can_object(viewer) and contest.phase == Phase.ANNOUNCED,
            can_answer=permissions.can_manage(viewer),
            can_grant=permissions.can_manage(viewer) and contest.phase == Phase.CLOSED,
            objection_form=objection_form or ObjectionForm(),
            answer_form=AnswerForm(),
            grant_form=GrantForm(),
            receipts_url=receipts_url(),
            role_labels=ROLE_LABELS,
            phase_labels=PHASE_LABELS,
            last_day=services.last_day,
        ),
        status,
    )


@bp.route("/contests/<int:contest_id>/results")
@login_required
def results(contest_id: int):
    """The printable 公示 notice: chart, per-entry and per-building counts, chain heads, certifiers."""
    return notice_page(*load_published(contest_id))


def _tables(contest, res):
    entries = (
        [_("Rank"), _("Entry no."), _("Entry"), _("Entered by"), _("Budget (fen)"), _("Votes"), _("Winner")],
        [
            [
                *(s.rank, s.entry.id, s.entry.title, submitted_by(s.entry), s.entry.budget_fen, s.votes),
                _("Yes") if s.winner else _("No"),
            ]
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
    contest, _viewer, res = load_published(contest_id)
    headers, rows = _tables(contest, res)[0]
    return Response(
        charts.table_csv(headers, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=contest-{contest.id}-results.csv"},
    )


@bp.route("/contests/<int:contest_id>/results.xlsx")
@login_required
def results_xlsx(contest_id: int):
    contest, _viewer, res = load_published(contest_id)
    (eh, er), (bh, br) = _tables(contest, res)
    data = charts.table_xlsx([(_("Entries"), eh, er), (_("By building"), bh, br)])
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename=contest-{contest.id}-results.xlsx"},
    )


def _to_objections(contest):
    return redirect(url_for("contests.results", contest_id=contest.id) + "#objections")


@bp.route("/contests/<int:contest_id>/objections", methods=["POST"])
@login_required
def object_to(contest_id: int):
    contest, viewer, res = load_published(contest_id)
    _require(permissions.can_object(viewer), _("Only verified members can raise an objection."))
    form = ObjectionForm()
    return form_view(
        form,
        lambda: services.object_to(viewer, contest, client_id=form.client_id.data, body=form.body.data),
        render=lambda status: notice_page(contest, viewer, res, objection_form=form, status=status),
        done=lambda _objection: _to_objections(contest),
        message=_("Your objection is recorded and shown below; the staff will answer it."),
    )


@bp.route("/contests/<int:contest_id>/objections/<int:objection_id>/answer", methods=["POST"])
@login_required
def answer(contest_id: int, objection_id: int):
    contest, viewer, res = load_published(contest_id)
    _require(permissions.can_manage(viewer), _("Only community staff answer objections."))
    objection = services.get_objection(contest, objection_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Write an answer."), "error")
        return notice_page(contest, viewer, res, status=400)
    outcome = perform(lambda: services.answer_objection(viewer, contest, objection, form.answer.data))
    if not outcome.ok:
        return notice_page(contest, viewer, res, status=outcome.status)
    flash(_("Your answer is shown beside the objection."), "success")
    return _to_objections(contest)


def _describe_contest(contest_id: int):
    """A contest's vote as the receipts page names it (a secret ballot: the choice is never shown)."""
    contest = db.session.get(Contest, contest_id) if isinstance(contest_id, int) else None
    if contest is None:
        return None
    return voting_registry.Subject(
        kind=_("Proposal contest"), title=contest.title, url=url_for("contests.show", contest_id=contest.id)
    )


voting_registry.register(services.POLL_TYPE, _describe_contest)
