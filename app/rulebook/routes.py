"""The community's rules: the rules page (the adopted rules, their versions, the drafts put to the residents),
a draft's page (its rules, what it changes, comments, the vote), and the staff's steps. Thin views: load
through the access rule, refuse early with the permission, let `core.web` commit once."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import access
from app.core.errors import Forbidden
from app.core.web import form_view, perform
from app.extensions import db
from app.procedure import versions
from app.procedure.models import RuleSet
from app.rulebook import bp, permissions, services
from app.rulebook.forms import (
    BallotForm,
    CommentForm,
    CommentsPeriodForm,
    DraftForm,
    MuteForm,
    NewDraftForm,
    ReasonForm,
    VotePeriodForm,
)
from app.rulebook.labels import CHOICE_LABELS, STATE_LABELS
from app.rulebook.models import RuleComment, RuleDraft
from app.voting import registry as voting_registry
from app.voting import services as voting


def _history(community_id: int) -> list[dict]:
    """Each adopted version, newest first, with what it changed and the vote that adopted it."""
    drafts = {
        d.version_id: d
        for d in db.session.scalars(db.select(RuleDraft).where(RuleDraft.community_id == community_id))
        if d.version_id
    }
    rows = []
    for version in versions.history(community_id):
        before = versions.previous(version)
        base = before.rule_set if before else _based_on(version.rule_set)
        rows.append(
            {
                "version": version,
                "compared_with": base,
                "changes": versions.differences(base, version.rule_set),
                "draft": drafts.get(version.id),
                "result": services.result(drafts[version.id]) if version.id in drafts else None,
            }
        )
    return rows


def _based_on(rules: RuleSet) -> RuleSet | None:
    return db.session.get(RuleSet, rules.based_on_id) if rules.based_on_id else None


@bp.route("/c/<slug>/rules")
@login_required
def index(slug: str):
    """The community's adopted rules, their version history and the drafts put to the residents."""
    viewer = access.community_viewer(slug, current_user)
    drafts = services.listing(viewer)
    for draft in drafts:
        perform(lambda d=draft: services.sync(d))
    current = versions.current(viewer.community_id)
    return render_template(
        "rulebook/index.html",
        community=viewer.community,
        current=current,
        settings=versions.settings(current.rule_set) if current else [],
        history=_history(viewer.community_id),
        drafts=drafts,
        state_labels=STATE_LABELS,
        last_day=services.last_day,
        can_manage=permissions.can_manage(viewer),
    )


@bp.route("/c/<slug>/rules/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Staff start a draft from a template, the library or the adopted rules."""
    viewer = access.community_viewer(slug, current_user)
    if not permissions.can_manage(viewer):
        raise Forbidden()
    form = NewDraftForm()
    form.source_id.choices = [SelectChoice(r.id, r.name) for r in services.sources(viewer.community)]
    return form_view(
        form,
        lambda: services.create(
            viewer,
            client_id=form.client_id.data,
            source_id=form.source_id.data,
            name=form.name.data,
            explanation=form.explanation.data,
        ),
        render=lambda status: (render_template("rulebook/new.html", community=viewer.community, form=form), status),
        done=lambda draft: redirect(url_for("rulebook.edit", draft_id=draft.id)),
        message=_("The draft is made. Change it, then open it for comments."),
    )


def _load(draft_id: int) -> tuple[RuleDraft, access.Viewer]:
    """(draft, viewer), its vote closed if its date has passed (committed); 404 unless the viewer may read it."""
    draft, viewer = access.load(RuleDraft, draft_id, current_user, can=permissions.can_view_draft)
    perform(lambda: services.sync(draft))
    return draft, viewer


def _manager(draft_id: int) -> tuple[RuleDraft, access.Viewer]:
    draft, viewer = _load(draft_id)
    if not permissions.can_manage(viewer):
        raise Forbidden()
    return draft, viewer


def _compared_with(draft: RuleDraft) -> RuleSet | None:
    """What a draft is read against: an adopted one, the version before it; another, the rules in force; else
    (or for the first version) the set it was drafted from."""
    adopted = draft.version
    before = versions.previous(adopted) if adopted is not None else versions.current(draft.community_id)
    return before.rule_set if before is not None else _based_on(draft.rule_set)


def _page(draft: RuleDraft, viewer: access.Viewer, status: int = 200, **forms):
    """The draft's page, with whichever of its forms were just posted (to show their errors)."""
    compared = _compared_with(draft)
    poll = services.poll_of(draft)
    closed = poll is not None and poll.state.value != "open"
    return (
        render_template(
            "rulebook/draft.html",
            community=viewer.community,
            draft=draft,
            rules=draft.rule_set,
            settings=versions.settings(draft.rule_set),
            compared_with=compared,
            changes=versions.differences(compared, draft.rule_set) if compared else [],
            comments=services.comments(draft),
            comments_open=services.is_open(draft),
            receipt=services.my_receipt(viewer, draft),
            result=services.result(draft),
            poll=poll,
            check=voting.verify(poll) if closed else None,
            state_labels=STATE_LABELS,
            last_day=services.last_day,
            choice_labels=CHOICE_LABELS,
            can_manage=permissions.can_manage(viewer),
            can_comment=permissions.can_comment(viewer),
            can_vote=permissions.can_vote(viewer),
            can_moderate=permissions.can_moderate(viewer),
            viewer_id=viewer.user_id,
            comment_form=forms.get("comment_form") or CommentForm(),
            ballot_form=forms.get("ballot_form") or BallotForm(),
            comments_form=forms.get("comments_form") or CommentsPeriodForm(),
            vote_form=forms.get("vote_form") or VotePeriodForm(),
            reason_form=ReasonForm(),
            mute_form=MuteForm(),
        ),
        status,
    )


@bp.route("/rules/drafts/<int:draft_id>")
@login_required
def show(draft_id: int):
    """A draft: its rules, what it changes, its comments and its vote."""
    draft, viewer = _load(draft_id)
    return _page(draft, viewer)


@bp.route("/rules/drafts/<int:draft_id>/edit", methods=["GET", "POST"])
@login_required
def edit(draft_id: int):
    """Staff change the draft until it is put to the vote."""
    draft, viewer = _manager(draft_id)
    form = DraftForm(obj=draft.rule_set)
    if not form.is_submitted():
        form.explanation.data = draft.explanation
        form.mode.data = draft.rule_set.mode.value
    return form_view(
        form,
        lambda: services.update(
            viewer, draft, form.values(), name=form.name.data, text=form.text.data, explanation=form.explanation.data
        ),
        render=lambda status: (render_template("rulebook/edit.html", draft=draft, form=form), status),
        done=lambda _draft: redirect(url_for("rulebook.show", draft_id=draft.id)),
        message=_("Saved."),
    )


def _step(draft_id: int, form, action, message: str, form_name: str):
    """A staff step with a date (open the comments, open the vote): done, or the page with the form's error."""
    draft, viewer = _manager(draft_id)
    return form_view(
        form,
        lambda: action(viewer, draft, services.end_of_day(form.closes_on.data)),
        render=lambda status: _page(draft, viewer, status, **{form_name: form}),
        done=lambda _draft: redirect(url_for("rulebook.show", draft_id=draft.id)),
        message=message,
    )


@bp.route("/rules/drafts/<int:draft_id>/open-comments", methods=["POST"])
@login_required
def open_comments(draft_id: int):
    """Staff open the draft for comments until a day."""
    message = _("The draft is open for comments; the residents have been told.")
    return _step(draft_id, CommentsPeriodForm(), services.open_comments, message, "comments_form")


@bp.route("/rules/drafts/<int:draft_id>/open-vote", methods=["POST"])
@login_required
def open_vote(draft_id: int):
    """Staff put the draft to the vote until a day."""
    message = _("Voting is open; the residents have been told.")
    return _step(draft_id, VotePeriodForm(), services.open_vote, message, "vote_form")


@bp.route("/rules/drafts/<int:draft_id>/withdraw", methods=["POST"])
@login_required
def withdraw(draft_id: int):
    """Staff withdraw a draft before the vote."""
    draft, viewer = _manager(draft_id)
    if perform(lambda: services.withdraw(viewer, draft)).ok:
        flash(_("The draft was withdrawn."), "success")
    return redirect(url_for("rulebook.show", draft_id=draft.id))


@bp.route("/rules/drafts/<int:draft_id>/comments", methods=["POST"])
@login_required
def comment(draft_id: int):
    """A verified member comments during the comment period."""
    draft, viewer = _load(draft_id)
    form = CommentForm()
    return form_view(
        form,
        lambda: services.comment(viewer, draft, client_id=form.client_id.data, body=form.body.data),
        render=lambda status: _page(draft, viewer, status, comment_form=form),
        done=lambda item: redirect(url_for("rulebook.show", draft_id=draft.id, _anchor=f"comment-{item.id}")),
        message=_("Your comment is posted."),
    )


@bp.route("/rules/drafts/<int:draft_id>/vote", methods=["POST"])
@login_required
def vote(draft_id: int):
    """A verified resident casts their ballot: for, against or abstain."""
    draft, viewer = _load(draft_id)
    form = BallotForm()
    return form_view(
        form,
        lambda: services.vote(viewer, draft, form.choice.data),
        render=lambda status: _page(draft, viewer, status, ballot_form=form),
        done=lambda ballot: redirect(url_for("rulebook.show", draft_id=draft.id, _anchor="vote")),
        message=_("Your vote is cast. Keep your tracking code to check that it was counted."),
    )


def _comment(comment_id: int) -> tuple[RuleComment, access.Viewer]:
    return access.load(RuleComment, comment_id, current_user, can=_may_see_comment)


def _may_see_comment(viewer: access.Viewer, item: RuleComment) -> bool:
    return permissions.can_view_draft(viewer, db.session.get(RuleDraft, item.draft_id))


def _moderate(comment_id: int, form, action, message: str):
    """Report, hide, restore or mute: one button with a reason, back to the comment."""
    item, viewer = _comment(comment_id)
    back = redirect(url_for("rulebook.show", draft_id=item.draft_id, _anchor=f"comment-{item.id}"))
    if form is not None and not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0], "error")
        return back, 400
    outcome = perform(lambda: action(viewer, item, form))
    if outcome.ok:
        flash(message, "success")
    return back if outcome.ok else (back, outcome.status)


@bp.route("/rules/comments/<int:comment_id>/report", methods=["POST"])
@login_required
def report(comment_id: int):
    """A verified member reports a comment, with a reason."""
    action = lambda viewer, item, form: services.report(viewer, item, form.reason.data)  # noqa: E731
    return _moderate(comment_id, ReasonForm(), action, _("Thank you: the report was recorded."))


@bp.route("/rules/comments/<int:comment_id>/hide", methods=["POST"])
@login_required
def hide(comment_id: int):
    """Staff hide a comment, with a reason shown in its place."""
    action = lambda viewer, item, form: services.hide(viewer, item, form.reason.data)  # noqa: E731
    return _moderate(comment_id, ReasonForm(), action, _("The comment is hidden."))


@bp.route("/rules/comments/<int:comment_id>/restore", methods=["POST"])
@login_required
def restore(comment_id: int):
    """Staff show a hidden comment again."""
    action = lambda viewer, item, form: services.restore(viewer, item)  # noqa: E731
    return _moderate(comment_id, None, action, _("The comment is shown again."))


@bp.route("/rules/comments/<int:comment_id>/mute", methods=["POST"])
@login_required
def mute(comment_id: int):
    """Staff mute a comment's author on this draft for some minutes."""
    action = lambda viewer, item, form: services.mute(viewer, item, form.minutes.data, form.reason.data)  # noqa: E731
    return _moderate(comment_id, MuteForm(), action, _("The author is muted on this draft."))


def _describe(subject_id: int):
    """A rules vote as the receipts page names it (a secret ballot: the choice is never shown)."""
    draft = db.session.get(RuleDraft, subject_id) if isinstance(subject_id, int) else None
    if draft is None:
        return None
    return voting_registry.Subject(
        kind=_("Vote on the community's rules"),
        title=draft.title,
        url=url_for("rulebook.show", draft_id=draft.id),
    )


voting_registry.register(services.POLL_TYPE, _describe)
