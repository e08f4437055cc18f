"""Display names of owners' decisions: the art. 278 matters, choices, states, certifier roles, approval modes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import glossary
from app.decisions.models import Choice, DecisionState, ProxyMethod
from app.voting.models import CertifierRole

# Civil Code art. 278, items 1–9, as the law names them (the Chinese catalogue holds the statute's words).
MATTERS = {
    1: _l("Making and amending the rules of procedure of the owners' assembly"),
    2: _l("Making and amending the management statute"),
    3: _l("Electing the owners' committee or replacing its members"),
    4: _l("Hiring or dismissing the property services company or other manager"),
    5: _l("Using the maintenance fund of the buildings and their ancillary facilities"),
    6: _l("Raising the maintenance fund of the buildings and their ancillary facilities"),
    7: _l("Rebuilding or reconstructing the buildings and their ancillary facilities"),
    8: _l("Changing the use of common parts or using common parts for business"),
    9: _l("Other major matters of common ownership and joint management"),
}

CHOICE_LABELS = {
    Choice.AGREE: _l("Agree"),
    Choice.OPPOSE: _l("Oppose"),
    Choice.ABSTAIN: _l("Abstain"),
}

STATE_LABELS = {
    DecisionState.DRAFT: _l("Draft"),
    DecisionState.VOTING: _l("Voting"),
    DecisionState.COUNTING: _l("Counting"),
    DecisionState.ANNOUNCED: _l("Announced (公示)"),
}

ROLE_LABELS = {
    CertifierRole.COUNTER: _l("Counter (计票人)"),
    CertifierRole.SCRUTINEER: _l("Scrutineer (监票人)"),
}

APPROVAL_MODES = {
    "more": _l("more than"),
    "at_least": _l("at least"),
}


# The owners' decision's words, explained once per page where they are first used (app.core.glossary).
glossary.define(
    "thresholds",
    _l("Thresholds"),
    _l(
        "What the law (Civil Code art. 278) asks for the decision to pass: how many owners, holding how much "
        "of the floor area, must take part, and how many of those who take part must agree."
    ),
)
glossary.define(
    "publicity",
    _l("公示 period"),
    _l(
        "After the count, the result is posted for everyone to see for these days; "
        "an owner who finds a mistake may object in that time."
    ),
)
glossary.define(
    "roll",
    _l("Roll of owners"),
    _l("The list of the owners who may vote on this decision, with the floor area each owns, fixed when voting opens."),
)

PROXY_METHODS = {
    ProxyMethod.ONLINE: _l("appointed online by the owner"),
    ProxyMethod.OFFICE: _l("signed at the office"),
}
