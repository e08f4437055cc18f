"""Meeting views: a consultation's meetings, preparing one, its page (the agenda, who is there, the quorum),
the sign-in sheet and the sign-in itself, staff's list, running the agenda, the minutes and objections."""

from __future__ import annotations

from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities import access
from app.communities.access import Viewer
from app.consultations import permissions as consultation_permissions
from app.consultations.models import Consultation
from app.core.clock import local_time
from app.core.errors import Forbidden
from app.core.web import form_view, perform
from app.meetings import bp, permissions, queries, registry, services
from app.meetings.forms import (
    AnswerForm,
    CancelForm,
    ItemForm,
    MeetingDetailsForm,
    MeetingForm,
    MoveForm,
    ObjectionForm,
    OutcomeForm,
)
from app.meetings.labels import NO_REFERENCE, STATE_LABELS
from app.meetings.models import Meeting, MeetingState
from app.objections import services as objection_kernel


def load(meeting_id: int) -> tuple[Meeting, Viewer]:
    return access.load(Meeting, meeting_id, current_user, can=permissions.can_view)


def manager(meeting_id: int) -> tuple[Meeting, Viewer]:
    meeting, viewer = load(meeting_id)
    if not permissions.can_manage(viewer, meeting):
        raise Forbidden()
    return meeting, viewer


def back(meeting: Meeting, anchor: str = ""):
    return redirect(url_for("meetings.show", meeting_id=meeting.id) + (f"#{anchor}" if anchor else ""))


@bp.route("/consultations/<int:consultation_id>/meetings")
@login_required
def for_consultation(consultation_id: int):
    """The consultation's meetings, and the way to prepare one."""
    consultation, viewer = access.load(
        Consultation, consultation_id, current_user, can=consultation_permissions.can_view
    )
    return render_template(
        "meetings/index.html",
        community=viewer.community,
        consultation=consultation,
        meetings=queries.of_consultation(viewer, consultation),
        states=STATE_LABELS,
        can_plan=permissions.can_plan(viewer, consultation),
    )


@bp.route("/consultations/<int:consultation_id>/meetings/new", methods=["GET", "POST"])
@login_required
def new(consultation_id: int):
    """Prepare a meeting: its time and place first, then its agenda on its page."""
    consultation, viewer = access.load(
        Consultation, consultation_id, current_user, can=consultation_permissions.can_view
    )
    if not permissions.can_plan(viewer, consultation):
        raise Forbidden()
    form = MeetingForm()
    return form_view(
        form,
        lambda: services.create(
            viewer,
            consultation,
            client_id=form.client_id.data,
            title=form.title.data,
            place=form.place.data,
            starts_on=form.starts_on.data,
            start_time=form.start_time.data,
            duration=form.duration.data,
            online_room=form.online_room.data,
        ),
        render=lambda status: (_form_page(viewer, consultation, form), status),
        done=lambda meeting: back(meeting, "agenda"),
        message=_("Meeting prepared: now put its agenda together."),
    )


def _form_page(viewer: Viewer, consultation: Consultation, form: MeetingForm):
    return render_template("meetings/form.html", community=viewer.community, consultation=consultation, form=form)


def _references(viewer: Viewer, meeting: Meeting) -> list[tuple[str, str]]:
    choices = [("", str(NO_REFERENCE))]
    for kind in registry.kinds():
        for ref_id, title in kind.candidates(viewer, meeting.consultation):
            choices.append((f"{kind.name}:{ref_id}", f"{kind.label}: {title}"))
    return choices


def _item_links(viewer: Viewer, meeting: Meeting) -> dict:
    return {i.id: registry.resolve(viewer, i.ref_kind, i.ref_id) for i in meeting.items}


def show_page(meeting: Meeting, viewer: Viewer, *, item_form=None, status: int = 200, **forms):
    can_manage = permissions.can_manage(viewer, meeting)
    if item_form is None and can_manage:
        item_form = ItemForm()
    if item_form is not None:
        item_form.ref.choices = _references(viewer, meeting)
    objections = services.objections(meeting) if meeting.published_at else []
    body = render_template(
        "meetings/show.html",
        community=viewer.community,
        meeting=meeting,
        consultation=meeting.consultation,
        states=STATE_LABELS,
        links=_item_links(viewer, meeting),
        kinds={k.name: k.label for k in registry.kinds()},
        quorum=services.quorum(meeting) if meeting.state not in (MeetingState.DRAFT, MeetingState.CANCELLED) else None,
        can_manage=can_manage,
        follow=meeting.state == MeetingState.OPEN and not can_manage,
        can_tick=permissions.can_tick(viewer, meeting),
        item_form=item_form,
        outcome_form=forms.get("outcome_form") or OutcomeForm(),
        objection_form=forms.get("objection_form") or ObjectionForm(),
        answer_form=AnswerForm(),
        objections=objections,
        objection_panel=objection_kernel.panel(viewer, objections),
        objections_open=services.objections_open(meeting),
        can_object=permissions.can_object(viewer, meeting),
        can_change=can_manage and services.changeable(meeting),
        cancel_form=forms.get("cancel_form") or CancelForm(),
        move_form=MoveForm(),
    )
    return body, status


@bp.route("/meetings/<int:meeting_id>")
@login_required
def show(meeting_id: int):
    """The meeting: time and place, the agenda and the item now under discussion, who is there, the quorum."""
    meeting, viewer = load(meeting_id)
    return show_page(meeting, viewer)


@bp.route("/meetings/<int:meeting_id>/items", methods=["POST"])
@login_required
def add_item(meeting_id: int):
    meeting, viewer = manager(meeting_id)
    form = ItemForm()
    form.ref.choices = _references(viewer, meeting)
    return form_view(
        form,
        lambda: services.add_item(viewer, meeting, title=form.title.data, ref=form.ref.data),
        render=lambda status: show_page(meeting, viewer, item_form=form, status=status),
        done=lambda _item: back(meeting, "agenda"),
        message=_("Item added to the agenda."),
    )


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/remove", methods=["POST"])
@login_required
def remove_item(meeting_id: int, item_id: int):
    meeting, viewer = manager(meeting_id)
    perform(lambda: services.remove_item(viewer, meeting, item_id))
    return back(meeting, "agenda")


@bp.route("/meetings/<int:meeting_id>/schedule", methods=["POST"])
@login_required
def schedule(meeting_id: int):
    """Announce the meeting to those in scope (refused without an agenda)."""
    meeting, viewer = manager(meeting_id)
    if perform(lambda: services.schedule(viewer, meeting)).ok:
        flash(_("Meeting scheduled: those it concerns are being told."), "success")
    return back(meeting)


def _action(meeting_id: int, action, message):
    """A chair's button with the current item's outcome: open, next item, close."""
    meeting, viewer = manager(meeting_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return show_page(meeting, viewer, outcome_form=form, status=400)
    if perform(lambda: action(viewer, meeting, form.outcome.data), form).ok:
        flash(message, "success")
    return back(meeting, "agenda")


@bp.route("/meetings/<int:meeting_id>/open", methods=["POST"])
@login_required
def open_meeting(meeting_id: int):
    return _action(meeting_id, lambda v, m, _o: services.open_meeting(v, m), _("The meeting is under way."))


@bp.route("/meetings/<int:meeting_id>/next", methods=["POST"])
@login_required
def next_item(meeting_id: int):
    return _action(meeting_id, lambda v, m, o: services.next_item(v, m, outcome=o), _("On to the next item."))


@bp.route("/meetings/<int:meeting_id>/close", methods=["POST"])
@login_required
def close(meeting_id: int):
    return _action(meeting_id, lambda v, m, o: services.close(v, m, outcome=o), _("The meeting is over."))


@bp.route("/meetings/<int:meeting_id>/publish", methods=["POST"])
@login_required
def publish(meeting_id: int):
    """Publish the minutes for 公示."""
    meeting, viewer = manager(meeting_id)
    if perform(lambda: services.publish(viewer, meeting)).ok:
        flash(_("Minutes published: members may object during the 公示 period."), "success")
    return back(meeting, "minutes")


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int):
    """Change the title, place, time or online room before the meeting starts (a move is told to those in
    scope)."""
    meeting, viewer = manager(meeting_id)
    if not _submitted():
        services.check_changeable(meeting)  # no form for a meeting that can no longer be changed
    form = MeetingDetailsForm(obj=None if _submitted() else _details(meeting))
    return form_view(
        form,
        lambda: services.edit(
            viewer,
            meeting,
            title=form.title.data,
            place=form.place.data,
            online_room=form.online_room.data,
            starts_on=form.starts_on.data,
            start_time=form.start_time.data,
            duration=form.duration.data,
        ),
        render=lambda status: (_edit_page(viewer, meeting, form), status),
        done=lambda _m: back(meeting),
        message=_("Meeting changed."),
    )


def _submitted() -> bool:
    return request.method == "POST"


def _details(meeting: Meeting):
    """The form's starting values: the meeting as it is (Beijing day and time)."""
    start = local_time(meeting.starts_at)
    minutes = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    return SimpleNamespace(
        title=meeting.title,
        place=meeting.place,
        online_room=meeting.online_room,
        starts_on=start.date(),
        start_time=start.time().replace(second=0, microsecond=0, tzinfo=None),
        duration=minutes,
    )


def _edit_page(viewer: Viewer, meeting: Meeting, form: MeetingDetailsForm):
    return render_template(
        "meetings/edit.html", community=viewer.community, meeting=meeting, consultation=meeting.consultation, form=form
    )


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@login_required
def cancel(meeting_id: int):
    """Cancel the meeting with a reason (not once it is under way)."""
    meeting, viewer = manager(meeting_id)
    form = CancelForm()
    return form_view(
        form,
        lambda: services.cancel(viewer, meeting, form.reason.data),
        render=lambda status: show_page(meeting, viewer, cancel_form=form, status=status),
        done=lambda _m: back(meeting),
        message=_("Meeting cancelled; those it concerns are being told."),
    )


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/move", methods=["POST"])
@login_required
def move_item(meeting_id: int, item_id: int):
    """Move an agenda item up or down (a repeated tap moves it once)."""
    meeting, viewer = manager(meeting_id)
    form = MoveForm()
    if not form.validate_on_submit():
        flash(_("Move the item up or down."), "error")
        return show_page(meeting, viewer, status=400)
    outcome = perform(lambda: services.move_item(viewer, meeting, item_id, form.direction.data, form.at.data))
    return back(meeting, f"item-{item_id}") if outcome.ok else show_page(meeting, viewer, status=outcome.status)
