"""Closing, certification and publication (公示), the result, and objections during 公示."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.access import Viewer
from app.communities.models import Building
from app.core import audit
from app.core.errors import Conflict, DomainError, Forbidden
from app.core.models import utcnow
from app.decisions import permissions
from app.decisions.models import Choice, Decision, DecisionState
from app.decisions.services.ballots import open_poll_of, unsettled_paper
from app.decisions.services.common import check_visible, poll_of, require_counter
from app.decisions.services.roll import roll_of
from app.extensions import db
from app.objections.models import Objection
from app.voting import services as voting
from app.voting import tally
from app.voting.models import CertifierRole, Poll, PollState


def close_voting(viewer: Viewer, decision: Decision) -> Decision:
    """Stop voting: the chain head at the close is recorded; every paper ballot must be settled first."""
    require_counter(viewer, decision)
    poll = open_poll_of(decision)
    waiting = unsettled_paper(decision)
    if waiting:
        raise Conflict(
            "unsettled_paper",
            _l(
                "%(n)d paper ballots still wait for a second entry or a reconciliation: settle them before closing.",
                n=waiting,
            ),
        )
    voting.close_poll(poll)
    decision.state = DecisionState.COUNTING
    decision.closed_at = utcnow()
    audit.record(viewer.user, "decision.close", decision, community_id=decision.community_id, head=poll.closed_head)
    db.session.flush()
    return decision


def certify(viewer: Viewer, decision: Decision, role) -> Decision:
    """Sign the count as counter (计票人) or scrutineer (监票人); two different people. With both, the result is
    published and frozen, and the 公示 period for objections starts."""
    require_counter(viewer, decision)
    try:
        role = CertifierRole(role)
    except ValueError:
        raise DomainError("bad_role", _l("Sign as counter or as scrutineer."), field="role") from None
    if decision.state == DecisionState.ANNOUNCED:
        raise Conflict("already_published", _l("This result is published and can no longer change."))
    if decision.state != DecisionState.COUNTING:
        raise DomainError("wrong_phase", _l("Close the vote before certifying the count."), status=409)
    poll = poll_of(decision)
    voting.certify(poll, viewer.user_id, role)  # a refused signature: the edge rolls back what it flushed
    audit.record(viewer.user, "decision.certify", decision, community_id=decision.community_id, role=role.value)
    if poll.state == PollState.PUBLISHED:
        decision.state = DecisionState.ANNOUNCED
        decision.published_at = poll.published_at
        decision.objections_until = poll.published_at + timedelta(days=decision.publicity_days)
        decision.passed = outcome(decision).verdict.passed
    db.session.flush()
    return decision


@dataclass(frozen=True)
class BuildingCount:
    building_id: int | None
    name: str
    area: dict[str, int]
    heads: dict[str, int]


@dataclass(frozen=True)
class Outcome:
    """A decision's count and verdict: from the published result once certified, else a provisional recount."""

    published: bool
    area: dict[str, int]  # per choice, 0.01 m²
    heads: dict[str, int]
    voted_area: int
    voted_heads: int
    verdict: tally.Verdict
    by_building: list[BuildingCount]
    proxy: int = 0  # of the ballots, how many a proxy cast in the owner's name (其中委托投票)


def outcome(decision: Decision) -> Outcome | None:
    """None while the decision is a draft."""
    poll = poll_of(decision)
    if poll is None:
        return None
    published = voting.published_result(poll)
    counted = published if published is not None else voting.count(poll).as_dict()
    area = {c.value: int(counted["area"].get(c.value, 0)) for c in Choice}
    heads = {c.value: int(counted["heads"].get(c.value, 0)) for c in Choice}
    verdict = tally.art278_verdict(
        matter=decision.matter,
        roll_area=decision.roll_area,
        roll_heads=decision.roll_heads,
        voted_area=int(counted["area_total"]),
        voted_heads=int(counted["heads_total"]),
        agree_area=area[Choice.AGREE.value],
        agree_heads=heads[Choice.AGREE.value],
        stricter=decision.stricter,
    )
    return Outcome(
        published=published is not None,
        area=area,
        heads=heads,
        voted_area=int(counted["area_total"]),
        voted_heads=int(counted["heads_total"]),
        verdict=verdict,
        by_building=_by_building(decision, poll),
        proxy=int(counted.get("proxy", 0)),
    )


def _by_building(decision: Decision, poll: Poll) -> list[BuildingCount]:
    """Area and headcount per choice per building, from the stored ballots (the chain covers both)."""
    names = dict(
        db.session.execute(
            select(Building.id, Building.name)
            .where(Building.community_id == decision.community_id)
            .order_by(Building.sort_order, Building.id)
        ).all()
    )
    area: dict[int | None, dict[str, int]] = {}
    heads: dict[int | None, dict[str, int]] = {}
    for record in voting.records(poll):
        a = area.setdefault(record.building_id, {c.value: 0 for c in Choice})
        h = heads.setdefault(record.building_id, {c.value: 0 for c in Choice})
        a[record.choice] = a.get(record.choice, 0) + record.weight_area
        h[record.choice] = h.get(record.choice, 0) + record.weight_heads
    ordered = [b for b in names if b in area] + [b for b in area if b not in names]
    return [BuildingCount(b, names.get(b, ""), area[b], heads[b]) for b in ordered]


def turnout(decision: Decision) -> tuple[int, int]:
    """(area, heads) that have voted so far: who took part, without what they chose."""
    poll = poll_of(decision)
    if poll is None:
        return 0, 0
    keys = voting.voters(poll)
    taken = [e for e in roll_of(decision) if e.voter_key in keys]
    return sum(e.area for e in taken), sum(e.heads for e in taken)


# -- objections during 公示 --------------------------------------------------------------------------


def object_to(viewer: Viewer, decision: Decision, *, client_id: str, body: str) -> Objection:
    """A verified owner objects to the published result during the 公示 period (idempotent on client_id)."""
    check_visible(viewer, decision)
    if not permissions.is_owner(viewer):
        raise Forbidden(_l("Owners of this community raise objections to an owners' decision."))
    if not decision.objections_open:
        raise DomainError("wrong_phase", _l("Objections are taken only during the 公示 period."), status=409)
    objection = voting.object_to(poll_of(decision), viewer.user_id, client_id=client_id, body=body)
    audit.record(viewer.user, "decision.object", decision, community_id=decision.community_id)
    db.session.flush()
    return objection


def answer_objection(viewer: Viewer, decision: Decision, objection_id, answer: str) -> Objection:
    """Counters answer an objection; the answer is shown beside it."""
    require_counter(viewer, decision)
    objection = voting.get_objection(poll_of(decision), objection_id)
    voting.answer_objection(objection, viewer.user_id, answer)
    audit.record(viewer.user, "decision.answer", decision, community_id=decision.community_id, objection=objection.id)
    db.session.flush()
    return objection


def objections_of(decision: Decision) -> list[Objection]:
    poll = poll_of(decision)
    return voting.objections(poll) if poll is not None else []
