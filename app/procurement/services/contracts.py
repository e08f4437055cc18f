"""The award, the contract it makes, milestones submitted and evaluated, and the organisation's progress."""

from __future__ import annotations

from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core import audit, validation
from app.core.clock import last_day, local_today
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.documents.models import Attachment
from app.extensions import db
from app.orgs.models import OrgStatus
from app.procurement import permissions, signals
from app.procurement.models import (
    Application,
    Award,
    CallStatus,
    Contract,
    Evaluation,
    Milestone,
    MilestoneStatus,
    SatisfactionRecord,
    ServiceCall,
    ServiceProgress,
    ServiceProgressPhoto,
)
from app.procurement.services import parsing, scoring

EVIDENCE_KIND = "milestone"  # the documents kernel's owner kind (app/flows/attachments.py)
MAX_PHOTOS = 6


def award(party, call: ServiceCall, application: Application, *, reason) -> Contract:
    """Award the call to `application`: the top combined score, or another with a written reason. Refused if
    the organisation is suspended or its qualification has expired on the award day. Makes the contract."""
    if not permissions.can_award(party, call):
        raise Forbidden(_l("Only the call's staff award it, once."))
    if application is None or application.call_id != call.id:
        raise DomainError("bad_request", _l("Choose an application of this call."), field="application_id")
    now = utcnow()
    if now < call.deadline:
        raise DomainError("not_yet", _l("A call is awarded after its deadline."), field="application_id")
    if call.scoring_ends is not None and not call.scoring_ended_on(now) and not scoring.panel_finished(call):
        raise DomainError(
            "scoring_open",
            _l(
                "The panel scores until %(day)s: award after that day, or once every expert has scored or "
                "declared a conflict for every application.",
                day=last_day(call.scoring_ends).isoformat(),
            ),
            field="application_id",
            status=409,
        )
    reason = validation.text(
        reason or "", field="reason", low=0, high=2000, message=_l("A reason is at most 2000 characters.")
    )
    organisation = application.organisation
    if organisation.status == OrgStatus.SUSPENDED:
        raise DomainError(
            "suspended",
            _l("%(org)s is suspended: it may not be awarded.", org=organisation.name),
            field="application_id",
        )
    today = local_today()
    if not organisation.qualified_on(today):
        latest = max((q.expires_on for q in organisation.qualifications), default=None)
        raise DomainError(
            "qualification_expired",
            _l(
                "%(org)s's qualification expired on %(day)s: it may not be awarded.",
                org=organisation.name,
                day=latest.isoformat() if latest else "—",
            ),
            field="application_id",
        )
    ranked = scoring.ranking(call)
    top = ranked[0][1].score if ranked else None
    mine = scoring.combined(application).score
    if (mine is None or top is None or mine < top) and not reason:
        raise DomainError(
            "reason_needed", _l("This is not the top score: write the reason for awarding it."), field="reason"
        )
    call.award = Award(application_id=application.id, reason=reason, awarded_by_id=party.user.id)
    call.status = CallStatus.AWARDED
    contract = Contract(
        call_id=call.id,
        application_id=application.id,
        organisation_id=organisation.id,
        community_id=call.community_id,
        total_fen=application.total_fen,
    )
    planned = application.milestones
    amounts = parsing.largest_remainder(application.total_fen, [m.share for m in planned])
    for m, amount in zip(planned, amounts, strict=True):
        contract.milestones.append(
            Milestone(
                position=m.position,
                title=m.title,
                deliverable=m.deliverable,
                due_on=m.due_on,
                share_num=m.share_num,
                share_den=m.share_den,
                amount_fen=amount,
            )
        )
    db.session.add(contract)
    audit.record(party.user, "procurement.award", call, community_id=call.community_id, application=application.id)
    db.session.flush()
    signals.call_awarded.send(call, contract=contract, application=application)
    return contract


def contract_of(call: ServiceCall) -> Contract | None:
    return db.session.scalar(select(Contract).where(Contract.call_id == call.id))


def evidence_count(milestone: Milestone) -> int:
    return int(
        db.session.scalar(
            select(func.count(Attachment.id)).where(
                Attachment.owner_kind == EVIDENCE_KIND,
                Attachment.owner_id == milestone.id,
                Attachment.removed_at.is_(None),
            )
        )
    )


def submit_milestone(party, milestone: Milestone, *, report) -> Milestone:
    """The organisation submits a milestone for evaluation, with its evidence attached; residents'
    satisfaction is then collected (the signal: a flow opens the survey)."""
    if not permissions.can_submit_milestone(party, milestone):
        raise Forbidden(_l("Only the organisation's agents submit its milestones, once each."))
    report = validation.text(
        report, field="report", low=5, high=5000, message=_l("Say what was delivered, in 5 to 5000 characters.")
    )
    if evidence_count(milestone) == 0:
        raise DomainError("no_evidence", _l("Attach the evidence (documents or photos) first."), field="report")
    milestone.report = report
    milestone.status = MilestoneStatus.SUBMITTED
    milestone.submitted_at = utcnow()
    audit.record(party.user, "procurement.milestone", milestone, community_id=milestone.contract.community_id)
    db.session.flush()
    signals.milestone_submitted.send(milestone)
    return milestone


def record_satisfaction(milestone: Milestone, *, survey_id, responses: int, eligible: int, score: Fraction):
    """Residents' satisfaction with a submitted milestone (a closed survey's summary), recorded once. Called by
    the flow that runs the survey; `score` is 0..1, exact."""
    if milestone.status != MilestoneStatus.SUBMITTED:
        raise DomainError("not_submitted", _l("This milestone is not waiting for evaluation."))
    if milestone.satisfaction is not None:
        raise DomainError("already_recorded", _l("Residents' satisfaction is already recorded for this milestone."))
    if not isinstance(score, Fraction) or not 0 <= score <= 1:
        raise DomainError("bad_score", _l("A satisfaction score is between 0 and 1."))
    if not (isinstance(responses, int) and isinstance(eligible, int) and 0 <= responses <= eligible):
        raise DomainError("bad_count", _l("The responses are between 0 and the households asked."))
    milestone.satisfaction = SatisfactionRecord(
        survey_id=survey_id,
        responses=responses,
        eligible=eligible,
        score_num=score.numerator,
        score_den=score.denominator,
    )
    db.session.flush()
    signals.milestone_ready.send(milestone)
    return milestone.satisfaction


def sign_off(party, milestone: Milestone, *, note) -> Evaluation:
    """Staff or a panel expert sign the evaluation off with a note: the evidence and residents' satisfaction
    must be there. Only then may the milestone be paid."""
    if not permissions.can_sign_off(party, milestone):
        raise Forbidden(_l("Only the call's staff or its panel's experts sign an evaluation off."))
    note = validation.text(
        note, field="note", low=5, high=2000, message=_l("Write the evaluation note, in 5 to 2000 characters.")
    )
    if milestone.status != MilestoneStatus.SUBMITTED:
        raise DomainError("not_submitted", _l("This milestone is not waiting for evaluation."), field="note")
    evidence = evidence_count(milestone)
    if evidence == 0:
        raise DomainError("no_evidence", _l("No evidence is attached to this milestone."), field="note")
    if milestone.satisfaction is None:
        raise DomainError(
            "no_satisfaction", _l("Residents' satisfaction with this milestone is not collected yet."), field="note"
        )
    milestone.evaluation = Evaluation(signed_by_id=party.user.id, note=note, evidence_count=evidence)
    milestone.status = MilestoneStatus.EVALUATED
    audit.record(party.user, "procurement.evaluate", milestone, community_id=milestone.contract.community_id)
    db.session.flush()
    return milestone.evaluation


def post_progress(party, contract: Contract, *, client_id, body, photos=(), store=None) -> ServiceProgress:
    """The organisation reports progress, with up to six photos. A retry returns the first post."""
    if not permissions.can_post_progress(party, contract):
        raise Forbidden(_l("Only the organisation's agents post its progress."))
    client_id = validation.client_id(client_id)
    query = select(ServiceProgress).where(
        ServiceProgress.contract_id == contract.id,
        ServiceProgress.author_id == party.user.id,
        ServiceProgress.client_id == client_id,
    )
    existing = db.session.scalar(query)
    if existing is not None:
        return existing
    body = validation.text(body, field="body", low=2, high=2000, message=_l("Write 2 to 2000 characters."))
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        raise DomainError("bad_request", _l("At most %(n)d photos.", n=MAX_PHOTOS), field="photos")
    post = ServiceProgress(contract_id=contract.id, author_id=party.user.id, client_id=client_id, body=body)
    for position, data in enumerate(photos):
        post.photos.append(ServiceProgressPhoto(photo_id=store.save(data).id, position=position))
    try:
        with db.session.begin_nested():  # the same post sent twice at once: the first stays
            db.session.add(post)
            db.session.flush()
    except IntegrityError:
        existing = db.session.scalar(query)
        if existing is None:
            raise
        return existing
    return post
