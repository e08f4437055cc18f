"""Display names of the golden ideas' statuses and categories."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.ideas.models import Category, IdeaStatus

STATUS_LABELS = {
    IdeaStatus.SUBMITTED: _l("Submitted"),
    IdeaStatus.UNDER_REVIEW: _l("Under review"),
    IdeaStatus.ADOPTED: _l("Adopted"),
    IdeaStatus.MERGED: _l("Merged"),
    IdeaStatus.DECLINED: _l("Declined"),
    IdeaStatus.IMPLEMENTED: _l("Implemented"),
}
CATEGORY_LABELS = {
    Category.ELDERLY: _l("Elderly care (养老)"),
    Category.YOUTH: _l("Children and youth (青少年)"),
    Category.ENVIRONMENT: _l("Cleanliness and environment (环境卫生)"),
    Category.SAFETY: _l("Safety (安全)"),
    Category.PARKING: _l("Parking (停车)"),
    Category.CULTURE: _l("Culture (文化)"),
    Category.OTHER: _l("Other (其他)"),
}
