"""Display names of the assessment's statuses, kinds and rules."""

from flask_babel import lazy_gettext as _l

from app.assessment.models import CriterionKind, Rule, SchemeStatus

STATUS_LABELS = {SchemeStatus.DRAFT: _l("Draft"), SchemeStatus.PUBLISHED: _l("Scheme published")}
KIND_LABELS = {
    CriterionKind.FIGURE: _l("Computed from a dashboard figure"),
    CriterionKind.MANUAL: _l("Scored by hand, with evidence"),
}
RULE_LABELS = {
    Rule.LINEAR: _l("Linear between a floor and a target"),
    Rule.RANK: _l("By rank among the district's communities"),
}
