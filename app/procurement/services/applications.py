"""Applications: an agent of a verified, qualified organisation applies with a plan, budget lines and
milestones; one per organisation per call (a retry or a second try edits nothing new: it returns the first);
editable until the deadline."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core import audit, validation
from app.core.clock import local_today
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.core.money import format_yuan
from app.extensions import db
from app.orgs.models import Organisation
from app.procurement import permissions
from app.procurement.models import Application, PlannedMilestone, ServiceBudgetLine, ServiceCall
from app.procurement.services import parsing


def application_of(call: ServiceCall, organisation_id: int) -> Application | None:
    return db.session.scalar(
        select(Application).where(Application.call_id == call.id, Application.organisation_id == organisation_id)
    )


def _check_open(call: ServiceCall) -> None:
    if not call.is_open_on(utcnow()):
        raise DomainError("deadline_passed", _l("The deadline has passed: applications are closed."))


def _parsed(call: ServiceCall, plan, budget, milestones):
    plan = validation.text(
        plan, field="plan", low=20, high=10000, message=_l("Describe the plan in 20 to 10000 characters.")
    )
    lines = parsing.budget_lines(budget)
    total = sum(fen for _item, fen in lines)
    if total > call.ceiling_fen:
        raise DomainError(
            "over_ceiling",
            _l(
                "The budget totals %(total)s, above the call's ceiling of %(ceiling)s.",
                total=format_yuan(total),
                ceiling=format_yuan(call.ceiling_fen),
            ),
            field="budget",
        )
    return plan, lines, total, parsing.milestones(milestones)


def _fill(application: Application, plan, lines, total, planned) -> None:
    application.plan = plan
    application.total_fen = total
    application.lines = [
        ServiceBudgetLine(position=i, item=item, amount_fen=fen) for i, (item, fen) in enumerate(lines)
    ]
    application.milestones = [
        PlannedMilestone(
            position=i,
            title=title,
            deliverable=deliverable,
            due_on=due_on,
            share_num=share.numerator,
            share_den=share.denominator,
        )
        for i, (title, deliverable, due_on, share) in enumerate(planned)
    ]
    application.updated_at = utcnow()


def apply(party, call: ServiceCall, organisation: Organisation, *, plan, budget, milestones) -> Application:
    """Apply for `organisation`. Its qualification must be valid today; one application per organisation:
    a second (a double tap) returns the first unchanged."""
    if organisation is None or not permissions.can_apply(party, call, organisation):
        raise Forbidden(_l("Only an agent of a verified organisation of this district may apply."))
    _check_open(call)
    if not organisation.qualified_on(local_today()):
        raise DomainError(
            "not_qualified",
            _l("%(org)s holds no qualification valid today: it may not apply.", org=organisation.name),
        )
    existing = application_of(call, organisation.id)
    if existing is not None:
        return existing
    plan, lines, total, planned = _parsed(call, plan, budget, milestones)
    application = Application(call_id=call.id, organisation_id=organisation.id, agent_id=party.user.id)
    _fill(application, plan, lines, total, planned)
    try:
        with db.session.begin_nested():
            db.session.add(application)
            db.session.flush()
    except IntegrityError:
        existing = application_of(call, organisation.id)
        if existing is None:
            raise
        return existing
    audit.record(party.user, "procurement.apply", application, community_id=call.community_id)
    db.session.flush()
    return application


def edit(party, application: Application, *, plan, budget, milestones) -> Application:
    """The organisation's agent changes its application until the deadline."""
    if not permissions.can_edit_application(party, application):
        raise Forbidden()
    _check_open(application.call)
    plan, lines, total, planned = _parsed(application.call, plan, budget, milestones)
    application.lines.clear()
    application.milestones.clear()
    db.session.flush()
    _fill(application, plan, lines, total, planned)
    db.session.flush()
    return application


def as_text(application: Application) -> dict:
    """The application's lists as typed in the form (to edit them)."""

    def share(s) -> str:
        return str(s.numerator) if s.denominator == 1 else f"{s.numerator}/{s.denominator}"

    return {
        "plan": application.plan,
        "budget": "\n".join(f"{b.item} | {b.amount_fen / 100:.2f}" for b in application.lines),
        "milestones": "\n".join(
            f"{m.title} | {m.deliverable} | {m.due_on.isoformat()} | {share(m.share)}" for m in application.milestones
        ),
    }
