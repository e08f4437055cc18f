"""The help board's signals turned into notifications: the author hears when a neighbour takes their request or
offer, the other side when it is marked done, the helper when they are thanked. A flow, so the notifications
kernel knows no group (app/flows/notices.py does the same for the other features)."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from app.flows.notices import _path
from app.neighbours import queries, signals
from app.neighbours.models import PostKind
from app.notifications import kinds, schedule
from app.notifications.kinds import Importance
from app.notifications.services import notify

kinds.register("help_taken", Importance.ACTION, _l("A neighbour took your request or offer"))
kinds.register("help_done", Importance.INFO, _l("Help marked as done"))
kinds.register("help_thanked", Importance.INFO, _l("A neighbour thanked you"))
kinds.register("help_waiting", Importance.INFO, _l("A request in your group has waited a day (leaders)"))
kinds.register("group_dissolved", Importance.INFO, _l("Your neighbourhood group was dissolved"))

WAITING = timedelta(hours=24)  # a request nobody took for this long is shown to the group's leaders
WAITING_WINDOW = timedelta(days=7)  # older ones were reminded of already, or are stale


def _url(post) -> str:
    return _path("neighbours.post", post_id=post.id)


@signals.help_taken.connect
def _taken(post, actor, **_):
    message = (
        _l("%(name)s will help with your request “%(title)s”.", name=actor.name, title=post.title)
        if post.kind == PostKind.REQUEST
        else _l("%(name)s took up your offer “%(title)s”.", name=actor.name, title=post.title)
    )
    notify(post.author, "help_taken", message, url=_url(post), community_id=post.community_id)


@signals.help_done.connect
def _done(post, actor, **_):
    other = post.taker if actor.id == post.author_id else post.author
    if other is None:
        return
    notify(
        other,
        "help_done",
        _l("%(name)s marked “%(title)s” as done.", name=actor.name, title=post.title),
        url=_url(post),
        community_id=post.community_id,
    )


@signals.group_dissolved.connect
def _dissolved(group, actor, recipients, **_):
    """Its members, and whoever had an open request or offer on its board (closed with the reason), are told."""
    for user in recipients:
        notify(
            user,
            "group_dissolved",
            _l(
                "The neighbourhood group “%(name)s” was dissolved (%(reason)s); its open posts are closed.",
                name=group.name,
                reason=group.dissolved_reason,
            ),
            url=_path("neighbours.show", group_id=group.id),
            community_id=group.community_id,
        )


@signals.help_thanked.connect
def _thanked(post, actor, **_):
    helper = post.taker if post.kind == PostKind.REQUEST else post.author
    if helper is None:
        return
    notify(
        helper,
        "help_thanked",
        _l("%(name)s thanked you for “%(title)s”.", name=actor.name, title=post.title),
        url=_url(post),
        community_id=post.community_id,
    )


def _requests_waiting(now) -> int:
    """A request nobody has taken for a day: the group's leaders hear of it once each, so they can find a
    neighbour (an elderly resident's request must not sit unseen)."""
    sent = 0
    for post in queries.requests_waiting(now - WAITING, now - WAITING_WINDOW):
        for leader in queries.leaders(post.group):
            if leader.id == post.author_id:
                continue
            message = _l(
                "“%(title)s” from %(name)s has waited a day for a neighbour in %(group)s.",
                title=post.title,
                name=post.author.name,
                group=post.group.name,
            )
            key = f"help_waiting:{post.id}"
            if notify(leader, "help_waiting", message, url=_url(post), community_id=post.community_id, key=key):
                sent += 1
    return sent


schedule.register("help_waiting", _requests_waiting)
