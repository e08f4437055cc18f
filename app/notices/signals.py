"""What notices announce inside the use case's transaction; app/flows/notices.py notifies the people."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Notice; kwargs: recipients (list of User), actor (User)
notice_posted = _signals.signal("notice-posted")
