"""Signals the survey engine sends inside the transaction (an owner reacts: a campaign, a milestone's flow)."""

from blinker import Namespace

_signals = Namespace()

survey_opened = _signals.signal("survey-opened")  # sender: the Survey
survey_closed = _signals.signal("survey-closed")  # sender: the Survey; its results may now be read
