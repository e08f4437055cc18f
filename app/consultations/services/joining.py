"""Coming into the room when the whole community comes at once (issue 20).

A join's answer has two parts. The room's shared state (the consultation, its rules, the floor, the pending
motion and the last page of speeches) is the same for every joiner: it is built once per change of the room
and kept, per process, under the room's version. The version is a counter in Redis (per room, and one for
every room: a rule set is shared), bumped when a transaction that changed the room commits, before its
broadcasts leave, so that every process sees the change at once. A joiner who read the old version had
already joined the Socket.IO room, and hears the broadcast; one who reads the new version builds (or finds)
the new state. The joiner's own part (may they speak, vote, moderate; their receipt) is worked out from the
viewer the handler has already loaded.

A join's answer is bounded: at most the last page of speeches (PAGE, and PAGE_BYTES of them), whatever
`after_id` says; a client that has a gap before the page asks for older pages (`history`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from itertools import chain

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session, joinedload

from app.communities.access import Viewer
from app.consultations import permissions, signals
from app.consultations.models import Attendance, Consultation, HandRaise, Motion, Speech
from app.consultations.services.display import badges_for, consultation_dict, floor_dict, message_dict, motion_dict
from app.consultations.services.motions import pending_motion
from app.consultations.services.shared import POLL, check_view, refuse
from app.core import changes, generations, snapshots
from app.core.batching import GroupCommit
from app.core.errors import DomainError
from app.core.models import in_transaction, insert_or_ignore, utcnow
from app.core.realtime import call_after_commit, coalesced
from app.core.socket_json import Fragment
from app.core.sockets import leave_slot, socket_user_id
from app.core.validation import MAX_ID
from app.extensions import db
from app.procedure.engine import Refusal
from app.procedure.models import RuleSet
from app.voting import services as voting

logger = logging.getLogger(__name__)

PAGE = 20  # speeches in a join's answer, and in each page of older history
PAGE_BYTES = 16 * 1024  # the speeches of one page at most, as JSON: the whole answer stays under 20 KB
CACHE_SECONDS = 30.0  # a change no flush records (a member renamed, a badge given) shows within this
ALL_ROOMS = "all"

_CHANGED = "yishi_rooms_changed"
_lock = threading.Lock()
_cache: dict[int, tuple[tuple[int, int], float, dict]] = {}  # consultation id -> (version, built at, state)
_rooms: dict[int, tuple[tuple[int, int], float, Consultation]] = {}  # the same, for the consultation row itself


# -- the room's version ----------------------------------------------------------------------------------


_builders: dict[object, threading.Lock] = {}
BUILDER_WAIT_SECONDS = 2.0


@contextmanager
def _builder(key):
    """One thing kept per room being built: while one joiner builds it, the others wait for it rather than each
    building it again (a thousand joiners of a room nobody has entered yet). At most BUILDER_WAIT_SECONDS:
    a builder may itself be waiting for a handler slot held by such a waiter, and then the waiter builds."""
    with _lock:
        lock = _builders.get(key)
        if lock is None:
            lock = _builders[key] = threading.Lock()
    held = lock.acquire(timeout=BUILDER_WAIT_SECONDS)
    try:
        yield
    finally:
        if held:
            lock.release()


def _names(room) -> str:
    return f"room:{room}"


def version(consultation_id: int, *, fresh: bool = False) -> tuple[int, int] | None:
    """(every room's version, this room's version); None when Redis cannot say (then nothing is cached). Read
    once per event (core.generations), or `fresh`."""
    return generations.read(_names(ALL_ROOMS), _names(consultation_id), fresh=fresh)


def expect_join(data) -> None:
    """Before a join loads anything: the counters it will read (its user's rights, the room's version), in one
    round trip to Redis rather than one each."""
    user_id = socket_user_id()
    consultation_id = data.get("consultation_id") if isinstance(data, dict) else None
    names = [generations.rights(user_id), generations.EVERY_RIGHT] if user_id is not None else []
    if isinstance(consultation_id, int) and not isinstance(consultation_id, bool) and 0 < consultation_id <= MAX_ID:
        names += [_names(ALL_ROOMS), _names(consultation_id)]
    if names:
        generations.read(*names)


def bump(rooms) -> None:
    """The rooms changed (ids, or ALL_ROOMS): every process builds their state again."""
    rooms = set(rooms)
    if not rooms:
        return
    with _lock:
        for room in rooms:
            if room == ALL_ROOMS:
                _cache.clear()
                _rooms.clear()
            else:
                _cache.pop(room, None)
                _rooms.pop(room, None)
    # the other processes keep their state until CACHE_SECONDS have passed if Redis loses this
    generations.bump(*(_names(room) for room in rooms))


@event.listens_for(Session, "after_flush")
def _note_changed_rooms(session: Session, _context) -> None:
    """Which rooms this flush changed (what a join's shared state shows)."""
    changed = session.info.setdefault(_CHANGED, set())
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Consultation):
            changed.add(obj.id)
        elif isinstance(obj, Speech | Motion | HandRaise):
            changed.add(obj.consultation_id)
        elif isinstance(obj, RuleSet):
            changed.add(ALL_ROOMS)


@event.listens_for(Session, "after_commit")
def _bump_changed_rooms(session: Session) -> None:
    """After the commit, before its broadcasts leave (they go when the transaction ends)."""
    if session.in_nested_transaction():
        return
    changed = session.info.pop(_CHANGED, None)
    if changed:
        bump(changed)


@event.listens_for(Session, "after_transaction_end")
def _forget_rolled_back(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)  # still here: not committed


# -- the shared state --------------------------------------------------------------------------------------


def _page(speeches: list[Speech], badges: dict) -> list[dict]:
    """The newest speeches that fit in PAGE_BYTES, oldest first."""
    kept: list[dict] = []
    size = 0
    for speech in reversed(speeches):
        item = message_dict(speech, badges)
        size += len(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode())
        if kept and size > PAGE_BYTES:
            break
        kept.append(item)
    kept.reverse()
    return kept


def page_of(consultation: Consultation, *, before_id: int | None = None, after_id: int | None = None) -> dict:
    """A page of speeches, oldest first: the newest PAGE (within PAGE_BYTES) before `before_id` and after
    `after_id`; `older`: whether there are speeches between `after_id` and the page."""
    query = select(Speech).where(Speech.consultation_id == consultation.id)
    if before_id is not None:
        query = query.where(Speech.id < before_id)
    if after_id is not None:
        query = query.where(Speech.id > after_id)
    speeches = list(reversed(db.session.scalars(query.order_by(Speech.id.desc()).limit(PAGE + 1)).all()))
    more = len(speeches) > PAGE
    speeches = speeches[-PAGE:]
    page = _page(speeches, badges_for(consultation, {s.author_id for s in speeches}))
    return {"messages": page, "older": more or len(page) < len(speeches)}


def _shared(consultation: Consultation) -> dict:
    motion = pending_motion(consultation)
    page = page_of(consultation)
    first = page["messages"][0]["id"] if page["messages"] else None
    older = None  # the newest speech before the page: a joiner who has it has no gap
    if page["older"] and first is not None:
        older = db.session.scalar(
            select(func.max(Speech.id)).where(Speech.consultation_id == consultation.id, Speech.id < first)
        )
    return {
        "consultation": consultation_dict(consultation),
        "rules": consultation.rule_set.to_dict(),
        "floor": floor_dict(consultation),
        "floor_ends_at": consultation.floor_ends_at,
        "motion": motion_dict(motion) if motion else None,
        "motion_id": motion.id if motion else None,
        "messages": page["messages"],
        "newest_before_page": older,
    }


def room_counters(consultation_id: int) -> tuple[str, str]:
    """The generation counters of a room's version (core.generations), for a reader of its own (the join reads
    them with its presence, core.presence.join)."""
    return (_names(ALL_ROOMS), _names(consultation_id))


def shared_state(consultation: Consultation, *, fresh: bool = True) -> dict:
    """The room's shared state, built once per version of the room (and at most CACHE_SECONDS old). Its version
    read afresh (or, `fresh=False`, as read already after joining the Socket.IO room): a joiner is in the room
    by now, and hears any change committed after this read."""
    current = version(consultation.id, fresh=fresh)
    now = time.monotonic()
    if current is not None:
        with _lock:
            found = _cache.get(consultation.id)
        if found is not None and found[0] == current and now - found[1] < CACHE_SECONDS:
            return found[2]
        with _builder(("state", consultation.id)):  # one builds, the joiners meanwhile wait for it
            with _lock:
                found = _cache.get(consultation.id)
            if found is not None and found[0] == current and time.monotonic() - found[1] < CACHE_SECONDS:
                return found[2]
            return _build_shared(consultation, current, now)
    return _build_shared(consultation, None, now)


ENCODED = ("consultation", "rules", "motion", "messages")  # the same for every joiner: encoded once per version


def _build_shared(consultation: Consultation, current, now: float) -> dict:
    state = _shared(snapshots.merged(consultation))  # a kept room (snapshots.as_kept) loads what it lacks
    # each joiner's acknowledgement writes these as they were encoded here (core.socket_json), not again
    state["encoded"] = {key: Fragment(state[key]) for key in ENCODED}
    if current is not None:
        with _lock:
            found = _cache.get(consultation.id)
            if found is None or found[0] <= current:  # a slow builder never replaces a newer state
                _cache[consultation.id] = (current, now, state)
    return state


def _room_loaded() -> tuple:
    """What a joiner reads of the consultation (its community, rules and building), loaded with it."""
    return joinedload(Consultation.community), joinedload(Consultation.rule_set), joinedload(Consultation.building)


def consultation_of_room(consultation_id) -> Consultation | None:
    """The consultation with its community, as a room's joiners see it: kept per process under the room's version
    (as the shared state is), so that a storm of joins loads it once, not once per joiner. What the access rule
    then decides about it is decided per joiner (communities.access.load)."""
    current = version(consultation_id)
    if current is None:
        return db.session.get(Consultation, consultation_id, options=_room_loaded())
    with _lock:
        found = _rooms.get(consultation_id)
    if found is not None and found[0] == current and time.monotonic() - found[1] < CACHE_SECONDS:
        return snapshots.attach(found[2])
    with _builder(("room", consultation_id)):  # a storm's first joiners: one loads it, the others wait for it
        with _lock:
            found = _rooms.get(consultation_id)
        if found is not None and found[0] == current and time.monotonic() - found[1] < CACHE_SECONDS:
            return snapshots.attach(found[2])
        return _load_room(consultation_id, current)


def _load_room(consultation_id: int, current) -> Consultation | None:
    consultation = db.session.get(Consultation, consultation_id, options=_room_loaded())
    if consultation is not None:
        # kept with it even when the session had the row without them
        consultation.community, consultation.rule_set, consultation.building  # noqa: B018
        kept = snapshots.keep(consultation)
        with _lock:
            found = _rooms.get(consultation_id)
            if found is None or found[0] <= current:
                _rooms[consultation_id] = (current, time.monotonic(), kept)
    return consultation


def _floor_now(state: dict, now: datetime) -> dict:
    """The floor as of now (the shared state may have been built some seconds ago)."""
    floor = state["floor"]
    ends = state["floor_ends_at"]
    if not floor.get("holder") or ends is None:
        return floor
    if ends.tzinfo is None:
        ends = ends.replace(tzinfo=now.tzinfo)
    left = (ends - now).total_seconds()
    if left <= 0:
        return {**floor, "holder": None, "ends_at": None, "seconds_left": 0}
    return {**floor, "seconds_left": int(left)}


# -- the join ----------------------------------------------------------------------------------------------


def entered(viewer: Viewer, consultation: Consultation) -> None:
    """A participant came into the room: the features that count who is present hear it (a meeting under way
    counts them online), in the joiner's transaction. Only while a meeting is under way: a join costs nothing more
    the rest of the time."""
    if consultation.meeting_under_way:
        signals.room_entered.send(consultation, viewer=viewer)


def set_meeting_under_way(consultation: Consultation, under_way: bool) -> None:
    """A meeting of the consultation started or ended in the hall (app/flows/meetings.py says which)."""
    consultation.meeting_under_way = under_way
    db.session.flush()


def note_attendance(viewer: Viewer, consultation: Consultation) -> None:
    """Note that a participant (one who may speak) came into the room: an insert that a second join (a
    retry) leaves alone, with no lock shared by the joiners. The count the consultation keeps is worked
    out again after the commit, once for a whole storm of joins (coalesced)."""
    if not permissions.can_speak(viewer, consultation):
        return
    entered(viewer, consultation)
    added = db.session.execute(
        changes.within(
            insert_or_ignore(Attendance.__table__).values(
                consultation_id=consultation.id, user_id=viewer.user_id, first_seen_at=utcnow()
            ),
            [consultation.community_id],
        )
    )
    if added.rowcount:
        consultation_id = consultation.id
        call_after_commit(
            lambda: coalesced.request(("attendance", consultation_id), lambda: recount_attendance(consultation_id))
        )


def recount_attendance(consultation_id: int) -> None:
    """The consultation's participant count from its attendance (its own short transaction: it runs after
    the joins' commits, once per interval however many joined)."""
    count = select(func.count()).select_from(Attendance).where(Attendance.consultation_id == consultation_id)
    with db.engine.begin() as connection:
        connection.execute(
            update(Consultation.__table__)
            .where(Consultation.__table__.c.id == consultation_id)
            .values(participant_count=count.scalar_subquery())
        )


def _why(code: str | None, consultation: Consultation) -> str | None:
    return str(refuse(Refusal(code), consultation).message) if code is not None else None


def attend(consultation_id: int, community_id: int, user_id: int) -> None:
    """Note a participant's attendance, written together with the other joins that arrive meanwhile (core.
    batching: a storm of a thousand joins is a few inserts and commits, not a thousand). Any transaction of the
    session ends first, so that a join waiting for its batch holds no database connection."""
    if in_transaction():
        db.session.commit()
    leave_slot()  # the wait for the batch holds no connection: other joins may have the slot meanwhile
    _attendance_writer().submit((consultation_id, community_id, user_id))


def _attendance_writer() -> GroupCommit:
    extensions = current_app.extensions
    if "yishi_attendance" not in extensions:
        extensions.setdefault("yishi_attendance", GroupCommit(write_attendance, max_batch=500))
    return extensions["yishi_attendance"]


def write_attendance(items) -> list[None]:
    """A batch of (consultation id, its community's id, user id) attendances in one idempotent insert. The batch
    is its own edge (as the votes' batch, core.batching): it commits here; the participant counts are worked out
    after."""
    rows = sorted(set(items))
    now = utcnow()
    try:
        table = Attendance.__table__
        db.session.execute(  # RETURNING: the batch in one multi-row statement, not a statement a row
            changes.within(insert_or_ignore(table).returning(table.c.id), {community for _c, community, _u in rows}),
            [{"consultation_id": c, "user_id": u, "first_seen_at": now} for c, _community, u in rows],
        ).all()
        for consultation_id in {c for c, _community, _u in rows}:
            call_after_commit(
                lambda c=consultation_id: coalesced.request(("attendance", c), lambda: recount_attendance(c))
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return [None] * len(items)


def join_state(
    viewer: Viewer, consultation: Consultation, after_id=None, *, attend: bool = True, fresh: bool = True
) -> dict:
    """What `join` answers: the shared state (with the speeches after `after_id` of the last page only) and
    the joiner's own part. `attend`: note the attendance here (a write: the edge commits); the socket's join
    has it written in a batch instead (`attend()`). `fresh=False`: the room's version was read after the
    joiner entered the Socket.IO room (`room_counters`), and is not read again."""
    check_view(viewer, consultation)
    if after_id is not None and (not isinstance(after_id, int) or isinstance(after_id, bool) or after_id < 0):
        raise DomainError("bad_request", _l("The request could not be understood."), field="after_id")
    if attend:
        note_attendance(viewer, consultation)
    state = shared_state(consultation, fresh=fresh)
    encoded = state["encoded"]
    speeches = encoded["messages"]
    if after_id is not None and state["messages"] and state["messages"][0]["id"] <= after_id:
        speeches = [m for m in state["messages"] if m["id"] > after_id]  # a rejoin: only what it lacks
    newest_before = state["newest_before_page"]
    # the joiner lacks speeches before this page: it asks for them (`history`) if it wants them
    older = newest_before is not None and (after_id is None or newest_before > after_id)
    cannot_speak = permissions.refusal_to_speak(viewer, consultation)
    cannot_vote = permissions.refusal_to_vote(viewer, consultation)
    receipt = None
    if state["motion_id"] is not None:
        ballot = voting.find_ballot(POLL, state["motion_id"], viewer.user_id)
        receipt = ballot.receipt if ballot else None
    return {
        "consultation": encoded["consultation"],
        "rules": encoded["rules"],
        "floor": _floor_now(state, utcnow()),
        "motion": encoded["motion"],
        "messages": speeches,
        "older": older,
        "you": {
            "id": viewer.user_id,
            "verified": viewer.is_verified,
            "receipt": receipt,
            "can_speak": cannot_speak is None,
            "can_vote": cannot_vote is None,
            "why_not_speak": _why(cannot_speak, consultation),
            "why_not_vote": _why(cannot_vote, consultation),
            "is_chair": permissions.is_chair(viewer, consultation),
            "can_moderate": permissions.can_moderate(viewer, consultation),
        },
    }


def history(viewer: Viewer, consultation: Consultation, before_id, after_id=None) -> dict:
    """Older speeches on request: the page before `before_id` (and after `after_id`, what the client has)."""
    check_view(viewer, consultation)
    for value, name in ((before_id, "before_id"), (after_id, "after_id")):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise DomainError("bad_request", _l("The request could not be understood."), field=name)
    return page_of(consultation, before_id=before_id, after_id=after_id)
