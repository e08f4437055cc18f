"""Pages of street and district staff: naming experts for their street or district, and their communities'
needs aggregated (counts and titles only: no names cross a community)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities.models import ExpertAppointment
from app.core.errors import Forbidden, NotFound
from app.core.forms import ButtonForm
from app.core.web import form_view, perform
from app.extensions import db
from app.needs import bp, permissions, queries, services
from app.needs.forms import AppointForm
from app.needs.labels import AFFECTED_LABELS, STATUS_LABELS


def _me():
    return current_user._get_current_object()


def _experts_page(form: AppointForm, status: int = 200):
    streets, districts = permissions.appointing_scopes(_me())
    return render_template(
        "needs/experts.html",
        appointments=services.appointments_in(streets, districts),
        can_end=lambda a: permissions.can_end_appointment(_me(), a),
        form=form,
        button=ButtonForm(),
    ), status


@bp.route("/experts", methods=["GET", "POST"])
@login_required
def experts():
    """Street staff name experts for their street, district staff for the district; 404 for anyone else."""
    if not permissions.can_appoint(_me()):
        raise NotFound()
    form = AppointForm()
    form.scope.choices = [SelectChoice(v, label) for v, label in services.scope_choices(_me())]
    return form_view(
        form,
        lambda: services.appoint(_me(), scope=form.scope.data, phone=form.phone.data, field=form.field.data),
        render=lambda status: _experts_page(form, status),
        done=lambda _a: redirect(url_for("needs.experts")),
        message=_("The expert is named."),
    )


@bp.route("/experts/<int:appointment_id>/end", methods=["POST"])
@login_required
def end_appointment(appointment_id: int):
    """End an appointment of the staff member's own street or district."""
    if not permissions.can_appoint(_me()):
        raise NotFound()
    appointment = db.session.get(ExpertAppointment, appointment_id)
    if appointment is None:
        raise NotFound()
    if not permissions.can_end_appointment(_me(), appointment):
        raise Forbidden()
    if not ButtonForm().validate_on_submit():
        return _experts_page(AppointForm(), 400)
    outcome = perform(lambda: services.end(_me(), appointment))
    if outcome.ok:
        flash(_("The appointment has ended."), "success")
    return redirect(url_for("needs.experts"))


@bp.route("/overview/needs")
@login_required
def overview():
    """Street staff: their communities' needs aggregated; district staff: every street's. Counts only."""
    if not permissions.has_offices(_me()):
        raise NotFound()
    return render_template(
        "needs/overview.html",
        streets=queries.aggregated(_me()),
        status_labels=STATUS_LABELS,
        affected_labels=AFFECTED_LABELS,
    )
