"""Neighbourhood-group views: the community's groups, setting one up, a group's page with its help board,
posting, one post and what its two neighbours do with it, moderation, the group's consultations, the yearly
summary. Every page works without JavaScript."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import access
from app.communities.access import Viewer
from app.consultations.labels import PHASE_LABELS
from app.core.errors import Forbidden
from app.core.masking import mask_phone
from app.core.web import form_view, perform
from app.moderation import services as moderation
from app.neighbours import bp, permissions, queries, services
from app.neighbours.forms import GroupForm, HelpForm, ReasonForm, ThankForm
from app.neighbours.labels import CATEGORY_LABELS, KIND_LABELS, MODERATION_LABELS, STATE_LABELS
from app.neighbours.models import HelpPost, NeighbourGroup
from app.neighbours.services.groups import buildings_without_group


def load_group(group_id: int) -> tuple[NeighbourGroup, Viewer]:
    return access.load(NeighbourGroup, group_id, current_user, can=permissions.can_view)


def load_board(group_id: int) -> tuple[NeighbourGroup, Viewer]:
    """The group, for those who see its board (members, leaders, staff); 404 for the rest."""
    return access.load(NeighbourGroup, group_id, current_user, can=permissions.can_view_board)


def moderator(group_id: int) -> tuple[NeighbourGroup, Viewer]:
    group, viewer = load_group(group_id)
    if not permissions.can_moderate(viewer, group):
        raise Forbidden()
    return group, viewer


def load_post(post_id: int) -> tuple[HelpPost, Viewer]:
    return access.load(HelpPost, post_id, current_user, can=permissions.can_view_post)


LABELS = {"kinds": KIND_LABELS, "categories": CATEGORY_LABELS, "states": STATE_LABELS, "actions": MODERATION_LABELS}


@bp.route("/c/<slug>/groups")
@login_required
def index(slug: str):
    """The community's neighbourhood groups."""
    viewer = access.community_viewer(slug, current_user)
    return render_template(
        "neighbours/index.html",
        community=viewer.community,
        groups=queries.groups(viewer),
        can_create=permissions.can_create(viewer),
        home_group=queries.group_of_building(viewer.membership.building_id if viewer.membership else None),
    )


@bp.route("/c/<slug>/groups/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Set up a group for one building or several."""
    viewer = access.community_viewer(slug, current_user)
    if not permissions.can_create(viewer):
        raise Forbidden()
    form = GroupForm()
    form.buildings.choices = [SelectChoice(b.id, b.name) for b in buildings_without_group(viewer)]
    return form_view(
        form,
        lambda: services.create(
            viewer,
            client_id=form.client_id.data,
            name=form.name.data,
            description=form.description.data,
            building_ids=form.buildings.data,
        ),
        render=lambda status: (render_template("neighbours/new.html", community=viewer.community, form=form), status),
        done=lambda group: redirect(url_for("neighbours.show", group_id=group.id)),
        message=_("The neighbourhood group is set up."),
    )


def _show(group: NeighbourGroup, viewer: Viewer, status: int = 200):
    closed = request.args.get("closed") == "1"
    sees_board = permissions.can_view_board(viewer, group)
    return render_template(
        "neighbours/show.html",
        community=viewer.community,
        group=group,
        closed=closed,
        board=queries.board(viewer, group, closed=closed),
        sees_board=sees_board,
        leaders=queries.leaders(group),
        member_count=queries.member_count(group),
        consultations=queries.consultations(group),
        phases=PHASE_LABELS,
        is_member=permissions.is_member(viewer, group),
        can_join=permissions.can_join(viewer, group),
        can_post=permissions.can_post(viewer, group),
        can_moderate=permissions.can_moderate(viewer, group),
        can_convene=permissions.can_convene(viewer, group),
        can_edit=permissions.can_edit(viewer, group),
        log=moderation.room_log(group.room, 20) if sees_board else [],
        **LABELS,
    ), status


@bp.route("/groups/<int:group_id>")
@login_required
def show(group_id: int):
    """The group: its buildings and leaders, its help board (for members), its consultations."""
    group, viewer = load_group(group_id)
    return _show(group, viewer)


@bp.route("/groups/<int:group_id>/join", methods=["POST"])
@login_required
def join(group_id: int):
    group, viewer = load_group(group_id)
    if perform(lambda: services.join(viewer, group)).ok:
        flash_ok(_("Welcome to the group: you can now ask for and offer help."))
    return redirect(url_for("neighbours.show", group_id=group.id))


@bp.route("/groups/<int:group_id>/leave", methods=["POST"])
@login_required
def leave(group_id: int):
    group, viewer = load_group(group_id)
    if perform(lambda: services.leave(viewer, group)).ok:
        flash_ok(_("You have left the group."))
    return redirect(url_for("neighbours.show", group_id=group.id))


def flash_ok(message) -> None:
    flash(str(message), "success")


@bp.route("/groups/<int:group_id>/help/new", methods=["GET", "POST"])
@login_required
def new_post(group_id: int):
    """Ask for help or offer it."""
    group, viewer = load_board(group_id)
    services.check_active(group)  # a dissolved group's board: 409, saying why
    if not permissions.can_post(viewer, group):
        raise Forbidden()
    form = HelpForm()
    return form_view(
        form,
        lambda: services.post(
            viewer,
            group,
            client_id=form.client_id.data,
            kind=form.kind.data,
            category=form.category.data,
            title=form.title.data,
            body=form.body.data,
        ),
        render=lambda status: (
            render_template("neighbours/post_form.html", community=viewer.community, group=group, form=form),
            status,
        ),
        done=lambda item: redirect(url_for("neighbours.post", post_id=item.id)),
        message=_("Posted: your neighbours in the group can see it now."),
    )


def _contact(viewer: Viewer, item: HelpPost) -> dict:
    """The other side's phone, if both agreed; otherwise masked for the two sides, nothing for the rest."""
    found = {}
    for who, user in (("author", item.author), ("taker", item.taker)):
        if user is None or not permissions.is_party(viewer, item) or viewer.is_user(user.id):
            continue
        found[who] = user.phone if permissions.sees_phone_of(viewer, item, user.id) else mask_phone(user.phone)
    return found


def _show_post(item: HelpPost, viewer: Viewer, status: int = 200, **forms):
    group = item.group
    return render_template(
        "neighbours/post.html",
        community=viewer.community,
        group=group,
        item=item,
        contact=_contact(viewer, item),
        i_share=(viewer.is_user(item.author_id) and item.author_shares)
        or (viewer.is_user(item.taker_id) and item.taker_shares),
        thank_form=forms.get("thank_form") or ThankForm(formdata=None),
        report_form=forms.get("report_form") or ReasonForm(formdata=None),
        hide_form=forms.get("hide_form") or ReasonForm(formdata=None),
        can=_can(viewer, item),
        **LABELS,
    ), status


def _can(viewer: Viewer, item: HelpPost) -> dict:
    p = permissions
    return {
        "take": p.can_take(viewer, item),
        "release": p.can_release(viewer, item),
        "done": p.can_mark_done(viewer, item),
        "thank": p.can_thank(viewer, item),
        "withdraw": p.can_withdraw(viewer, item),
        "share": p.can_share_contact(viewer, item),
        "report": p.can_report(viewer, item),
        "moderate": p.can_moderate(viewer, item.group),
    }


@bp.route("/help/<int:post_id>")
@login_required
def post(post_id: int):
    """One request or offer, with what its two neighbours can do next."""
    item, viewer = load_post(post_id)
    return _show_post(item, viewer)


ACTIONS = {
    "take": (services.take, _l("Thank you! The neighbour who posted it has been told.")),
    "release": (services.release, _l("Given back: it waits for another neighbour.")),
    "done": (services.mark_done, _l("Marked as done.")),
    "withdraw": (services.withdraw, _l("Withdrawn.")),
    "share": (services.share_contact, _l("You agreed to share your phone number.")),
}


@bp.route("/help/<int:post_id>/<any(take, release, done, withdraw, share):step>", methods=["POST"])
@login_required
def act(post_id: int, step: str):
    """A button on the post: take it, give it back, mark it done, withdraw it, agree to share the number."""
    item, viewer = load_post(post_id)
    use_case, message = ACTIONS[step]
    if perform(lambda: use_case(viewer, item)).ok:
        flash_ok(message)
    return redirect(url_for("neighbours.post", post_id=item.id))


@bp.route("/help/<int:post_id>/thank", methods=["POST"])
@login_required
def thank(post_id: int):
    item, viewer = load_post(post_id)
    form = ThankForm()
    return form_view(
        form,
        lambda: services.thank(viewer, item, form.note.data),
        render=lambda status: _show_post(item, viewer, status, thank_form=form),
        done=lambda _i: redirect(url_for("neighbours.post", post_id=item.id)),
        message=_("Your thanks are on the post."),
    )


@bp.route("/help/<int:post_id>/<any(report, hide):verb>", methods=["POST"])
@login_required
def moderate(post_id: int, verb: str):
    """Report a post (members), or hide it (the group's leaders and staff), with a reason."""
    item, viewer = load_post(post_id)
    form = ReasonForm()
    use_case = services.report if verb == "report" else services.hide
    return form_view(
        form,
        lambda: use_case(viewer, item, form.reason.data),
        render=lambda status: _show_post(item, viewer, status, **{f"{verb}_form": form}),
        done=lambda _i: redirect(url_for("neighbours.post", post_id=item.id)),
        message=_("Thank you: the group's leaders will look at it.") if verb == "report" else _("Hidden."),
    )


@bp.route("/help/<int:post_id>/restore", methods=["POST"])
@login_required
def restore(post_id: int):
    item, viewer = load_post(post_id)
    if perform(lambda: services.restore(viewer, item)).ok:
        flash_ok(_("Shown again."))
    return redirect(url_for("neighbours.post", post_id=item.id))
