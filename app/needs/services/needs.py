"""Needs: submit (with photos), list, "我家也需要" once per household, withdraw, and the staff's moves.

Every use case takes the `Viewer` and checks it with `permissions`; nothing here commits (the edge does)."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.communities.access import Viewer
from app.communities.models import Building, Membership
from app.core import audit, validation
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.core.ratelimit import hit as rate_limit
from app.extensions import db
from app.needs import permissions, signals
from app.needs.labels import STATUS_LABELS
from app.needs.models import Affected, Need, NeedEvent, NeedPhoto, NeedStatus, NeedSupport

MAX_PHOTOS = 6
MAX_HOUSEHOLDS = 100000
# what staff may do by hand; LISTED comes only from publishing the guidance list
STAFF_MOVES = {
    NeedStatus.SUBMITTED: {NeedStatus.SCREENING, NeedStatus.DECLINED},
    NeedStatus.SCREENING: {NeedStatus.DECLINED},
    NeedStatus.LISTED: set(),
    NeedStatus.DECLINED: set(),
    NeedStatus.WITHDRAWN: set(),
}


def reason_for(reason) -> str:
    return validation.text(
        reason,
        field="reason",
        low=1,
        high=300,
        message=_l("Give a reason of 1 to 300 characters: the author reads it."),
    )


def affected_of(value) -> Affected:
    try:
        return Affected(value)
    except ValueError:
        raise DomainError("bad_request", _l("Choose who is affected."), field="affected") from None


def _by_client(community_id: int, author_id: int, client_id: str) -> Need | None:
    return db.session.scalar(
        select(Need).where(Need.community_id == community_id, Need.author_id == author_id, Need.client_id == client_id)
    )


def _details(viewer: Viewer, *, title, description, affected, place, households_estimate, building_id) -> dict:
    title = validation.text(title, field="title", low=2, high=120, message=_l("Give a title of 2 to 120 characters."))
    description = validation.text(
        description, field="description", low=5, high=2000, message=_l("Describe the need in 5 to 2000 characters.")
    )
    place = validation.text(
        place or "", field="place", low=0, high=120, message=_l("A place is at most 120 characters.")
    )
    if not isinstance(households_estimate, int) or not 0 <= households_estimate <= MAX_HOUSEHOLDS:
        raise DomainError(
            "bad_request",
            _l("Estimate the households as a whole number from 0 to 100000."),
            field="households_estimate",
        )
    if building_id is not None:
        building = db.session.get(Building, building_id) if validation.in_integer_range(building_id) else None
        if building is None or building.community_id != viewer.community_id:
            raise DomainError("bad_request", _l("Choose a building of this community."), field="building_id")
    return {
        "title": title,
        "description": description,
        "affected": affected_of(affected),
        "place": place,
        "households_estimate": households_estimate,
        "building_id": building_id,
    }


def submit(viewer: Viewer, *, client_id, photos=(), store=None, **details) -> Need:
    """A member who may submit raises a need with up to six photos; a retry returns the first need.
    `details`: title, description, affected, place, households_estimate, building_id (or None)."""
    if not permissions.can_submit(viewer):
        raise Forbidden(_l("Only verified residents, community staff and the social workers' station submit needs."))
    client_id = validation.client_id(client_id)
    existing = _by_client(viewer.community_id, viewer.user_id, client_id)
    if existing is not None:
        return existing
    fields = _details(viewer, **details)
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        raise DomainError("bad_request", _l("At most %(n)d photos.", n=MAX_PHOTOS), field="photos")
    rate_limit("post", str(viewer.user_id), "RATELIMIT_POST")
    return _store(viewer, client_id, fields, photos, store)


def _store(viewer: Viewer, client_id: str, fields: dict, photos, store, **source) -> Need:
    need = Need(community_id=viewer.community_id, author_id=viewer.user_id, client_id=client_id, **fields, **source)
    saved = []
    try:
        with db.session.begin_nested():  # the same need sent twice at once: only this part is undone
            for position, data in enumerate(photos):
                saved.append(store.save(data))
                need.photos.append(NeedPhoto(photo_id=saved[-1].id, position=position))
            db.session.add(need)
            db.session.flush()
    except IntegrityError:
        for photo in saved:
            store.discard(photo)
        existing = _by_client(viewer.community_id, viewer.user_id, client_id)
        if existing is None:
            raise
        return existing
    except Exception:
        for photo in saved:
            store.discard(photo)
        raise
    need.events.append(NeedEvent(actor_id=viewer.user_id, from_status=None, to_status=NeedStatus.SUBMITTED))
    db.session.flush()
    return need


def raise_from(viewer: Viewer, *, source_kind: str, source_id: int, title: str, description: str) -> Need:
    """Staff raise a need from another feature's thing (a flow: app/flows/needs.py): once per source."""
    if not permissions.can_review(viewer):
        raise Forbidden()
    existing = db.session.scalar(
        select(Need).where(
            Need.community_id == viewer.community_id, Need.source_kind == source_kind, Need.source_id == source_id
        )
    )
    if existing is not None:
        return existing
    fields = {
        "title": title[:120],
        "description": description[:2000] or title[:120],
        "affected": Affected.ALL,
        "place": "",
        "households_estimate": 0,
        "building_id": None,
    }
    client_id = f"{source_kind}-{source_id}"
    return _store(viewer, client_id, fields, (), None, source_kind=source_kind, source_id=source_id)


def listing(viewer: Viewer, *, status=None, affected=None, building_id=None) -> list[Need]:
    """The community's needs with filters, newest first."""
    if not viewer.may_see:
        raise Forbidden()
    query = select(Need).where(Need.community_id == viewer.community_id)
    if status:
        query = query.where(Need.status == NeedStatus(status))
    if affected:
        query = query.where(Need.affected == Affected(affected))
    if building_id:
        query = query.where(Need.building_id == building_id)
    return list(db.session.scalars(query.options(selectinload(Need.photos)).order_by(Need.id.desc()).limit(200)))


def households_by_need(need_ids) -> dict[int, set[int]]:
    """For each need, the distinct households behind it: those that said "我家也需要" and the author's."""
    need_ids = list(need_ids)
    found: dict[int, set[int]] = defaultdict(set)
    if not need_ids:
        return found
    for need_id, household_id in db.session.execute(
        select(NeedSupport.need_id, NeedSupport.household_id).where(NeedSupport.need_id.in_(need_ids))
    ):
        found[need_id].add(household_id)
    authors = (
        select(Need.id, Membership.household_id)
        .join(Membership, (Membership.user_id == Need.author_id) & (Membership.community_id == Need.community_id))
        .where(Need.id.in_(need_ids), Membership.household_id.is_not(None))
    )
    for need_id, household_id in db.session.execute(authors):
        found[need_id].add(household_id)
    return found


def household_count(need: Need) -> int:
    return len(households_by_need([need.id])[need.id])


def has_supported(viewer: Viewer, need: Need) -> bool:
    """Whether the viewer's household is already behind the need: it said "我家也需要", or the author lives there
    (counted already, so the author's household is not offered the button, nor may it press it)."""
    household_id = viewer.membership.household_id if viewer.membership is not None else None
    if household_id is None:
        return False
    return household_id in households_by_need([need.id])[need.id]


def support(viewer: Viewer, need: Need) -> NeedSupport:
    """ "我家也需要": once per household. A second from the same household is refused, nothing stored (the
    unique constraint holds it too, when two members of a household press at once)."""
    if not permissions.can_support(viewer, need):
        if need.status not in permissions.OPEN:
            raise DomainError("wrong_status", _l("This need is closed."), status=409)
        raise Forbidden(_l("Only verified residents with a household can say their household needs it too."))
    household_id = viewer.membership.household_id
    refusal = DomainError(
        "already_supported", _l("Your household has already said it needs this too: once per household."), status=409
    )
    if has_supported(viewer, need):
        raise refusal
    try:
        with db.session.begin_nested():
            row = NeedSupport(need_id=need.id, household_id=household_id, user_id=viewer.user_id)
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise refusal from None
    return row


def move(actor, need: Need, to: NeedStatus, reason: str) -> Need:
    """Record a status change (checked by the caller) and announce it: the author is told."""
    event = NeedEvent(actor_id=actor.id, from_status=need.status, to_status=to, reason=reason)
    need.events.append(event)
    need.status = to
    need.status_reason = reason
    audit.record(actor, "need.status", need, community_id=need.community_id, to=to.value)
    db.session.flush()
    signals.need_status_changed.send(need, event=event, actor=actor)
    return need


def withdraw(viewer: Viewer, need: Need) -> Need:
    """The author withdraws the need while it is not yet decided."""
    if not permissions.can_withdraw(viewer, need):
        if viewer.is_user(need.author_id):
            raise DomainError("wrong_status", _l("This need is decided and can no longer be withdrawn."), status=409)
        raise Forbidden(_l("Only the author withdraws a need."))
    return move(viewer.user, need, NeedStatus.WITHDRAWN, "")


def change_status(viewer: Viewer, need: Need, to, reason) -> Need:
    """Staff put a need to the experts or screen it out, with a reason the author reads."""
    if not permissions.can_review(viewer):
        raise Forbidden()
    try:
        to = NeedStatus(to)
    except ValueError:
        raise DomainError("bad_request", _l("Choose a status."), field="status") from None
    reason = reason_for(reason)
    if to not in STAFF_MOVES[need.status]:
        raise DomainError(
            "wrong_status",
            _l(
                "A need that is %(old)s cannot become %(new)s.",
                old=STATUS_LABELS[need.status],
                new=STATUS_LABELS[to],
            ),
            status=409,
        )
    if to == NeedStatus.DECLINED and need.status == NeedStatus.SCREENING and need.screening_closed_at is None:
        need.screening_closed_at = utcnow()
    return move(viewer.user, need, to, reason)


def close_screening(viewer: Viewer, need: Need) -> Need:
    """Staff close the experts' screening of a need: the scores are final, the need may join the list."""
    if not permissions.can_review(viewer):
        raise Forbidden()
    if need.status != NeedStatus.SCREENING or need.screening_closed_at is not None:
        raise DomainError("wrong_status", _l("This need is not open to the experts."), status=409)
    if not need.scores:
        raise DomainError("no_scores", _l("No expert has scored this need yet."), status=409)
    need.screening_closed_at = utcnow()
    audit.record(viewer.user, "need.screening_closed", need, community_id=need.community_id)
    db.session.flush()
    return need
