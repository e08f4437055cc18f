"""What owners' decisions announce inside the use case's transaction; app/flows/notices.py turns it into
notifications."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Proxy; kwargs: decision (Decision), proxy_user (User)
proxy_appointed = _signals.signal("decision-proxy-appointed")
# sender: the Proxy; kwargs: decision (Decision), ballot (Ballot), owner_id (the owner's user id, or None)
proxy_voted = _signals.signal("decision-proxy-voted")
# sender: the Decision; kwargs: roll (list of RollEntry), actor (User)
voting_opened = _signals.signal("decision-voting-opened")
