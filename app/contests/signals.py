"""What contests announce after a commit; app/notifications/subscribers.py turns it into notifications."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Entry; kwargs: actor (User)
entry_screened = _signals.signal("contest-entry-screened")

# sender: the Contest; kwargs: actor (User or None: the dates moved it)
voting_opened = _signals.signal("contest-voting-opened")
