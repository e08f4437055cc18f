"""Notices: the features' and communities' signals turned into notifications for the people concerned.

A flow, above the features: the notifications kernel knows nothing of ideas, contests or micro-projects, and
this module wires their signals to it. Signals are sent inside the use case's transaction; each subscriber
only adds a notification (notify() flushes and queues the push for after the commit), so a use case that
fails after its signal stores and sends nothing."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.communities import signals as community_signals
from app.communities.labels import ROLE_LABELS
from app.communities.models import MemberRole, Membership, MembershipStatus, Role
from app.consultations import signals as consultation_signals
from app.consultations.models import Attendance
from app.contests import queries as contest_queries
from app.contests import signals as contest_signals
from app.contests.models import Contest
from app.contests.models import Phase as ContestPhase
from app.contests.services import STATUS_LABELS as ENTRY_STATUS_LABELS
from app.core.clock import last_day, local_time, local_today
from app.core.web import path_for as _path
from app.decisions import services as decision_services
from app.decisions import signals as decision_signals
from app.decisions.labels import CHOICE_LABELS as DECISION_CHOICE_LABELS
from app.decisions.models import Decision, DecisionState
from app.extensions import db
from app.ideas import signals as idea_signals
from app.ideas.services import STATUS_LABELS as IDEA_STATUS_LABELS
from app.microprojects import signals as project_signals
from app.notices import signals as notice_signals
from app.notifications import kinds, schedule
from app.notifications.kinds import Importance
from app.notifications.services import notify
from app.voting import services as voting

# The kinds these flows send, with their importance (it decides the text-message defaults and quiet hours).
kinds.register("membership_verified", Importance.ACTION, _l("Your membership was verified"))
kinds.register("membership_rejected", Importance.ACTION, _l("Your membership was not accepted"))
kinds.register("role_changed", Importance.INFO, _l("Your roles changed"))
kinds.register("idea_status", Importance.INFO, _l("Your idea moved on"))
kinds.register("idea_threshold", Importance.INFO, _l("An idea needs review (staff)"))
kinds.register("project_drafted", Importance.INFO, _l("Your idea became a micro-project draft"))
kinds.register("contest_entry_screened", Importance.INFO, _l("Your contest proposal was screened"))
kinds.register("vote_opened", Importance.ACTION, _l("A vote opened for you"))
kinds.register("vote_closing", Importance.ACTION, _l("A vote closes tomorrow and you have not voted"))
kinds.register("notice", Importance.INFO, _l("Community notices"))
kinds.register("notice_urgent", Importance.URGENT, _l("Urgent community notices"))


def _home(membership) -> str:
    return url_for("home.community", slug=membership.community.slug)


@community_signals.membership_verified.connect
def _verified(membership, actor, **_):
    notify(
        membership.user,
        "membership_verified",
        _l("You are verified in %(community)s. You can now take part.", community=membership.community.name),
        url=_home(membership),
        community_id=membership.community_id,
    )


@community_signals.membership_rejected.connect
def _rejected(membership, actor, **_):
    notify(
        membership.user,
        "membership_rejected",
        _l(
            "Your request to join %(community)s was not accepted: %(reason)s",
            community=membership.community.name,
            reason=membership.review_note,
        ),
        url=_home(membership),
        community_id=membership.community_id,
    )


@community_signals.role_changed.connect
def _role(membership, actor, role, granted, **_):
    message = (
        _l("You are now %(role)s in %(community)s.", role=ROLE_LABELS[role], community=membership.community.name)
        if granted
        else _l(
            "You are no longer %(role)s in %(community)s.", role=ROLE_LABELS[role], community=membership.community.name
        )
    )
    notify(membership.user, "role_changed", message, url=_home(membership), community_id=membership.community_id)


@idea_signals.idea_status_changed.connect
def _idea_status(idea, event, actor, **_):
    notify(
        idea.author,
        "idea_status",
        _l(
            "Your idea “%(title)s” is now %(status)s: %(reason)s",
            title=idea.title,
            status=IDEA_STATUS_LABELS[event.to_status],
            reason=event.reason,
        ),
        url=url_for("ideas.show", idea_id=idea.id),
        community_id=idea.community_id,
    )


@idea_signals.idea_threshold_reached.connect
def _idea_threshold(idea, staff, **_):
    for person in staff:
        notify(
            person,
            "idea_threshold",
            _l(
                "The idea “%(title)s” has %(n)d endorsements: please review it.",
                title=idea.title,
                n=idea.endorsement_count,
            ),
            url=url_for("ideas.show", idea_id=idea.id),
            community_id=idea.community_id,
        )


@project_signals.project_drafted_for_applicant.connect
def _project_drafted(project, actor, **_):
    """The submitter of an adopted idea is asked to complete the draft application made in their name."""
    notify(
        db.session.get(User, project.applicant_id),
        "project_drafted",
        _l(
            "Your idea became the draft micro-project “%(title)s”: add its budget and send it for review.",
            title=project.title,
        ),
        url=url_for("microprojects.edit", project_id=project.id),
        community_id=project.community_id,
    )


@contest_signals.entry_screened.connect
def _entry_screened(entry, actor, **_):
    """The author hears the screening decision and its reason, as idea authors hear theirs."""
    notify(
        entry.author,
        "contest_entry_screened",
        _l(
            "Your proposal “%(title)s” was screened: %(status)s. Reason: %(reason)s",
            title=entry.title,
            status=ENTRY_STATUS_LABELS[entry.status],
            reason=entry.screening_reason,
        ),
        url=url_for("contests.entry", entry_id=entry.id),
        community_id=entry.community_id,
    )


@decision_signals.proxy_appointed.connect
def _proxy_appointed(proxy, decision, proxy_user, **_):
    notify(
        proxy_user,
        "decision_proxy",
        _l(
            "%(owner)s has appointed you to vote for them (委托投票) on “%(title)s”.",
            owner=proxy.roll_entry.name,
            title=decision.title,
        ),
        url=url_for("decisions.show", decision_id=decision.id) + "#proxy-votes",
        community_id=decision.community_id,
    )


@decision_signals.proxy_voted.connect
def _proxy_voted(proxy, decision, ballot, owner_id, **_):
    """Both the owner and the proxy get the receipt."""
    message = _l(
        "The vote for %(owner)s on “%(title)s” was cast by proxy: %(choice)s. Receipt: %(receipt)s",
        owner=proxy.roll_entry.name,
        title=decision.title,
        choice=DECISION_CHOICE_LABELS.get(ballot.choice, ballot.choice),
        receipt=ballot.receipt,
    )
    url = url_for("voting.receipt", code=ballot.receipt)
    for user_id in dict.fromkeys((owner_id, proxy.proxy_user_id)):
        user = db.session.get(User, user_id) if user_id is not None else None
        if user is not None:
            notify(user, "decision_proxy_vote", message, url=url, community_id=decision.community_id)


@decision_signals.voting_opened.connect
def _decision_voting_opened(decision, roll, actor, **_):
    """Each owner on the frozen roll with an account hears that their vote is open, and until when."""
    user_ids = sorted({entry.voter_user_id for entry in roll if entry.voter_user_id is not None})
    for user in db.session.scalars(select(User).where(User.id.in_(user_ids))) if user_ids else ():
        notify(
            user,
            "vote_opened",
            _l(
                "Voting is open on the owners' decision “%(title)s”, until %(day)s.",
                title=decision.title,
                day=decision.voting_ends_on.isoformat(),
            ),
            url=_path("decisions.show", decision_id=decision.id),
            community_id=decision.community_id,
            key=f"vote_opened:decision:{decision.id}",
        )


def _verified_residents(community_id: int):
    """The verified residents of a community with an active account (those a contest's ballot is for)."""
    return (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .join(MemberRole, MemberRole.membership_id == Membership.id)
        .where(
            Membership.community_id == community_id,
            Membership.status == MembershipStatus.VERIFIED,
            MemberRole.role == Role.RESIDENT,
            User.active.is_(True),
        )
        .distinct()
    )


@contest_signals.voting_opened.connect
def _contest_voting_opened(contest, actor, **_):
    """Every verified resident of the community (they may vote) hears that voting opened, and until when."""
    residents = _verified_residents(contest.community_id)
    day = local_time(contest.voting_ends).date().isoformat()
    for user in db.session.scalars(residents).all():
        notify(
            user,
            "vote_opened",
            _l("Voting is open in the contest “%(title)s”, until %(day)s.", title=contest.title, day=day),
            url=_path("contests.show", contest_id=contest.id),
            community_id=contest.community_id,
            key=f"vote_opened:contest:{contest.id}",
        )


@consultation_signals.motion_vote_called.connect
def _motion_vote_called(motion, consultation, actor, **_):
    """Everyone who took part in the room (the chair who called it aside) hears that the vote is open."""
    attendees = (
        select(User)
        .join(Attendance, Attendance.user_id == User.id)
        .where(Attendance.consultation_id == consultation.id, User.active.is_(True))
    )
    for user in db.session.scalars(attendees).all():
        if actor is not None and user.id == actor.id:
            continue
        notify(
            user,
            "vote_opened",
            _l("The vote is open in “%(title)s” on: %(motion)s", title=consultation.title, motion=motion.text),
            url=_path("consultations.room", consultation_id=consultation.id),
            community_id=consultation.community_id,
            key=f"vote_opened:motion:{motion.id}",
        )


@notice_signals.notice_posted.connect
def _notice_posted(notice, recipients, actor, **_):
    """Everyone in the notice's scope gets it in the inbox, and by the channels they chose."""
    kind = "notice_urgent" if notice.urgent else "notice"
    for user in recipients:
        notify(
            user,
            kind,
            _l("Notice: %(title)s", title=notice.title),
            url=_path("notices.show", notice_id=notice.id),
            community_id=notice.community_id,
            key=notice.notification_key,
        )


def _decisions_closing_tomorrow(now) -> int:
    """The scheduler's reminder: owners on the roll of a decision whose voting closes tomorrow (Beijing day)
    and who have not voted hear it once (the key makes a second tick send nothing)."""
    tomorrow = local_today(now) + timedelta(days=1)
    sent = 0
    closing = select(Decision).where(Decision.state == DecisionState.VOTING, Decision.voting_ends_on == tomorrow)
    for decision in db.session.scalars(closing).all():
        poll = decision_services.poll_of(decision)
        for entry in decision_services.roll_of(decision):
            if entry.voter_user_id is None or poll is None or voting.has_voted(poll, entry.voter_key):
                continue
            item = notify(
                db.session.get(User, entry.voter_user_id),
                "vote_closing",
                _l(
                    "Voting on the owners' decision “%(title)s” closes tomorrow (%(day)s) and you have not voted.",
                    title=decision.title,
                    day=decision.voting_ends_on.isoformat(),
                ),
                url=_path("decisions.show", decision_id=decision.id),
                community_id=decision.community_id,
                key=f"vote_closing:decision:{decision.id}",
            )
            sent += item is not None
    return sent


def _contests_closing_tomorrow(now) -> int:
    """The scheduler's reminder: residents who may vote in a contest whose last voting day (Beijing) is
    tomorrow, and who (or whose household, where households vote) have not, hear it once."""
    tomorrow = local_today(now) + timedelta(days=1)
    sent = 0
    in_voting = select(Contest).where(Contest.phase == ContestPhase.VOTING, Contest.voting_ends > now)
    for contest in db.session.scalars(in_voting).all():
        closes_on = last_day(contest.voting_ends)
        if closes_on != tomorrow:
            continue
        for member in contest_queries.yet_to_vote(contest):
            item = notify(
                member.user,
                "vote_closing",
                _l(
                    "Voting in the proposal contest “%(title)s” closes tomorrow (%(day)s) and you have not voted.",
                    title=contest.title,
                    day=closes_on.isoformat(),
                ),
                url=_path("contests.vote", contest_id=contest.id),
                community_id=contest.community_id,
                key=f"vote_closing:contest:{contest.id}",
            )
            sent += item is not None
    return sent


schedule.register("decisions_closing", _decisions_closing_tomorrow)
schedule.register("contests_closing", _contests_closing_tomorrow)
