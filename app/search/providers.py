"""The kinds search finds, each registered with its document, its access rule and its page. A new kind is one
more `register(Provider(...))` here (see registry.py)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from app.consultations import permissions as consultation_permissions
from app.consultations.labels import PHASE_LABELS
from app.consultations.models import Consultation, Phase, Speech
from app.contests import permissions as contest_permissions
from app.contests.labels import STATUS_LABELS as ENTRY_STATUS_LABELS
from app.contests.models import Entry
from app.decisions import permissions as decision_permissions
from app.decisions.labels import STATE_LABELS
from app.decisions.models import Decision, DecisionState
from app.extensions import db
from app.ideas import permissions as idea_permissions
from app.ideas.labels import STATUS_LABELS as IDEA_STATUS_LABELS
from app.ideas.models import Idea, IdeaComment
from app.microprojects import permissions as project_permissions
from app.microprojects.labels import STATUS_LABELS as PROJECT_STATUS_LABELS
from app.microprojects.models import MicroProject, ProjectStatus
from app.notices import permissions as notice_permissions
from app.notices.labels import STATE_LABELS as NOTICE_STATE_LABELS
from app.notices.models import Notice
from app.procedure.models import RuleSet
from app.rulebook import permissions as rulebook_permissions
from app.rulebook.labels import STATE_LABELS as RULE_DRAFT_STATE_LABELS
from app.rulebook.models import RuleDraft
from app.search.registry import Document, Provider, register
from app.slow import permissions as slow_permissions
from app.slow.models import Reply


def _plain(html: str, fallback: str) -> str:
    """The text of a sanitised HTML rendering (no Markdown marks in results), else the source."""
    return Markup(html).striptags() if html else (fallback or "")


def _values(labels: dict) -> dict:
    return {str(getattr(key, "value", key)): label for key, label in labels.items()}


def _idea(idea: Idea) -> Document | None:
    if idea.is_hidden:
        return None
    return Document(
        idea.community_id,
        idea.title,
        idea.description,
        idea.status.value,
        idea.created_at,
        category=idea.category.value,
        building_id=idea.building_id,
    )


def _comment(comment: IdeaComment) -> Document | None:
    idea = db.session.get(Idea, comment.idea_id)
    if comment.is_hidden or idea is None or _idea(idea) is None:
        return None
    return Document(
        idea.community_id,
        "",
        comment.body,
        idea.status.value,
        comment.created_at,
        category=idea.category.value,
        building_id=idea.building_id,
        parent_id=idea.id,
    )


def _comments_when_idea_changes(idea: Idea):
    """An idea hidden, shown again, moved on or recategorised changes what its comments say of themselves."""
    state = db.inspect(idea).attrs
    if not any(state[name].history.has_changes() for name in ("hidden_at", "status", "category", "building_id")):
        return []
    return db.session.scalars(select(IdeaComment).where(IdeaComment.idea_id == idea.id)).all()


def _consultation(c: Consultation) -> Document | None:
    if c.phase == Phase.DRAFT:
        return None
    background = _plain(c.background_html, c.background)
    return Document(c.community_id, c.title, background, c.phase.value, c.created_at, building_id=c.building_id)


def _speech(speech: Speech) -> Document | None:
    c = speech.consultation
    if speech.is_hidden or c is None or c.phase == Phase.DRAFT:
        return None
    return Document(
        c.community_id, "", speech.body, c.phase.value, speech.created_at, building_id=c.building_id, parent_id=c.id
    )


def _speeches_when_phase_changes(c: Consultation):
    """A consultation leaving draft (or its phase changing) changes what its speeches say of themselves."""
    state = db.inspect(c).attrs
    if not (state.phase.history.has_changes() or state.building_id.history.has_changes()):
        return []
    return db.session.scalars(select(Speech).where(Speech.consultation_id == c.id)).all()


def _reply(reply: Reply) -> Document | None:
    """A slow consultation's reply (异步协商), found like a speech: not while hidden or in a draft."""
    c = reply.consultation
    if reply.is_hidden or c is None or c.phase == Phase.DRAFT:
        return None
    return Document(
        c.community_id, "", reply.body, c.phase.value, reply.created_at, building_id=c.building_id, parent_id=c.id
    )


def _replies_when_phase_changes(c: Consultation):
    """As for speeches: the consultation's phase or building changes what its replies say of themselves."""
    state = db.inspect(c).attrs
    if not (state.phase.history.has_changes() or state.building_id.history.has_changes()):
        return []
    return db.session.scalars(select(Reply).where(Reply.consultation_id == c.id)).all()


def _project(p: MicroProject) -> Document | None:
    if p.status == ProjectStatus.DRAFT:
        return None
    return Document(p.community_id, p.title, p.purpose or "", p.status.value, p.created_at)


def _entry(e: Entry) -> Document | None:
    return Document(e.community_id, e.title, e.summary, e.status.value, e.created_at, building_id=e.building_id)


def _notice(n: Notice) -> Document | None:
    """A withdrawn notice is not found; an expired one drops out of the results by its own rule (can_view)."""
    if n.withdrawn_at is not None:
        return None
    return Document(n.community_id, n.title, n.body, "active", n.created_at, building_id=n.building_id)


def _decision(d: Decision) -> Document | None:
    if d.state == DecisionState.DRAFT:
        return None
    return Document(d.community_id, d.title, _plain(d.body_html, d.body), d.state.value, d.created_at)


register(
    Provider(
        "idea",
        Idea,
        _idea,
        idea_permissions.can_view,
        lambda idea: url_for("ideas.show", idea_id=idea.id),
        _l("Golden ideas"),
        statuses=_values(IDEA_STATUS_LABELS),
        fields=("title", "description", "status", "category", "building_id", "hidden_at", "created_at"),
    )
)
register(
    Provider(
        "comment",
        IdeaComment,
        _comment,
        lambda viewer, c: idea_permissions.can_view(viewer, db.session.get(Idea, c.idea_id)),
        lambda c: url_for("ideas.show", idea_id=c.idea_id),
        _l("Comments"),
        group="idea",
        statuses=_values(IDEA_STATUS_LABELS),
        context=lambda c: db.session.get(Idea, c.idea_id).title,
        watches=((Idea, _comments_when_idea_changes),),
        fields=("body", "hidden_at", "created_at"),
    )
)
register(
    Provider(
        "consultation",
        Consultation,
        _consultation,
        consultation_permissions.can_view,
        lambda c: url_for("consultations.room", consultation_id=c.id),
        _l("Consultations"),
        statuses=_values(PHASE_LABELS),
        fields=("title", "background", "background_html", "phase", "building_id", "created_at"),
    )
)
register(
    Provider(
        "speech",
        Speech,
        _speech,
        consultation_permissions.can_view_speech,
        lambda s: url_for("consultations.room", consultation_id=s.consultation_id),
        _l("Speeches"),
        group="consultation",
        statuses=_values(PHASE_LABELS),
        context=lambda s: s.consultation.title,
        watches=((Consultation, _speeches_when_phase_changes),),
        fields=("body", "hidden_at", "created_at"),
    )
)
register(
    Provider(
        "reply",
        Reply,
        _reply,
        slow_permissions.can_view_reply,
        lambda r: url_for("slow.show", consultation_id=r.consultation_id) + f"#reply-{r.id}",
        _l("Replies"),
        group="consultation",
        statuses=_values(PHASE_LABELS),
        context=lambda r: r.consultation.title,
        watches=((Consultation, _replies_when_phase_changes),),
        fields=("body", "hidden_at", "created_at"),
    )
)
register(
    Provider(
        "project",
        MicroProject,
        _project,
        project_permissions.can_view,
        lambda p: url_for("microprojects.show", project_id=p.id),
        _l("Micro-projects"),
        statuses=_values(PROJECT_STATUS_LABELS),
        fields=("title", "purpose", "status", "created_at"),
    )
)
register(
    Provider(
        "entry",
        Entry,
        _entry,
        contest_permissions.can_view,
        lambda e: url_for("contests.entry", entry_id=e.id),
        _l("Contest entries"),
        statuses=_values(ENTRY_STATUS_LABELS),
        context=lambda e: e.contest.title,
        fields=("title", "summary", "status", "building_id", "created_at"),
    )
)
register(
    Provider(
        "decision",
        Decision,
        _decision,
        decision_permissions.can_view,
        lambda d: url_for("decisions.show", decision_id=d.id),
        _l("Owners' decisions"),
        statuses=_values(STATE_LABELS),
        fields=("title", "body", "body_html", "state", "created_at"),
    )
)
register(
    Provider(
        "notice",
        Notice,
        _notice,
        notice_permissions.can_view,
        lambda n: url_for("notices.show", notice_id=n.id),
        _l("Notices"),
        statuses={"active": NOTICE_STATE_LABELS["active"]},
        fields=("title", "body", "withdrawn_at", "building_id", "created_at"),
    )
)


def _rule_draft(d: RuleDraft) -> Document | None:
    """A draft of the community's rules once put to the residents (a draft being written is the staff's)."""
    if d.comments_close_at is None:
        return None
    body = "\n".join(part for part in (d.explanation, d.rule_set.text) if part)
    return Document(d.community_id, d.rule_set.name, body, d.state.value, d.created_at)


def _drafts_of_rule_set(rules: RuleSet):
    if not rules.for_adoption:  # a consultation's copy or a library set: no draft reads it
        return []
    return db.session.scalars(select(RuleDraft).where(RuleDraft.rule_set_id == rules.id)).all()


register(
    Provider(
        "rule_draft",
        RuleDraft,
        _rule_draft,
        rulebook_permissions.can_view_draft,
        lambda d: url_for("rulebook.show", draft_id=d.id),
        _l("Our rules of procedure"),
        statuses=_values(RULE_DRAFT_STATE_LABELS),
        watches=((RuleSet, _drafts_of_rule_set),),
        fields=("state", "comments_close_at", "explanation", "rule_set_id", "created_at"),
    )
)
