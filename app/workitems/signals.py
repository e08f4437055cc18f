"""What the work items announce (sent inside the transaction, by the services); app/flows/workitems.py turns
them into notifications."""

from blinker import Namespace

_signals = Namespace()

# sender: the WorkItemRequest; kwargs: actor (User)
request_submitted = _signals.signal("workitem-request-submitted")
request_decided = _signals.signal("workitem-request-decided")
# sender: the WorkItemObjection; kwargs: actor (User)
objection_filed = _signals.signal("workitem-objection-filed")
objection_answered = _signals.signal("workitem-objection-answered")
