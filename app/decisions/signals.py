"""What owners' decisions announce inside the use case's transaction; app/flows/notices.py turns it into
notifications."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Decision; kwargs: roll (list of RollEntry), actor (User)
voting_opened = _signals.signal("decision-voting-opened")
