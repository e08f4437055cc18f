"""Calls (项目征集): published by staff for a published guidance item, with criteria, weights and a panel."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app.communities.experts import experts_for_street
from app.core import audit, validation
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.core.money import MAX_FEN
from app.extensions import db
from app.needs.models import GuidanceItem, GuidanceStatus
from app.procurement import permissions, signals
from app.procurement.models import Criterion, PanelMember, ServiceCall
from app.procurement.services import parsing

LOCAL = ZoneInfo("Asia/Shanghai")
SCORING_DAYS = 14  # the panel scores for two weeks after applications close, unless the call says otherwise


def end_of_day(day: date) -> datetime:
    """A deadline typed as a day: the end of that day in China, as a UTC datetime."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL).astimezone(ZoneInfo("UTC"))


def items_for(party) -> list[GuidanceItem]:
    """The published guidance items the party may publish a call for, in the viewer's community: its own
    items (community staff), and the street-wide items too (street staff)."""
    community = party.viewer.community
    scopes = []
    street_staff = party.oversight.staffs_street(community.street_id)
    if party.viewer.is_staff or street_staff:
        scopes.append(GuidanceItem.community_id == community.id)
    if street_staff:
        scopes.append(GuidanceItem.community_id.is_(None))
    if not scopes:
        return []
    query = (
        select(GuidanceItem)
        .where(
            GuidanceItem.street_id == community.street_id,
            GuidanceItem.status == GuidanceStatus.PUBLISHED,
            or_(*scopes),
        )
        .order_by(GuidanceItem.year.desc(), GuidanceItem.id)
    )
    return list(db.session.scalars(query))


def panel_choices(community) -> list:
    """The experts who may sit on a panel for this community's street (one per person)."""
    seen, found = set(), []
    for appointment in experts_for_street(community.street):
        if appointment.user_id not in seen:
            seen.add(appointment.user_id)
            found.append(appointment)
    return found


def _by_client(user_id: int, client_id: str) -> ServiceCall | None:
    return db.session.scalar(
        select(ServiceCall).where(ServiceCall.created_by_id == user_id, ServiceCall.client_id == client_id)
    )


def publish_call(
    party, *, client_id, item_id, title, scope, ceiling_fen, deadline_day, criteria, panel_ids, scoring_day=None
) -> ServiceCall:
    """Publish a call in the party's community for one of `items_for(party)`. A retry returns the first."""
    if not permissions.can_publish(party):
        raise Forbidden(_l("Only the community's staff or the street's staff publish calls."))
    client_id = validation.client_id(client_id)
    existing = _by_client(party.user.id, client_id)
    if existing is not None:
        return existing
    item = next((i for i in items_for(party) if i.id == item_id), None)
    if item is None:
        raise DomainError("bad_request", _l("Choose a published guidance item."), field="item_id")
    title = validation.text(title, field="title", low=2, high=120, message=_l("Give a title of 2 to 120 characters."))
    scope = validation.text(
        scope, field="scope", low=10, high=5000, message=_l("Describe the scope in 10 to 5000 characters.")
    )
    if not isinstance(ceiling_fen, int) or not 0 < ceiling_fen <= MAX_FEN:
        raise DomainError("bad_amount", _l("Give a budget ceiling of more than 0 yuan."), field="ceiling")
    if not isinstance(deadline_day, date):
        raise DomainError("bad_date", _l("Give the deadline as a date."), field="deadline")
    deadline = end_of_day(deadline_day)
    if deadline <= utcnow():
        raise DomainError("bad_date", _l("The deadline must be in the future."), field="deadline")
    if scoring_day is None:
        scoring_day = deadline_day + timedelta(days=SCORING_DAYS)
    if not isinstance(scoring_day, date) or scoring_day <= deadline_day:
        raise DomainError("bad_date", _l("The panel's scoring ends after applications close."), field="scoring_ends")
    weighted = parsing.criteria(criteria)
    experts = {a.user_id for a in panel_choices(party.viewer.community)}
    chosen = sorted(set(panel_ids or []))
    if not chosen:
        raise DomainError("bad_request", _l("Choose at least one expert for the panel."), field="panel")
    if not set(chosen) <= experts:
        raise DomainError("bad_request", _l("Choose experts named for this street."), field="panel")
    call = ServiceCall(
        street_id=party.viewer.community.street_id,
        community_id=party.viewer.community_id,
        guidance_item_id=item.id,
        created_by_id=party.user.id,
        client_id=client_id,
        title=title,
        scope=scope,
        ceiling_fen=ceiling_fen,
        deadline=deadline,
        scoring_ends=end_of_day(scoring_day),
    )
    for position, (name, weight) in enumerate(weighted):
        call.criteria.append(
            Criterion(position=position, name=name, weight_num=weight.numerator, weight_den=weight.denominator)
        )
    for user_id in chosen:
        call.panel.append(PanelMember(user_id=user_id))
    try:
        with db.session.begin_nested():
            db.session.add(call)
            db.session.flush()
    except IntegrityError:
        existing = _by_client(party.user.id, client_id)
        if existing is None:
            raise
        return existing
    audit.record(party.user, "procurement.call", call, community_id=call.community_id)
    db.session.flush()
    signals.call_published.send(call)
    return call


def calls_in(community) -> list[ServiceCall]:
    return list(
        db.session.scalars(
            select(ServiceCall).where(ServiceCall.community_id == community.id).order_by(ServiceCall.id.desc())
        )
    )
