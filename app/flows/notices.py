"""Notices: the features' and communities' signals turned into notifications for the people concerned.

A flow, above the features: the notifications kernel knows nothing of ideas, contests or micro-projects, and
this module wires their signals to it. Signals are sent inside the use case's transaction; each subscriber
only adds a notification (notify() flushes and queues the push for after the commit), so a use case that
fails after its signal stores and sends nothing."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.communities import signals as community_signals
from app.communities.labels import ROLE_LABELS
from app.contests import signals as contest_signals
from app.contests.services import STATUS_LABELS as ENTRY_STATUS_LABELS
from app.decisions import signals as decision_signals
from app.decisions.labels import CHOICE_LABELS as DECISION_CHOICE_LABELS
from app.extensions import db
from app.ideas import signals as idea_signals
from app.ideas.services import STATUS_LABELS as IDEA_STATUS_LABELS
from app.microprojects import signals as project_signals
from app.notifications.services import notify


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
