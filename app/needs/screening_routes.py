"""The experts' pages (专家评审): the needs put to them across the communities their appointment covers, and
scoring one. Experts are not a community's members: these pages load a need by the screening rule
(`permissions.can_screen`, 404 otherwise) and show no resident's name, phone or room."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import NotFound
from app.core.validation import MAX_ID
from app.core.web import form_view
from app.extensions import db
from app.needs import bp, permissions, services
from app.needs.forms import ScoreForm
from app.needs.labels import AFFECTED_LABELS, CRITERIA, STATUS_LABELS
from app.needs.models import Need


def _me():
    return current_user._get_current_object()


def _screened(need_id: int) -> Need:
    need = db.session.get(Need, need_id) if 0 < need_id <= MAX_ID else None
    if need is None or not permissions.can_screen(_me(), need):
        raise NotFound()
    return need


@bp.route("/screening")
@login_required
def screening():
    """The needs before the experts, with the published criteria; 404 for anyone not named an expert."""
    if not permissions.is_expert(_me()):
        raise NotFound()
    found = services.before_experts(_me())
    return render_template(
        "needs/screening.html",
        needs=found,
        households=services.households_by_need(n.id for n in found),
        awaiting={n.id for n in services.awaiting_score(_me())},
        criteria=CRITERIA,
        affected_labels=AFFECTED_LABELS,
    )


def _score_page(need: Need, form: ScoreForm, status: int = 200):
    return render_template(
        "needs/score.html",
        need=need,
        form=form,
        households=services.household_count(need),
        combined=services.combined(need),
        can_score=permissions.can_score(_me(), need),
        criteria=CRITERIA,
        affected_labels=AFFECTED_LABELS,
        status_labels=STATUS_LABELS,
    ), status


@bp.route("/screening/needs/<int:need_id>", methods=["GET", "POST"])
@login_required
def score(need_id: int):
    """An expert scores one need on the four criteria, with a reason; changeable until the screening closes."""
    need = _screened(need_id)
    mine = services.score_of(_me(), need)
    form = ScoreForm(obj=mine)
    return form_view(
        form,
        lambda: services.score(
            _me(),
            need,
            urgency=form.urgency.data,
            households=form.households.data,
            feasibility=form.feasibility.data,
            cost=form.cost.data,
            reason=form.reason.data,
        ),
        render=lambda status: _score_page(need, form, status),
        done=lambda _score: redirect(url_for("needs.score", need_id=need.id)),
        message=_("Your scores are saved; you may change them until the screening closes."),
    )
