"""Replies under the background (one level of replies under a reply), their edits, reactions and moderation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.consultations import permissions as consultation_permissions
from app.consultations import services as consultations
from app.consultations.models import Consultation
from app.core import validation
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.markup import render_plain
from app.core.models import insert_or_ignore, utcnow
from app.core.ratelimit import hit as rate_limit
from app.core.realtime import emit_after_commit
from app.extensions import db
from app.moderation import services as moderation
from app.procedure import engine
from app.procedure.engine import Refusal, ReplierState
from app.slow import permissions
from app.slow.models import Reaction, Reply, ReplyReaction, ReplyStance
from app.slow.services.shared import NAMESPACE, aware, check_view, is_chair, muted, room_of, room_state

THREADS_PER_PAGE = 10  # top-level replies a page shows, with their answers; earlier ones a link away
ANSWERS_SHOWN = 3  # the latest answers shown under each; the whole thread is a link away
DAY = timedelta(hours=24)


def reply_dict(reply: Reply) -> dict:
    """A reply as the page's script receives it (the text already escaped; hidden replies carry no words)."""
    return {
        "id": reply.id,
        "parent_id": reply.parent_id,
        "author": reply.author.name,
        "stance": reply.stance.value if reply.stance else None,
        "html": None if reply.is_hidden else render_plain(reply.body),
        "edited": reply.edited_at is not None,
        "hidden": reply.is_hidden,
        "agree": reply.agree_count,
        "useful": reply.useful_count,
    }


def _replier(viewer: Viewer, consultation: Consultation, now: datetime) -> ReplierState:
    refusal = consultation_permissions.refusal_to_speak(viewer, consultation)
    count, last = db.session.execute(
        select(func.count().filter(Reply.created_at > now - DAY), func.max(Reply.created_at)).where(
            Reply.consultation_id == consultation.id, Reply.author_id == viewer.user_id
        )
    ).one()
    return ReplierState(
        member_id=viewer.user_id,
        is_chair=is_chair(viewer, consultation),
        can_speak=refusal is None,
        barred=refusal or "not_verified",
        muted=muted(viewer, consultation),
        replies_last_day=count,
        seconds_since_last=(now - aware(last, now)).total_seconds() if last is not None else None,
    )


def _stance(value) -> ReplyStance | None:
    if value in (None, ""):
        return None
    try:
        return ReplyStance(value)
    except ValueError:
        raise DomainError(
            "bad_request", _l("A stance is for, against, neutral or a question."), field="stance"
        ) from None


def _body(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DomainError("bad_request", _l("Write something to reply."), field="body")
    return validation.storable(value.strip(), field="body")


def _before(viewer: Viewer, consultation: Consultation, client_id: str) -> Reply | None:
    return db.session.scalar(
        select(Reply).where(
            Reply.consultation_id == consultation.id, Reply.author_id == viewer.user_id, Reply.client_id == client_id
        )
    )


def post(
    viewer: Viewer, consultation: Consultation, *, client_id, body, stance=None, parent_id=None, now=None
) -> Reply:
    """Reply under the background (or under a reply: one level), within the slow mode's limits. A retry with
    the same client_id returns the first reply."""
    check_view(viewer, consultation)
    client_id = validation.client_id(client_id)
    existing = _before(viewer, consultation, client_id)
    if existing is not None:
        return existing
    body = _body(body)
    stance = _stance(stance)
    parent = None
    if parent_id not in (None, "", 0):
        parent = db.session.get(Reply, parent_id) if isinstance(parent_id, int) else None
        if parent is None or parent.consultation_id != consultation.id or parent.is_hidden:
            raise DomainError("bad_request", _l("That reply cannot be answered."), field="parent_id")
        if parent.parent_id is not None:
            parent = db.session.get(Reply, parent.parent_id)  # one level: an answer to an answer joins its thread
    now = now or utcnow()
    refusal = engine.check_reply(
        consultation.rule_set.to_rules(),
        room_state(consultation),
        _replier(viewer, consultation, now),
        length=len(body),
    )
    if refusal is not None:
        raise consultations.refuse(refusal, consultation)
    rate_limit("reply", str(viewer.user_id), "RATELIMIT_SPEAK")
    reply = Reply(
        consultation_id=consultation.id,
        parent_id=parent.id if parent else None,
        author_id=viewer.user_id,
        client_id=client_id,
        body=body,
        stance=stance,
        created_at=now,
    )
    try:
        with db.session.begin_nested():  # added through the session: the search index sees it (app/search)
            db.session.add(reply)
    except IntegrityError:  # the same retry raced itself: the first one stored it
        return _before(viewer, consultation, client_id)
    consultation.last_activity_at = now
    consultations.record_attendance(viewer, consultation)
    db.session.flush()
    emit_after_commit("reply", reply_dict(reply), namespace=NAMESPACE, to=room_of(consultation))
    return reply


def edit(viewer: Viewer, reply: Reply, body, *, now=None) -> Reply:
    """The author changes a reply's words; it is shown as edited. The length limit holds, the counts do not."""
    consultation = reply.consultation
    check_view(viewer, consultation)
    body = _body(body)
    if reply.is_hidden:
        raise DomainError("hidden", _l("A hidden reply cannot be edited."), status=409)
    now = now or utcnow()
    refusal = engine.check_edit(
        consultation.rule_set.to_rules(),
        room_state(consultation),
        _replier(viewer, consultation, now),
        is_author=viewer.is_user(reply.author_id),
        length=len(body),
    )
    if refusal is not None:
        if refusal.code == "forbidden":
            raise Forbidden(_l("Only the author can edit a reply."))
        raise consultations.refuse(refusal, consultation)
    if body != reply.body:
        reply.body = body
        reply.edited_at = now
        db.session.flush()
        emit_after_commit("reply_edited", reply_dict(reply), namespace=NAMESPACE, to=room_of(consultation))
    return reply


def react(viewer: Viewer, reply: Reply, kind) -> Reply:
    """同意 or 有用, one per person per reply: the same again takes it back, the other replaces it."""
    consultation = reply.consultation
    check_view(viewer, consultation)
    try:
        kind = Reaction(kind)
    except ValueError:
        raise DomainError("bad_request", _l("React with agree or useful."), field="kind") from None
    if not permissions.can_react(viewer, reply):
        if viewer.is_user(reply.author_id):
            raise DomainError("own_reply", _l("You cannot react to your own reply."), status=403)
        raise Forbidden()
    if reply.is_hidden:
        raise DomainError("hidden", _l("A hidden reply cannot be reacted to."), status=409)
    mine = db.session.scalar(
        select(ReplyReaction).where(ReplyReaction.reply_id == reply.id, ReplyReaction.user_id == viewer.user_id)
    )
    if mine is None:
        db.session.execute(insert_or_ignore(ReplyReaction).values(reply_id=reply.id, user_id=viewer.user_id, kind=kind))
    elif mine.kind == kind:
        db.session.delete(mine)
    else:
        mine.kind = kind
    db.session.flush()
    _recount(reply)
    emit_after_commit(
        "reactions",
        {"id": reply.id, "agree": reply.agree_count, "useful": reply.useful_count},
        namespace=NAMESPACE,
        to=room_of(consultation),
    )
    return reply


def _recount(reply: Reply) -> None:
    counts = dict(
        db.session.execute(
            select(ReplyReaction.kind, func.count())
            .where(ReplyReaction.reply_id == reply.id)
            .group_by(ReplyReaction.kind)
        ).all()
    )
    db.session.execute(
        update(Reply)
        .where(Reply.id == reply.id)
        .values(agree_count=counts.get(Reaction.AGREE, 0), useful_count=counts.get(Reaction.USEFUL, 0))
    )
    db.session.refresh(reply, ["agree_count", "useful_count"])


def report(viewer: Viewer, reply: Reply, reason) -> None:
    """Report a reply, as a speech is reported; enough reports hide it until a moderator looks."""
    consultation = reply.consultation
    check_view(viewer, consultation)
    if not permissions.can_report(viewer, consultation):
        raise consultations.refuse(Refusal("not_verified"))
    if not isinstance(reason, str):
        raise DomainError("bad_request", _l("Give a reason: it is shown to everyone in the room."), field="reason")
    _item, auto = moderation.report(
        viewer.user_id,
        reply,
        community_id=consultation.community_id,
        room=consultation.room,
        reason=reason,
        threshold=consultation.rule_set.auto_hide_reports,
    )
    db.session.flush()
    if auto is not None:
        emit_after_commit("reply_edited", reply_dict(reply), namespace=NAMESPACE, to=room_of(consultation))


def hide(viewer: Viewer, reply: Reply, reason) -> None:
    """The chair or staff hide a reply; its place shows the reason."""
    consultation = reply.consultation
    check_view(viewer, consultation)
    if not permissions.can_moderate(viewer, consultation):
        raise Forbidden()
    if not isinstance(reason, str):
        raise DomainError("bad_request", _l("Give a reason: it is shown to everyone in the room."), field="reason")
    moderation.hide(
        viewer.user_id, reply, community_id=consultation.community_id, room=consultation.room, reason=reason
    )
    db.session.flush()
    emit_after_commit("reply_edited", reply_dict(reply), namespace=NAMESPACE, to=room_of(consultation))


def restore(viewer: Viewer, reply: Reply) -> None:
    """The chair or staff show a hidden reply again (after review); its reports are resolved, the log says so."""
    consultation = reply.consultation
    check_view(viewer, consultation)
    if not permissions.can_moderate(viewer, consultation):
        raise Forbidden()
    moderation.restore(viewer.user_id, reply, community_id=consultation.community_id, room=consultation.room)
    db.session.flush()
    emit_after_commit("reply_edited", reply_dict(reply), namespace=NAMESPACE, to=room_of(consultation))


@dataclass
class Threads:
    """A page of threads: top-level replies (oldest first) with their answers, the viewer's reactions."""

    threads: list[tuple[Reply, list[Reply], int]]  # (reply, the answers shown, how many answers in all)
    earlier: int | None  # the `before` of the page above, if there are earlier threads
    total: int
    mine: dict[int, str] = field(default_factory=dict)


def threads(viewer: Viewer, consultation: Consultation, before: int | None = None, whole: int | None = None) -> Threads:
    """The latest THREADS_PER_PAGE threads (or those before a reply id) with their latest ANSWERS_SHOWN
    answers, in four queries; `whole`: one thread alone, with every answer."""
    check_view(viewer, consultation)
    top = select(Reply).where(Reply.consultation_id == consultation.id, Reply.parent_id.is_(None))
    if whole is not None:
        top = top.where(Reply.id == whole)
    elif before is not None:
        top = top.where(Reply.id < before)
    heads = list(db.session.scalars(top.order_by(Reply.id.desc()).limit(THREADS_PER_PAGE + 1)))
    more = len(heads) > THREADS_PER_PAGE
    heads = heads[:THREADS_PER_PAGE][::-1]
    answers: dict[int, list[Reply]] = {h.id: [] for h in heads}
    if heads:
        for answer in db.session.scalars(select(Reply).where(Reply.parent_id.in_(list(answers))).order_by(Reply.id)):
            answers[answer.parent_id].append(answer)
    counts = {key: len(found) for key, found in answers.items()}
    if whole is None:
        answers = {key: found[-ANSWERS_SHOWN:] for key, found in answers.items()}
    ids = [r.id for h in heads for r in (h, *answers[h.id])]
    mine = {}
    if ids:
        mine = dict(
            db.session.execute(
                select(ReplyReaction.reply_id, ReplyReaction.kind).where(
                    ReplyReaction.reply_id.in_(ids), ReplyReaction.user_id == viewer.user_id
                )
            ).all()
        )
    total = db.session.scalar(select(func.count()).select_from(Reply).where(Reply.consultation_id == consultation.id))
    return Threads(
        threads=[(h, answers[h.id], counts[h.id]) for h in heads],
        earlier=heads[0].id if more and heads else None,
        total=total,
        mine={k: v.value for k, v in mine.items()},
    )


def load_reply(reply_id: int) -> Reply:
    reply = db.session.get(Reply, reply_id) if isinstance(reply_id, int) else None
    if reply is None:
        raise NotFound()
    return reply
