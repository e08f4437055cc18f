"""What micro-projects announce after a commit; app/notifications/subscribers.py turns it into notifications."""

from blinker import Namespace

_signals = Namespace()

# sender: the MicroProject (a draft made from an adopted idea); kwargs: actor (User)
project_drafted_for_applicant = _signals.signal("project-drafted-for-applicant")
