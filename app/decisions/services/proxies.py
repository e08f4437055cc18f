"""Proxies (委托投票): an owner on the roll appoints a member of the community to vote in their name on one
decision — online, confirming with their own password, or at the office, where staff record the signed
authorisation with a photo of the paper. The proxy votes through the owners' own path (`ballots.cast_for`),
the ballot in the owner's name and marked `by_proxy` in the chain; one vote per unit whoever casts it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts import codes, throttle
from app.accounts.models import CodePurpose, User
from app.communities.access import Viewer
from app.communities.models import HouseholdOwner, Membership, MembershipStatus
from app.core import audit, uploads
from app.core.errors import Conflict, DomainError, Forbidden, NotFound
from app.core.models import utcnow
from app.core.phones import PHONE_RE, normalize_phone
from app.decisions import permissions, signals
from app.decisions.models import Decision, Proxy, ProxyMethod, RollEntry
from app.decisions.services.ballots import (
    active_proxy,
    ballot_of,
    cast_for,
    check_voting_period,
    entry_of_voter,
    lock,
    open_poll_of,
    paper_entry,
)
from app.decisions.services.common import check_visible, parse_choice, require_counter
from app.extensions import db
from app.voting.models import Ballot


def owner_user_id(entry: RollEntry) -> int | None:
    """The owner's account, if they have one: the roll's, or the owner row's linked since the roll was frozen."""
    if entry.voter_user_id is not None:
        return entry.voter_user_id
    if entry.owner_id is None:
        return None
    return db.session.scalar(select(HouseholdOwner.user_id).where(HouseholdOwner.id == entry.owner_id))


def proxy_member(community_id: int, phone) -> User:
    """The member of the community with this mobile number, who may hold an owner's proxy."""
    phone = normalize_phone(phone if isinstance(phone, str) else "")
    if not PHONE_RE.match(phone):
        raise DomainError("bad_phone", _l("Enter the proxy's 11-digit mobile number."), field="phone")
    user = db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            User.phone == phone,
            Membership.community_id == community_id,
            Membership.status != MembershipStatus.REJECTED,
        )
    )
    if user is None:
        raise DomainError(
            "proxy_not_member",
            _l(
                "Nobody with this number has joined this community on Yishi. The proxy (a family member or "
                "another owner) must register and join the community first; then appoint them."
            ),
            field="phone",
        )
    return user


def proxies_of(decision: Decision) -> list[Proxy]:
    """The decision's proxies in force (not revoked), in the roll's order."""
    return list(
        db.session.scalars(
            select(Proxy)
            .where(Proxy.decision_id == decision.id, Proxy.revoked_at.is_(None))
            .order_by(Proxy.roll_entry_id)
        )
    )


def proxy_holders(decision: Decision) -> dict[int, str]:
    """The name of each roll entry's proxy in force, by roll entry id (for the roll)."""
    rows = db.session.execute(
        select(Proxy.roll_entry_id, User.name)
        .join(User, User.id == Proxy.proxy_user_id)
        .where(Proxy.decision_id == decision.id, Proxy.revoked_at.is_(None))
    )
    return dict(rows.all())


def held_by(user: User | None, decision: Decision) -> list[Proxy]:
    """The proxies this user holds on the decision: the owners they vote for."""
    if user is None or getattr(user, "id", None) is None:
        return []
    return [p for p in proxies_of(decision) if p.proxy_user_id == user.id]


def _appointable(decision: Decision, entry: RollEntry, proxy_user: User) -> RollEntry:
    """The entry, locked, if `proxy_user` may be appointed for it now; the refusal saying why otherwise."""
    open_poll_of(decision)
    check_voting_period(decision)
    entry = lock(entry)
    if ballot_of(decision, entry) is not None:
        raise Conflict("already_voted", _l("This owner has voted already: a proxy can no longer be appointed."))
    if proxy_user.id == owner_user_id(entry):
        raise DomainError("proxy_is_owner", _l("The proxy must be someone other than the owner."), field="phone")
    # the proxy's row, for this transaction: two owners appointing the same proxy at once count one after the other
    db.session.execute(select(User.id).where(User.id == proxy_user.id).with_for_update(key_share=True))
    held = db.session.scalar(
        select(func.count())
        .select_from(Proxy)
        .where(Proxy.decision_id == decision.id, Proxy.proxy_user_id == proxy_user.id, Proxy.revoked_at.is_(None))
    )
    if held >= decision.proxy_limit:
        raise DomainError(
            "proxy_limit",
            _l(
                "This person already votes for %(n)d owners, the most one proxy may hold on this decision.",
                n=decision.proxy_limit,
            ),
            field="phone",
            status=409,
        )
    return entry


def _same_or_refused(entry: RollEntry, proxy_user: User) -> Proxy | None:
    """A retry (the same proxy, still in force) returns it; another proxy in force is refused."""
    current = active_proxy(entry)
    if current is None:
        return None
    if current.proxy_user_id == proxy_user.id:
        return current
    raise Conflict("proxy_exists", _l("This owner has a proxy already. Revoke it first to appoint another."))


def _appoint(viewer: Viewer, decision: Decision, entry: RollEntry, proxy_user: User, **details) -> Proxy:
    proxy = Proxy(decision_id=decision.id, roll_entry_id=entry.id, proxy_user_id=proxy_user.id, **details)
    db.session.add(proxy)
    db.session.flush()
    audit.record(
        viewer.user,
        "decision.proxy_appoint",
        decision,
        community_id=decision.community_id,
        roll_entry=entry.id,
        proxy=proxy_user.id,
        method=proxy.method.value,
    )
    signals.proxy_appointed.send(proxy, decision=decision, proxy_user=proxy_user)
    return proxy


def _confirm(user: User, password, code) -> None:
    """The owner proves it is them: a code texted to their phone (a wrong one counts a try, kept), or their
    password (wrong ones slowed down as at login). Before anything else is written."""
    if isinstance(code, str) and code.strip():
        codes.consume(user.phone, (CodePurpose.PROXY_APPOINT,), code)
        return
    if not isinstance(password, str) or not password:
        raise DomainError("proof_needed", _l("Enter your password, or a code sent to your phone."), field="password")
    throttle.check(user.phone)
    if not user.check_password(password):
        throttle.failed(user.phone)
        raise DomainError(
            "wrong_password", _l("This is not your password. Enter the password you log in with."), field="password"
        )
    throttle.succeeded(user.phone)


def appoint(viewer: Viewer, decision: Decision, *, phone, password=None, code=None) -> Proxy:
    """The owner appoints a member of the community as their proxy for this decision, confirming with their
    own password or an SMS code. A retry (the same proxy) returns the appointment already made."""
    entry = entry_of_voter(viewer, decision)
    _confirm(viewer.user, password, code)
    proxy_user = proxy_member(decision.community_id, phone)
    entry = lock(entry)
    existing = _same_or_refused(entry, proxy_user)
    if existing is not None:
        return existing
    entry = _appointable(decision, entry, proxy_user)
    return _appoint(viewer, decision, entry, proxy_user, method=ProxyMethod.ONLINE, recorded_by_id=viewer.user_id)


def record_office(viewer: Viewer, decision: Decision, *, roll_entry_id, phone, photo: bytes | None, store) -> Proxy:
    """Staff record an authorisation the owner signed at the office, with a photo of the paper. A retry (the same
    proxy for the same owner) returns the record already made and keeps no second photo."""
    require_counter(viewer, decision)
    open_poll_of(decision)
    entry = lock(paper_entry(decision, roll_entry_id))
    proxy_user = proxy_member(decision.community_id, phone)
    existing = _same_or_refused(entry, proxy_user)
    if existing is not None:
        return existing
    if not photo:
        raise DomainError(
            "photo_needed", _l("Add a photo of the signed authorisation (委托书)."), field="photo", status=400
        )
    entry = _appointable(decision, entry, proxy_user)
    saved = store.save(photo, restricted=True)  # its files go if the transaction does not commit
    return _appoint(
        viewer, decision, entry, proxy_user, method=ProxyMethod.OFFICE, photo_id=saved.id, recorded_by_id=viewer.user_id
    )


@uploads.restricted_reader
def may_see_authorisation(viewer: Viewer, photo) -> bool:
    """The photo of a signed authorisation (a restricted photo): the counters, who record and check proxies,
    and the owner who signed it; not every member of the community."""
    proxy = db.session.scalar(select(Proxy).where(Proxy.photo_id == photo.id))
    if proxy is None:
        return False
    return permissions.can_record_proxy(viewer) or viewer.is_user(owner_user_id(proxy.roll_entry))


def revoke(viewer: Viewer, decision: Decision, proxy_id) -> Proxy:
    """The owner (or staff, for an owner at the office) revokes a proxy before the proxy has voted."""
    check_visible(viewer, decision)
    proxy = db.session.get(Proxy, proxy_id) if isinstance(proxy_id, int) else None
    if proxy is None or proxy.decision_id != decision.id:
        raise NotFound()
    if not permissions.can_revoke_proxy(viewer, owner_user_id(proxy.roll_entry)):
        raise Forbidden(_l("Only the owner, or staff at the office, revoke an owner's proxy."))
    entry = lock(proxy.roll_entry)
    db.session.refresh(proxy)
    if proxy.revoked_at is not None:
        return proxy  # a retry
    if ballot_of(decision, entry) is not None:
        raise Conflict(
            "proxy_voted", _l("The vote for this owner has been cast: the appointment can no longer be revoked.")
        )
    open_poll_of(decision)
    proxy.revoked_at = utcnow()
    proxy.revoked_by_id = viewer.user_id
    audit.record(
        viewer.user, "decision.proxy_revoke", decision, community_id=decision.community_id, roll_entry=entry.id
    )
    db.session.flush()
    return proxy


def _held(viewer: Viewer, decision: Decision, roll_entry_id) -> Proxy:
    """The proxy the viewer holds for this roll entry; NotFound if they hold none."""
    if decision.community_id != viewer.community_id or not viewer.may_see:
        raise NotFound()
    proxy = next((p for p in held_by(viewer.user, decision) if p.roll_entry_id == roll_entry_id), None)
    if proxy is None:
        raise NotFound()
    return proxy


def review_proxy_vote(viewer: Viewer, decision: Decision, roll_entry_id, choice):
    """The review step before a proxy's vote: every check `vote_as_proxy` makes, nothing cast."""
    proxy = _held(viewer, decision, roll_entry_id)
    choice = parse_choice(choice)
    open_poll_of(decision)
    if ballot_of(decision, proxy.roll_entry) is None:
        check_voting_period(decision)
    return proxy, choice


def vote_as_proxy(viewer: Viewer, decision: Decision, roll_entry_id, choice) -> Ballot:
    """The proxy votes for one owner they hold: the owner's ballot, in the owner's name, marked as by proxy.
    Both are told, with the receipt. A retry returns the same ballot."""
    proxy = _held(viewer, decision, roll_entry_id)
    choice = parse_choice(choice)
    entry = lock(proxy.roll_entry)
    db.session.refresh(proxy)
    if proxy.revoked_at is not None:
        raise NotFound()
    new = ballot_of(decision, entry) is None
    ballot = cast_for(decision, entry, choice, voter_id=owner_user_id(entry), by_proxy=True)
    if new:
        audit.record(
            viewer.user, "decision.proxy_vote", decision, community_id=decision.community_id, roll_entry=entry.id
        )
        signals.proxy_voted.send(proxy, decision=decision, ballot=ballot, owner_id=owner_user_id(entry))
    return ballot


@dataclass(frozen=True)
class ProxyView:
    """What the decision's page shows of proxies to one reader: the proxy they appointed (and its holder's
    name), and the owners they vote for as a proxy, each with its ballot once cast."""

    mine: Proxy | None = None
    mine_name: str = ""
    held: list[tuple[Proxy, Ballot | None]] = field(default_factory=list)


def proxy_view(user: User | None, decision: Decision, entry: RollEntry | None) -> ProxyView:
    mine = active_proxy(entry) if entry is not None else None
    holder = db.session.get(User, mine.proxy_user_id) if mine is not None else None
    held = [(p, ballot_of(decision, p.roll_entry)) for p in held_by(user, decision)]
    return ProxyView(mine=mine, mine_name=holder.name if holder else "", held=held)
