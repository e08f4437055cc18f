"""Notify the applicant of a draft application made for them (from their adopted golden idea): in the
inbox and live on /notifications, as idea status changes are announced."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.microprojects import signals


@signals.project_drafted_for_applicant.connect
def _drafted(project, actor, **_):
    from app.accounts.models import User
    from app.extensions import db
    from app.notifications.services import notify

    notify(
        db.session.get(User, project.applicant_id),
        "project_drafted",
        _l(
            "Your idea became the draft micro-project “%(title)s”: add its budget and send it for review.",
            title=project.title,
        ),
        url=url_for("microprojects.edit", project_id=project.id),
        community_id=project.community_id,
    )
