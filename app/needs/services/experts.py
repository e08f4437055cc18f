"""Naming experts (专家组): street staff name them for their street, district staff for the district, by the
phone number of an existing account; either ends the appointments of their own scope."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.accounts.models import User
from app.communities.models import District, ExpertAppointment, Street
from app.core import audit, validation
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.extensions import db
from app.needs import permissions

PHONE = re.compile(r"1\d{10}")


def appointments_in(streets: list[Street], districts: list[District]) -> list[ExpertAppointment]:
    """The current appointments of the streets and districts (a district's staff see its streets' too)."""
    street_ids = {s.id for s in streets} | {s.id for d in districts for s in d.streets}
    district_ids = {d.id for d in districts}
    if not street_ids and not district_ids:
        return []
    query = select(ExpertAppointment).where(
        ExpertAppointment.ended_at.is_(None),
        or_(ExpertAppointment.street_id.in_(street_ids), ExpertAppointment.district_id.in_(district_ids)),
    )
    return list(db.session.scalars(query.order_by(ExpertAppointment.id)))


def scope_choices(user) -> list[tuple[str, str]]:
    """("street-3", "梅山街道"), ("district-1", "雨花台区"): where this user names experts."""
    streets, districts = permissions.appointing_scopes(user)
    return [(f"street-{s.id}", s.name) for s in streets] + [(f"district-{d.id}", d.name) for d in districts]


def appoint(user, *, scope: str, phone, field) -> ExpertAppointment:
    """Name the account with this phone number an expert of the chosen street or district. Naming someone
    already named there returns their appointment."""
    if not permissions.can_appoint(user):
        raise Forbidden()
    if scope not in dict(scope_choices(user)):
        raise DomainError("bad_request", _l("Choose the street or district you name experts for."), field="scope")
    kind, _sep, number = scope.partition("-")
    phone = (phone or "").strip() if isinstance(phone, str) else ""
    if not PHONE.fullmatch(phone):
        raise DomainError("bad_request", _l("Enter an 11-digit mobile number."), field="phone")
    expert = db.session.scalar(select(User).where(User.phone == phone))
    if expert is None:
        raise DomainError(
            "no_account", _l("No account has this number: ask the expert to register first."), field="phone"
        )
    field = validation.text(field or "", field="field", low=0, high=60, message=_l("A field is at most 60 characters."))
    where = (
        {"street_id": int(number), "district_id": None}
        if kind == "street"
        else {"street_id": None, "district_id": int(number)}
    )
    existing = db.session.scalar(
        select(ExpertAppointment).where(
            ExpertAppointment.user_id == expert.id,
            ExpertAppointment.ended_at.is_(None),
            ExpertAppointment.street_id.is_not_distinct_from(where["street_id"]),
            ExpertAppointment.district_id.is_not_distinct_from(where["district_id"]),
        )
    )
    if existing is not None:
        return existing
    appointment = ExpertAppointment(user_id=expert.id, field=field, appointed_by_id=user.id, **where)
    db.session.add(appointment)
    db.session.flush()
    audit.record(user, "expert.appointed", appointment, expert=expert.id)
    return appointment


def end(user, appointment: ExpertAppointment) -> ExpertAppointment:
    if not permissions.can_end_appointment(user, appointment):
        raise Forbidden()
    appointment.ended_at = utcnow()
    audit.record(user, "expert.ended", appointment, expert=appointment.user_id)
    db.session.flush()
    return appointment
