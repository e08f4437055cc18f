"""What owners' decisions announce inside the use case's transaction; notifications subscribe (app/flows)."""

from blinker import Namespace

_signals = Namespace()

# sender: the Proxy; kwargs: decision (Decision), proxy_user (User)
proxy_appointed = _signals.signal("decision-proxy-appointed")
# sender: the Proxy; kwargs: decision (Decision), ballot (Ballot), owner_id (the owner's user id, or None)
proxy_voted = _signals.signal("decision-proxy-voted")
