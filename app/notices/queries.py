"""Reading notices: the active ones for a viewer (the home page calls active_for), the list, the reach."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, or_, select

from app.communities.access import Viewer
from app.communities.models import Household
from app.core.models import utcnow
from app.extensions import db
from app.notices import permissions
from app.notices.models import Notice, NoticeRead
from app.notices.services import load_options
from app.notifications import outbox


def _active_query(viewer: Viewer):
    now = utcnow()
    query = select(Notice).where(
        Notice.community_id == viewer.community_id,
        Notice.withdrawn_at.is_(None),
        or_(Notice.expires_at.is_(None), Notice.expires_at > now),
    )
    return query.options(*load_options()).order_by(Notice.pinned.desc(), Notice.id.desc())


def active_for(viewer: Viewer, limit: int = 5) -> list[Notice]:
    """The showing notices this viewer is in scope of, pinned first, newest first (the home page's list)."""
    found = []
    for notice in db.session.scalars(_active_query(viewer)):
        if permissions.in_scope(viewer, notice):
            found.append(notice)
            if len(found) >= limit:
                break
    return found


def listing(viewer: Viewer) -> list[Notice]:
    """The list page: showing notices in scope; for those who post, their past ones too."""
    if not permissions.can_post(viewer):
        return active_for(viewer, limit=200)
    query = (
        select(Notice)
        .where(Notice.community_id == viewer.community_id)
        .options(*load_options())
        .order_by(Notice.pinned.desc(), Notice.id.desc())
        .limit(200)
    )
    return [n for n in db.session.scalars(query) if permissions.can_view(viewer, n)]


def read_ids(viewer: Viewer, notices: list[Notice]) -> set[int]:
    if viewer.user is None or not notices:
        return set()
    return set(
        db.session.scalars(
            select(NoticeRead.notice_id).where(
                NoticeRead.user_id == viewer.user_id, NoticeRead.notice_id.in_([n.id for n in notices])
            )
        )
    )


@dataclass(frozen=True)
class Reach:
    households: int  # in scope
    read: int  # households in scope with someone who opened it
    people: int  # notified (in the inbox)
    channels: dict  # outbox.reach: per channel, sent / failed / waiting


def reach(notice: Notice) -> Reach:
    scope = select(Household.id).where(Household.community_id == notice.community_id)
    if notice.building_id is not None:
        scope = scope.where(Household.building_id == notice.building_id)
    households = db.session.scalar(select(func.count()).select_from(scope.subquery()))
    read = db.session.scalar(
        select(func.count(distinct(NoticeRead.household_id))).where(
            NoticeRead.notice_id == notice.id, NoticeRead.household_id.in_(scope)
        )
    )
    key = notice.notification_key
    return Reach(households=households, read=read, people=outbox.recipients(key), channels=outbox.reach(key))
