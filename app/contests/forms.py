"""Contest forms: parsing and validation only. Money is typed as yuan (core.forms.MoneyField keeps fen);
dates are local (Asia/Shanghai) dates, each the last day of its phase."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange

from app.contests.labels import ROLE_LABELS, UNIT_LABELS
from app.contests.models import BallotUnit
from app.contests.services.common import MAX_CHOICES, MAX_WINNERS
from app.core.errors import DomainError
from app.core.forms import MoneyField, SiteForm, int_or_none, strip
from app.voting.models import CertifierRole


class ContestForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[InputRequired(_l("Give the contest a title.")), Length(min=2, max=100)],
        description=_l("For example: 2027年幸福提案大赛"),
    )
    description = TextAreaField(_l("What kind of proposals, and the rules"), validators=[Length(max=5000)])
    max_choices = IntegerField(
        _l("Entries a ballot may choose (k)"),
        default=3,
        validators=[
            InputRequired(_l("Enter a whole number.")),
            NumberRange(1, MAX_CHOICES, _l("A ballot may choose 1 to %(max)s entries.")),
        ],
    )
    winner_count = IntegerField(
        _l("Number of winners"),
        default=3,
        description=_l("The entries with the most votes win; a tie is broken by the smaller budget."),
        validators=[InputRequired(_l("Enter a whole number.")), NumberRange(1, MAX_WINNERS)],
    )
    ballot_unit = SelectField(
        _l("Who gets a ballot"), choices=[SelectChoice(u.value, UNIT_LABELS[u]) for u in BallotUnit]
    )
    secret = BooleanField(_l("Secret ballot (nobody can see who voted for what)"), default=True)
    fund_year = IntegerField(
        _l("Winners are funded from the micro-fund of year"),
        validators=[InputRequired(_l("Choose a year.")), NumberRange(2000, 2100)],
    )
    submission_ends = DateField(_l("Submission (征集) ends on"), validators=[InputRequired(_l("Choose a date."))])
    screening_ends = DateField(_l("Screening (初筛) ends on"), validators=[InputRequired(_l("Choose a date."))])
    voting_ends = DateField(_l("Voting (投票) ends on"), validators=[InputRequired(_l("Choose a date."))])
    announced_ends = DateField(
        _l("Announcement (公示) ends on"),
        description=_l("Objections are heard until then; 公示 lasts at least seven days from publication."),
        validators=[InputRequired(_l("Choose a date."))],
    )

    admits_organisations = BooleanField(
        _l("Social organisations may enter too (项目推介会 / 创意赛)"),
        description=_l(
            "Agents of verified organisations enter in their organisation's name; entries show who entered them."
        ),
    )
    requires_guidance = BooleanField(
        _l("Every entry answers an item of the published guidance list (项目指引清单)"),
        description=_l("The entry form offers the published items of this community and of its street."),
    )

    def contest_fields(self, end_of_day) -> dict:
        """The use case's keyword arguments; each phase ends at the end (`end_of_day`) of its last day."""
        fields = (
            "client_id",
            "title",
            "description",
            "max_choices",
            "winner_count",
            "ballot_unit",
            "secret",
            "admits_organisations",
            "requires_guidance",
        )
        dates = ("submission_ends", "screening_ends", "voting_ends", "announced_ends")
        return {
            **{name: getattr(self, name).data for name in (*fields, "fund_year")},
            **{name: end_of_day(getattr(self, name).data) for name in dates},
        }


class EntryForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    idea_id = SelectField(_l("Start from one of your golden ideas (optional)"), coerce=str, validate_choice=False)
    title = StringField(
        _l("Your proposal in a few words"),
        filters=[strip],
        validators=[InputRequired(_l("Give your proposal a title.")), Length(min=2, max=100)],
    )
    summary = TextAreaField(
        _l("What will be done, for whom, and how"),
        validators=[InputRequired(_l("Describe your proposal.")), Length(min=10, max=5000)],
        render_kw={"rows": 6},
    )
    budget = MoneyField(_l("Budget (yuan)"), validators=[InputRequired(_l("Enter an amount in yuan, e.g. 1234.50."))])
    # offered only where they apply (the view fills their choices): who enters, and the guidance item answered
    organisation_id = SelectField(_l("Entered by"), coerce=int_or_none, validate_choice=False)
    guidance_item_id = SelectField(
        _l("The guidance list's item it answers (项目指引)"), coerce=int_or_none, validate_choice=False
    )

    def entry_fields(self) -> dict:
        """The use case's keyword arguments, besides the idea."""
        return {
            "client_id": self.client_id.data,
            "title": self.title.data,
            "summary": self.summary.data,
            "budget_fen": self.budget.data,
            "organisation_id": self.organisation_id.data,
            "guidance_item_id": self.guidance_item_id.data,
        }

    def idea(self) -> int | None:
        value = self.idea_id.data
        if not value:
            return None
        if not str(value).isdigit():
            raise DomainError("bad_request", _l("Choose one of your own golden ideas."), field="idea_id")
        return int(value)


class ScreenForm(SiteForm):
    decision = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice("eligible", _l("Passed screening: it goes to the vote")),
            SelectChoice("ineligible", _l("Did not pass screening")),
        ],
    )
    reason = StringField(
        _l("Reason (the author will read it)"),
        filters=[strip],
        validators=[InputRequired(_l("Give a reason: the author will read it.")), Length(max=500)],
    )


class AdvanceForm(SiteForm):
    to = HiddenField(validators=[InputRequired()])


class VoteForm(SiteForm):
    """The ballot: checkboxes named `entry`. Parsed by `entry_ids`, checked by the service. `confirmed` is "1"
    from the review step: the ballot is cast only once the voter saw what they chose."""

    confirmed = HiddenField()

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "1"

    def entry_ids(self, values) -> list[int]:
        ids = []
        for value in values:
            if not str(value).isdigit() or len(str(value)) > 10:
                raise DomainError("bad_request", _l("The request could not be understood."), field="entry_ids")
            ids.append(int(value))
        return ids


class CertifyForm(SiteForm):
    role = SelectField(_l("Sign as"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in CertifierRole])


class ObjectionForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    body = TextAreaField(
        _l("Your objection"),
        validators=[InputRequired(_l("Write your objection.")), Length(max=2000)],
        render_kw={"rows": 4},
    )


class AnswerForm(SiteForm):
    answer = TextAreaField(
        _l("Answer"), validators=[InputRequired(_l("Write an answer.")), Length(max=2000)], render_kw={"rows": 3}
    )


class GrantForm(SiteForm):
    confirm = HiddenField(default="1")
