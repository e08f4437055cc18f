"""Community forms: parsing and validation only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.communities.labels import ROLE_LABELS
from app.communities.models import Relation, Role
from app.core.forms import SiteForm


class CodeForm(SiteForm):
    code = StringField(
        _l("Invite code"),
        filters=[lambda s: "".join(s.split()).upper() if s else s],
        validators=[InputRequired(_l("Enter the invite code from the poster.")), Length(max=16)],
    )


RELATION_CHOICES = [
    SelectChoice(Relation.OWNER.value, _l("I own it (业主)")),
    SelectChoice(Relation.FAMILY.value, _l("I live with the owner (家庭成员)")),
    SelectChoice(Relation.TENANT.value, _l("I rent it (租户)")),
]


class JoinForm(SiteForm):
    """Step two: which household; the building list is set by the view."""

    code = HiddenField()
    no_household = BooleanField(_l("I do not live here: I work here (property manager, organisation, staff)"))
    building_id = SelectField(_l("Building"), coerce=int, validate_choice=False, validators=[Optional()])
    unit = StringField(_l("Unit (单元)"), filters=[lambda s: s.strip() if s else s], validators=[Length(max=10)])
    room = StringField(_l("Room (室号)"), filters=[lambda s: s.strip() if s else s], validators=[Length(max=10)])
    relation = RadioField(_l("You are"), choices=RELATION_CHOICES, validate_choice=False)

    def validate_room(self, field):
        if self.no_household.data:
            return
        if not self.unit.data:
            self.unit.errors.append(_l("Enter your unit number."))
        if not field.data:
            raise ValidationError(_l("Enter your room number."))

    def validate_relation(self, field):
        if self.no_household.data:
            return
        if field.data not in {r.value for r in Relation}:
            raise ValidationError(_l("Say how you live in this household."))


class RejectForm(SiteForm):
    reason = StringField(
        _l("Reason (the applicant will read it)"),
        filters=[lambda s: s.strip() if s else s],
        validators=[InputRequired(_l("Give a reason: the applicant will read it.")), Length(max=200)],
    )


class RoleForm(SiteForm):
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role if r != Role.RESIDENT],
        validators=[InputRequired()],
    )
    building_id = SelectField(
        _l("Building (for a building leader)"), coerce=int, validate_choice=False, validators=[Optional()]
    )


class RevokeRoleForm(SiteForm):
    role = HiddenField(validators=[InputRequired()])


class InviteForm(SiteForm):
    building_id = SelectField(_l("Valid for"), coerce=int, validate_choice=False, validators=[Optional()])


class RosterUploadForm(SiteForm):
    file = FileField(
        _l("Roster file (CSV or XLSX)"),
        validators=[FileRequired(_l("Choose a CSV or XLSX file."))],
        render_kw={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )


class RosterConfirmForm(SiteForm):
    token = HiddenField(validators=[InputRequired()])
