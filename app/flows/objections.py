"""What objections (app/objections) may be raised on, with the owner feature's own rule for who sees it: a
poll's published result (an owners' decision's or a proposal contest's) and a meeting's published minutes."""

from __future__ import annotations

from flask import url_for

from app.communities.access import Viewer
from app.contests import permissions as contest_rules
from app.contests.models import Contest
from app.decisions import permissions as decision_rules
from app.decisions.models import Decision
from app.extensions import db
from app.meetings import permissions as meeting_rules
from app.meetings.models import Meeting
from app.objections.registry import OwnerKind, register
from app.voting.models import Poll

_POLL_SUBJECTS = {  # poll type: (model, can_view, page)
    "decision": (Decision, decision_rules.can_view, lambda i: url_for("decisions.show", decision_id=i)),
    "contest": (Contest, contest_rules.can_view, lambda i: url_for("contests.results", contest_id=i)),
}


def _poll_subject(poll_id: int):
    poll = db.session.get(Poll, poll_id)
    entry = _POLL_SUBJECTS.get(poll.poll_type) if poll is not None else None
    return (poll, *entry) if entry else (None, None, None, None)


def _can_view_poll(viewer: Viewer, poll_id: int) -> bool:
    poll, model, can_view, _page = _poll_subject(poll_id)
    subject = db.session.get(model, poll.subject_id) if poll is not None else None
    return subject is not None and subject.community_id == viewer.community_id and can_view(viewer, subject)


def _poll_page(poll_id: int) -> str:
    poll, _model, _can_view, page = _poll_subject(poll_id)
    return page(poll.subject_id) if poll is not None else url_for("home.landing")


def _can_view_meeting(viewer: Viewer, meeting_id: int) -> bool:
    meeting = db.session.get(Meeting, meeting_id)
    return (
        meeting is not None and meeting.community_id == viewer.community_id and meeting_rules.can_view(viewer, meeting)
    )


register(OwnerKind(name="poll", can_view=_can_view_poll, url=_poll_page))
register(OwnerKind(name="meeting", can_view=_can_view_meeting, url=lambda i: url_for("meetings.show", meeting_id=i)))
