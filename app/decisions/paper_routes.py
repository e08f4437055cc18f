"""Paper ballots of an owners' decision: counters enter each ballot, which counts once two different counters
have entered the same choice; a counter corrects their own entry. Thin, as routes.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.accounts import services as accounts
from app.core.errors import Forbidden
from app.core.web import form_view, perform
from app.decisions import bp, permissions, reports, services
from app.decisions.forms import CorrectForm, PaperForm
from app.decisions.routes import _common, _counters_only, _load


def _paper_page(decision, viewer, form, *, status=200, correct_form=None):
    form.roll_entry.choices = [(e.id, reports.entry_label(e)) for e in services.roll_of(decision)]
    queue = services.paper_queue(decision)
    return (
        render_template(
            "decisions/paper.html",
            community=viewer.community,
            decision=decision,
            form=form,
            queue=queue,
            names=accounts.names_of(p.counter_id for s in queue for p in s.papers),
            correct_form=correct_form or CorrectForm(formdata=None, prefix="correct"),
            entry_label=reports.entry_label,
            **_common(),
        ),
        status,
    )


def _paper_decision(decision_id: int):
    decision, viewer = _load(decision_id)
    if not permissions.can_count(viewer):
        raise Forbidden(_counters_only())
    return decision, viewer


def _paper_entered(decision, state):
    messages = {
        "counted": _("Both entries agree: the paper ballot is counted."),
        "pending": _("First entry saved. A second, different counter must enter this ballot before it counts."),
        "disputed": _("The entries disagree: check the paper ballot together and reconcile it below."),
    }
    flash(messages.get(state.status, ""), "warning" if state.status == "disputed" else "success")
    return redirect(url_for("decisions.paper", decision_id=decision.id))


@bp.route("/decisions/<int:decision_id>/paper", methods=["GET", "POST"])
@login_required
def paper(decision_id: int):
    """Counters enter paper ballots; each counts once two different counters have entered the same choice."""
    decision, viewer = _paper_decision(decision_id)
    form = PaperForm() if request.method == "POST" else PaperForm(formdata=None)
    return form_view(
        form,
        lambda: services.enter_paper(
            viewer, decision, roll_entry_id=form.roll_entry.data, choice=form.choice.data, client_id=form.client_id.data
        ),
        render=lambda status: _paper_page(decision, viewer, form, status=status),
        done=lambda state: _paper_entered(decision, state),
    )


@bp.route("/decisions/<int:decision_id>/paper/<int:paper_id>/correct", methods=["POST"])
@login_required
def correct(decision_id: int, paper_id: int):
    """A counter corrects their own entry of a ballot not yet counted."""
    decision, viewer = _paper_decision(decision_id)
    form = CorrectForm(prefix="correct")
    if not form.validate_on_submit():
        return _paper_page(decision, viewer, PaperForm(formdata=None), correct_form=form, status=400)
    outcome = perform(lambda: services.correct_paper(viewer, decision, paper_id, form.choice.data))
    if not outcome.ok:
        return _paper_page(decision, viewer, PaperForm(formdata=None), status=outcome.status)
    if outcome.result.status == "counted":
        flash(_("Both entries agree: the paper ballot is counted."), "success")
    else:
        flash(_("Your entry is corrected."), "success")
    return redirect(url_for("decisions.paper", decision_id=decision.id))
