"""Display names of organisations' kinds, statuses and service areas."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.orgs.models import OrgKind, OrgStatus

KIND_LABELS = {
    OrgKind.SOCIAL_SERVICE: _l("Social service agency (社会服务机构)"),
    OrgKind.ASSOCIATION: _l("Association (社会团体)"),
    OrgKind.FOUNDATION: _l("Foundation (基金会)"),
    OrgKind.COMMUNITY_GROUP: _l("Community group (社区社会组织)"),
}
STATUS_LABELS = {
    OrgStatus.PENDING: _l("Waiting for verification"),
    OrgStatus.VERIFIED: _l("Verified"),
    OrgStatus.SUSPENDED: _l("Suspended"),
}
# the service areas: the golden ideas' categories' values, and two groups of people needs name
AREA_LABELS = {
    "elderly": _l("Elderly care (养老)"),
    "youth": _l("Children and youth (青少年)"),
    "disabled": _l("People with disabilities (助残)"),
    "low_income": _l("Low-income families (帮困)"),
    "environment": _l("Environment and hygiene (环境卫生)"),
    "safety": _l("Safety (安全)"),
    "culture": _l("Culture (文化)"),
    "other": _l("Other (其他)"),
}
