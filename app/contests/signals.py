"""What contests announce after a commit, and the notification it sends."""

from __future__ import annotations

from blinker import Namespace
from flask import url_for
from flask_babel import lazy_gettext as _l

_signals = Namespace()

# sender: the Entry; kwargs: actor (User)
entry_screened = _signals.signal("contest-entry-screened")


@entry_screened.connect
def _tell_author(entry, actor, **_):
    """The author hears the screening decision and its reason, as idea authors hear theirs."""
    from app.contests.services import STATUS_LABELS
    from app.notifications.services import notify

    notify(
        entry.author,
        "contest_entry_screened",
        _l(
            "Your proposal “%(title)s” was screened: %(status)s. Reason: %(reason)s",
            title=entry.title,
            status=STATUS_LABELS[entry.status],
            reason=entry.screening_reason,
        ),
        url=url_for("contests.entry", entry_id=entry.id),
        community_id=entry.community_id,
    )
