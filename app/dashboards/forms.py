"""The period picker: from and to months, by month or by year. A GET form: read from the query string."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField

from app.core.errors import DomainError
from app.core.forms import SiteForm, strip
from app.dashboards import period as periods


class PeriodForm(SiteForm):
    class Meta:
        csrf = False  # a read-only page by GET

    start = StringField(_l("From (month)"), filters=[strip], render_kw={"type": "month", "placeholder": "2026-01"})
    end = StringField(_l("To (month)"), filters=[strip], render_kw={"type": "month", "placeholder": "2026-12"})
    by = SelectField(
        _l("Show"),
        choices=[SelectChoice(periods.BY_MONTH, _l("By month")), SelectChoice(periods.BY_YEAR, _l("By year"))],
        validate_choice=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fallback = periods.default_period()
        self.start.data = self.start.data or fallback.start_text
        self.end.data = self.end.data or fallback.end_text
        self.by.data = self.by.data or fallback.by
        self.period: periods.Period | None = None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        try:
            self.period = periods.parse(self.start.data, self.end.data, self.by.data)
        except DomainError as refusal:
            getattr(self, refusal.field).errors.append(refusal.message)
            return False
        return True
