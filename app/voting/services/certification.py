"""After the close: certify and publish the count, verify the chain, objections during 公示. The caller
commits."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.errors import Conflict, DomainError
from app.core.models import utcnow
from app.extensions import db
from app.objections import services as objection_kernel
from app.objections.models import Objection
from app.voting import tally
from app.voting.models import Certification, CertifierRole, Participation, Poll, PollState
from app.voting.services.ballots import count, records


def certifications(poll: Poll) -> list[Certification]:
    return list(db.session.scalars(select(Certification).where(Certification.poll_id == poll.id)))


def certify(poll: Poll, user_id: int, role: CertifierRole) -> Poll:
    """Sign the count as counter or scrutineer; with both signatures on the same numbers, publish.

    Two different people must sign (the database holds one signature per role and per person).
    A published count is frozen: later changes to the ballots show up in verification, not in it.
    The caller checks that the user may certify, and commits.
    """
    if poll.state == PollState.OPEN:
        raise DomainError("wrong_phase", _l("Close the vote before certifying the count."), status=409)
    if poll.state == PollState.PUBLISHED:
        raise Conflict("already_published", _l("This result is published and can no longer change."))
    signed = certifications(poll)
    if any(c.user_id == user_id for c in signed):
        raise Conflict("same_certifier", _l("You have certified this count already; a second person must sign."))
    if any(c.role == role for c in signed):
        raise Conflict("role_taken", _l("This role has signed already."))
    result = count(poll).as_dict()
    digest = tally.digest(result)
    check = verify(poll)
    if not check.ok:
        raise Conflict("count_broken", _l("The ballots do not verify; the count cannot be certified."))
    if any((c.head, c.digest) != (poll.head, digest) for c in signed):
        raise Conflict("certifiers_differ", _l("The two certifiers signed different counts."))
    try:
        with db.session.begin_nested():
            db.session.add(Certification(poll_id=poll.id, role=role, user_id=user_id, head=poll.head, digest=digest))
    except IntegrityError:
        raise Conflict("same_certifier", _l("This count has been signed by that person or in that role.")) from None
    signed = certifications(poll)
    if {c.role for c in signed} == set(CertifierRole):
        poll.state = PollState.PUBLISHED
        poll.published_at = utcnow()
        poll.result = json.dumps(result, ensure_ascii=False, sort_keys=True)
    db.session.flush()
    return poll


def published_result(poll: Poll) -> dict | None:
    return json.loads(poll.result) if poll.result else None


# -- verification -----------------------------------------------------------------------------------


@dataclass
class Verification:
    poll_id: int
    head: str
    length: int
    recount: dict
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(poll: Poll) -> Verification:
    """Recompute the chain and the count from the stored ballots and compare them with what was recorded:
    the head and length (now and at the close), the participation roll, and the published result.
    While voting is open, ballots not yet sealed are counted but are not a difference."""
    everything = records(poll)
    stored = [b for b in everything if b.seq]
    unsealed = len(everything) - len(stored)
    chain = tally.verify_chain(poll.poll_type, poll.subject_id, stored)
    recount = tally.count(everything).as_dict()
    problems = list(chain.problems)
    if chain.head != poll.head or chain.length != poll.length:
        problems.append(
            f"chain head {chain.head[:12]}… over {chain.length} ballots; recorded {poll.head[:12]}… over {poll.length}"
        )
    if poll.closed_head is not None and (poll.closed_head != chain.head or poll.closed_length != chain.length):
        problems.append(
            f"chain head {chain.head[:12]}… over {chain.length} ballots; at the close it was "
            f"{poll.closed_head[:12]}… over {poll.closed_length}"
        )
    if unsealed and poll.state != PollState.OPEN:
        problems.append(f"{unsealed} ballot(s) not in the chain after voting closed")
    took_part = db.session.scalar(
        select(func.count())
        .select_from(Participation)
        .where(Participation.poll_type == poll.poll_type, Participation.poll_id == poll.subject_id)
    )
    if took_part != len(everything):
        problems.append(f"{len(everything)} ballots but {took_part} voters recorded as taking part")
    published = published_result(poll)
    if published is not None and published != recount:
        problems.append("the recount differs from the published result")
    return Verification(poll_id=poll.id, head=chain.head, length=chain.length, recount=recount, problems=problems)


POLL_OBJECTIONS = "poll"  # the objections kernel's owner kind for a poll's published result


# -- objections during 公示 (app/objections, owner kind "poll") ------------------------------------------


def object_to(poll: Poll, author_id: int, *, client_id: str, body: str) -> Objection:
    """Record an objection to a published result (idempotent on client_id), in the objections kernel under
    ("poll", poll id). The caller (the poll's feature) has checked its 公示 period."""
    return objection_kernel.object_to(
        POLL_OBJECTIONS,
        poll.id,
        community_id=poll.community_id,
        author_id=author_id,
        client_id=client_id,
        body=body,
        window_open=True,
    )


def answer_objection(objection: Objection, user_id: int, answer: str) -> Objection:
    """Answer an objection; the answer is shown beside it."""
    return objection_kernel.answer(objection, user_id, answer)


def get_objection(poll: Poll | None, objection_id) -> Objection:
    """The poll's objection with this id, or NotFound."""
    return objection_kernel.get(POLL_OBJECTIONS, poll.id if poll is not None else None, objection_id)


def objections(poll: Poll) -> list[Objection]:
    return objection_kernel.of(POLL_OBJECTIONS, poll.id)
