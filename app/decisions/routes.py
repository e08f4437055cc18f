"""Owners' decision views: the list, drafting, the community's thresholds, one decision (vote, roll, paper
ballots, closing, certifying, objections), the printable 公示 notice and its CSV and XLSX tables. Thin: load
what the viewer may see, call the use case through `core.web` (which commits once), render."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import services as accounts
from app.communities import access
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.web import download, form_view, perform
from app.decisions import bp, permissions, reports, services
from app.decisions.forms import (
    ActionForm,
    AnswerForm,
    CertifyForm,
    DecisionForm,
    ObjectionForm,
    RulesForm,
    VoteForm,
)
from app.decisions.labels import CHOICE_LABELS, MATTERS, PROXY_METHODS, ROLE_LABELS, STATE_LABELS
from app.decisions.models import Decision, DecisionState
from app.documents import services as documents
from app.extensions import db
from app.objections import services as objection_kernel
from app.voting import registry as voting_registry
from app.voting import results, tally
from app.voting import services as voting

S = DecisionState


def _counters_only() -> str:
    return _("Only the owners' committee and community staff run and count owners' decisions.")


def _community(slug: str, *, counters: bool = False):
    """The viewer of a community's decisions pages: 403 unless they may read them (or, `counters`, run them)."""
    viewer = access.community_viewer(slug, current_user, check=False)
    if counters and not permissions.can_count(viewer):
        raise Forbidden(_counters_only())
    if not permissions.can_view(viewer):
        raise Forbidden()
    return viewer


def _load(decision_id: int):
    """(decision, viewer): 404 unless the viewer may read it (a draft: counters only)."""
    return access.load(Decision, decision_id, current_user, can=permissions.can_view)


def _labels() -> dict[str, str]:
    return {choice.value: str(label) for choice, label in CHOICE_LABELS.items()}


def _common() -> dict:
    return {
        "matters": MATTERS,
        "state_labels": STATE_LABELS,
        "choice_labels": _labels(),
        "role_labels": ROLE_LABELS,
        "proxy_methods": PROXY_METHODS,
        "share_text": reports.share_text,
        "fraction_text": reports.fraction_text,
        "percent": reports.percent,
    }


@bp.route("/c/<slug>/decisions")
@login_required
def index(slug: str):
    """A community's owners' decisions, newest first."""
    viewer = _community(slug)
    return render_template(
        "decisions/index.html",
        community=viewer.community,
        decisions=services.decisions_of(viewer),
        can_count=permissions.can_count(viewer),
        **_common(),
    )


# -- drafting ---------------------------------------------------------------------------------------


def _save(form: DecisionForm, viewer, decision: Decision | None):
    def save():
        if decision is None:
            return services.create(viewer, client_id=form.client_id.data, **form.values())
        return services.update(viewer, decision, **form.values())

    return form_view(
        form,
        save,
        render=lambda status: (
            render_template(
                "decisions/form.html", community=viewer.community, form=form, decision=decision, **_common()
            ),
            status,
        ),
        done=lambda saved: redirect(url_for("decisions.show", decision_id=saved.id)),
        message=_("Draft saved. Check the roll, then open voting."),
    )


@bp.route("/c/<slug>/decisions/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """The owners' committee or staff draft a decision on one art. 278 matter."""
    return _save(DecisionForm(), _community(slug, counters=True), None)


@bp.route("/decisions/<int:decision_id>/edit", methods=["GET", "POST"])
@login_required
def edit(decision_id: int):
    """Revise a draft (until voting opens)."""
    decision, viewer = _load(decision_id)
    if not permissions.can_count(viewer):
        raise Forbidden()
    if decision.state != S.DRAFT:
        raise DomainError("wrong_phase", _("Voting has opened: the decision can no longer be changed."), status=409)
    form = DecisionForm() if request.method == "POST" else DecisionForm(obj=decision)
    return _save(form, viewer, decision)


@bp.route("/c/<slug>/decisions/rules", methods=["GET", "POST"])
@login_required
def rules(slug: str):
    """The community's own thresholds: stricter than the law's, never laxer."""
    viewer = _community(slug, counters=True)
    current = services.rules_of(viewer.community_id)
    stricter = current.stricter if current is not None else None
    form = RulesForm(
        participation=stricter.participation if stricter else None,
        approval=stricter.approval if stricter else None,
        approval_mode="at_least" if stricter and stricter.approval_inclusive else "more",
    )
    law = [(n, tally.legal_thresholds(n)) for n in (1, 6)]
    page = {"community": viewer.community, "form": form, "law": law, "current": stricter, **_common()}
    return form_view(
        form,
        lambda: services.set_rules(viewer, **form.thresholds()),
        render=lambda status: (render_template("decisions/rules.html", **page), status),
        done=lambda _rules: redirect(url_for("decisions.rules", slug=viewer.community.slug)),
        message=_("Thresholds saved. They apply to decisions whose voting opens from now on."),
    )


# -- one decision -----------------------------------------------------------------------------------


def _show(decision: Decision, viewer, *, status=200, **forms):
    counter = permissions.can_count(viewer)
    poll = services.poll_of(decision)
    entry = services.voter_entry(viewer.user, decision) if viewer.is_verified else None
    ballot = services.ballot_of(decision, entry) if entry is not None and poll is not None else None
    outcome = services.outcome(decision) if permissions.can_see_outcome(viewer, decision) else None
    voted_area, voted_heads = services.turnout(decision)
    certs = voting.certifications(poll) if poll is not None else []
    objections = services.objections_of(decision)
    return (
        render_template(
            "decisions/show.html",
            community=viewer.community,
            decision=decision,
            attachments=documents.panel(viewer, decision),
            poll=poll,
            counter=counter,
            entry=entry,
            ballot=ballot,
            ballot_counted=ballot is not None and decision.state == S.ANNOUNCED,
            proxy=services.proxy_view(viewer.user, decision, entry),
            outcome=outcome,
            checks=reports.checks(outcome, decision.roll_area, decision.roll_heads) if outcome else [],
            thresholds=services.thresholds_for(decision),
            voted_area=voted_area,
            voted_heads=voted_heads,
            draft=services.draft_roll(decision.community_id) if decision.state == S.DRAFT and counter else None,
            certifications=certs,
            names=accounts.names_of([c.user_id for c in certs] + [o.author_id for o in objections]),
            objections=objections,
            objection_panel=objection_kernel.panel(viewer, objections),
            can_object=permissions.can_object(viewer, decision),
            can_see_roll=permissions.can_see_roll(viewer),
            vote_form=forms.get("vote_form") or VoteForm(formdata=None, prefix="vote"),
            certify_form=forms.get("certify_form") or CertifyForm(formdata=None, prefix="certify"),
            objection_form=forms.get("objection_form") or ObjectionForm(formdata=None, prefix="objection"),
            answer_form=AnswerForm(formdata=None, prefix="answer"),
            unsettled=services.unsettled_paper(decision) if counter and decision.state == S.VOTING else 0,
            **_common(),
        ),
        status,
    )


def _to_decision(decision, anchor: str = ""):
    return redirect(url_for("decisions.show", decision_id=decision.id) + anchor)


def _button(decision_id: int, action, message):
    """A state-changing button (open, close): CSRF, the use case, and the decision's page again."""
    decision, viewer = _load(decision_id)
    if not ActionForm().validate_on_submit():
        return _show(decision, viewer, status=400)
    outcome = perform(lambda: action(viewer, decision))
    if not outcome.ok:
        return _show(decision, viewer, status=outcome.status)
    flash(message, "success")
    return _to_decision(decision)


@bp.route("/decisions/<int:decision_id>")
@login_required
def show(decision_id: int):
    """One decision: text, thresholds, turnout, the owner's vote and receipt, and the result once published."""
    return _show(*_load(decision_id))


@bp.route("/decisions/<int:decision_id>/open", methods=["POST"])
@login_required
def open_voting(decision_id: int):
    """Freeze the roll and thresholds and open voting."""
    return _button(decision_id, services.open_voting, _("Voting is open. The roll of owners is frozen."))


@bp.route("/decisions/<int:decision_id>/vote", methods=["POST"])
@login_required
def vote(decision_id: int):
    """An owner on the roll votes 同意, 反对 or 弃权, by name; a retry shows the same receipt."""
    decision, viewer = _load(decision_id)
    form = VoteForm(prefix="vote")
    if not form.validate_on_submit():
        return _show(decision, viewer, vote_form=form, status=400)
    if not form.is_confirmed:  # the review step: "You chose: agree. It cannot be changed once sent."
        outcome = perform(lambda: services.review_vote(viewer, decision, form.choice.data), form)
        if not outcome.ok:
            return _show(decision, viewer, vote_form=form, status=outcome.status)
        return render_template(
            "decisions/review.html", community=viewer.community, decision=decision, form=form,
            choice=outcome.result, **_common(),
        )  # fmt: skip
    outcome = perform(lambda: services.vote(viewer, decision, form.choice.data), form)
    if not outcome.ok:
        return _show(decision, viewer, vote_form=form, status=outcome.status)
    flash(_("Your vote was recorded. Receipt: %(receipt)s", receipt=outcome.result.receipt), "success")
    return _to_decision(decision, "#my-vote")


@bp.route("/decisions/<int:decision_id>/roll")
@login_required
def roll(decision_id: int):
    """The roll of owners: frozen when voting opened (counters see a draft before). Phone and room numbers are
    masked for everyone but counters."""
    decision, viewer = _load(decision_id)
    if not permissions.can_see_roll(viewer):
        raise Forbidden(_("Only verified owners and the committees can see the roll of owners."))
    full = permissions.can_see_personal_data(viewer)
    if decision.state == S.DRAFT:
        draft = services.draft_roll(decision.community_id)
        entries, area, heads = draft.entries, draft.area, draft.heads
    else:
        entries, area, heads = services.roll_of(decision), decision.roll_area, decision.roll_heads
    return render_template(
        "decisions/roll.html", community=viewer.community, decision=decision,
        rows=reports.roll_rows(entries, full, services.proxy_holders(decision)),
        area=area, heads=heads, full=full, **_common(),
    )  # fmt: skip


# -- closing, certifying, objections ----------------------------------------------------------------


@bp.route("/decisions/<int:decision_id>/close", methods=["POST"])
@login_required
def close(decision_id: int):
    """Close voting: the chain head at closing is recorded for the notice."""
    message = _("Voting is closed. A counter and a scrutineer now check and sign the count.")
    return _button(decision_id, services.close_voting, message)


@bp.route("/decisions/<int:decision_id>/certify", methods=["POST"])
@login_required
def certify(decision_id: int):
    """Sign the count as counter or scrutineer; with both, the result is published for 公示."""
    decision, viewer = _load(decision_id)
    form = CertifyForm(prefix="certify")
    if not form.validate_on_submit():
        return _show(decision, viewer, certify_form=form, status=400)
    outcome = perform(lambda: services.certify(viewer, decision, form.role.data))
    if not outcome.ok:
        return _show(decision, viewer, certify_form=form, status=outcome.status)
    if decision.state == S.ANNOUNCED:
        flash(_("Both have signed: the result is published for 公示."), "success")
    else:
        flash(_("Signed. The other certifier must sign too before the result is published."), "success")
    return _to_decision(decision, "#count")


@bp.route("/decisions/<int:decision_id>/objections", methods=["POST"])
@login_required
def object_to(decision_id: int):
    """An owner objects to the published result during 公示."""
    decision, viewer = _load(decision_id)
    form = ObjectionForm(prefix="objection")
    return form_view(
        form,
        lambda: services.object_to(viewer, decision, client_id=form.client_id.data, body=form.body.data),
        render=lambda status: _show(decision, viewer, objection_form=form, status=status),
        done=lambda _objection: _to_decision(decision, "#objections"),
        message=_("Your objection is recorded and shown with the result."),
    )


@bp.route("/decisions/<int:decision_id>/objections/<int:objection_id>/answer", methods=["POST"])
@login_required
def answer(decision_id: int, objection_id: int):
    """Counters answer an objection."""
    decision, viewer = _load(decision_id)
    form = AnswerForm(prefix="answer")
    if not form.validate_on_submit():
        if not permissions.can_count(viewer):
            raise Forbidden()
        flash(" ".join(str(e) for e in form.answer.errors) or _("The request could not be understood."), "error")
        return _show(decision, viewer, status=400)
    outcome = perform(lambda: services.answer_objection(viewer, decision, objection_id, form.answer.data))
    if not outcome.ok:
        return _show(decision, viewer, status=outcome.status)
    flash(_("Answer published."), "success")
    return _to_decision(decision, "#objections")


# -- the notice and its tables ----------------------------------------------------------------------


def _result(decision_id: int):
    """The decision and its outcome, if this reader may see it: everyone once published; counters while counting."""
    decision, viewer = _load(decision_id)
    if not permissions.can_see_outcome(viewer, decision):
        raise NotFound(_("The result is shown once the count is certified and published."))
    return decision, viewer, services.outcome(decision)


@bp.route("/decisions/<int:decision_id>/notice")
@login_required
def notice(decision_id: int):
    """The printable 公示 notice: verdict and reasons, charts by area and headcount, per-building counts, chain
    heads, the poll id to verify, and the certifiers."""
    decision, viewer, outcome = _result(decision_id)
    poll = services.poll_of(decision)
    certs = voting.certifications(poll)
    return render_template(
        "decisions/notice.html",
        community=viewer.community,
        decision=decision,
        poll=poll,
        outcome=outcome,
        checks=reports.checks(outcome, decision.roll_area, decision.roll_heads),
        charts=reports.notice_charts(decision, outcome, _labels()),
        choice_rows=reports.choice_rows(outcome, _labels()),
        certifications=certs,
        names=accounts.names_of([c.user_id for c in certs]),
        objections=services.objections_of(decision),
        **_common(),
    )


def _download(decision: Decision, body: bytes, extension: str):
    name = f"{decision.title}-{_('Result')}"
    return download(body, extension, ascii_name=f"decision-{decision.id}-result", name=name)


@bp.route("/decisions/<int:decision_id>/result.csv")
@login_required
def result_csv(decision_id: int):
    """The result as CSV: per choice by headcount and area, then per building."""
    decision, _viewer, outcome = _result(decision_id)
    labels = _labels()
    by_choice, by_building = reports.table_headers()
    rows = [
        *reports.choice_rows(outcome, labels),
        [],
        by_building,
        *reports.building_rows(outcome, labels, _("(no building)")),
    ]
    return _download(decision, results.table_csv(by_choice, rows), "csv")


@bp.route("/decisions/<int:decision_id>/result.xlsx")
@login_required
def result_xlsx(decision_id: int):
    """The result as an Excel workbook: a sheet per choice and a sheet per building."""
    decision, _viewer, outcome = _result(decision_id)
    labels = _labels()
    by_choice, by_building = reports.table_headers()
    body = results.table_xlsx(
        [
            (_("By choice"), by_choice, reports.choice_rows(outcome, labels)),
            (_("By building"), by_building, reports.building_rows(outcome, labels, _("(no building)"))),
        ]
    )
    return _download(decision, body, "xlsx")


def _describe_decision(decision_id: int):
    """An owners' decision as the receipts page names it."""
    decision = db.session.get(Decision, decision_id) if isinstance(decision_id, int) else None
    if decision is None:
        return None
    labels = _labels()
    return voting_registry.Subject(
        kind=_("Owners' decision"),
        title=decision.title,
        url=url_for("decisions.show", decision_id=decision.id),
        choice_label=lambda choice: labels.get(choice, choice),
    )


voting_registry.register(services.POLL_TYPE, _describe_decision)
