"""Survey forms: the staff's stand-alone survey (questions typed one per line, no JavaScript needed) and the
answering form's client_id. The answers themselves are read from the request by question (q<id>) and checked
by the service, beside the question they concern."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.core.clock import local_zone
from app.core.forms import SiteForm, strip
from app.surveys.labels import RESPONDENT_LABELS
from app.surveys.models import Respondent

# The first word of a question's line: its kind (Chinese or English), and for a scale its range.
KIND_WORDS = {
    "单选": "single",
    "single": "single",
    "多选": "multiple",
    "multiple": "multiple",
    "评分": "scale",
    "scale": "scale",
    "文字": "text",
    "填空": "text",
    "text": "text",
}


def end_of_day(day: date) -> datetime:
    """The survey closes when `day` ends where the community is."""
    return datetime.combine(day + timedelta(days=1), time(0), local_zone()).astimezone(UTC)


def parse_questions(text: str) -> list[dict]:
    """Lines like "单选：电梯干净吗？｜干净｜一般｜不干净", "多选：…｜…", "评分 1-5：总体满意度", "文字：其他建议"
    (English words single, multiple, scale, text work too; a line ending with "（选填）" or "(optional)" may be
    left unanswered). Raises ValueError with the line's number."""
    questions = []
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        head, sep, rest = line.replace("：", ":").partition(":")
        if not sep:
            raise ValueError(number)
        words = head.replace("–", "-").split()
        kind = KIND_WORDS.get(words[0].lower()) if words else None
        if kind is None:
            raise ValueError(number)
        parts = [p.strip() for p in rest.replace("｜", "|").split("|")]
        question = {"kind": kind, "text": parts[0], "options": [p for p in parts[1:] if p]}
        for marker in ("（选填）", "(选填)", "(optional)"):
            if question["text"].endswith(marker):
                question["text"], question["required"] = question["text"][: -len(marker)].strip(), False
        if kind == "scale":
            low, _sep, high = (words[1] if len(words) > 1 else "1-5").partition("-")
            if not (low.isdigit() and high.isdigit()):
                raise ValueError(number)
            question["min"], question["max"] = int(low), int(high)
        questions.append(question)
    return questions


class SurveyForm(SiteForm):
    title = StringField(
        _l("Title"), filters=[strip], validators=[InputRequired(_l("Give the survey a title.")), Length(min=2, max=120)]
    )
    description = TextAreaField(_l("What it is about (optional)"), validators=[Length(max=2000)], render_kw={"rows": 3})
    questions = TextAreaField(
        _l("Questions, one per line"),
        validators=[InputRequired(_l("Write at least one question.")), Length(max=10000)],
        render_kw={"rows": 8},
    )
    respondent = SelectField(
        _l("Who answers"),
        choices=[SelectChoice(r.value, RESPONDENT_LABELS[r]) for r in Respondent],
        default=Respondent.HOUSEHOLD.value,
    )
    anonymous = BooleanField(_l("Anonymous: answers are kept apart from who gave them"), default=True)
    closes_on = DateField(_l("Closes at the end of (optional)"), validators=[Optional()])

    def validate_questions(self, field):
        try:
            self.parsed = parse_questions(field.data)
        except ValueError as err:
            raise ValidationError(
                _l("Line %(n)d: start with 单选, 多选, 评分 or 文字 and a colon.", n=err.args[0])
            ) from None

    @property
    def closes_at(self) -> datetime | None:
        return end_of_day(self.closes_on.data) if self.closes_on.data else None


class AnswerForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)


class ManageForm(SiteForm):
    """The open and close buttons (CSRF only)."""
