"""Slow deliberation views: the page (works without JavaScript), replies, reactions, proposals, positions,
moderation and the switch between slow and live. Thin: load through the access rule, call the services,
let the edge commit."""

from __future__ import annotations

import uuid
from datetime import UTC

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities import access
from app.consultations import services as consultations
from app.consultations.labels import MOTION_STATE_LABELS, PHASE_LABELS
from app.consultations.models import Consultation
from app.core.clock import local_zone
from app.core.markup import render_plain
from app.core.validation import MAX_ID
from app.core.web import perform
from app.moderation import services as moderation
from app.procedure.engine import LIVE_MODES, Mode
from app.procedure.labels import MODE_LABELS
from app.slow import bp, permissions, services
from app.slow import page as page_data
from app.slow.forms import EditForm, ModeForm, MuteForm, PositionForm, ProposalForm, ReactForm, ReasonForm, ReplyForm
from app.slow.labels import POSITION_LABELS, REACTION_LABELS, STANCE_LABELS
from app.slow.models import Reply


def _load(consultation_id: int):
    return access.load(Consultation, consultation_id, current_user, can=permissions.can_view)


def _reply(reply_id: int):
    return access.load(
        Reply,
        reply_id,
        current_user,
        can=permissions.can_view_reply,
        community_of=lambda r: r.consultation.community_id,
    )


def _to_page(consultation_id: int, anchor: str = ""):
    return redirect(url_for("slow.show", consultation_id=consultation_id) + anchor)


def _arg(name: str) -> int | None:
    """A page's number from the query string: a whole number within an id's range, else none."""
    value = request.args.get(name, type=int)
    return value if value is not None and 1 <= value <= MAX_ID else None


def _page(consultation, viewer, status: int = 200, **forms):
    """The page; a GET also closes a proposal whose time has passed and notes the visit (committed here)."""
    motion = services.proposal_of(consultation)
    if page_data.writes_due(viewer, consultation, motion):
        perform(lambda: page_data.prepare(viewer, consultation, motion))
    data = page_data.gather(
        viewer,
        consultation,
        motion,
        before=_arg("before"),
        reasons_page=min(_arg("reasons") or 1, 10_000),
        whole=_arg("thread"),
    )
    page = render_template(
        "slow/show.html",
        consultation=consultation,
        community=consultation.community,
        page=data,
        reply_form=forms.get("reply_form") or ReplyForm(formdata=None),
        proposal_form=forms.get("proposal_form") or ProposalForm(formdata=None),
        position_form=forms.get("position_form") or PositionForm(formdata=None, obj=data.mine),
        plain_form=ReasonForm(formdata=None),
        stance_labels={s.value: label for s, label in STANCE_LABELS.items()},
        reaction_labels={k.value: label for k, label in REACTION_LABELS.items()},
        position_labels={c.value: label for c, label in POSITION_LABELS.items()},
        motion_state_labels=MOTION_STATE_LABELS,
        phase_labels=PHASE_LABELS,
        mode_labels=MODE_LABELS,
        live_modes=LIVE_MODES,
        slow_mode=Mode.SLOW,
        plain=render_plain,
        replies_base=url_for("slow.react", reply_id=1).removesuffix("/1/react"),
        new_id=lambda: uuid.uuid4().hex,
    )
    return page, status


@bp.route("/consultations/<int:consultation_id>/slow")
@login_required
def show(consultation_id: int):
    """The slow consultation: background, proposal and positions, threads of replies."""
    consultation, viewer = _load(consultation_id)
    return _page(consultation, viewer)


@bp.route("/consultations/<int:consultation_id>/slow/replies", methods=["POST"])
@login_required
def reply(consultation_id: int):
    """Reply under the background, or under a reply."""
    consultation, viewer = _load(consultation_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _page(consultation, viewer, 400, reply_form=form)
    outcome = perform(
        lambda: services.post(
            viewer,
            consultation,
            client_id=form.client_id.data,
            body=form.body.data,
            stance=form.stance.data or None,
            parent_id=form.parent_id.data,
        ),
        form,
    )
    if not outcome.ok:
        return _page(consultation, viewer, outcome.status, reply_form=form)
    return _to_page(consultation.id, f"#reply-{outcome.result.id}")


@bp.route("/slow/replies/<int:reply_id>/edit", methods=["POST"])
@login_required
def edit(reply_id: int):
    """The author changes a reply's words (shown as edited)."""
    found, viewer = _reply(reply_id)
    form = EditForm()
    if not form.validate_on_submit():
        flash(_("Write something to reply."), "error")
        return _to_page(found.consultation_id, f"#reply-{found.id}"), 400
    return _after(found, perform(lambda: services.edit(viewer, found, form.body.data)), _("Your reply was changed."))


@bp.route("/slow/replies/<int:reply_id>/react", methods=["POST"])
@login_required
def react(reply_id: int):
    """同意 or 有用 (the same again takes it back)."""
    found, viewer = _reply(reply_id)
    form = ReactForm()
    if not form.validate_on_submit():
        flash(_("React with agree or useful."), "error")
        return _to_page(found.consultation_id, f"#reply-{found.id}"), 400
    return _after(found, perform(lambda: services.react(viewer, found, form.kind.data)))


@bp.route("/slow/replies/<int:reply_id>/report", methods=["POST"])
@login_required
def report(reply_id: int):
    """Report a reply to the moderators."""
    found, viewer = _reply(reply_id)
    reason = request.form.get("reason", "")  # checked by the moderation kernel (clean_reason)
    return _after(
        found, perform(lambda: services.report(viewer, found, reason)), _("Thank you: the moderators will look at it.")
    )


@bp.route("/slow/replies/<int:reply_id>/hide", methods=["POST"])
@login_required
def hide(reply_id: int):
    """The chair or staff hide a reply, with a reason."""
    found, viewer = _reply(reply_id)
    reason = request.form.get("reason", "")  # checked by the moderation kernel (clean_reason)
    return _after(found, perform(lambda: services.hide(viewer, found, reason)), _("The reply is hidden."))


@bp.route("/slow/replies/<int:reply_id>/restore", methods=["POST"])
@login_required
def restore(reply_id: int):
    """The chair or staff show a hidden reply again."""
    found, viewer = _reply(reply_id)
    return _after(found, perform(lambda: services.restore(viewer, found)), _("The reply is shown again."))


def _after(found: Reply, outcome, message=None):
    if outcome.ok and message:
        flash(message, "success")
    return _to_page(found.consultation_id, f"#reply-{found.id}"), (303 if outcome.ok else outcome.status)


@bp.route("/consultations/<int:consultation_id>/slow/proposal", methods=["POST"])
@login_required
def propose(consultation_id: int):
    """Put a proposal with its closing time."""
    consultation, viewer = _load(consultation_id)
    form = ProposalForm()
    if not form.validate_on_submit():
        return _page(consultation, viewer, 400, proposal_form=form)
    closes_at = form.closes_at.data.replace(tzinfo=local_zone()).astimezone(UTC)
    outcome = perform(
        lambda: services.put(
            viewer, consultation, client_id=form.client_id.data, text=form.text.data, closes_at=closes_at
        ),
        form,
    )
    if not outcome.ok:
        return _page(consultation, viewer, outcome.status, proposal_form=form)
    flash(_("The proposal is up: residents state their positions until it closes."), "success")
    return _to_page(consultation.id, "#proposal")


@bp.route("/consultations/<int:consultation_id>/slow/position", methods=["POST"])
@login_required
def position(consultation_id: int):
    """State or change a position on the open proposal, with a reason."""
    consultation, viewer = _load(consultation_id)
    form = PositionForm()
    motion = services.proposal_of(consultation)
    if motion is None or not form.validate_on_submit():
        return _page(consultation, viewer, 400, position_form=form)
    outcome = perform(
        lambda: services.state_position(viewer, motion, choice=form.choice.data, reason=form.reason.data), form
    )
    if not outcome.ok:
        return _page(consultation, viewer, outcome.status, position_form=form)
    flash(_("Your position is recorded. You can change it until the proposal closes."), "success")
    return _to_page(consultation.id, "#proposal")


@bp.route("/consultations/<int:consultation_id>/slow/mode", methods=["POST"])
@login_required
def mode(consultation_id: int):
    """The chair moves the consultation to a live meeting, or back to slow."""
    consultation, viewer = _load(consultation_id)
    target = ModeForm().mode.data
    outcome = perform(lambda: services.switch_mode(viewer, consultation, target))
    if not outcome.ok:
        return _to_page(consultation.id), outcome.status
    if services.is_slow(consultation):
        flash(_("The consultation is back in slow mode."), "success")
        return _to_page(consultation.id)
    flash(_("The consultation is meeting live now."), "success")
    return redirect(url_for("consultations.room", consultation_id=consultation.id))


@bp.route("/consultations/<int:consultation_id>/slow/mute", methods=["POST"])
@login_required
def mute(consultation_id: int):
    """The chair or staff mute a member in this consultation (replies and the live room alike)."""
    consultation, viewer = _load(consultation_id)
    form = MuteForm()
    if not form.validate_on_submit():
        flash(_("The request could not be understood."), "error")
        return _to_page(consultation.id), 400
    outcome = perform(
        lambda: consultations.mute(viewer, consultation, form.user_id.data, form.minutes.data, form.reason.data or "")
    )
    if outcome.ok:
        flash(_("The member is muted."), "success")
    return _to_page(consultation.id), (303 if outcome.ok else outcome.status)


@bp.route("/consultations/<int:consultation_id>/slow/lock", methods=["POST"])
@login_required
def lock(consultation_id: int):
    """The chair or staff lock the consultation (only the chair writes) or unlock it."""
    consultation, viewer = _load(consultation_id)
    reason, locked = request.form.get("reason", ""), not consultation.locked
    outcome = perform(
        lambda: consultations.set_locked(viewer, consultation, locked, moderation.clean_reason(reason, required=locked))
    )
    return _to_page(consultation.id), (303 if outcome.ok else outcome.status)
