"""Consultation views: the list, drafting, the room page (works without JavaScript), rules, minutes."""

from __future__ import annotations

import json

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms import SelectChoice

from app.communities import access
from app.consultations import bp, permissions, room_http, services  # noqa: F401 (room_http: the room's form posts)
from app.consultations.forms import ConsultationForm, PhaseForm, SpeakForm
from app.consultations.labels import (
    BADGE_LABELS,
    MODERATION_LABELS,
    MOTION_STATE_LABELS,
    PARTY_LABELS,
    PHASE_LABELS,
    STANCE_LABELS,
    VOTE_LABELS,
)
from app.consultations.minutes import build_docx, minutes_filename
from app.consultations.models import Consultation, Motion, MotionState, Phase
from app.core.errors import DomainError, Forbidden
from app.core.web import download, form_view, handle_refusal, perform
from app.documents import services as documents
from app.extensions import db
from app.moderation import services as moderation
from app.procedure.forms import RulesForm
from app.procedure.versions import governing_label
from app.voting import registry as voting_registry
from app.voting.registry import Subject


def _load(consultation_id: int):
    """(consultation, viewer), or 404 for a consultation the user may not see."""
    return access.load(Consultation, consultation_id, current_user, can=permissions.can_view)


def _to_room(consultation_id: int, anchor: str = ""):
    return redirect(url_for("consultations.room", consultation_id=consultation_id) + anchor)


def _choices(form: ConsultationForm, community, *, with_rules: bool) -> None:
    form.building_id.choices = [SelectChoice(0, _("Whole community"))] + [
        SelectChoice(b.id, b.name) for b in community.buildings
    ]
    form.chair_id.choices = [SelectChoice(m.user_id, m.user.name) for m in services.chair_choices(community)]
    if with_rules:
        choices = services.rule_set_choices(community)  # the adopted version first, named with its number
        form.rule_set_id.choices = [SelectChoice(r.id, governing_label(r)) for r in choices]


def _fields(form: ConsultationForm) -> dict:
    """What the consultation form says, as the services take it."""
    return {
        "title": form.title.data,
        "background": form.background.data,
        "building_id": form.building_id.data or None,
        "parties": form.parties.data,
        "chair_id": form.chair_id.data,
    }


def _form_page(community, form: ConsultationForm, consultation, status: int):
    page = render_template("consultations/form.html", community=community, form=form, consultation=consultation)
    return page, status


@bp.route("/c/<slug>/consultations")
@login_required
def index(slug: str):
    """Consultations of the community, newest activity first."""
    viewer = access.community_viewer(slug, current_user, check=False)
    if not viewer.may_see:
        raise Forbidden()
    return render_template(
        "consultations/index.html",
        community=viewer.community,
        consultations=services.list_for(viewer),
        can_convene=permissions.can_convene(viewer),
        phase_labels=PHASE_LABELS,
    )


@bp.route("/c/<slug>/consultations/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """A convenor drafts a consultation."""
    viewer = access.community_viewer(slug, current_user, check=False)
    if not permissions.can_convene(viewer):
        raise Forbidden()
    form = ConsultationForm()
    _choices(form, viewer.community, with_rules=True)
    if request.method == "GET":
        form.chair_id.data = current_user.id
        form.parties.data = ["residents_committee", "residents"]
    return form_view(
        form,
        lambda: services.create_draft(viewer, **_fields(form), rule_set_id=form.rule_set_id.data),
        render=lambda status: _form_page(viewer.community, form, None, status),
        done=lambda consultation: _to_room(consultation.id),
        message=_("Draft saved. Open it when you are ready."),
    )


@bp.route("/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(consultation_id: int):
    """Change the title, background, scope, parties or chair."""
    consultation, viewer = _load(consultation_id)
    if not permissions.can_manage(viewer, consultation):
        raise Forbidden()
    form = ConsultationForm(obj=consultation)
    _choices(form, consultation.community, with_rules=False)
    if request.method == "GET":
        form.building_id.data = consultation.building_id or 0
    return form_view(
        form,
        lambda: services.update(viewer, consultation, **_fields(form)),
        render=lambda status: _form_page(consultation.community, form, consultation, status),
        done=lambda _result: _to_room(consultation.id),
        message=_("Saved."),
    )


# the last speeches shown open in the room; the earlier ones fold away above them (a tap opens them)
RECENT_SPEECHES = 10


SPEECH_FRAGMENTS = 4096  # rendered speeches kept per process (about 1 KB each)


def _speech_renderer(consultation, you: dict, can_moderate: bool):
    """speech(m) -> the <li> of one speech as consultations/_message.html renders it for this viewer, kept per
    process and reused for every viewer and page that would render the very same thing. The page renders a
    room's last 200 speeches: rendering them again for every GET was most of its cost (bench/NOTES.md), and a
    page full of speeches is what a thousand residents opening the room at once ask for. The key is all the
    fragment depends on: the speech as sent (its text, author, badges, hidden or not), whether it is the
    viewer's own, what the viewer may do with it (report, moderate), the language and the time zone. Templates
    reloaded while developing (auto_reload) are rendered afresh each time."""
    env = current_app.jinja_env
    template = env.get_template("consultations/_message.html")
    kept = current_app.extensions.setdefault("yishi_speech_fragments", {})
    can_report = you["verified"]
    context = {
        "you": you,
        "can_report": can_report,
        "can_moderate": can_moderate,
        "consultation": consultation,
        "stance_labels": {s.value: label for s, label in STANCE_LABELS.items()},
        "badge_labels": BADGE_LABELS,
    }
    viewer_part = (str(get_locale()), str(get_timezone()), can_report, can_moderate)

    def speech(m: dict) -> Markup:
        if env.auto_reload:
            return Markup(template.render(context, m=m))
        key = (*viewer_part, m["author"]["id"] == you["id"], json.dumps(m, sort_keys=True, ensure_ascii=False))
        html = kept.get(key)
        if html is None:
            html = Markup(template.render(context, m=m))
            if len(kept) >= SPEECH_FRAGMENTS:
                kept.pop(next(iter(kept)), None)  # the oldest first
            kept[key] = html
        return html

    return speech


def _room(consultation, viewer, speak_form, status=200):
    # coming into the room is noted (attendance): a write, committed here. What was read is kept loaded across
    # that commit: the page is rendered from the same reads (expiring them made the page load the consultation,
    # its community and rules, the membership and the user again: 6 of its 20 queries)
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        state = perform(lambda: services.room_state(viewer, consultation, tally=True)).result
    finally:
        session.expire_on_commit = expire
    can_moderate = permissions.can_moderate(viewer, consultation)
    return (
        render_template(
            "consultations/room.html",
            consultation=consultation,
            community=consultation.community,
            state=state,
            attachments=documents.panel(viewer, consultation),
            speak_form=speak_form,
            phase_form=PhaseForm(),
            membership=viewer.membership,
            can_manage=permissions.can_manage(viewer, consultation),
            can_moderate=can_moderate,
            speech_html=_speech_renderer(consultation, state["you"], can_moderate),
            next_phases=sorted(services.ALLOWED_PHASES[consultation.phase], key=services.phase_rank),
            phase_labels=PHASE_LABELS,
            party_labels={p.value: label for p, label in PARTY_LABELS.items()},
            stance_labels={s.value: label for s, label in STANCE_LABELS.items()},
            motion_state_labels={s.value: label for s, label in MOTION_STATE_LABELS.items()},
            vote_labels=VOTE_LABELS,
            badge_labels=BADGE_LABELS,
            action_labels=MODERATION_LABELS,
            moderation_log=moderation.room_log(consultation.room, limit=20),
            recent_speeches=RECENT_SPEECHES,
            muted_until=moderation.muted_until(consultation.room, current_user.id),
            rules_governing=governing_label(consultation.rule_set),
        ),
        status,
    )


@bp.route("/consultations/<int:consultation_id>")
@login_required
def room(consultation_id: int):
    """The room: history and the speaking form (live over Socket.IO when JavaScript runs)."""
    consultation, viewer = _load(consultation_id)
    return _room(consultation, viewer, SpeakForm())


@bp.route("/consultations/<int:consultation_id>/speak", methods=["POST"])
@login_required
def speak(consultation_id: int):
    """Post a speech without JavaScript: the same service and rules as the live room."""
    consultation, viewer = _load(consultation_id)
    form = SpeakForm()
    if not form.validate_on_submit():
        return _room(consultation, viewer, form, 400)
    try:
        body, stance = form.body.data or "", form.stance.data or None
        services.speak(viewer, consultation, client_id=form.client_id.data, body=body, stance=stance)
        db.session.commit()
    except DomainError as err:
        if err.status_code == 403 and err.code == "forbidden":
            raise
        # the rules' refusals, "not verified" (403) among them, are said beside the message box
        status = handle_refusal(err, form, reraise=())
        if not err.field:
            form.body.errors = [*form.body.errors, err.message]
        return _room(consultation, viewer, form, status)
    return _to_room(consultation.id, "#latest")


@bp.route("/consultations/<int:consultation_id>/phase", methods=["POST"])
@login_required
def phase(consultation_id: int):
    """Move the consultation to its next phase."""
    consultation, viewer = _load(consultation_id)
    try:
        target = Phase(PhaseForm().phase.data)
    except ValueError:
        flash(_("The request could not be understood."), "error")
        return _to_room(consultation.id), 400
    outcome = perform(lambda: services.set_phase(viewer, consultation, target))
    if not outcome.ok:
        return _to_room(consultation.id), outcome.status
    flash(_("The consultation is now: %(phase)s.", phase=PHASE_LABELS[target]), "success")
    return _to_room(consultation.id)


@bp.route("/consultations/<int:consultation_id>/rules", methods=["GET", "POST"])
@login_required
def rules(consultation_id: int):
    """The rules in plain words; the convenor, chair and staff may change them (announced in the room)."""
    consultation, viewer = _load(consultation_id)
    if request.method == "POST" and not permissions.can_manage(viewer, consultation):
        raise Forbidden()
    can_edit = permissions.can_edit_rules(viewer, consultation)
    form = RulesForm(obj=consultation.rule_set)
    if request.method == "GET":
        form.mode.data = consultation.rule_set.mode.value
    return form_view(
        form,
        lambda: services.change_rules(viewer, consultation, form.values()),
        render=lambda status: _rules_page(consultation, form, can_edit, status),
        done=lambda _result: redirect(url_for("consultations.rules", consultation_id=consultation.id)),
        message=_("The rules were changed; the room has been told."),
    )


def _rules_page(consultation, form, can_edit: bool, status: int):
    page = render_template(
        "consultations/rules.html",
        consultation=consultation,
        community=consultation.community,
        rules=consultation.rule_set,
        rules_governing=governing_label(consultation.rule_set),
        form=form,
        can_edit=can_edit,
    )
    return page, status


@bp.route("/consultations/<int:consultation_id>/minutes")
@login_required
def minutes(consultation_id: int):
    """The minutes, print-friendly."""
    consultation, viewer = _load(consultation_id)
    data = services.minutes(viewer, consultation)
    return render_template(
        "consultations/minutes.html", minutes=data, consultation=consultation, community=consultation.community
    )


@bp.route("/consultations/<int:consultation_id>/minutes.docx")
@login_required
def minutes_docx(consultation_id: int):
    """The minutes as a Word file."""
    consultation, viewer = _load(consultation_id)
    data = services.minutes(viewer, consultation)
    ascii_name, name = minutes_filename(data)
    return download(build_docx(data), "docx", ascii_name=ascii_name, name=name)


def _describe_motion(motion_id: int):
    """A motion's vote as the receipts page names it."""
    motion = db.session.get(Motion, motion_id) if isinstance(motion_id, int) else None
    if motion is None:
        return None
    labels = {"for": _("Vote for"), "against": _("Vote against"), "abstain": _("Abstain")}
    decided = motion.state in (MotionState.CARRIED, MotionState.FAILED)  # decided at the close: no certifying
    return Subject(
        kind=_("Vote on a motion"),
        title=motion.text,
        url=url_for("consultations.room", consultation_id=motion.consultation_id),
        choice_label=lambda choice: labels.get(choice, choice),
        outcome=str(MOTION_STATE_LABELS[motion.state]) if decided else None,
    )


voting_registry.register(services.POLL, _describe_motion)
