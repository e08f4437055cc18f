"""Read-only questions asked of the survey engine: who may answer (eligible), how many did, and the results,
counted exactly (integers and Fractions) from the stored answers with a few grouped queries.

Results per building: for a named survey every building; for an anonymous one only buildings with
`MIN_GROUP` responses or more, the others merged into one row, and no building rows at all when that merged
row would itself hold fewer than `MIN_GROUP` (it could be told from the totals).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from flask_babel import gettext as _
from sqlalchemy import distinct, func, select

from app.communities.access import Viewer
from app.communities.models import Building, Household, MemberRole, Membership, MembershipStatus, Role
from app.extensions import db
from app.surveys import permissions
from app.surveys.models import (
    Question,
    QuestionKind,
    QuestionOption,
    Respondent,
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyResponse,
    SurveyState,
)

MIN_GROUP = 5  # an anonymous survey's building is shown alone from this many responses
TEXTS_SHOWN = 200


@dataclass(frozen=True)
class Summary:
    """What an owner needs of a closed survey: `score` is the mean of its scale questions, each normalised to
    0..1 ((mean - min) / (max - min)), an exact Fraction; None before the close or with no responses."""

    closed: bool
    responses: int
    eligible: int
    score: Fraction | None


def eligible(survey: Survey) -> int:
    """Who may answer: verified residents (person), or households with one (household), in the scope; for a
    closed survey, that count as it stood at the close (the published rate does not move afterwards)."""
    if survey.state == SurveyState.CLOSED and survey.eligible_at_close is not None:
        return survey.eligible_at_close
    return eligible_now(survey)


def eligible_now(survey: Survey) -> int:
    """Who may answer today, counted from the memberships."""
    query = (
        select(Membership.household_id if survey.respondent == Respondent.HOUSEHOLD else Membership.id)
        .join(MemberRole, MemberRole.membership_id == Membership.id)
        .where(
            Membership.community_id == survey.community_id,
            Membership.status == MembershipStatus.VERIFIED,
            MemberRole.role == Role.RESIDENT,
        )
    )
    if survey.respondent == Respondent.HOUSEHOLD or survey.building_ids:
        query = query.join(Household, Household.id == Membership.household_id)
    if survey.building_ids:
        query = query.where(Household.building_id.in_(survey.building_ids))
    return db.session.scalar(select(func.count(distinct(query.subquery().c[0])))) or 0


def response_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count()).where(SurveyParticipation.survey_id == survey.id)) or 0


def rate(responses: int, eligible_: int) -> Fraction | None:
    return Fraction(responses, eligible_) if eligible_ else None


@dataclass
class Tally:
    """The counts of one group of responses (the community, a building, the merged small buildings)."""

    name: str
    responses: int = 0
    answered: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # question -> responses answering
    options: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # option -> times chosen
    values: dict[int, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

    def add(self, other: Tally) -> None:
        self.responses += other.responses
        for key, n in other.answered.items():
            self.answered[key] += n
        for key, n in other.options.items():
            self.options[key] += n
        for question_id, counts in other.values.items():
            for value, n in counts.items():
                self.values[question_id][value] += n

    def share(self, question: Question, option: QuestionOption) -> Fraction | None:
        """The share of those answering the question who chose the option."""
        answered = self.answered.get(question.id, 0)
        return Fraction(self.options.get(option.id, 0), answered) if answered else None

    def mean(self, question: Question) -> Fraction | None:
        counts = self.values.get(question.id, {})
        n = sum(counts.values())
        return Fraction(sum(v * c for v, c in counts.items()), n) if n else None

    def score(self, questions) -> Fraction | None:
        """The mean of the scale questions' means, each normalised to 0..1."""
        normalised = [
            (mean - q.scale_min) / (q.scale_max - q.scale_min)
            for q in questions
            if q.kind == QuestionKind.SCALE and (mean := self.mean(q)) is not None
        ]
        return sum(normalised, Fraction(0)) / len(normalised) if normalised else None


@dataclass
class Results:
    survey: Survey
    eligible: int
    total: Tally
    buildings: list[Tally]  # one per building shown (and the merged row last, if any)
    merged: bool  # small buildings were merged (anonymous)
    withheld: bool  # building rows withheld: the merged row would be too small
    texts: dict[int, list[str]]

    @property
    def responses(self) -> int:
        return self.total.responses

    @property
    def rate(self) -> Fraction | None:
        return rate(self.total.responses, self.eligible)

    @property
    def score(self) -> Fraction | None:
        return self.total.score(self.survey.questions)


def _tallies(survey: Survey) -> dict[int | None, Tally]:
    """Counts per building (None: a respondent without one), from four grouped queries."""
    names = dict(
        db.session.execute(select(Building.id, Building.name).where(Building.community_id == survey.community_id)).all()
    )
    tallies: dict[int | None, Tally] = {}

    def tally(building_id) -> Tally:
        if building_id not in tallies:
            tallies[building_id] = Tally(names.get(building_id, ""))
        return tallies[building_id]

    of_survey = SurveyResponse.survey_id == survey.id
    for building_id, n in db.session.execute(
        select(SurveyResponse.building_id, func.count()).where(of_survey).group_by(SurveyResponse.building_id)
    ):
        tally(building_id).responses = n
    joined = (
        select(SurveyResponse.building_id)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(of_survey)
    )
    for building_id, question_id, n in db.session.execute(
        joined.add_columns(SurveyAnswer.question_id, func.count(distinct(SurveyAnswer.response_id))).group_by(
            SurveyResponse.building_id, SurveyAnswer.question_id
        )
    ):
        tally(building_id).answered[question_id] = n
    for building_id, option_id, n in db.session.execute(
        joined.add_columns(SurveyAnswer.option_id, func.count())
        .where(SurveyAnswer.option_id.is_not(None))
        .group_by(SurveyResponse.building_id, SurveyAnswer.option_id)
    ):
        tally(building_id).options[option_id] = n
    for building_id, question_id, value, n in db.session.execute(
        joined.add_columns(SurveyAnswer.question_id, SurveyAnswer.value, func.count())
        .where(SurveyAnswer.value.is_not(None))
        .group_by(SurveyResponse.building_id, SurveyAnswer.question_id, SurveyAnswer.value)
    ):
        tally(building_id).values[question_id][value] = n
    return tallies


def results(survey: Survey) -> Results:
    """The exact results (call only once the survey is closed: the pages check `can_see_results`)."""
    tallies = _tallies(survey)
    total = Tally("")
    for one in tallies.values():
        total.add(one)
    order = {
        b: i
        for i, b in enumerate(
            db.session.scalars(
                select(Building.id)
                .where(Building.community_id == survey.community_id)
                .order_by(Building.sort_order, Building.id)
            )
        )
    }
    ordered = sorted(tallies.items(), key=lambda item: order.get(item[0], len(order)))
    shown, merged, withheld = [], Tally(_("Other buildings (merged)")), False
    for building_id, one in ordered:
        if building_id is None:
            one.name = _("No building")
        if survey.anonymous and one.responses < MIN_GROUP:
            merged.add(one)
        else:
            shown.append(one)
    if merged.responses:
        if merged.responses < MIN_GROUP:
            shown, withheld = [], True
        else:
            shown.append(merged)
    text_questions = [q.id for q in survey.questions if q.kind == QuestionKind.TEXT]
    texts: dict[int, list[str]] = {q: [] for q in text_questions}
    if text_questions:
        rows = db.session.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.text)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyResponse.survey_id == survey.id, SurveyAnswer.question_id.in_(text_questions))
            .order_by(SurveyAnswer.question_id, SurveyAnswer.text)  # by text, never by time or respondent
        )
        for question_id, text in rows:
            if len(texts[question_id]) < TEXTS_SHOWN:
                texts[question_id].append(text)
    return Results(survey, eligible(survey), total, shown, bool(merged.responses) and not withheld, withheld, texts)


def summary(survey: Survey) -> Summary:
    """What an owner records of its survey (a milestone's satisfaction): the score only once closed."""
    closed = survey.state == SurveyState.CLOSED
    responses = response_count(survey)
    score = None
    if closed and responses:
        total = Tally("")
        for one in _tallies(survey).values():
            total.add(one)
        score = total.score(survey.questions)
    return Summary(closed=closed, responses=responses, eligible=eligible(survey), score=score)


def standalone(viewer: Viewer) -> list[Survey]:
    """The community's stand-alone surveys the viewer may see, newest first."""
    surveys = db.session.scalars(
        select(Survey)
        .where(Survey.community_id == viewer.community_id, Survey.owner_kind.is_(None))
        .order_by(Survey.id.desc())
    )
    return [s for s in surveys if permissions.can_view(viewer, s)]


def respondent_key(viewer: Viewer, survey: Survey) -> str:
    if survey.respondent == Respondent.HOUSEHOLD:
        return f"h:{viewer.membership.household_id}"
    return f"u:{viewer.user_id}"


def participation(viewer: Viewer, survey: Survey) -> SurveyParticipation | None:
    """The viewer's (or their household's) participation, if they answered."""
    if viewer.membership is None or (survey.respondent == Respondent.HOUSEHOLD and not viewer.membership.household_id):
        return None
    key = {"survey_id": survey.id, "respondent_key": respondent_key(viewer, survey)}
    return db.session.get(SurveyParticipation, key)


def answered(viewer: Viewer, survey: Survey) -> bool:
    return participation(viewer, survey) is not None
