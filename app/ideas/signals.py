"""What golden ideas announce after a commit; notifications subscribe."""

from blinker import Namespace

_signals = Namespace()

# sender: the Idea; kwargs: event (IdeaEvent), actor (User)
idea_status_changed = _signals.signal("idea-status-changed")
# sender: the Idea; kwargs: staff (list of User)
idea_threshold_reached = _signals.signal("idea-threshold-reached")
