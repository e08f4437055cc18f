"""The registry's views: the list, registering, one organisation's page (qualifications, agents, the
staff's verification). Thin: load what the viewer may see (404 otherwise), call the use case through
`core.web` (which commits once), render."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from app.communities.models import District, Street
from app.core.clock import local_today
from app.core.errors import Forbidden, NotFound
from app.core.validation import MAX_ID
from app.core.web import form_view
from app.extensions import db
from app.orgs import bp, permissions, queries, services
from app.orgs.forms import AgentForm, ButtonForm, EditForm, QualificationForm, RegisterForm, SuspendForm
from app.orgs.labels import AREA_LABELS, KIND_LABELS, STATUS_LABELS
from app.orgs.models import Organisation


def load_org(org_id: int):
    """(organisation, viewer): 404 unless it exists and the viewer may see it."""
    org = db.session.get(Organisation, org_id) if 0 < org_id <= MAX_ID else None
    viewer = permissions.viewer_of(current_user)
    if org is None or not permissions.can_view(viewer, org):
        raise NotFound()
    return org, viewer


def _labels() -> dict:
    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS, "area_labels": AREA_LABELS}


@bp.app_context_processor
def _main_menu():
    """Whether the main menu offers "社会组织": asked only when the page's header is drawn (base.html asks it
    once; nothing is kept past the request, so a new agent sees the menu on their next page)."""

    def shows_orgs_menu() -> bool:
        return permissions.uses_registry(current_user)

    return {"shows_orgs_menu": shows_orgs_menu}


@bp.route("/orgs")
@login_required
def index():
    """The registry: verified organisations for everyone signed in; pending ones for their agents and staff."""
    viewer = permissions.viewer_of(current_user)
    return render_template(
        "orgs/index.html", orgs=queries.listing(viewer), viewer=viewer, today=local_today(), **_labels()
    )


def _place_choices(form: RegisterForm) -> None:
    districts = list(db.session.scalars(select(District).order_by(District.id)))
    streets = list(db.session.scalars(select(Street).order_by(Street.district_id, Street.id)))
    form.district_id.choices = [SelectChoice(d.id, d.name) for d in districts]
    names = {d.id: d.name for d in districts}
    form.street_id.choices = [SelectChoice("", _("None: registered with the district"))] + [
        SelectChoice(s.id, f"{names.get(s.district_id, '')} · {s.name}") for s in streets
    ]


@bp.route("/orgs/new", methods=["GET", "POST"])
@login_required
def new():
    """Register an organisation: its first agent is the one who registers it; staff verify it."""
    viewer = permissions.viewer_of(current_user)
    form = RegisterForm()
    _place_choices(form)
    return form_view(
        form,
        lambda: services.register(viewer, **form.fields()),
        render=lambda status: (render_template("orgs/new.html", form=form, **_labels()), status),
        done=lambda org: redirect(url_for("orgs.show", org_id=org.id)),
        message=_("Registered. The street's or district's staff will verify it."),
    )


def org_page(org, viewer, *, status=200, **forms):
    return (
        render_template(
            "orgs/show.html",
            org=org,
            today=local_today(),
            can_edit=permissions.can_edit(viewer, org),
            can_see_agents=permissions.can_see_agents(viewer, org),
            can_verify=permissions.can_verify(viewer, org),
            can_suspend=permissions.can_suspend(viewer, org),
            qualification_form=forms.get("qualification_form") or QualificationForm(),
            agent_form=forms.get("agent_form") or AgentForm(),
            suspend_form=forms.get("suspend_form") or SuspendForm(),
            button_form=ButtonForm(),
            **_labels(),
        ),
        status,
    )


@bp.route("/orgs/<int:org_id>")
@login_required
def show(org_id: int):
    return org_page(*load_org(org_id))


def _back(org):
    return redirect(url_for("orgs.show", org_id=org.id))


def _agent_of(org_id: int):
    org, viewer = load_org(org_id)
    if not permissions.can_edit(viewer, org):
        raise Forbidden(_("Only the organisation's agents can change it."))
    return org, viewer


@bp.route("/orgs/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id: int):
    """Its agents change the kind, the service areas and the description."""
    org, viewer = _agent_of(org_id)
    form = EditForm(obj=org)
    return form_view(
        form,
        lambda: services.update(
            viewer, org, kind=form.kind.data, service_areas=form.service_areas.data, description=form.description.data
        ),
        render=lambda status: (render_template("orgs/edit.html", org=org, form=form, **_labels()), status),
        done=lambda _org: _back(org),
        message=_("Saved."),
    )


@bp.route("/orgs/<int:org_id>/verify", methods=["POST"])
@login_required
def verify(org_id: int):
    org, viewer = load_org(org_id)
    if not permissions.can_verify(viewer, org):
        raise Forbidden(_("Only the street's or district's staff can verify this organisation."))
    return form_view(
        ButtonForm(),
        lambda: services.verify(viewer, org),
        render=lambda status: org_page(org, viewer, status=status),
        done=lambda _org: _back(org),
        message=_("Verified; its agents have been told."),
    )


@bp.route("/orgs/<int:org_id>/suspend", methods=["POST"])
@login_required
def suspend(org_id: int):
    org, viewer = load_org(org_id)
    if not permissions.can_suspend(viewer, org):
        raise Forbidden(_("Only the street's or district's staff can suspend this organisation."))
    form = SuspendForm()
    return form_view(
        form,
        lambda: services.suspend(viewer, org, form.reason.data),
        render=lambda status: org_page(org, viewer, status=status, suspend_form=form),
        done=lambda _org: _back(org),
        message=_("Suspended; its agents have been told why."),
    )


@bp.route("/orgs/<int:org_id>/qualifications", methods=["POST"])
@login_required
def add_qualification(org_id: int):
    org, viewer = _agent_of(org_id)
    form = QualificationForm()
    return form_view(
        form,
        lambda: services.add_qualification(
            viewer,
            org,
            client_id=form.client_id.data,
            name=form.name.data,
            number=form.number.data,
            expires_on=form.expires_on.data,
        ),
        render=lambda status: org_page(org, viewer, status=status, qualification_form=form),
        done=lambda _q: _back(org),
        message=_("Qualification added."),
    )


@bp.route("/orgs/<int:org_id>/qualifications/<int:qualification_id>/remove", methods=["POST"])
@login_required
def remove_qualification(org_id: int, qualification_id: int):
    org, viewer = _agent_of(org_id)
    return form_view(
        ButtonForm(),
        lambda: services.remove_qualification(viewer, org, qualification_id),
        render=lambda status: org_page(org, viewer, status=status),
        done=lambda _none: _back(org),
        message=_("Qualification removed."),
    )


@bp.route("/orgs/<int:org_id>/agents", methods=["POST"])
@login_required
def add_agent(org_id: int):
    org, viewer = _agent_of(org_id)
    form = AgentForm()
    return form_view(
        form,
        lambda: services.add_agent(viewer, org, form.phone.data),
        render=lambda status: org_page(org, viewer, status=status, agent_form=form),
        done=lambda _agent: _back(org),
        message=_("They now act for the organisation."),
    )


@bp.route("/orgs/<int:org_id>/agents/<int:agent_id>/remove", methods=["POST"])
@login_required
def remove_agent(org_id: int, agent_id: int):
    org, viewer = _agent_of(org_id)
    return form_view(
        ButtonForm(),
        lambda: services.remove_agent(viewer, org, agent_id),
        render=lambda status: org_page(org, viewer, status=status),
        done=lambda _none: _back(org),
        message=_("They no longer act for the organisation."),
    )
