"""What the rules' drafts announce; app/flows/rules_notices.py turns them into notifications."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the RuleDraft; kwargs: actor (User)
comments_opened = _signals.signal("rules-comments-opened")
voting_opened = _signals.signal("rules-voting-opened")
# sender: the RuleDraft, its vote counted and decided (state adopted or rejected); kwargs: none
decided = _signals.signal("rules-decided")
