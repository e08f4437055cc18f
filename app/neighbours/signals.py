"""What the help board announces inside the use case's transaction; app/flows/neighbours.py tells the people."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the HelpPost; kwargs: actor (User)
help_taken = _signals.signal("help-taken")
help_done = _signals.signal("help-done")
help_thanked = _signals.signal("help-thanked")

# sender: the NeighbourGroup; kwargs: actor (User), recipients (its members and those with an open post)
group_dissolved = _signals.signal("group-dissolved")
