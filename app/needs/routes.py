"""Needs' community pages: the list with filters, submitting from a phone, one need, "我家也需要",
withdrawing, and the staff's moves. Raising a need from an idea or a consultation is a flow
(app/flows/needs.py), which shows this page's need through `render_need`."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import access
from app.communities.access import Viewer
from app.core import validation
from app.core.errors import Forbidden
from app.core.forms import ButtonForm
from app.core.uploads import PhotoStore
from app.core.web import form_view, perform
from app.needs import bp, permissions, services
from app.needs.forms import NeedForm, StatusForm
from app.needs.labels import AFFECTED_LABELS, CRITERIA, STATUS_LABELS
from app.needs.models import Affected, Need, NeedStatus


def load(need_id: int) -> tuple[Need, Viewer]:
    """The need and the viewer, if they may see it; 404 otherwise."""
    return access.load(Need, need_id, current_user, can=permissions.can_view)


def _filters() -> dict:
    args = request.args
    return {
        "status": args.get("status") if args.get("status") in {s.value for s in NeedStatus} else None,
        "affected": args.get("affected") if args.get("affected") in {a.value for a in Affected} else None,
        "building": args.get("building", type=validation.id_arg),
    }


@bp.route("/c/<slug>/needs")
@login_required
def index(slug: str):
    """The community's needs with filters (status, affected group, building) and the households behind each."""
    viewer = access.community_viewer(slug, current_user)
    filters = _filters()
    found = services.listing(
        viewer, status=filters["status"], affected=filters["affected"], building_id=filters["building"]
    )
    return render_template(
        "needs/index.html",
        community=viewer.community,
        needs=found,
        households=services.households_by_need(n.id for n in found),
        filters=filters,
        can_submit=permissions.can_submit(viewer),
        status_labels=STATUS_LABELS,
        affected_labels=AFFECTED_LABELS,
    )


def need_form(viewer: Viewer, form: NeedForm | None = None) -> NeedForm:
    form = form or NeedForm()
    form.building_id.choices = [SelectChoice("", _("Not one building"))] + [
        SelectChoice(b.id, b.name) for b in viewer.community.buildings
    ]
    return form


@bp.route("/c/<slug>/needs/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Raise a need, with up to six photos."""
    viewer = access.community_viewer(slug, current_user)
    if not permissions.can_submit(viewer):
        raise Forbidden(_("Only verified residents, community staff and the social workers' station submit needs."))
    form = need_form(viewer)
    store = PhotoStore(current_app.config, community_id=viewer.community_id, owner_id=current_user.id)
    return form_view(
        form,
        lambda: services.submit(
            viewer,
            client_id=form.client_id.data,
            title=form.title.data,
            description=form.description.data,
            affected=form.affected.data,
            place=form.place.data,
            households_estimate=form.households_estimate.data or 0,
            building_id=form.building_id.data,
            photos=[f.read() for f in form.photos.data or [] if f and f.filename],
            store=store,
        ),
        render=lambda status: (render_template("needs/new.html", community=viewer.community, form=form), status),
        done=lambda need: redirect(url_for("needs.show", need_id=need.id)),
        message=_("Thank you. Your need is in the list; you will be told of every step."),
    )


def render_need(need: Need, viewer: Viewer, *, status: int = 200, status_form=None):
    """One need's page; the staff's status form is shown again after a refusal."""
    return render_template(
        "needs/show.html",
        community=viewer.community,
        need=need,
        households=services.household_count(need),
        supported=services.has_supported(viewer, need),
        can_support=permissions.can_support(viewer, need),
        can_withdraw=permissions.can_withdraw(viewer, need),
        can_review=permissions.can_review(viewer),
        moves=services.STAFF_MOVES[need.status],
        combined=services.combined(need),
        criteria=CRITERIA,
        status_form=status_form or StatusForm(),
        button=ButtonForm(),
        status_labels=STATUS_LABELS,
        affected_labels=AFFECTED_LABELS,
    ), status


@bp.route("/needs/<int:need_id>")
@login_required
def show(need_id: int):
    """One need: what, who and where, the households behind it, its history and the experts' scores."""
    return render_need(*load(need_id))


def _button(need_id: int, action, message: str):
    need, viewer = load(need_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        return render_need(need, viewer, status=400)
    outcome = perform(lambda: action(viewer, need))
    if not outcome.ok:
        return render_need(need, viewer, status=outcome.status)
    flash(message, "success")
    return redirect(url_for("needs.show", need_id=need.id))


@bp.route("/needs/<int:need_id>/support", methods=["POST"])
@login_required
def support(need_id: int):
    """ "我家也需要": once per household."""
    return _button(need_id, services.support, _("Your household is counted."))


@bp.route("/needs/<int:need_id>/withdraw", methods=["POST"])
@login_required
def withdraw(need_id: int):
    """The author withdraws the need."""
    return _button(need_id, services.withdraw, _("The need is withdrawn."))


@bp.route("/needs/<int:need_id>/close-screening", methods=["POST"])
@login_required
def close_screening(need_id: int):
    """Staff close the experts' screening: the scores are final."""
    return _button(need_id, services.close_screening, _("The screening is closed."))


@bp.route("/needs/<int:need_id>/status", methods=["POST"])
@login_required
def change_status(need_id: int):
    """Staff put the need to the experts or screen it out, with a reason."""
    need, viewer = load(need_id)
    if not permissions.can_review(viewer):
        raise Forbidden()
    form = StatusForm()
    return form_view(
        form,
        lambda: services.change_status(viewer, need, form.status.data, form.reason.data),
        render=lambda status: render_need(need, viewer, status_form=form, status=status),
        done=lambda _need: redirect(url_for("needs.show", need_id=need.id)),
        message=_("Status changed; the author has been told."),
    )
