"""The community's rules (app/rulebook) told to the people concerned: the draft open for comments, the vote
open, the vote closing tomorrow for those who have not voted, the rules adopted; and the scheduler's tick closing
a vote whose date has passed, so that the result and the adoption do not wait for a visitor.

A flow, like notices.py: subscribers only add notifications (notify() flushes and queues the push for after the
commit), so a use case refused after its signal stores and sends nothing."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.communities.models import Community, Membership, MembershipStatus
from app.core.clock import last_day, local_today
from app.core.web import path_for as _path
from app.extensions import db
from app.notifications import kinds, schedule
from app.notifications.kinds import Importance
from app.notifications.services import notify
from app.rulebook import queries, signals
from app.rulebook import services as rulebook
from app.rulebook.models import DraftState, RuleDraft
from app.rulebook.services.common import verified_residents

kinds.register("rules_comments", Importance.INFO, _l("A draft of the community's rules is open for comments"))
kinds.register("rules_adopted", Importance.INFO, _l("The community adopted new rules of procedure"))
kinds.register("vote_opened", Importance.ACTION, _l("A vote opened for you"))
kinds.register("vote_closing", Importance.ACTION, _l("A vote closes tomorrow and you have not voted"))


def _verified_members(community_id: int) -> list[User]:
    """Every verified member with an active account (those who may comment, and who live by the rules)."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.community_id == community_id,
            Membership.status == MembershipStatus.VERIFIED,
            User.active.is_(True),
        )
        .distinct()
    )
    return list(db.session.scalars(query))


def _residents(community_id: int) -> list[User]:
    members = db.session.scalars(verified_residents(community_id)).all()
    return [m.user for m in members if m.user.active]


@signals.comments_opened.connect
def _comments_opened(draft: RuleDraft, actor, **_):
    day = last_day(draft.comments_close_at).isoformat()
    for user in _verified_members(draft.community_id):
        notify(
            user,
            "rules_comments",
            _l(
                "A draft of the community's rules, “%(title)s”, is open for comments until %(day)s.",
                title=draft.title,
                day=day,
            ),
            url=_path("rulebook.show", draft_id=draft.id),
            community_id=draft.community_id,
            key=f"rules_comments:{draft.id}",
        )


@signals.voting_opened.connect
def _voting_opened(draft: RuleDraft, actor, **_):
    day = last_day(draft.vote_closes_at).isoformat()
    for user in _residents(draft.community_id):
        notify(
            user,
            "vote_opened",
            _l("Voting is open on the community's rules “%(title)s”, until %(day)s.", title=draft.title, day=day),
            url=_path("rulebook.show", draft_id=draft.id, _anchor="vote"),
            community_id=draft.community_id,
            key=f"vote_opened:rules:{draft.id}",
        )


@signals.decided.connect
def _decided(draft: RuleDraft, **_):
    if draft.state != DraftState.ADOPTED:
        return
    url = _path("rulebook.index", slug=db.session.get(Community, draft.community_id).slug)
    for user in _verified_members(draft.community_id):
        notify(
            user,
            "rules_adopted",
            _l(
                "The community adopted “%(title)s” as its rules of procedure (version %(n)d).",
                title=draft.title,
                n=draft.version.number,
            ),
            url=url,
            community_id=draft.community_id,
            key=f"rules_adopted:{draft.id}",
        )


def _rules_closing_tomorrow(now) -> int:
    """Residents who have not voted on a rules draft whose last voting day (Beijing) is tomorrow hear it once."""
    tomorrow = local_today(now) + timedelta(days=1)
    sent = 0
    in_voting = select(RuleDraft).where(RuleDraft.state == DraftState.VOTING, RuleDraft.vote_closes_at > now)
    for draft in db.session.scalars(in_voting).all():
        closes_on = last_day(draft.vote_closes_at)
        if closes_on != tomorrow:
            continue
        for member in queries.yet_to_vote(draft):
            item = notify(
                member.user,
                "vote_closing",
                _l(
                    "Voting on the community's rules “%(title)s” closes tomorrow (%(day)s) and you have not voted.",
                    title=draft.title,
                    day=closes_on.isoformat(),
                ),
                url=_path("rulebook.show", draft_id=draft.id, _anchor="vote"),
                community_id=draft.community_id,
                key=f"vote_closing:rules:{draft.id}",
            )
            sent += item is not None
    return sent


schedule.register("rules_votes_closed", rulebook.close_due)
schedule.register("rules_closing", _rules_closing_tomorrow)
