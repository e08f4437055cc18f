""" "社区动态": what is happening in the community, newest first, from every feature's `queries.recent`
(each shows only what the viewer may read), worded here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _

from app.communities.access import Viewer
from app.consultations import queries as consultation_queries
from app.contests import queries as contest_queries
from app.contests.labels import PHASE_LABELS as CONTEST_PHASES
from app.decisions import queries as decision_queries
from app.ideas import queries as idea_queries
from app.ideas.models import IdeaStatus
from app.meetings import queries as meeting_queries
from app.microprojects import queries as project_queries
from app.microprojects.models import ProjectStatus
from app.needs import queries as need_queries
from app.needs.models import NeedStatus

PER_PAGE = 10
MAX_PAGES = 20  # the feed goes back 200 items; older things are in each section's own list


@dataclass(frozen=True)
class Activity:
    when: datetime
    section: str  # which feature: shown as a small label
    text: str
    url: str


def _ideas(viewer: Viewer, limit: int) -> list[Activity]:
    words = {
        IdeaStatus.SUBMITTED: _("New golden idea: “%(title)s”"),
        IdeaStatus.ADOPTED: _("Golden idea adopted: “%(title)s”"),
        IdeaStatus.IMPLEMENTED: _("Golden idea carried out: “%(title)s”"),
    }
    return [
        Activity(when, _("Golden ideas"), words[status] % {"title": idea.title}, url_for("ideas.show", idea_id=idea.id))
        for when, status, idea in idea_queries.recent(viewer, limit)
    ]


def _consultations(viewer: Viewer, limit: int) -> list[Activity]:
    words = {"opened": _("Consultation opened: “%(title)s”"), "concluded": _("Consultation concluded: “%(title)s”")}
    return [
        Activity(
            when,
            _("Consultations"),
            words[what] % {"title": c.title},
            url_for("consultations.room", consultation_id=c.id),
        )
        for when, what, c in consultation_queries.recent(viewer, limit)
    ]


def _decisions(viewer: Viewer, limit: int) -> list[Activity]:
    words = {
        "opened": _("Owners' vote opened: “%(title)s”"),
        "published": _("Owners' decision result published: “%(title)s”"),
    }
    return [
        Activity(
            when, _("Owners' decisions"), words[what] % {"title": d.title}, url_for("decisions.show", decision_id=d.id)
        )
        for when, what, d in decision_queries.recent(viewer, limit)
    ]


def _projects(viewer: Viewer, limit: int) -> list[Activity]:
    words = {
        ProjectStatus.APPROVED: _("Micro-project approved: “%(title)s”"),
        ProjectStatus.IN_PROGRESS: _("Micro-project started: “%(title)s”"),
        ProjectStatus.COMPLETED: _("Micro-project finished: “%(title)s”"),
    }
    return [
        Activity(
            when,
            _("Micro-projects"),
            words[status] % {"title": p.title},
            url_for("microprojects.show", project_id=p.id),
        )
        for when, status, p in project_queries.recent(viewer, limit)
    ]


def _contests(viewer: Viewer, limit: int) -> list[Activity]:
    return [
        Activity(
            when,
            _("Proposal contests"),
            _("Proposal contest “%(title)s”: %(phase)s", title=c.title, phase=CONTEST_PHASES[c.phase]),
            url_for("contests.show", contest_id=c.id),
        )
        for when, c in contest_queries.recent(viewer, limit)
    ]


def _meetings(viewer: Viewer, limit: int) -> list[Activity]:
    words = {
        "scheduled": _("Meeting announced: “%(title)s”"),
        "cancelled": _("Meeting cancelled: “%(title)s”"),
        "published": _("Meeting minutes published: “%(title)s”"),
    }
    return [
        Activity(when, _("Meetings"), words[what] % {"title": m.title}, url_for("meetings.show", meeting_id=m.id))
        for when, what, m in meeting_queries.recent(viewer, limit)
    ]


def _needs(viewer: Viewer, limit: int) -> list[Activity]:
    words = {
        NeedStatus.SUBMITTED: _("New need: “%(title)s”"),
        NeedStatus.LISTED: _("Need on the guidance list: “%(title)s”"),
    }
    return [
        Activity(when, _("Needs list"), words[status] % {"title": n.title}, url_for("needs.show", need_id=n.id))
        for when, status, n in need_queries.recent(viewer, limit)
    ]


SOURCES = (_ideas, _consultations, _decisions, _projects, _contests, _meetings, _needs)


def page_of(viewer: Viewer, page: int = 1) -> tuple[list[Activity], bool]:
    """One page of the feed, newest first, and whether there is more. Each source gives at most as many as
    the pages so far hold, so the number of queries does not grow with the community."""
    page = max(1, min(page, MAX_PAGES))
    wanted = page * PER_PAGE + 1
    found = [item for source in SOURCES for item in source(viewer, wanted)]
    found.sort(key=lambda item: item.when, reverse=True)
    start = (page - 1) * PER_PAGE
    return found[start : start + PER_PAGE], len(found) > start + PER_PAGE and page < MAX_PAGES
