"""The panel's scoring: each expert declares conflicts of interest per application, then scores each
criterion 0–100 alone. The combined score is Σ weight × mean of the non-conflicted experts' scores, exact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from app.core import audit, validation
from app.core.clock import last_day
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.extensions import db
from app.procurement import permissions
from app.procurement.models import Application, CallStatus, Score, ScoreSheet, ServiceCall


def sheet_of(application: Application, user_id: int | None) -> ScoreSheet | None:
    return next((s for s in application.sheets if s.expert_id == user_id), None)


def _scoring_open(application: Application) -> None:
    if utcnow() < application.call.deadline:
        raise DomainError("not_yet", _l("Scoring starts when applications close at the deadline."))


def scoring_ended_for(party, application: Application) -> date | None:
    """For a panel member of a call not yet awarded whose scoring is over, the scoring's last (Beijing) day (what
    the page says instead of a form); None otherwise."""
    call = application.call
    user_id = party.user.id if party.user else None
    if call.on_panel(user_id) and call.status == CallStatus.OPEN and call.scoring_ended_on(utcnow()):
        return last_day(call.scoring_ends)
    return None


def _may_score(party, application: Application) -> None:
    """Refused unless the party is on the panel while it scores: after the scoring's end, with its day (409)."""
    if permissions.can_score(party, application):
        return
    ended = scoring_ended_for(party, application)
    if ended is not None:
        raise DomainError(
            "scoring_ended",
            _l(
                "The panel's scoring ended on %(day)s: declarations and scores are no longer taken.",
                day=ended.isoformat(),
            ),
            status=409,
        )
    raise Forbidden(_l("Only the call's panel scores its applications, before the award."))


def panel_finished(call: ServiceCall) -> bool:
    """Every expert on the panel has, for every application, submitted scores or declared a conflict."""
    done = {
        (sheet.application_id, sheet.expert_id)
        for application in call.applications
        for sheet in application.sheets
        if sheet.conflicted or sheet.submitted_at is not None
    }
    return all((a.id, p.user_id) in done for a in call.applications for p in call.panel)


def declare(party, application: Application, *, conflicted: bool, note) -> ScoreSheet:
    """A panel expert declares whether they have a conflict of interest with the application (a relation with
    the organisation, a stake in the project). A conflict excludes them from scoring it."""
    _may_score(party, application)
    note = validation.text(note or "", field="note", low=0, high=300, message=_l("A note is at most 300 characters."))
    if conflicted and not note:
        raise DomainError("bad_request", _l("Say what the conflict of interest is."), field="note")
    sheet = sheet_of(application, party.user.id)
    if sheet is not None and sheet.submitted_at is not None:
        raise DomainError("already_scored", _l("You have already submitted your scores for this application."))
    if sheet is None:
        sheet = ScoreSheet(application_id=application.id, expert_id=party.user.id)
        application.sheets.append(sheet)
    sheet.conflicted = bool(conflicted)
    sheet.conflict_note = note
    sheet.declared_at = utcnow()
    audit.record(party.user, "procurement.declare", application, conflicted=bool(conflicted))
    db.session.flush()
    return sheet


def submit_scores(party, application: Application, points: dict[int, object]) -> ScoreSheet:
    """The expert's scores, one whole number 0–100 per criterion, submitted once."""
    _may_score(party, application)
    _scoring_open(application)
    sheet = sheet_of(application, party.user.id)
    if sheet is None:
        raise DomainError("declare_first", _l("First declare whether you have a conflict of interest."))
    if sheet.conflicted:
        raise DomainError(
            "conflicted",
            _l("You declared a conflict of interest with this application: you may not score it."),
            status=403,
        )
    if sheet.submitted_at is not None:
        raise DomainError("already_scored", _l("You have already submitted your scores for this application."))
    for criterion in application.call.criteria:
        value = points.get(criterion.id)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise DomainError(
                "bad_score",
                _l("Score %(criterion)s with a whole number from 0 to 100.", criterion=criterion.name),
                field=f"c{criterion.id}",
            )
        sheet.scores.append(Score(criterion_id=criterion.id, points=value))
    sheet.submitted_at = utcnow()
    audit.record(party.user, "procurement.score", application)
    db.session.flush()
    return sheet


@dataclass(frozen=True)
class Combined:
    """An application's combined score: per criterion the mean of the counted experts' points, and the sum
    weighted; None until one expert has submitted."""

    experts: int
    means: list[tuple[object, Fraction | None]]  # (criterion, mean)
    score: Fraction | None

    @property
    def formula(self) -> str:
        """ "3/5 × 80 + 2/5 × 70 = 76": each weight times its mean, exact; the sum with its decimal."""
        parts = [f"{_show(c.weight)} × {_show(m)}" for c, m in self.means if m is not None]
        if self.score is None:
            return ""
        total = _show(self.score)
        if self.score.denominator != 1:
            total += f" ≈ {float(self.score):.2f}"
        return " + ".join(parts) + f" = {total}"


def _show(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def counted(application: Application) -> list[ScoreSheet]:
    """The submitted sheets of experts without a conflict with the application."""
    return [s for s in application.sheets if s.submitted_at is not None and not s.conflicted]


def combined(application: Application) -> Combined:
    sheets = counted(application)
    if not sheets:
        return Combined(0, [(c, None) for c in application.call.criteria], None)
    means = []
    for criterion in application.call.criteria:
        points = [s.points for sheet in sheets for s in sheet.scores if s.criterion_id == criterion.id]
        means.append((criterion, Fraction(sum(points), len(points)) if points else None))
    score = sum((c.weight * m for c, m in means if m is not None), Fraction(0))
    return Combined(len(sheets), means, score)


def ranking(call: ServiceCall) -> list[tuple[Application, Combined]]:
    """Applications with their combined scores, the best first (unscored last, then by id)."""
    scored = [(a, combined(a)) for a in call.applications]
    return sorted(scored, key=lambda pair: (pair[1].score is None, -(pair[1].score or 0), pair[0].id))


def visible_sheets(party, application: Application) -> list[ScoreSheet]:
    """Which experts' sheets the party sees: all once the award is out or for managers and overseers; an
    expert sees the others' only after submitting theirs; otherwise only their own."""
    submitted = [s for s in application.sheets if s.submitted_at is not None]
    if permissions.can_see_all_scores(party, application.call):
        return submitted
    own = sheet_of(application, party.user.id if party.user else None)
    return submitted if own is not None and own.submitted_at is not None else []
