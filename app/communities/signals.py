"""What communities announce after a commit; other features subscribe."""

from blinker import Namespace

_signals = Namespace()

# sender: the Membership; kwargs: actor (User)
membership_requested = _signals.signal("membership-requested")
membership_verified = _signals.signal("membership-verified")
membership_rejected = _signals.signal("membership-rejected")
# sender: the Membership; kwargs: actor (User), role (Role), granted (bool)
role_changed = _signals.signal("role-changed")
