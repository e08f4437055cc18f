"""The room's actions as plain form posts: the same services as the socket handlers (sockets.py).

Every action of the live room (the hand, the floor, motions, votes) also works without the live
connection: when JavaScript is off, or the socket is refused or lost, its form posts here. Each view reads
the form, calls the service exactly as the socket handler does, then redirects back to the room (post,
redirect, get) with a flash saying what happened. A refusal goes through handle_refusal: "forbidden" and
404 get the error page, the rules' refusals are flashed in the room (as the speaking form does).

A retry of the same post (a double tap, a reload after a lost answer) does not do the thing twice: the
services are idempotent where the socket needs it too (raise hand, second, call and close the vote, move
and vote by their client id or receipt), and the two that are not (giving the floor again, yielding a
floor already free, withdrawing a withdrawn motion) are answered here as done.
"""

from __future__ import annotations

import uuid

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.communities import access
from app.consultations import bp, permissions, services
from app.consultations.labels import MOTION_STATE_LABELS, VOTE_LABELS
from app.consultations.models import Consultation, Motion, MotionState
from app.core import validation
from app.core.errors import DomainError, NotFound
from app.core.validation import MAX_ID
from app.core.web import handle_refusal
from app.extensions import db

DRAFT_KEY = "room_motion_draft"


@bp.context_processor
def _room_forms():
    """For the room's move form: a fresh client id (a retried post of the same form moves one motion) and
    the text of a motion just refused, to correct rather than type again."""
    draft = None
    if request.endpoint == "consultations.room":
        kept = session.pop(DRAFT_KEY, None)
        if isinstance(kept, dict) and kept.get("consultation_id") == request.view_args.get("consultation_id"):
            draft = kept.get("text")
    return {"move_client_id": uuid.uuid4().hex, "motion_draft": draft}


def _field_int(name: str) -> int:
    """A whole number from the form, or the plain refusal a malformed post gets."""
    value = request.form.get(name, "").strip()
    if not value.isdigit() or len(value) > 18 or int(value) > MAX_ID:
        raise DomainError("bad_request", _l("The request could not be understood."), field=name)
    return int(value)


def _field_str(name: str) -> str | None:
    value = request.form.get(name, "").strip()
    return value or None


def _refuse_control_characters() -> None:
    for name, values in request.form.lists():
        for value in values:
            validation.storable(value, field=name)


def _back(consultation_id: int, anchor: str = ""):
    return redirect(url_for("consultations.room", consultation_id=consultation_id) + anchor, code=303)


def _motion_of(consultation):
    """The motion the form names, which must belong to this consultation."""
    motion = db.session.get(Motion, _field_int("motion_id"))
    if motion is None or motion.consultation_id != consultation.id:
        raise NotFound()
    return motion


def _room_action(anchor: str):
    """The shape every room action shares: load the room, act, flash, back to the room."""

    def wrap(act):
        def view(consultation_id: int):
            consultation, viewer = access.load(Consultation, consultation_id, current_user, can=permissions.can_view)
            try:
                _refuse_control_characters()  # these forms are read raw, not through a SiteForm
                said = act(consultation, viewer)
                db.session.commit()  # the edge: the services flush, this view commits once
            except DomainError as err:
                if err.status_code == 403 and err.code == "forbidden":
                    db.session.rollback()
                    raise
                # the rules' refusals, "not verified" (403) among them, are said in the room
                handle_refusal(err, reraise=(404,))
                return _back(consultation.id)
            if isinstance(said, Response):  # a page of its own (the vote's review step), not a message
                return said
            flash(said, "success")
            return _back(consultation.id, anchor)

        view.__name__ = act.__name__
        view.__doc__ = act.__doc__
        return login_required(view)

    return wrap


def _route(path: str, anchor: str):
    def register(act):
        return bp.route(f"/consultations/<int:consultation_id>/room/{path}", methods=["POST"])(
            _room_action(anchor)(act)
        )

    return register


@_route("raise-hand", "#floor")
def raise_hand(consultation, viewer):
    """Join the queue for the floor, with a stance or none."""
    services.raise_hand(viewer, consultation, _field_str("stance"))
    return _("Your hand is raised. The chair will give you the floor.")


@_route("lower-hand", "#floor")
def lower_hand(consultation, viewer):
    """Leave the queue."""
    services.lower_hand(viewer, consultation)
    return _("Your hand is lowered.")


@_route("grant-floor", "#floor")
def grant_floor(consultation, viewer):
    """The chair gives the floor (a retry while that member still holds it changes nothing)."""
    user_id = _field_int("user_id")
    holder = services.floor_dict(consultation)["holder"]
    if holder is None or holder["id"] != user_id:
        holder = services.grant_floor(viewer, consultation, user_id)["holder"]
    return _("%(name)s has the floor.", name=holder["name"] if holder else "")


@_route("yield-floor", "#floor")
def yield_floor(consultation, viewer):
    """Give the floor back (holder) or take it back (chair); a floor already free stays free."""
    if services.floor_dict(consultation)["holder"] is not None:
        services.yield_floor(viewer, consultation)
    return _("The floor is free.")


@_route("move", "#motion")
def move(consultation, viewer):
    """Move a motion (a retry with the same client id returns the same motion)."""
    text = request.form.get("text", "")
    try:
        services.move(viewer, consultation, client_id=request.form.get("client_id", ""), text=text)
    except DomainError:
        session[DRAFT_KEY] = {"consultation_id": consultation.id, "text": text[:2000]}
        raise
    return _("Your motion was proposed.")


@_route("second", "#motion")
def second(consultation, viewer):
    """Second the motion."""
    services.second(viewer, _motion_of(consultation))
    return _("You seconded the motion: it is open for debate.")


@_route("withdraw", "#motion")
def withdraw(consultation, viewer):
    """The mover withdraws the motion (a retry after it is withdrawn changes nothing)."""
    motion = _motion_of(consultation)
    if not (motion.state == MotionState.WITHDRAWN and viewer.is_user(motion.mover_id)):
        services.withdraw(viewer, motion)
    return _("Your motion was withdrawn.")


@_route("call-vote", "#motion")
def call_vote(consultation, viewer):
    """The chair puts the motion to the vote."""
    services.call_vote(viewer, _motion_of(consultation))
    return _("The vote is open.")


@_route("close-vote", "#motion")
def close_vote(consultation, viewer):
    """The chair closes the vote; the result is recorded and announced."""
    motion = services.close_vote(viewer, _motion_of(consultation))
    return _("The vote is closed: %(result)s.", result=MOTION_STATE_LABELS[motion.state])


@_route("vote", "#motion")
def vote(consultation, viewer):
    """Vote for / against / abstain, once (a retry gets the same receipt). Without confirmed=1 the choice is
    shown first, with "once sent, it cannot be changed" (the review step; the live room does it in place)."""
    motion = _motion_of(consultation)
    if request.form.get("confirmed") != "1":
        checked = services.review_vote(viewer, motion, _field_str("choice"))
        if not isinstance(checked, services.Voted):  # the same vote again: cast it, for the same receipt
            page = render_template(
                "consultations/review_vote.html", consultation=consultation, community=viewer.community,
                motion=motion, choice=checked.value, vote_labels=VOTE_LABELS,
            )  # fmt: skip
            return Response(page)
    voted = services.submit_vote(current_user.id, motion.id, _field_str("choice"))
    return _("You have voted. Receipt code: %(code)s", code=voted.receipt)
