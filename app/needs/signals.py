"""What needs announce inside the transaction; app/flows/needs.py turns them into notifications."""

from blinker import Namespace

_signals = Namespace()

# sender: the Need; kwargs: event (NeedEvent), actor (User)
need_status_changed = _signals.signal("need-status-changed")
