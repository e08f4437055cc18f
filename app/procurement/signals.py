"""Signals procurement sends (sent inside the transaction; subscribers only add rows or queue work)."""

from blinker import Namespace

_signals = Namespace()

# sender: the Milestone an organisation submitted for evaluation (the lead's flow opens a household survey)
milestone_submitted = _signals.signal("procurement.milestone_submitted")
