"""The community's adopted rules of procedure: its versions, the newest being the default for new
consultations, each compared with the one before in readable words.

Adopting a version is the end of a vote (app/rulebook decides when): `adopt` only records it, flushing; the
edge commits. A version's rule set is never changed again (`services.update` refuses it, and it is not in
the library that pages edit)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.clock import local_time
from app.core.models import utcnow
from app.extensions import db
from app.procedure.engine import Mode
from app.procedure.labels import MODE_LABELS, PARAMETER_LABELS
from app.procedure.models import RuleSet, RuleVersion

# shown as one fraction each, not as their numerator and denominator
FRACTIONS = {
    "quorum": ("quorum_num", "quorum_den", _l("Quorum")),
    "pass": ("pass_num", "pass_den", _l("Pass threshold")),
}
_IN_FRACTIONS = {name for num, den, _label in FRACTIONS.values() for name in (num, den)}


def current(community_id: int) -> RuleVersion | None:
    """The community's newest adopted version (its default rules), or None."""
    return db.session.scalar(
        select(RuleVersion).where(RuleVersion.community_id == community_id).order_by(RuleVersion.number.desc())
    )


def history(community_id: int) -> list[RuleVersion]:
    """Every adopted version, newest first."""
    return list(
        db.session.scalars(
            select(RuleVersion).where(RuleVersion.community_id == community_id).order_by(RuleVersion.number.desc())
        )
    )


def version_of(rule_set: RuleSet | None) -> RuleVersion | None:
    """The adopted version a rule set is, or was copied from (a consultation's own copy): the version that
    governed the consultation. None for a copy of a template or of a library set."""
    if rule_set is None:
        return None
    ids = [rule_set.id] + ([rule_set.based_on_id] if rule_set.based_on_id else [])
    return db.session.scalar(select(RuleVersion).where(RuleVersion.rule_set_id.in_(ids)))


def adopt(rule_set: RuleSet, *, poll_id: int | None, adopted_at: datetime | None = None) -> RuleVersion:
    """Record `rule_set` (a community's draft, voted on) as the community's next version: from now on the
    default for new consultations, and never changed again."""
    if rule_set.community_id is None or not rule_set.for_adoption:
        raise ValueError("only a community's draft of its rules is adopted")
    number = (
        db.session.scalar(select(func.max(RuleVersion.number)).where(RuleVersion.community_id == rule_set.community_id))
        or 0
    ) + 1
    version = RuleVersion(
        community_id=rule_set.community_id,
        number=number,
        rule_set_id=rule_set.id,
        poll_id=poll_id,
        adopted_at=adopted_at or utcnow(),
    )
    db.session.add(version)
    db.session.flush()
    return version


def previous(version: RuleVersion) -> RuleVersion | None:
    return db.session.scalar(
        select(RuleVersion)
        .where(RuleVersion.community_id == version.community_id, RuleVersion.number < version.number)
        .order_by(RuleVersion.number.desc())
    )


def _shown(name: str, value) -> str:
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if name == "mode" and value in {m.value for m in Mode}:
        return str(MODE_LABELS[Mode(value)])
    return str(value)


@dataclass(frozen=True)
class Setting:
    label: str
    value: str


def settings(rules: RuleSet) -> list[Setting]:
    """The rule set's parameters as people read them ("Quorum: 1/2", "A tie fails: Yes")."""
    shown = []
    for name, label in PARAMETER_LABELS.items():
        if name in _IN_FRACTIONS:
            continue
        shown.append(Setting(str(label), _shown(name, getattr(rules, name))))
    for num, den, label in FRACTIONS.values():
        shown.append(Setting(str(label), f"{getattr(rules, num)}/{getattr(rules, den)}"))
    return shown


def differences(old: RuleSet | None, new: RuleSet) -> list[str]:
    """What changed from `old` to `new`, in words, one sentence each: each parameter with its old and new
    value, then each line of the readable text added or removed. Everything, for a first version (no old)."""
    if old is None:
        return [str(_l("The first version adopted by the community."))]
    changes = []
    if old.name != new.name:
        changes.append(str(_l("Name: %(old)s → %(new)s", old=old.name, new=new.name)))
    for name, label in PARAMETER_LABELS.items():
        if name in _IN_FRACTIONS:
            continue
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(
                str(_l("%(name)s: %(old)s → %(new)s", name=label, old=_shown(name, before), new=_shown(name, after)))
            )
    for num, den, label in FRACTIONS.values():
        before = f"{getattr(old, num)}/{getattr(old, den)}"
        after = f"{getattr(new, num)}/{getattr(new, den)}"
        if (getattr(old, num) * getattr(new, den)) != (getattr(new, num) * getattr(old, den)):
            changes.append(str(_l("%(name)s: %(old)s → %(new)s", name=label, old=before, new=after)))
    for line in difflib.ndiff((old.text or "").splitlines(), (new.text or "").splitlines()):
        tag, text = line[:2], line[2:].strip()
        if not text:
            continue
        if tag == "- ":
            changes.append(str(_l("Removed: %(line)s", line=text)))
        elif tag == "+ ":
            changes.append(str(_l("Added: %(line)s", line=text)))
    return changes or [str(_l("No change to the rules."))]


def governing_label(rule_set: RuleSet) -> str:
    """The rules a consultation runs on, as its page and minutes name them: "翠竹园议事规则 (version 2, adopted
    2026-11-20)" for a copy of an adopted version, else the rule set's name."""
    version = version_of(rule_set)
    if version is None:
        return rule_set.name
    return str(
        _l(
            "%(name)s (version %(n)d, adopted %(day)s)",
            name=version.rule_set.name,
            n=version.number,
            day=local_time(version.adopted_at).date().isoformat(),
        )
    )
