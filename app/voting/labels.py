"""The ballot's words, explained once per page where they are first used (app.core.glossary)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import glossary

glossary.define(
    "tracking_code",
    _l("tracking code (回执码)"),
    _l("The code you get when you vote. Look it up after the count to see that your vote was counted."),
)
glossary.define(
    "fingerprint",
    _l("ballot fingerprint (选票指纹)"),
    _l("A code computed from your ballot: had anyone changed the ballot afterwards, it would no longer match."),
)
glossary.define(
    "chain_position",
    _l("place in the ballot chain (在选票链中的位置)"),
    _l(
        "Ballots are linked in the order they were cast, each to the one before; this is your ballot’s place. "
        "The published chain lets anyone check that no ballot was removed or added."
    ),
)
