"""Signals of satisfaction campaigns (sent inside the transaction)."""

from blinker import Namespace

_signals = Namespace()

campaign_opened = _signals.signal("satisfaction-campaign-opened")  # sender: the Campaign
