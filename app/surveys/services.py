"""The survey engine's use cases: make a survey (owners call `create_survey`, staff make stand-alone ones),
open and close it, and answer it once per person or household.

Nothing here commits: the edge does. An anonymous survey's answers carry no user, household or time: who
answered is a `SurveyParticipation` row (no id, no time), what they answered a `SurveyResponse` with its
`SurveyAnswer`s, and nothing stored links the two (as voting keeps Participation apart from a secret ballot).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.communities.access import Viewer
from app.communities.models import Building, Community
from app.core import audit, validation
from app.core.errors import Conflict, DomainError, Forbidden, NotFound
from app.core.models import utcnow
from app.extensions import db
from app.surveys import permissions, signals
from app.surveys.models import (
    Question,
    QuestionKind,
    QuestionOption,
    Respondent,
    Survey,
    SurveyAnswer,
    SurveyBuilding,
    SurveyParticipation,
    SurveyResponse,
    SurveyState,
)
from app.surveys.queries import eligible_now, participation, respondent_key

MAX_QUESTIONS = 30
MAX_OPTIONS = 20
SCALE_LOW, SCALE_HIGH = 0, 10


def _bad(field: str, message) -> DomainError:
    return DomainError("bad_request", message, field=field)


def _question(number: int, raw: Mapping) -> Question:
    """One question from its description ({"kind", "text", "options", "required", "min", "max"})."""
    field = "questions"
    try:
        kind = QuestionKind(raw.get("kind"))
    except (ValueError, AttributeError):
        raise _bad(field, _l("Question %(n)d: choose single, multiple, scale or text.", n=number)) from None
    text = validation.text(
        raw.get("text"),
        field=field,
        low=1,
        high=300,
        message=_l("Question %(n)d needs a text (at most 300 characters).", n=number),
    )
    required = raw.get("required", kind != QuestionKind.TEXT)
    question = Question(position=number, kind=kind, text=text, required=bool(required), scale_min=1, scale_max=5)
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        options = [
            validation.text(
                o,
                field=field,
                low=1,
                high=120,
                message=_l("Question %(n)d: each option has 1 to 120 characters.", n=number),
            )
            for o in raw.get("options") or []
        ]
        if not 2 <= len(options) <= MAX_OPTIONS or len(set(options)) != len(options):
            raise _bad(field, _l("Question %(n)d needs 2 to 20 different options.", n=number))
        question.options = [QuestionOption(position=i, text=o) for i, o in enumerate(options, start=1)]
    elif kind == QuestionKind.SCALE:
        low, high = raw.get("min", 1), raw.get("max", 5)
        if (
            not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high))
            or not SCALE_LOW <= low < high <= SCALE_HIGH
        ):
            raise _bad(
                field, _l("Question %(n)d: a scale runs from a lower to a higher whole number, 0 to 10.", n=number)
            )
        question.scale_min, question.scale_max = low, high
    return question


def create_survey(
    community: Community,
    *,
    title,
    questions: Sequence[Mapping],
    respondent,
    anonymous: bool,
    owner_kind: str | None,
    owner_id: int | None,
    closes_at: datetime | None,
    created_by: User | None,
    description="",
    building_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> Survey:
    """A draft survey with its questions (validated here: a DomainError on `title`, `questions` or `closes_at`).
    Owners (a satisfaction campaign, a milestone's flow) call it; stand-alone surveys come through `create`."""
    now = now or utcnow()
    title = validation.text(title, field="title", low=2, high=120, message=_l("Give a title of 2 to 120 characters."))
    description = validation.text(
        description or " ", field="description", low=0, high=2000, message=_l("At most 2000 characters.")
    )
    try:
        respondent = Respondent(respondent)
    except ValueError:
        raise _bad("respondent", _l("Choose who answers: each person or each household.")) from None
    if not questions or len(questions) > MAX_QUESTIONS:
        raise _bad("questions", _l("A survey has 1 to 30 questions."))
    if closes_at is not None and closes_at <= now:
        raise _bad("closes_at", _l("The closing time must be in the future."))
    valid_buildings = set(db.session.scalars(select(Building.id).where(Building.community_id == community.id)))
    if any(b not in valid_buildings for b in building_ids):
        raise _bad("buildings", _l("Choose buildings of this community."))
    survey = Survey(
        community_id=community.id,
        owner_kind=owner_kind,
        owner_id=owner_id,
        title=title,
        description=description,
        respondent=respondent,
        anonymous=bool(anonymous),
        state=SurveyState.DRAFT,
        closes_at=closes_at,
        created_by_id=created_by.id if created_by is not None else None,
    )
    survey.questions = [_question(n, q if isinstance(q, Mapping) else {}) for n, q in enumerate(questions, start=1)]
    survey.scope = [SurveyBuilding(building_id=b) for b in sorted(set(building_ids))]
    db.session.add(survey)
    db.session.flush()
    return survey


def open_survey(survey: Survey, *, now: datetime | None = None) -> Survey:
    """A draft opens for answers (until `closes_at`, if set)."""
    now = now or utcnow()
    if survey.state != SurveyState.DRAFT:
        raise Conflict("wrong_state", _l("Only a draft survey can be opened."))
    if survey.closes_at is not None and survey.closes_at <= now:
        raise _bad("closes_at", _l("The closing time must be in the future."))
    survey.state = SurveyState.OPEN
    survey.opens_at = now
    db.session.flush()
    signals.survey_opened.send(survey)
    return survey


def close_survey(survey: Survey, *, now: datetime | None = None) -> Survey:
    """An open survey closes: no more answers, and its results may be read."""
    if survey.state != SurveyState.OPEN:
        raise Conflict("wrong_state", _l("Only an open survey can be closed."))
    survey.eligible_at_close = eligible_now(survey)  # the rate's denominator, frozen: later joiners don't count
    survey.state = SurveyState.CLOSED
    survey.closed_at = now or utcnow()
    db.session.flush()
    signals.survey_closed.send(survey)
    return survey


def close_due(now: datetime) -> int:
    """The scheduler's step (`flask yishi tick`): open surveys past their closing time are closed."""
    due = db.session.scalars(
        select(Survey).where(Survey.state == SurveyState.OPEN, Survey.closes_at.is_not(None), Survey.closes_at <= now)
    ).all()
    for survey in due:
        close_survey(survey, now=now)
    return len(due)


# -- stand-alone surveys, by the community's staff ---------------------------------------------------------


def create(viewer: Viewer, *, title, description, questions, respondent, anonymous, closes_at) -> Survey:
    """Staff make a stand-alone questionnaire or quick poll (a draft, opened when they are ready)."""
    if not permissions.can_create(viewer):
        raise Forbidden(_l("Only the community staff make surveys."))
    survey = create_survey(
        viewer.community,
        title=title,
        description=description,
        questions=questions,
        respondent=respondent,
        anonymous=anonymous,
        owner_kind=None,
        owner_id=None,
        closes_at=closes_at,
        created_by=viewer.user,
    )
    audit.record(viewer.user, "survey.create", survey, community_id=survey.community_id)
    return survey


def manage(viewer: Viewer, survey: Survey, action: str) -> Survey:
    """Open or close a survey by hand (those `permissions.can_manage` names)."""
    if not permissions.can_manage(viewer, survey):
        raise Forbidden()
    done = open_survey(survey) if action == "open" else close_survey(survey)
    audit.record(viewer.user, f"survey.{action}", survey, community_id=survey.community_id)
    return done


# -- answering -----------------------------------------------------------------------------------------------


def check_open(survey: Survey, now: datetime) -> None:
    """Refuse an answer before the opening or after the close."""
    if survey.state == SurveyState.DRAFT or (survey.opens_at is not None and survey.opens_at > now):
        raise Conflict("not_open", _l("This survey is not open yet."))
    if survey.state == SurveyState.CLOSED or (survey.closes_at is not None and survey.closes_at <= now):
        raise Conflict("closed", _l("This survey is closed: answers are no longer taken."))


def _already(survey: Survey) -> Conflict:
    if survey.respondent == Respondent.HOUSEHOLD:
        return Conflict("already_answered", _l("Your household has already answered this survey."))
    return Conflict("already_answered", _l("You have already answered this survey."))


def _parse(question: Question, values: Sequence[str]) -> list[SurveyAnswer]:
    """One question's answer rows from the submitted values, or a DomainError beside the question."""
    field = f"q{question.id}"
    values = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    if question.kind == QuestionKind.TEXT:
        if not values:
            rows = []
        else:
            text = validation.text(values[0], field=field, low=1, high=500, message=_l("At most 500 characters."))
            rows = [SurveyAnswer(question_id=question.id, text=text)]
    elif question.kind == QuestionKind.SCALE:
        if len(values) > 1:
            raise _bad(field, _l("Choose one value."))
        value = int(values[0]) if values and values[0].isascii() and values[0].lstrip("-").isdigit() else None
        if values and (value is None or not question.scale_min <= value <= question.scale_max):
            raise _bad(
                field, _l("Choose a value from %(low)d to %(high)d.", low=question.scale_min, high=question.scale_max)
            )
        rows = [SurveyAnswer(question_id=question.id, value=value)] if values else []
    else:
        by_id = {str(o.id): o for o in question.options}
        if any(v not in by_id for v in values):
            raise _bad(field, _l("Choose among the options shown."))
        if question.kind == QuestionKind.SINGLE and len(values) > 1:
            raise _bad(field, _l("Choose one option."))
        rows = [SurveyAnswer(question_id=question.id, option_id=by_id[v].id) for v in dict.fromkeys(values)]
    if question.required and not rows:
        raise _bad(field, _l("Please answer this question."))
    return rows


def answer(
    viewer: Viewer, survey: Survey, *, client_id, answers: Mapping[str, Sequence[str]], now: datetime | None = None
) -> SurveyParticipation:
    """Answer once (per person, or per household). The same submission sent again (its client_id) returns the
    first; another answer from the same person or household is refused and nothing is stored."""
    now = now or utcnow()
    if not permissions.can_view(viewer, survey):
        raise NotFound()
    check_open(survey, now)
    if not permissions.can_answer(viewer, survey):
        if survey.respondent == Respondent.HOUSEHOLD:
            raise Forbidden(_l("Verified residents answer for their household, within the survey's buildings."))
        raise Forbidden(_l("Verified residents of the community answer, within the survey's buildings."))
    client_id = validation.client_id(client_id)
    existing = participation(viewer, survey)
    if existing is not None:
        if existing.client_id == client_id:
            return existing
        raise _already(survey)
    rows = [row for question in survey.questions for row in _parse(question, answers.get(f"q{question.id}", ()))]
    key = respondent_key(viewer, survey)
    building_id = viewer.membership.building_id
    named = not survey.anonymous
    response = SurveyResponse(
        survey_id=survey.id,
        building_id=building_id,
        user_id=viewer.user_id if named else None,
        household_id=viewer.membership.household_id if named else None,
        created_at=now if named else None,
        answers=rows,
    )
    taken = SurveyParticipation(
        survey_id=survey.id, respondent_key=key, user_id=viewer.user_id, building_id=building_id, client_id=client_id
    )
    try:
        with db.session.begin_nested():  # the same person (or household) at once: one of them is refused
            db.session.add(taken)
            db.session.flush()
            db.session.add(response)
            db.session.flush()
    except IntegrityError:
        existing = db.session.get(SurveyParticipation, {"survey_id": survey.id, "respondent_key": key})
        if existing is not None and existing.client_id == client_id:
            return existing
        raise _already(survey) from None
    return taken
