"""Golden-idea forms: parsing and validation only."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.core.forms import SiteForm, strip
from app.ideas.labels import CATEGORY_LABELS, STATUS_LABELS
from app.ideas.models import Category, IdeaStatus


class IdeaForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    title = StringField(
        _l("Your idea in a few words"),
        filters=[strip],
        validators=[InputRequired(_l("Give your idea a title.")), Length(min=2, max=100)],
    )
    category = SelectField(_l("Category"), choices=[SelectChoice(c.value, CATEGORY_LABELS[c]) for c in Category])
    description = TextAreaField(
        _l("What is the problem, and what do you suggest?"),
        validators=[InputRequired(_l("Describe your idea.")), Length(min=5, max=2000)],
        render_kw={"rows": 5},
    )
    photos = MultipleFileField(
        _l("Photos (up to 6)"), render_kw={"accept": "image/jpeg,image/png,image/webp", "multiple": True}
    )


class CommentForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    body = TextAreaField(
        _l("Your comment"), validators=[InputRequired(_l("Write a comment.")), Length(max=1000)], render_kw={"rows": 3}
    )


class StatusForm(SiteForm):
    status = SelectField(_l("New status"), choices=[SelectChoice(s.value, STATUS_LABELS[s]) for s in IdeaStatus])
    reason = StringField(
        _l("Reason (the submitter will read it)"),
        filters=[strip],
        validators=[InputRequired(_l("Give a reason: the submitter will read it.")), Length(max=500)],
    )
    merged_into_id = IntegerField(_l("Duplicate of idea no."), validators=[Optional()])


class AdoptForm(SiteForm):
    chair_id = SelectField(_l("Chair (主持人)"), coerce=int, validate_choice=False)
    rule_set_id = SelectField(_l("Rules of procedure"), coerce=int, validate_choice=False)
    reason = StringField(
        _l("Reason (the submitter will read it)"),
        filters=[strip],
        validators=[InputRequired(_l("Give a reason: the submitter will read it.")), Length(max=500)],
    )


class AdoptProjectForm(SiteForm):
    """Adopt as a micro-project: the draft's title and purpose come from the idea."""

    reason = StringField(
        _l("Reason (the submitter will read it)"),
        filters=[strip],
        validators=[InputRequired(_l("Give a reason: the submitter will read it.")), Length(max=500)],
    )
