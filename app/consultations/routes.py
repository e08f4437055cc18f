"""Consultation views: the list, drafting, the room page (works without JavaScript), rules, minutes."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import services as communities
from app.consultations import bp, permissions, room_http, services  # noqa: F401 (room_http: the room's form posts)
from app.consultations.forms import PARTY_LABELS, ConsultationForm, PhaseForm, SpeakForm
from app.consultations.minutes import build_docx, minutes_filename
from app.consultations.models import Phase
from app.core.errors import DomainError, Forbidden
from app.core.web import handle_refusal
from app.moderation import services as moderation
from app.procedure.forms import RulesForm
from app.voting import registry as voting_registry


def _choices(form: ConsultationForm, community, *, with_rules: bool) -> None:
    form.building_id.choices = [SelectChoice(0, _("Whole community"))] + [
        SelectChoice(b.id, b.name) for b in community.buildings
    ]
    form.chair_id.choices = [SelectChoice(m.user_id, m.user.name) for m in services.chair_choices(community)]
    if with_rules:
        form.rule_set_id.choices = [SelectChoice(r.id, r.name) for r in services.rule_set_choices(community)]


@bp.route("/c/<slug>/consultations")
@login_required
def index(slug: str):
    """Consultations of the community, newest activity first."""
    community = communities.get_community(slug)
    member = communities.membership_of(current_user, community.id)
    if member is None and community.id not in communities.overseen_community_ids(current_user):
        raise Forbidden()
    return render_template(
        "consultations/index.html",
        community=community,
        consultations=services.list_for(current_user, community),
        can_convene=permissions.can_convene(member),
        phase_labels=services.PHASE_LABELS,
    )


@bp.route("/c/<slug>/consultations/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """A convenor drafts a consultation."""
    community = communities.get_community(slug)
    if not permissions.can_convene(communities.membership_of(current_user, community.id)):
        raise Forbidden()
    form = ConsultationForm()
    _choices(form, community, with_rules=True)
    if request.method == "GET":
        form.chair_id.data = current_user.id
        form.parties.data = ["residents_committee", "residents"]
    status = 200
    if form.validate_on_submit():
        try:
            consultation = services.create(
                current_user,
                community,
                title=form.title.data,
                background=form.background.data,
                building_id=form.building_id.data or None,
                parties=form.parties.data,
                chair_id=form.chair_id.data,
                rule_set_id=form.rule_set_id.data,
            )
        except DomainError as err:
            status = handle_refusal(err, form)
        else:
            flash(_("Draft saved. Open it when you are ready."), "success")
            return redirect(url_for("consultations.room", consultation_id=consultation.id))
    elif request.method == "POST":
        status = 400
    return render_template("consultations/form.html", community=community, form=form, consultation=None), status


@bp.route("/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(consultation_id: int):
    """Change the title, background, scope, parties or chair."""
    consultation = services.get(consultation_id)
    actor = services.visible(current_user, consultation)
    if not permissions.can_manage(actor.member, consultation):
        raise Forbidden()
    form = ConsultationForm(obj=consultation)
    _choices(form, consultation.community, with_rules=False)
    if request.method == "GET":
        form.building_id.data = consultation.building_id or 0
    status = 200
    if form.validate_on_submit():
        try:
            services.update(
                current_user,
                consultation,
                title=form.title.data,
                background=form.background.data,
                building_id=form.building_id.data or None,
                parties=form.parties.data,
                chair_id=form.chair_id.data,
            )
        except DomainError as err:
            status = handle_refusal(err, form)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("consultations.room", consultation_id=consultation.id))
    elif request.method == "POST":
        status = 400
    return (
        render_template(
            "consultations/form.html", community=consultation.community, form=form, consultation=consultation
        ),
        status,
    )


def _room(consultation, actor, speak_form, status=200):
    state = services.room_state(current_user, consultation)
    return (
        render_template(
            "consultations/room.html",
            consultation=consultation,
            community=consultation.community,
            state=state,
            speak_form=speak_form,
            phase_form=PhaseForm(),
            membership=actor.member,
            can_manage=permissions.can_manage(actor.member, consultation),
            can_moderate=permissions.can_moderate(actor.member, consultation),
            next_phases=sorted(services.ALLOWED_PHASES[consultation.phase], key=services.phase_rank),
            phase_labels=services.PHASE_LABELS,
            party_labels={p.value: label for p, label in PARTY_LABELS.items()},
            stance_labels={s.value: label for s, label in services.STANCE_LABELS.items()},
            motion_state_labels={s.value: label for s, label in services.MOTION_STATE_LABELS.items()},
            badge_labels=services.BADGE_LABELS,
            moderation_log=moderation.room_log(consultation.room, limit=20),
            muted_until=moderation.muted_until(consultation.room, current_user.id),
        ),
        status,
    )


@bp.route("/consultations/<int:consultation_id>")
@login_required
def room(consultation_id: int):
    """The room: history and the speaking form (live over Socket.IO when JavaScript runs)."""
    consultation = services.get(consultation_id)
    actor = services.visible(current_user, consultation)
    return _room(consultation, actor, SpeakForm())


@bp.route("/consultations/<int:consultation_id>/speak", methods=["POST"])
@login_required
def speak(consultation_id: int):
    """Post a speech without JavaScript: the same service and rules as the live room."""
    consultation = services.get(consultation_id)
    actor = services.visible(current_user, consultation)
    form = SpeakForm()
    if form.validate_on_submit():
        try:
            services.speak(
                current_user,
                consultation,
                client_id=form.client_id.data,
                body=form.body.data or "",
                stance=form.stance.data or None,
            )
        except DomainError as err:
            if err.status_code == 403 and err.code == "forbidden":
                raise
            # the rules' refusals, "not verified" (403) among them, are said beside the message box
            status = handle_refusal(err, form, reraise=())
            if not err.field:
                form.body.errors = [*form.body.errors, err.message]
            return _room(consultation, actor, form, status)
        return redirect(url_for("consultations.room", consultation_id=consultation.id) + "#latest")
    return _room(consultation, actor, form, 400)


@bp.route("/consultations/<int:consultation_id>/phase", methods=["POST"])
@login_required
def phase(consultation_id: int):
    """Move the consultation to its next phase."""
    consultation = services.get(consultation_id)
    services.visible(current_user, consultation)
    form = PhaseForm()
    try:
        target = Phase(form.phase.data)
    except ValueError:
        flash(_("The request could not be understood."), "error")
        return redirect(url_for("consultations.room", consultation_id=consultation.id)), 400
    try:
        services.set_phase(current_user, consultation, target)
    except DomainError as err:
        status = handle_refusal(err)
        return redirect(url_for("consultations.room", consultation_id=consultation.id)), status
    flash(_("The consultation is now: %(phase)s.", phase=services.PHASE_LABELS[target]), "success")
    return redirect(url_for("consultations.room", consultation_id=consultation.id))


@bp.route("/consultations/<int:consultation_id>/rules", methods=["GET", "POST"])
@login_required
def rules(consultation_id: int):
    """The rules in plain words; the convenor, chair and staff may change them (announced in the room)."""
    consultation = services.get(consultation_id)
    actor = services.visible(current_user, consultation)
    can_edit = permissions.can_manage(actor.member, consultation) and consultation.phase not in (
        Phase.CONCLUDED,
        Phase.ARCHIVED,
    )
    form = RulesForm(obj=consultation.rule_set)
    if request.method == "GET":
        form.mode.data = consultation.rule_set.mode.value
    status = 200
    if request.method == "POST":
        if not permissions.can_manage(actor.member, consultation):
            raise Forbidden()
        if form.validate_on_submit():
            try:
                services.change_rules(current_user, consultation, form.values())
            except DomainError as err:
                status = handle_refusal(err, form)
            else:
                flash(_("The rules were changed; the room has been told."), "success")
                return redirect(url_for("consultations.rules", consultation_id=consultation.id))
        else:
            status = 400
    return (
        render_template(
            "consultations/rules.html",
            consultation=consultation,
            community=consultation.community,
            rules=consultation.rule_set,
            form=form,
            can_edit=can_edit,
        ),
        status,
    )


@bp.route("/consultations/<int:consultation_id>/minutes")
@login_required
def minutes(consultation_id: int):
    """The minutes, print-friendly."""
    consultation = services.get(consultation_id)
    data = services.minutes(current_user, consultation)
    return render_template(
        "consultations/minutes.html", minutes=data, consultation=consultation, community=consultation.community
    )


@bp.route("/consultations/<int:consultation_id>/minutes.docx")
@login_required
def minutes_docx(consultation_id: int):
    """The minutes as a Word file."""
    consultation = services.get(consultation_id)
    data = services.minutes(current_user, consultation)
    ascii_name, utf8_name = minutes_filename(data)
    return Response(
        build_docx(data),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={
            "Content-Disposition": f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(utf8_name)}",
        },
    )


def _describe_motion(motion_id: int):
    """A motion's vote as the receipts page names it."""
    from app.voting.registry import Subject

    try:
        motion = services.get_motion(motion_id)
    except DomainError:
        return None
    labels = {"for": _("Vote for"), "against": _("Vote against"), "abstain": _("Abstain")}
    return Subject(
        kind=_("Vote on a motion"),
        title=motion.text,
        url=url_for("consultations.room", consultation_id=motion.consultation_id),
        choice_label=lambda choice: labels.get(choice, choice),
    )


voting_registry.register(services.POLL, _describe_motion)
