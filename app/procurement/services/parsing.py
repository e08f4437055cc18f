"""The lists typed one per line in the call and application forms (works without JavaScript on any phone):
criteria "name | weight", budget lines "item | amount", milestones "title | deliverable | date | share".
Each bad line is refused with its number and what is wrong, on the form's field."""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from app.core import validation
from app.core.errors import DomainError
from app.core.money import parse_yuan
from app.core.shares import parse_share

MAX_ROWS = 20
_SPLIT = re.compile(r"\s*[|｜]\s*")


def rows(text, *, field: str, columns: int, message) -> list[list[str]]:
    """Non-empty lines split on "|" into exactly `columns` parts; `message` names the shape."""
    if not isinstance(text, str):
        text = ""
    validation.storable(text, field=field)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise DomainError("bad_request", message, field=field)
    if len(lines) > MAX_ROWS:
        raise DomainError("bad_request", _l("At most %(n)d lines.", n=MAX_ROWS), field=field)
    found = []
    for number, line in enumerate(lines, start=1):
        parts = _SPLIT.split(line)
        if len(parts) != columns or not all(parts):
            raise DomainError("bad_request", _l("Line %(n)d: %(shape)s", n=number, shape=message), field=field)
        found.append(parts)
    return found


def _name(value: str, *, number: int, field: str, high: int) -> str:
    if len(value) > high:
        raise DomainError(
            "bad_request", _l("Line %(n)d: at most %(high)d characters.", n=number, high=high), field=field
        )
    return value


def criteria(text) -> list[tuple[str, Fraction]]:
    """Criteria with weights summing to exactly 1."""
    found = []
    message = _l('One criterion per line: "name | weight", e.g. "服务方案 | 40%".')
    for number, (name, weight) in enumerate(rows(text, field="criteria", columns=2, message=message), start=1):
        found.append((_name(name, number=number, field="criteria", high=100), parse_share(weight, field="criteria")))
    total = sum((w for _n, w in found), Fraction(0))
    if total != 1:
        raise DomainError(
            "weights_sum",
            _l("The weights must sum to 1; they sum to %(total)s.", total=_fraction(total)),
            field="criteria",
        )
    return found


def budget_lines(text) -> list[tuple[str, int]]:
    found = []
    message = _l('One budget line per line: "item | amount in yuan", e.g. "餐费补贴 | 12000".')
    for number, (item, amount) in enumerate(rows(text, field="budget", columns=2, message=message), start=1):
        fen = parse_yuan(amount, field="budget")
        if fen <= 0:
            raise DomainError("bad_amount", _l("Line %(n)d: an amount is more than 0.", n=number), field="budget")
        found.append((_name(item, number=number, field="budget", high=100), fen))
    return found


def milestones(text) -> list[tuple[str, str, date, Fraction]]:
    """Milestones with payment shares summing to exactly 1."""
    found = []
    message = _l('One milestone per line: "title | deliverable | due date | payment share".')
    parsed = rows(text, field="milestones", columns=4, message=message)
    for number, (title, deliverable, due, share) in enumerate(parsed, start=1):
        try:
            due_on = date.fromisoformat(due)
        except ValueError:
            raise DomainError(
                "bad_date", _l("Line %(n)d: a date is written 2027-03-31.", n=number), field="milestones"
            ) from None
        found.append(
            (
                _name(title, number=number, field="milestones", high=100),
                _name(deliverable, number=number, field="milestones", high=300),
                due_on,
                parse_share(share, field="milestones"),
            )
        )
    total = sum((s for *_rest, s in found), Fraction(0))
    if total != 1:
        raise DomainError(
            "shares_sum",
            _l("The payment shares must sum to 1; they sum to %(total)s.", total=_fraction(total)),
            field="milestones",
        )
    return found


def _fraction(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def largest_remainder(total: int, shares: list[Fraction]) -> list[int]:
    """Split `total` fen by `shares` (summing to 1) into whole fen summing exactly to `total`: each gets the
    floor of its exact part, and the fen left over go one each to the largest remainders (the earlier first)."""
    exact = [total * s for s in shares]
    amounts = [int(e) for e in exact]  # floor: the parts are not negative
    left = total - sum(amounts)
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - amounts[i]), i))
    for i in order[:left]:
        amounts[i] += 1
    return amounts
