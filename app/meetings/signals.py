"""What meetings announce inside the use case's transaction; app/flows/meetings.py notifies the people."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Meeting; kwargs: recipients (list of User), actor (User)
meeting_scheduled = _signals.signal("meeting-scheduled")

# sender: the Meeting; kwargs: recipients (list of User), actor (User)
minutes_published = _signals.signal("meeting-minutes-published")

# sender: the Meeting; kwargs: under_way (bool): the meeting opened (True) or closed (False) in the hall
meeting_under_way = _signals.signal("meeting-under-way")

# sender: the Meeting (its new time and place); kwargs: recipients (list of User), actor (User), old_start
# (datetime), old_place (str): a scheduled meeting moved to another time or place
meeting_moved = _signals.signal("meeting-moved")

# sender: the Meeting (cancel_reason set); kwargs: recipients (list of User), actor (User)
meeting_cancelled = _signals.signal("meeting-cancelled")
