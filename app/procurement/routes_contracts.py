"""A contract's pages: milestones (evidence, submission, sign-off, payment), progress and the ledger."""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.uploads import PhotoStore
from app.core.web import form_view
from app.documents import services as documents
from app.procurement import bp, ledger, parties, permissions, queries, reports, services
from app.procurement.forms import PayForm, ProgressForm, SignOffForm, SubmitMilestoneForm
from app.procurement.labels import MILESTONE_STATUS_LABELS
from app.procurement.models import Contract, Milestone


def render_contract(contract: Contract, party, *, status: int = 200, progress_form=None):
    page = render_template(
        "procurement/contract.html",
        contract=contract,
        call=contract.call,
        community=contract.call.community,
        balance=ledger.balance(contract),
        can_post=permissions.can_post_progress(party, contract),
        progress_form=progress_form or ProgressForm(),
        status_labels=MILESTONE_STATUS_LABELS,
    )
    return page, status


@bp.route("/procurement/contracts/<int:contract_id>")
@login_required
def contract(contract_id: int):
    contract, party = parties.load_contract(contract_id, current_user)
    return render_contract(contract, party)


@bp.route("/procurement/contracts/<int:contract_id>/progress", methods=["POST"])
@login_required
def progress(contract_id: int):
    """The organisation posts progress, with photos."""
    contract, party = parties.load_contract(contract_id, current_user)
    form = ProgressForm()
    store = PhotoStore(current_app.config, community_id=contract.community_id, owner_id=current_user.id)
    return form_view(
        form,
        lambda: services.post_progress(
            party,
            contract,
            client_id=form.client_id.data,
            body=form.body.data,
            photos=[f.read() for f in form.photos.data or [] if f and f.filename],
            store=store,
        ),
        render=lambda status: render_contract(contract, party, status=status, progress_form=form),
        done=lambda _p: redirect(url_for("procurement.contract", contract_id=contract.id)),
        message=_("Progress posted."),
    )


def render_milestone(milestone: Milestone, party, *, status: int = 200, **forms):
    contract = milestone.contract
    page = render_template(
        "procurement/milestone.html",
        milestone=milestone,
        contract=contract,
        call=contract.call,
        community=contract.call.community,
        panel=documents.panel(party.viewer, milestone),
        evidence=services.evidence_count(milestone),
        survey=queries.satisfaction_survey(milestone),
        can_submit=permissions.can_submit_milestone(party, milestone),
        can_sign_off=permissions.can_sign_off(party, milestone),
        can_pay=permissions.can_pay(party, contract),
        submit_form=forms.get("submit_form") or SubmitMilestoneForm(),
        sign_off_form=forms.get("sign_off_form") or SignOffForm(),
        pay_form=forms.get("pay_form") or PayForm(data={"amount": milestone.amount_fen}),
        status_labels=MILESTONE_STATUS_LABELS,
    )
    return page, status


@bp.route("/procurement/milestones/<int:milestone_id>")
@login_required
def milestone(milestone_id: int):
    milestone, party = parties.load_milestone(milestone_id, current_user)
    return render_milestone(milestone, party)


def _back(milestone: Milestone):
    return redirect(url_for("procurement.milestone", milestone_id=milestone.id))


@bp.route("/procurement/milestones/<int:milestone_id>/submit", methods=["POST"])
@login_required
def submit_milestone(milestone_id: int):
    """The organisation submits the milestone for evaluation (its evidence attached)."""
    milestone, party = parties.load_milestone(milestone_id, current_user)
    form = SubmitMilestoneForm()
    return form_view(
        form,
        lambda: services.submit_milestone(party, milestone, report=form.report.data),
        render=lambda status: render_milestone(milestone, party, status=status, submit_form=form),
        done=lambda _m: _back(milestone),
        message=_("Submitted for evaluation: residents will be asked for their satisfaction."),
    )


@bp.route("/procurement/milestones/<int:milestone_id>/sign-off", methods=["POST"])
@login_required
def sign_off(milestone_id: int):
    """Staff or a panel expert sign the evaluation off."""
    milestone, party = parties.load_milestone(milestone_id, current_user)
    form = SignOffForm()
    return form_view(
        form,
        lambda: services.sign_off(party, milestone, note=form.note.data),
        render=lambda status: render_milestone(milestone, party, status=status, sign_off_form=form),
        done=lambda _e: _back(milestone),
        message=_("The evaluation is signed off: the milestone may be paid."),
    )


@bp.route("/procurement/milestones/<int:milestone_id>/pay", methods=["POST"])
@login_required
def pay(milestone_id: int):
    """Staff release the milestone's payment (after its evaluation; never beyond the contract)."""
    milestone, party = parties.load_milestone(milestone_id, current_user)
    form = PayForm()
    return form_view(
        form,
        lambda: ledger.release(party, milestone, form.amount.data, note=form.note.data),
        render=lambda status: render_milestone(milestone, party, status=status, pay_form=form),
        done=lambda _p: _back(milestone),
        message=_("The payment is recorded in the ledger."),
    )


@bp.route("/procurement/contracts/<int:contract_id>/ledger.<any(csv, xlsx):fmt>")
@login_required
def ledger_export(contract_id: int, fmt: str):
    """The contract's ledger as CSV or XLSX: each payment with its milestone and evaluation."""
    contract, _party = parties.load_contract(contract_id, current_user)
    return reports.ledger_download(contract, fmt)
