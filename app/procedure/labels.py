"""Display names of a rule set's parameters and modes (lazy: translated when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
}

MODE_LABELS = {
    Mode.FORMAL: _l("Formal: raise hand, the chair gives the floor"),
    Mode.OPEN: _l("Open: verified members speak within limits"),
}
