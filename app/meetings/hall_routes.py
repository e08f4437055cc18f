"""The hall's views: the printable sign-in sheet with its QR code, the sign-in a scan opens, staff's list of
those without a phone, and the minutes (print page, DOCX) with objections during 公示."""

from __future__ import annotations

import functools

import segno
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from app.consultations.minutes import build_docx, minutes_filename
from app.core.errors import Forbidden
from app.core.sockets import handler_slot
from app.core.web import download, form_view, perform
from app.meetings import bp, permissions, services
from app.meetings.forms import AnswerForm, ObjectionForm, SignInForm, TickForm
from app.meetings.labels import VIA_LABELS
from app.meetings.routes import back, load, show_page


def _ticker(meeting_id: int):
    meeting, viewer = load(meeting_id)
    if not permissions.can_tick(viewer, meeting):
        raise Forbidden()
    return meeting, viewer


@bp.route("/meetings/<int:meeting_id>/sheet")
@login_required
def sheet(meeting_id: int):
    """The A4 sign-in sheet for the hall: the QR code to scan, and blank lines for those who sign on paper
    (no roster printed: names and homes are not left on a table for anyone to read; staff tick from the list)."""
    meeting, viewer = _ticker(meeting_id)
    url = url_for("meetings.sign_in", meeting_id=meeting.id, code=services.token(meeting), _external=True)
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2)
    return render_template(
        "meetings/sheet.html",
        community=viewer.community,
        meeting=meeting,
        qr=Markup(svg),
        url=url,
        window=services.window(meeting),
    )


def hall_slot(view):
    """The hall's sign-in under a storm (200 phones scanning at the same instant): each scan waits, a bounded
    time, for one of the slots that stand for the database pool's connections (the socket handlers' slots,
    app/core/sockets.py), so the pool is never exhausted. Past the wait, nothing is stored and the person is
    told, in their language, to try again in a few seconds (503 with Retry-After; the page comes back by itself
    for a scan, and its button sends the sign-in again), rather than an error."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        slot = handler_slot()
        if not slot.acquire(timeout=current_app.config.get("MEETING_SIGNIN_SLOT_WAIT_SECONDS", 15)):
            return _busy(kwargs["meeting_id"])
        try:
            return view(*args, **kwargs)
        finally:
            slot.release()

    return wrapper


def _busy(meeting_id: int):
    wait = int(current_app.config.get("MEETING_SIGNIN_RETRY_AFTER_SECONDS", 3))
    code = (request.form.get("code") if request.method == "POST" else request.args.get("code")) or ""
    again = url_for("meetings.sign_in", meeting_id=meeting_id, code=code) if request.method == "GET" else None
    body = render_template("meetings/busy.html", meeting_id=meeting_id, code=code[:200], wait=wait, again_url=again)
    return body, 503, {"Retry-After": str(wait)}


@bp.route("/meetings/<int:meeting_id>/sign-in", methods=["GET", "POST"])
@hall_slot
@login_required
def sign_in(meeting_id: int):
    """Where the QR code leads: one button signs the person in (once, in the meeting's window); the page says
    at once why not, when it cannot."""
    meeting, viewer = load(meeting_id)
    form = SignInForm()
    if not form.is_submitted():
        form.code.data = request.args.get("code", "")
    refused = None if form.is_submitted() else services.refusal(viewer, meeting, form.code.data)
    return form_view(
        form,
        lambda: services.sign_in(viewer, meeting, form.code.data),
        render=lambda status: (
            render_template(
                "meetings/sign_in.html", community=viewer.community, meeting=meeting, form=form, refused=refused
            ),
            status,
        ),
        done=lambda _a: back(meeting),
        message=_("You are signed in. Welcome to the meeting."),
    )


@bp.route("/meetings/<int:meeting_id>/roll")
@login_required
def roll(meeting_id: int):
    """Staff's list of those in scope, to tick those without a phone as present in the hall."""
    meeting, viewer = _ticker(meeting_id)
    present = {a.user_id: a for a in services.attendances(meeting)}
    return render_template(
        "meetings/roll.html",
        community=viewer.community,
        meeting=meeting,
        members=services.members_in_scope(meeting),
        present=present,
        via=VIA_LABELS,
        quorum=services.quorum(meeting),
    )


@bp.route("/meetings/<int:meeting_id>/tick", methods=["POST"])
@login_required
def tick(meeting_id: int):
    meeting, viewer = _ticker(meeting_id)
    form = TickForm()
    if form.validate_on_submit():
        present = form.present.data != "0"
        if perform(lambda: services.tick(viewer, meeting, form.user_id.data, present=present)).ok:
            flash(_("Ticked as present in the hall.") if present else _("Tick removed."), "success")
    else:
        flash(_("Choose a member of this community from the list."), "error")
    return redirect(url_for("meetings.roll", meeting_id=meeting.id) + f"#m{form.user_id.data or ''}")


def _minutes(meeting_id: int):
    meeting, viewer = load(meeting_id)
    if meeting.published_at is None and not permissions.can_manage(viewer, meeting):
        raise Forbidden()
    return meeting, services.minutes(viewer, meeting)


@bp.route("/meetings/<int:meeting_id>/minutes")
@login_required
def minutes(meeting_id: int):
    """The minutes, printable on A4 (once published; before that, to those who run the meeting)."""
    meeting, data = _minutes(meeting_id)
    return render_template("meetings/minutes.html", minutes=data, meeting=meeting, community=meeting.community)


@bp.route("/meetings/<int:meeting_id>/minutes.docx")
@login_required
def minutes_docx(meeting_id: int):
    _meeting, data = _minutes(meeting_id)
    ascii_name, name = minutes_filename(data)
    return download(build_docx(data), "docx", ascii_name=ascii_name, name=name)


@bp.route("/meetings/<int:meeting_id>/objections", methods=["POST"])
@login_required
def object_to(meeting_id: int):
    """Object to the published minutes during 公示."""
    meeting, viewer = load(meeting_id)
    form = ObjectionForm()
    return form_view(
        form,
        lambda: services.object_to(viewer, meeting, client_id=form.client_id.data, body=form.body.data),
        render=lambda status: show_page(meeting, viewer, objection_form=form, status=status),
        done=lambda _o: back(meeting, "objections"),
        message=_("Objection recorded; it will be answered here."),
    )


@bp.route("/meetings/<int:meeting_id>/objections/<int:objection_id>/answer", methods=["POST"])
@login_required
def answer(meeting_id: int, objection_id: int):
    meeting, viewer = load(meeting_id)
    if not permissions.can_answer(viewer, meeting):
        raise Forbidden()
    form = AnswerForm()
    if form.validate_on_submit():
        if perform(lambda: services.answer(viewer, meeting, objection_id, form.answer.data)).ok:
            flash(_("Answer published."), "success")
    else:
        flash(_("Write the answer in 2 to 2000 characters."), "error")
    return back(meeting, "objections")
