"""The help board: requests and offers, posted → taken → done → thanked, or withdrawn; contact shared only when
both sides agree; reports, hiding, mutes and the lock through the moderation kernel."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.communities import access
from app.communities.access import Viewer
from app.core import validation
from app.core.errors import Conflict, DomainError, Forbidden, NotFound
from app.core.models import utcnow
from app.core.ratelimit import hit as rate_limit
from app.extensions import db
from app.moderation import services as moderation
from app.neighbours import permissions, signals
from app.neighbours.models import HelpCategory, HelpPost, HelpState, NeighbourGroup, PostKind
from app.neighbours.services.lifecycle import check_active

REPORTS_TO_HIDE = 3  # open reports after which a post hides itself until a leader looks at it
# A mainland mobile number, with or without spaces or dashes: the board never carries one (contact is shared
# only when both sides agree).
PHONE = re.compile(r"(?<!\d)1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
MONEY = re.compile(r"[¥￥]\s*\d|\d+\s*(?:元|块钱)")


def _choice(enum, value, field: str, message):
    try:
        return enum(value)
    except ValueError:
        raise DomainError("bad_request", message, field=field) from None


def _checked_text(value, *, field: str, low: int, high: int, message) -> str:
    cleaned = validation.text(value, field=field, low=low, high=high, message=message)
    if PHONE.search(cleaned):
        raise DomainError(
            "phone_in_text",
            _l("Please leave phone numbers out: they are shared only when both neighbours agree."),
            field=field,
        )
    if MONEY.search(cleaned):
        raise DomainError("money_in_text", _l("Neighbours help for free: please leave prices out."), field=field)
    return cleaned


def _by_client(group: NeighbourGroup, author_id: int, client_id: str) -> HelpPost | None:
    return db.session.scalar(
        select(HelpPost).where(
            HelpPost.group_id == group.id, HelpPost.author_id == author_id, HelpPost.client_id == client_id
        )
    )


def post(viewer: Viewer, group: NeighbourGroup, *, client_id, kind, category, title, body) -> HelpPost:
    """A member posts a request or an offer; a retry of the same form returns the first post."""
    check_active(group)
    if not permissions.can_post(viewer, group):
        if permissions.muted(viewer, group):
            raise Forbidden(_l("You are muted on this board for now."), code="muted")
        if group.locked:
            raise Forbidden(_l("The board is locked: only the group's leaders post for now."), code="locked")
        raise Forbidden(_l("Members of the group post on its board."))
    client_id = validation.client_id(client_id)
    existing = _by_client(group, viewer.user_id, client_id)
    if existing is not None:
        return existing
    item = HelpPost(
        community_id=group.community_id,
        group_id=group.id,
        author_id=viewer.user_id,
        client_id=client_id,
        kind=_choice(PostKind, kind, "kind", _l("Say whether you need help or offer it.")),
        category=_choice(HelpCategory, category, "category", _l("Choose what kind of help.")),
        title=_checked_text(title, field="title", low=2, high=80, message=_l("Give a title of 2 to 80 characters.")),
        body=_checked_text(body, field="body", low=0, high=1000, message=_l("At most 1000 characters.")),
    )
    rate_limit("post", str(viewer.user_id), "RATELIMIT_POST")
    try:
        with db.session.begin_nested():  # the same form sent twice at once: one post
            db.session.add(item)
            db.session.flush()
    except IntegrityError:
        existing = _by_client(group, viewer.user_id, client_id)
        if existing is None:
            raise
        return existing
    return item


def _visible(viewer: Viewer, item: HelpPost) -> None:
    """The post, for a change: NotFound unless the viewer sees it; refused once its group is dissolved."""
    if not permissions.can_view_post(viewer, item):
        raise NotFound()
    check_active(item.group)


def take(viewer: Viewer, item: HelpPost) -> HelpPost:
    """Take a waiting post; the first to take it has it (a second neighbour is told), a retry changes nothing."""
    _visible(viewer, item)
    if item.state == HelpState.TAKEN and viewer.is_user(item.taker_id):
        return item
    if not permissions.can_take(viewer, item):
        if item.state != HelpState.POSTED:
            raise Conflict("not_waiting", _l("A neighbour has taken this already, or it is closed."))
        raise Forbidden(_l("Members of the group take requests and offers, not their own."))
    now = utcnow()
    taken = db.session.execute(  # one statement: two neighbours tapping at once, one takes it
        update(HelpPost)
        .where(HelpPost.id == item.id, HelpPost.state == HelpState.POSTED)
        .values(state=HelpState.TAKEN, taker_id=viewer.user_id, taken_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(item)
    if not taken:
        if viewer.is_user(item.taker_id):
            return item
        raise Conflict("not_waiting", _l("A neighbour has taken this already, or it is closed."))
    db.session.flush()
    signals.help_taken.send(item, actor=viewer.user)
    return item


def release(viewer: Viewer, item: HelpPost) -> HelpPost:
    """The one who took it gives it back: it waits again and nobody's number is shared."""
    _visible(viewer, item)
    if item.state == HelpState.POSTED:
        return item
    if not permissions.can_release(viewer, item):
        raise Forbidden()
    item.state, item.taker_id, item.taken_at = HelpState.POSTED, None, None
    item.author_shares = item.taker_shares = False
    db.session.flush()
    return item


def mark_done(viewer: Viewer, item: HelpPost) -> HelpPost:
    """Either side says it is done; the other is told."""
    _visible(viewer, item)
    if item.state in (HelpState.DONE, HelpState.THANKED) and permissions.is_party(viewer, item):
        return item
    if not permissions.can_mark_done(viewer, item):
        raise Forbidden(_l("The two neighbours concerned say when it is done."))
    item.state, item.done_at = HelpState.DONE, utcnow()
    db.session.flush()
    signals.help_done.send(item, actor=viewer.user)
    return item


def thank(viewer: Viewer, item: HelpPost, note=None) -> HelpPost:
    """The one who was helped says thank you, with a few words if they like (shown on the post)."""
    _visible(viewer, item)
    if item.state == HelpState.THANKED and viewer.is_user(item.receiver_id):
        return item
    if not permissions.can_thank(viewer, item):
        raise Forbidden(_l("The neighbour who was helped says thank you, once it is done."))
    item.thanks = _checked_text(note, field="note", low=0, high=200, message=_l("At most 200 characters."))
    item.state, item.thanked_at = HelpState.THANKED, utcnow()
    db.session.flush()
    signals.help_thanked.send(item, actor=viewer.user)
    return item


def withdraw(viewer: Viewer, item: HelpPost) -> HelpPost:
    """Its author takes it down while it waits or is taken (the taker is no longer on it)."""
    _visible(viewer, item)
    if item.state == HelpState.WITHDRAWN and viewer.is_user(item.author_id):
        return item
    if not permissions.can_withdraw(viewer, item):
        raise Forbidden(_l("Only its author withdraws a post, before it is done."))
    item.state, item.withdrawn_at = HelpState.WITHDRAWN, utcnow()
    item.author_shares = item.taker_shares = False
    db.session.flush()
    return item


def share_contact(viewer: Viewer, item: HelpPost) -> HelpPost:
    """One side agrees to share their phone number; each sees the other's only when both have agreed."""
    _visible(viewer, item)
    if not permissions.can_share_contact(viewer, item):
        raise Forbidden(_l("The two neighbours concerned share their numbers, once it is taken."))
    if viewer.is_user(item.author_id):
        item.author_shares = True
    else:
        item.taker_shares = True
    db.session.flush()
    return item


# -- moderation: the kernel's report, hide, restore, mute and lock, for the group's board ----------------


def report(viewer: Viewer, item: HelpPost, reason) -> HelpPost:
    """Report a post; after REPORTS_TO_HIDE open reports it hides itself until a leader reviews it."""
    _visible(viewer, item)
    if not permissions.can_report(viewer, item):
        raise Forbidden()
    moderation.report(
        viewer.user_id,
        item,
        community_id=item.community_id,
        room=item.group.room,
        reason=reason if isinstance(reason, str) else "",
        threshold=REPORTS_TO_HIDE,
    )
    db.session.flush()
    return item


def _moderator(viewer: Viewer, group: NeighbourGroup) -> None:
    check_active(group)
    if not permissions.can_moderate(viewer, group):
        raise Forbidden(_l("The group's leaders and the community's staff moderate its board."))


def hide(viewer: Viewer, item: HelpPost, reason) -> HelpPost:
    _visible(viewer, item)
    _moderator(viewer, item.group)
    moderation.hide(
        viewer.user_id,
        item,
        community_id=item.community_id,
        room=item.group.room,
        reason=reason if isinstance(reason, str) else "",
    )
    db.session.flush()
    return item


def restore(viewer: Viewer, item: HelpPost, reason=None) -> HelpPost:
    _visible(viewer, item)
    _moderator(viewer, item.group)
    moderation.restore(
        viewer.user_id,
        item,
        community_id=item.community_id,
        room=item.group.room,
        reason=reason if isinstance(reason, str) else "",
    )
    db.session.flush()
    return item


def mute(viewer: Viewer, group: NeighbourGroup, user_id, minutes, reason) -> None:
    """Mute someone on the group's board for some minutes (they read, and neither post nor take)."""
    _moderator(viewer, group)
    target = db.session.get(User, user_id) if isinstance(user_id, int) and 0 < user_id <= validation.MAX_ID else None
    target_viewer = access.viewer(target, viewer.community) if target is not None else None
    if target_viewer is None or not target_viewer.is_member:
        raise NotFound()
    if viewer.is_user(target.id):
        raise DomainError("bad_request", _l("You cannot moderate yourself."), field="user_id")
    if not (permissions.is_member(target_viewer, group) or permissions.is_leader(target_viewer, group)):
        raise DomainError(
            "bad_request", _l("Only the group's members and leaders can be muted on its board."), field="user_id"
        )
    moderation.mute(
        viewer.user_id,
        target.id,
        community_id=group.community_id,
        room=group.room,
        minutes=minutes,
        reason=reason if isinstance(reason, str) else "",
    )
    db.session.flush()


def set_locked(viewer: Viewer, group: NeighbourGroup, locked: bool, reason) -> NeighbourGroup:
    """Lock the board (only leaders post, nothing is taken) or unlock it; logged with the reason."""
    _moderator(viewer, group)
    if group.locked == bool(locked):
        return group
    reason = moderation.clean_reason(reason if isinstance(reason, str) else "") if locked else ""
    group.locked = bool(locked)
    moderation.log(
        group.community_id, group.room, "lock" if locked else "unlock", actor_id=viewer.user_id, reason=reason
    )
    db.session.flush()
    return group
