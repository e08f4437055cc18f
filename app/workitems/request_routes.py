"""Work-item views for requests and rounds: a department officer requests, edits and withdraws; district staff
open the yearly round and decide (the round's requests together, urgent ones one at a time)."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core.clock import local_today
from app.core.errors import NotFound
from app.core.web import form_view, perform
from app.extensions import db
from app.workitems import bp, permissions, queries, services
from app.workitems.forms import DecisionForm, RequestForm, RoundForm
from app.workitems.labels import STATUS_LABELS
from app.workitems.models import ReviewRound, WorkItemRequest
from app.workitems.routes import district_stance, load_department, require
from app.workitems.standing import Stance


def load_request(request_id: int) -> tuple[WorkItemRequest, Stance]:
    """The request, for who may see it (404 otherwise: a request not admitted is the department's business)."""
    request = db.session.get(WorkItemRequest, request_id) or abort(404)
    stance = district_stance(request.district_id)
    if not permissions.can_view_request(stance, request):
        raise NotFound()
    return request, stance


def _fields(form: RequestForm) -> dict:
    return {
        "title": form.title.data,
        "duties": form.duties.data,
        "basis": form.basis.data,
        "hours_per_month": form.hours_per_month.data,
        "starts_on": form.starts_on.data,
        "urgent": form.urgent.data,
        "urgent_reason": form.urgent_reason.data,
    }


def _request_form_page(form, department, status=200, request=None):
    page = render_template("workitems/request_form.html", form=form, department=department, request=request)
    return page, status


@bp.route("/workitems/departments/<int:department_id>/requests/new", methods=["GET", "POST"])
@login_required
def new_request(department_id: int):
    """A department officer requests a work item."""
    department, stance = load_department(department_id)
    require(permissions.can_request(stance, department))
    form = RequestForm()
    return form_view(
        form,
        lambda: services.submit_request(stance, department, client_id=form.client_id.data, **_fields(form)),
        render=lambda status: _request_form_page(form, department, status),
        done=lambda request: redirect(url_for("workitems.show_request", request_id=request.id)),
        message=_("Request sent to the district."),
    )


@bp.route("/workitems/requests/<int:request_id>/edit", methods=["GET", "POST"])
@login_required
def edit_request(request_id: int):
    """The department's officers change a request until it is decided."""
    request, stance = load_request(request_id)
    require(permissions.can_edit_request(stance, request))
    form = RequestForm(obj=request)
    return form_view(
        form,
        lambda: services.edit_request(stance, request, **_fields(form)),
        render=lambda status: _request_form_page(form, request.department, status, request),
        done=lambda _r: redirect(url_for("workitems.show_request", request_id=request.id)),
        message=_("Request changed."),
    )


def _request_page(request, stance, form, status=200):
    yearly = queries.round_for(request.district_id, request.year)
    page = render_template(
        "workitems/request.html",
        request=request,
        district=stance.district,
        yearly=yearly,
        form=form,
        decidable=permissions.can_decide(stance) and services.decidable(request, yearly),
        can_edit=permissions.can_edit_request(stance, request),
        status_labels=STATUS_LABELS,
    )
    return page, status


@bp.route("/workitems/requests/<int:request_id>")
@login_required
def show_request(request_id: int):
    """One request: what, why, workload, from when, and its decision."""
    request, stance = load_request(request_id)
    return _request_page(request, stance, DecisionForm())


@bp.route("/workitems/requests/<int:request_id>/withdraw", methods=["POST"])
@login_required
def withdraw_request(request_id: int):
    """The department's officers withdraw a request not yet decided."""
    request, stance = load_request(request_id)
    if perform(lambda: services.withdraw_request(stance, request)).ok:
        return redirect(url_for("workitems.department", department_id=request.department_id))
    return redirect(url_for("workitems.show_request", request_id=request.id))


@bp.route("/workitems/requests/<int:request_id>/decide", methods=["POST"])
@login_required
def decide(request_id: int):
    """District staff admit or refuse a request, with a reason (required to refuse)."""
    request, stance = load_request(request_id)
    require(permissions.can_decide(stance))
    form = DecisionForm()
    return form_view(
        form,
        lambda: services.decide(stance, request, form.decision.data, form.reason.data),
        render=lambda status: _request_page(request, stance, form, status),
        done=lambda decided: redirect(_after_decision(decided)),
        message=_("Decision recorded."),
    )


def _after_decision(request: WorkItemRequest) -> str:
    if request.round_id is not None:
        return url_for("workitems.show_round", round_id=request.round_id) + f"#request-{request.id}"
    return url_for("workitems.show_request", request_id=request.id)


def _rounds_page(stance: Stance, form, status=200):
    page = render_template(
        "workitems/rounds.html", district=stance.district, rounds=queries.rounds(stance.district_id), form=form
    )
    return page, status


@bp.route("/d/<int:district_id>/workitems/rounds", methods=["GET", "POST"])
@login_required
def rounds(district_id: int):
    """District staff: the yearly rounds (准入审核), and a new one."""
    stance = district_stance(district_id)
    require(permissions.can_decide(stance))
    form = RoundForm()
    return form_view(
        form,
        lambda: services.open_round(stance, year=form.year.data, closes_on=form.closes_on.data),
        render=lambda status: _rounds_page(stance, form, status),
        done=lambda yearly: redirect(url_for("workitems.show_round", round_id=yearly.id)),
        message=_("Round opened."),
    )


@bp.route("/workitems/rounds/<int:round_id>")
@login_required
def show_round(round_id: int):
    """The round's requests, decided together: admit or refuse each, with a reason."""
    yearly = db.session.get(ReviewRound, round_id) or abort(404)
    stance = district_stance(yearly.district_id)
    require(permissions.can_decide(stance))
    return render_template(
        "workitems/round.html",
        district=stance.district,
        yearly=yearly,
        requests=queries.round_requests(yearly),
        closed=local_today() > yearly.closes_on,
        form=DecisionForm(),
        status_labels=STATUS_LABELS,
    )
