"""Experts named by a street or the district (专家组): who they are and where they may screen and score.

An appointment covers every community of its street, or of its district. It gives no sight of a community's
members or pages: the features that use experts (needs' screening, service projects' scoring) decide what an
expert sees of the things put before them."""

from __future__ import annotations

from sqlalchemy import or_, select

from app.communities.models import Community, ExpertAppointment, Street
from app.extensions import db


def appointments_of(user) -> list[ExpertAppointment]:
    """The user's appointments that have not ended."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            select(ExpertAppointment)
            .where(ExpertAppointment.user_id == user.id, ExpertAppointment.ended_at.is_(None))
            .order_by(ExpertAppointment.id)
        )
    )


def covers(appointment: ExpertAppointment, street: Street) -> bool:
    return appointment.street_id == street.id or appointment.district_id == street.district_id


def is_expert_for_street(user, street: Street) -> bool:
    return any(covers(a, street) for a in appointments_of(user))


def is_expert_for(user, community: Community) -> bool:
    return is_expert_for_street(user, community.street)


def experts_for_street(street: Street) -> list[ExpertAppointment]:
    """The experts who may serve on a panel for this street's communities: named by it or by its district."""
    return list(
        db.session.scalars(
            select(ExpertAppointment)
            .where(
                ExpertAppointment.ended_at.is_(None),
                or_(ExpertAppointment.street_id == street.id, ExpertAppointment.district_id == street.district_id),
            )
            .order_by(ExpertAppointment.id)
        )
    )
