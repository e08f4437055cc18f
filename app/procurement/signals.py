"""Signals procurement sends (sent inside the transaction; subscribers only add rows or queue work)."""

from blinker import Namespace

_signals = Namespace()

# sender: the Milestone an organisation submitted for evaluation (the lead's flow opens a household survey)
milestone_submitted = _signals.signal("procurement.milestone_submitted")
# sender: the ServiceCall just published (organisations whose service areas match are told)
call_published = _signals.signal("procurement.call_published")
# sender: the ServiceCall awarded; kwargs: contract, application (the winner): applicants and residents are told
call_awarded = _signals.signal("procurement.call_awarded")
# sender: the Milestone whose residents' satisfaction is in: it awaits the sign-off of staff or panel experts
milestone_ready = _signals.signal("procurement.milestone_ready")
# sender: the Payment released; kwarg: milestone (the organisation's agents are told)
payment_released = _signals.signal("procurement.payment_released")
