"""What consultations announce inside the use case's transaction; app/flows/notices.py notifies the people."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Motion; kwargs: consultation, actor (User)
motion_vote_called = _signals.signal("motion-vote-called")

# sender: the Consultation; kwargs: viewer (the participant who came into the room, each time they do)
room_entered = _signals.signal("room-entered")
