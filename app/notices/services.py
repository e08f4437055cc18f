"""Notice use cases: post, edit, unpin, withdraw, mark read. Services flush; the edge commits."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.communities.access import Viewer
from app.communities.models import Building, Household, Membership, MembershipStatus
from app.core import audit, validation
from app.core.clock import local_today, local_zone
from app.core.errors import DomainError, Forbidden
from app.core.models import insert_or_ignore, utcnow
from app.extensions import db
from app.notices import permissions, signals
from app.notices.models import Notice, NoticeRead

MAX_DAYS = 366


def _title(value) -> str:
    return validation.text(value, field="title", low=2, high=100, message=_l("Give a title of 2 to 100 characters."))


def _body(value) -> str:
    return validation.text(
        value, field="body", low=2, high=5000, message=_l("Write the notice in 2 to 5000 characters.")
    )


def _expiry(expires_on) -> datetime | None:
    """The end of the last day shown (Beijing time), from today up to a year on; None: until withdrawn."""
    if expires_on in (None, ""):
        return None
    if not isinstance(expires_on, date):
        raise DomainError("bad_request", _l("Give the last day as a date."), field="expires_on")
    today = local_today()
    if expires_on < today or expires_on > today + timedelta(days=MAX_DAYS):
        raise DomainError(
            "bad_request", _l("The last day must be between today and a year from now."), field="expires_on"
        )
    end = datetime.combine(expires_on + timedelta(days=1), time(0), tzinfo=local_zone())
    return end.astimezone(utcnow().tzinfo)


def _building(viewer: Viewer, building_id) -> int | None:
    if building_id in (None, "", "0", 0):
        building_id = None
    else:
        try:
            building_id = int(building_id)
        except (TypeError, ValueError):
            building_id = -1
        building = db.session.get(Building, building_id) if 0 < building_id <= validation.MAX_ID else None
        if building is None or building.community_id != viewer.community_id:
            raise DomainError("bad_request", _l("Choose a building of this community."), field="scope")
    if not permissions.can_post_to(viewer, building_id):
        raise DomainError("forbidden_scope", _l("You can post notices only to the buildings you lead."), field="scope")
    return building_id


def recipients(notice: Notice) -> list[User]:
    """Verified members in the notice's scope, its author excepted."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.community_id == notice.community_id,
            Membership.status == MembershipStatus.VERIFIED,
            User.active.is_(True),
        )
    )
    if notice.building_id is not None:
        query = query.join(Household, Membership.household_id == Household.id).where(
            Household.building_id == notice.building_id
        )
    if notice.author_id is not None:
        query = query.where(User.id != notice.author_id)
    return list(db.session.scalars(query.order_by(User.id)))


def post(viewer: Viewer, *, client_id, title, body, building_id=None, pinned=False, urgent=False, expires_on=None):
    """Post a notice; everyone in scope is notified by their chosen channels. A retry returns the first one."""
    if not permissions.can_post(viewer):
        raise Forbidden(
            _l("Only staff, the owners' committee, the property manager and building leaders post notices.")
        )
    client_id = validation.client_id(client_id)
    existing = _by_client(viewer, client_id)
    if existing is not None:
        return existing
    building_id = _building(viewer, building_id)
    if urgent and not permissions.can_send_urgent(viewer):
        raise DomainError("forbidden", _l("Only community staff send urgent notices."), status=403, field="urgent")
    notice = Notice(
        community_id=viewer.community_id,
        building_id=building_id,
        author_id=viewer.user_id,
        client_id=client_id,
        title=_title(title),
        body=_body(body),
        pinned=bool(pinned),
        urgent=bool(urgent),
        expires_at=_expiry(expires_on),
    )
    try:
        with db.session.begin_nested():  # the same form sent twice at once: one notice
            db.session.add(notice)
            db.session.flush()
    except IntegrityError:
        existing = _by_client(viewer, client_id)
        if existing is None:
            raise
        return existing
    audit.record(viewer.user, "notice.post", notice, community_id=notice.community_id, building_id=building_id)
    signals.notice_posted.send(notice, recipients=recipients(notice), actor=viewer.user)
    return notice


def _by_client(viewer: Viewer, client_id: str) -> Notice | None:
    return db.session.scalar(
        select(Notice).where(
            Notice.community_id == viewer.community_id,
            Notice.author_id == viewer.user_id,
            Notice.client_id == client_id,
        )
    )


def _managed(viewer: Viewer, notice: Notice) -> None:
    if not permissions.can_manage(viewer, notice):
        raise Forbidden(_l("Only its author and the community staff change a notice."))


def edit(viewer: Viewer, notice: Notice, *, title, body, pinned=False, expires_on=None) -> Notice:
    """Correct the text, the pin or the last day (the scope stays: its people were notified)."""
    _managed(viewer, notice)
    if notice.withdrawn_at is not None:
        raise DomainError("withdrawn", _l("This notice was withdrawn."), status=409)
    notice.title, notice.body = _title(title), _body(body)
    notice.pinned, notice.expires_at = bool(pinned), _expiry(expires_on)
    audit.record(viewer.user, "notice.edit", notice, community_id=notice.community_id)
    db.session.flush()
    return notice


def unpin(viewer: Viewer, notice: Notice) -> Notice:
    _managed(viewer, notice)
    notice.pinned = False
    audit.record(viewer.user, "notice.unpin", notice, community_id=notice.community_id)
    db.session.flush()
    return notice


def withdraw(viewer: Viewer, notice: Notice) -> Notice:
    """Take the notice down: kept for the record, shown to its managers only."""
    _managed(viewer, notice)
    if notice.withdrawn_at is None:
        notice.withdrawn_at, notice.pinned = utcnow(), False
        audit.record(viewer.user, "notice.withdraw", notice, community_id=notice.community_id)
        db.session.flush()
    return notice


def mark_read(viewer: Viewer, notice: Notice) -> None:
    """The reader (and so their household) has read it; once."""
    if viewer.user is None or viewer.membership is None:
        return
    db.session.execute(
        insert_or_ignore(NoticeRead).values(
            notice_id=notice.id,
            user_id=viewer.user_id,
            household_id=viewer.membership.household_id,
            read_at=utcnow(),
        )
    )
    db.session.flush()


def load_options():
    return (joinedload(Notice.author), joinedload(Notice.building))
