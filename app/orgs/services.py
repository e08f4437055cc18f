"""The registry's use cases: register an organisation, edit it, verify or suspend it, its qualifications and
its agents. Each takes the `OrgViewer` (permissions.viewer_of), checks the permissions, changes and flushes;
the edge commits once. The agents hear of a verification or a suspension (notifications kernel)."""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.communities.models import District, Street
from app.core import audit, validation
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.core.phones import PHONE_RE, normalize_phone
from app.core.ratelimit import hit as rate_limit
from app.extensions import db
from app.notifications import kinds
from app.notifications.kinds import Importance
from app.notifications.services import notify
from app.orgs import credit_code, permissions
from app.orgs.labels import AREA_LABELS
from app.orgs.models import OrgAgent, Organisation, OrgKind, OrgStatus, Qualification
from app.orgs.permissions import OrgViewer

KIND = "org_status"
kinds.register(KIND, Importance.ACTION, _l("Your organisation was verified or suspended"))

CODE_PROBLEMS = {
    "length": _l("The unified social credit code has 18 characters; check it against the certificate."),
    "characters": _l(
        "The unified social credit code has digits and capital letters (never I, O, Z, S or V), "
        "and its 3rd to 8th characters are the area's six-digit code."
    ),
    "check": _l("This unified social credit code's last character does not match: check it against the certificate."),
}


def _registration_number(raw) -> str:
    code = credit_code.normalise(raw if isinstance(raw, str) else "")
    wrong = credit_code.problem(code)
    if wrong is not None:
        raise DomainError("bad_code", CODE_PROBLEMS[wrong], field="registration_number")
    return code


def _kind(value) -> OrgKind:
    try:
        return OrgKind(value)
    except ValueError:
        raise DomainError("bad_request", _l("Choose the kind of organisation."), field="kind") from None


def _areas(values) -> list[str]:
    areas = [v for v in AREA_LABELS if v in set(values or ())]
    if not areas or len(areas) != len(set(values)):
        raise DomainError("bad_request", _l("Choose at least one service area from the list."), field="service_areas")
    return areas


def _description(value) -> str:
    return validation.text(
        value or "", field="description", low=0, high=2000, message=_l("Describe it in at most 2000 characters.")
    )


def _place(district_id, street_id) -> tuple[District, Street | None]:
    district = db.session.get(District, district_id) if validation_id(district_id) else None
    if district is None:
        raise DomainError("bad_request", _l("Choose the district."), field="district_id")
    if street_id in (None, ""):
        return district, None
    street = db.session.get(Street, street_id) if validation_id(street_id) else None
    if street is None or street.district_id != district.id:
        raise DomainError("bad_request", _l("Choose a street of the district, or none."), field="street_id")
    return district, street


def validation_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= validation.MAX_ID


def _by_number(code: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.registration_number == code))


def register(
    viewer: OrgViewer, *, name, registration_number, kind, service_areas, description="", district_id, street_id=None
) -> Organisation:
    """A signed-in user registers an organisation and becomes its first agent; it waits for verification.
    A retry (the same code, by one of its agents) returns the organisation; anyone else is told it exists."""
    if not permissions.can_register(viewer):
        raise Forbidden()
    name = validation.text(name, field="name", low=2, high=100, message=_l("Give the full name (2 to 100 characters)."))
    code = _registration_number(registration_number)
    kind = _kind(kind)
    areas = _areas(service_areas)
    description = _description(description)
    district, street = _place(district_id, street_id)
    existing = _by_number(code)
    if existing is not None:
        return _registered_before(viewer, existing)
    rate_limit("post", str(viewer.user_id), "RATELIMIT_POST")
    org = Organisation(
        district_id=district.id,
        street_id=street.id if street else None,
        name=name,
        registration_number=code,
        kind=kind,
        service_areas=areas,
        description=description,
        status=OrgStatus.PENDING,
    )
    org.agents.append(OrgAgent(user_id=viewer.user_id))
    try:
        with db.session.begin_nested():
            db.session.add(org)
    except IntegrityError:
        existing = _by_number(code)
        if existing is None:
            raise
        return _registered_before(viewer, existing)
    audit.record(viewer.user, "org.register", org)
    db.session.flush()
    return org


def _registered_before(viewer: OrgViewer, org: Organisation) -> Organisation:
    if org.is_agent(viewer.user_id):
        return org
    raise DomainError(
        "duplicate",
        _l("An organisation with this unified social credit code is registered already; ask its agents to add you."),
        field="registration_number",
        status=409,
    )


def update(viewer: OrgViewer, org: Organisation, *, kind, service_areas, description) -> Organisation:
    """Its agents change the kind, areas and description (the name and code are what staff verified)."""
    if not permissions.can_edit(viewer, org):
        raise Forbidden(_l("Only the organisation's agents can change it."))
    org.kind = _kind(kind)
    org.service_areas = _areas(service_areas)
    org.description = _description(description)
    audit.record(viewer.user, "org.update", org)
    db.session.flush()
    return org


def _tell_agents(org: Organisation, message) -> None:
    url = url_for("orgs.show", org_id=org.id)
    for agent in org.agents:
        notify(agent.user, KIND, message, url=url)


def verify(viewer: OrgViewer, org: Organisation) -> Organisation:
    """The street's or district's staff verify a pending (or suspended) organisation; its agents are told."""
    if not permissions.can_verify(viewer, org):
        raise Forbidden(_l("Only the street's or district's staff can verify this organisation."))
    org.status = OrgStatus.VERIFIED
    org.status_reason = ""
    org.verified_at = utcnow()
    org.verified_by_id = viewer.user_id
    audit.record(viewer.user, "org.verify", org)
    db.session.flush()
    _tell_agents(org, _l("%(org)s is verified: it may now take part in contests and calls.", org=org.name))
    return org


def suspend(viewer: OrgViewer, org: Organisation, reason) -> Organisation:
    """The street's or district's staff suspend an organisation with a reason its agents read."""
    if not permissions.can_suspend(viewer, org):
        raise Forbidden(_l("Only the street's or district's staff can suspend this organisation."))
    reason = validation.text(
        reason, field="reason", low=2, high=200, message=_l("Give a reason (2 to 200 characters): the agents read it.")
    )
    org.status = OrgStatus.SUSPENDED
    org.status_reason = reason
    audit.record(viewer.user, "org.suspend", org, reason=reason)
    db.session.flush()
    _tell_agents(org, _l("%(org)s is suspended: %(reason)s", org=org.name, reason=reason))
    return org


def _check_agent(viewer: OrgViewer, org: Organisation) -> None:
    if not permissions.can_edit(viewer, org):
        raise Forbidden(_l("Only the organisation's agents can change it."))


def add_qualification(viewer: OrgViewer, org: Organisation, *, client_id, name, number="", expires_on) -> Qualification:
    """An agent adds a qualification; a past expiry is allowed (it is shown as expired). A retry adds it once."""
    _check_agent(viewer, org)
    client_id = validation.client_id(client_id)
    existing = _qualification_by_client(org, client_id)
    if existing is not None:
        return existing
    name = validation.text(
        name, field="name", low=2, high=100, message=_l("Name the qualification (2 to 100 characters).")
    )
    number = validation.text(
        number or "", field="number", low=0, high=60, message=_l("The certificate number has at most 60 characters.")
    )
    if not isinstance(expires_on, date):
        raise DomainError("bad_date", _l("Give the expiry date as year-month-day."), field="expires_on")
    qualification = Qualification(
        organisation_id=org.id, client_id=client_id, name=name, number=number, expires_on=expires_on
    )
    try:
        with db.session.begin_nested():
            db.session.add(qualification)
    except IntegrityError:
        existing = _qualification_by_client(org, client_id)
        if existing is None:
            raise
        return existing
    audit.record(viewer.user, "org.qualification.add", org, name=name, expires_on=expires_on.isoformat())
    db.session.flush()
    db.session.refresh(org, ["qualifications"])
    return qualification


def _qualification_by_client(org: Organisation, client_id: str) -> Qualification | None:
    return db.session.scalar(
        select(Qualification).where(Qualification.organisation_id == org.id, Qualification.client_id == client_id)
    )


def remove_qualification(viewer: OrgViewer, org: Organisation, qualification_id) -> None:
    _check_agent(viewer, org)
    qualification = next((q for q in org.qualifications if q.id == qualification_id), None)
    if qualification is None:
        raise DomainError("not_found", _l("That qualification is not this organisation's."), status=404)
    org.qualifications.remove(qualification)
    audit.record(viewer.user, "org.qualification.remove", org, name=qualification.name)
    db.session.flush()


def add_agent(viewer: OrgViewer, org: Organisation, phone) -> OrgAgent:
    """An agent adds another by the phone number of an existing account (adding one twice adds one)."""
    _check_agent(viewer, org)
    phone = normalize_phone(phone if isinstance(phone, str) else "")
    if not PHONE_RE.match(phone):
        raise DomainError("bad_phone", _l("Enter an 11-digit mobile number."), field="phone")
    user = db.session.scalar(select(User).where(User.phone == phone))
    if user is None:
        raise DomainError(
            "no_account", _l("Nobody has an account with this number: ask them to register first."), field="phone"
        )
    found = next((a for a in org.agents if a.user_id == user.id), None)
    if found is not None:
        return found
    agent = OrgAgent(user_id=user.id)
    org.agents.append(agent)
    audit.record(viewer.user, "org.agent.add", org, user_id=user.id)
    db.session.flush()
    return agent


def remove_agent(viewer: OrgViewer, org: Organisation, agent_id) -> None:
    """An agent removes an agent (themselves too), never the last one."""
    _check_agent(viewer, org)
    agent = next((a for a in org.agents if a.id == agent_id), None)
    if agent is None:
        raise DomainError("not_found", _l("That person does not act for this organisation."), status=404)
    if len(org.agents) == 1:
        raise DomainError(
            "last_agent",
            _l("An organisation keeps at least one agent: add another before removing this one."),
            status=409,
        )
    org.agents.remove(agent)
    audit.record(viewer.user, "org.agent.remove", org, user_id=agent.user_id)
    db.session.flush()
