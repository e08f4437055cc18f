"""Display names of a rule set's parameters and modes (lazy: translated when shown)."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.core import glossary
from app.procedure.engine import Mode

# The names people read, on the form and in an error.
PARAMETER_LABELS = {
    "mode": _l("Mode"),
    "max_speech_chars": _l("Longest speech (characters)"),
    "max_speeches_per_motion": _l("Speeches per member per motion"),
    "floor_seconds": _l("Time on the floor (seconds)"),
    "slow_mode_seconds": _l("Least time between a member's speeches (seconds)"),
    "stance_required": _l("A speech on a motion states for, against or neutral first"),
    "alternate_stances": _l("The queue alternates for and against"),
    "chair_neutral": _l("The chair neither argues nor votes"),
    "second_required": _l("A motion needs a second before debate"),
    "quorum_num": _l("Quorum: numerator"),
    "quorum_den": _l("Quorum: denominator"),
    "pass_num": _l("Threshold: numerator"),
    "pass_den": _l("Threshold: denominator"),
    "pass_strict": _l("More than the threshold (not equal to it)"),
    "tie_fails": _l("A tie fails"),
    "auto_hide_reports": _l("Hide automatically after this many reports"),
    "motion_first": _l("No debate without a motion (无动议不讨论): with no motion pending, only questions"),
    "non_party_may_speak": _l("Residents who are not a listed party may speak (but not move, second or vote)"),
    "max_replies_per_day": _l("Slow mode: replies per member in any 24 hours"),
    "max_reply_chars": _l("Slow mode: longest reply (characters)"),
}

MODE_LABELS = {
    Mode.FORMAL: _l("Formal: raise hand, the chair gives the floor"),
    Mode.OPEN: _l("Open: verified members speak within limits"),
    Mode.SLOW: _l("Slow (异步协商): replies and proposals over days, no live chair"),
}


def describe_changes(summary: str) -> str:
    """A change of rules as the moderator log keeps it ("max_speech_chars=300, chair_neutral=False"), in
    words: "Longest speech (characters): 300; The chair neither argues nor votes: No". A part that is not
    a known parameter is kept as it is."""
    parts = []
    for item in (summary or "").split(", "):
        name, sep, value = item.partition("=")
        label = PARAMETER_LABELS.get(name)
        if not sep or label is None:
            parts.append(item)
            continue
        if value in ("True", "False"):
            value = str(_l("Yes") if value == "True" else _l("No"))
        elif name == "mode" and value in {m.value for m in Mode}:
            value = str(MODE_LABELS[Mode(value)])
        parts.append(str(_l("%(name)s: %(value)s", name=label, value=value)))
    locale = get_locale()
    return ("；" if locale is None or locale.language == "zh" else "; ").join(p for p in parts if p)


# The room's procedural words, explained once per page where they are first used (app.core.glossary).
glossary.define(
    "motion",
    _l("motion (动议)"),
    _l(
        "A concrete proposal put to the meeting, such as “build the bike shed beside building 2”. "
        "It is debated, then voted on."
    ),
)
glossary.define(
    "second",
    _l("second (附议)"),
    _l(
        "Another member’s support for a motion, so that it is debated: "
        "one person’s idea alone does not take the meeting’s time."
    ),
)
glossary.define(
    "call_vote",
    _l("call the vote (宣布表决)"),
    _l("The chair ends the debate on a motion and opens the vote on it."),
)
glossary.define(
    "quorum",
    _l("quorum (法定人数)"),
    _l("The least share of those who may vote that must take part for a vote to count."),
)
