"""Display names of needs' statuses, affected groups, the screening criteria and the guidance list's states."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.needs.models import Affected, GuidanceStatus, NeedStatus

STATUS_LABELS = {
    NeedStatus.SUBMITTED: _l("Submitted"),
    NeedStatus.SCREENING: _l("Before the experts"),
    NeedStatus.LISTED: _l("On the guidance list"),
    NeedStatus.DECLINED: _l("Screened out"),
    NeedStatus.WITHDRAWN: _l("Withdrawn"),
}
AFFECTED_LABELS = {
    Affected.ELDERLY: _l("Elderly people (老年人)"),
    Affected.YOUTH: _l("Children and youth (青少年)"),
    Affected.DISABLED: _l("People with disabilities (残障人士)"),
    Affected.LOW_INCOME: _l("Low-income households (困难家庭)"),
    Affected.ALL: _l("All residents (全体居民)"),
}
GUIDANCE_LABELS = {
    GuidanceStatus.DRAFT: _l("Draft"),
    GuidanceStatus.PUBLISHED: _l("Published"),
    GuidanceStatus.WITHDRAWN: _l("Withdrawn"),
}
# The published screening criteria, in the order they are scored: (column, name, what a 5 means)
CRITERIA = (
    ("urgency", _l("Urgency"), _l("5: people are at risk or suffer every day; 1: it can wait.")),
    ("households", _l("Households affected"), _l("5: most households of the community; 1: a few.")),
    ("feasibility", _l("Feasibility"), _l("5: it can be done this year with what is at hand; 1: hardly.")),
    ("cost", _l("Cost band"), _l("5: cheap for what it brings (under ¥10,000); 1: very costly.")),
)
