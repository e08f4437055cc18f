"""Community views: join, home, verification, members and roles, invites, roster, photos.

Every view starts from a `Viewer` (communities.access) and hands it to permissions and services; use cases
are performed through core.web (`form_view`, `perform`), which commits once.
"""

from __future__ import annotations

from pathlib import Path

import segno
from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import access, bp, permissions, roster, services
from app.communities.forms import (
    CodeForm,
    InviteForm,
    JoinForm,
    RejectForm,
    RevokeRoleForm,
    RoleForm,
    RosterConfirmForm,
    RosterUploadForm,
)
from app.communities.labels import RELATION_LABELS, ROLE_LABELS
from app.communities.models import MembershipStatus, Relation, Role
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.uploads import Photo, photo_path
from app.core.web import form_view, handle_refusal, perform

BUTTON_REFUSALS = (403, 404, 409)  # a button's refusal with one of these is answered with the error page


def _viewer(slug: str) -> access.Viewer:
    """How the current user stands in the community; the services refuse (403) what they may not do."""
    return access.community_viewer(slug, current_user, check=False)


def _require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


def _building_choices(community, *, blank=None):
    choices = [SelectChoice(b.id, b.name) for b in community.buildings]
    return [SelectChoice(0, blank), *choices] if blank else choices


# -- joining ---------------------------------------------------------------


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join():
    """Step one: the invite code (typed, or from the poster's QR link)."""
    form = CodeForm()
    code = form.code.data if request.method == "POST" else request.args.get("code", "")
    if request.method == "GET" and not code:
        return render_template("communities/join_code.html", form=form)
    if request.method == "GET" or form.validate_on_submit():
        try:
            invite = services.find_invite(code)
        except DomainError as err:
            form.code.data = code
            handle_refusal(err, form)
        else:
            return redirect(url_for("communities.join_household", code=invite.code))
    return render_template("communities/join_code.html", form=form), 400


def _join_form(invite) -> JoinForm:
    form = JoinForm(code=invite.code)
    if invite.building_id:
        form.building_id.choices = [SelectChoice(invite.building_id, invite.building.name)]
    else:
        form.building_id.choices = _building_choices(invite.community, blank=_("Choose…"))
    return form


def _join(viewer, invite, form):
    household = None
    if not form.no_household.data:
        household = services.find_household(viewer.community_id, form.building_id.data, form.unit.data, form.room.data)
    relation = Relation(form.relation.data) if household and form.relation.data else None
    return services.join(viewer, invite, household=household, relation=relation)


@bp.route("/join/<code>", methods=["GET", "POST"])
@login_required
def join_household(code: str):
    """Step two: the household; then the member waits for verification."""
    try:
        invite = services.find_invite(code)
    except DomainError as err:
        handle_refusal(err)
        return redirect(url_for("communities.join"))
    viewer = access.viewer(current_user, invite.community)
    home = redirect(url_for("communities.home", slug=viewer.community.slug))
    if viewer.membership is not None and viewer.membership.status != MembershipStatus.REJECTED:
        return home
    form = _join_form(invite)
    return form_view(
        form,
        lambda: _join(viewer, invite, form),
        render=lambda status: (
            render_template("communities/join_household.html", form=form, invite=invite, community=viewer.community),
            status,
        ),
        done=lambda _membership: home,
    )


# -- the community's home --------------------------------------------------


@bp.route("/me")
@login_required
def dashboard():
    """The user's communities and their status in each."""
    overseen = services.overseen_communities(current_user)
    return render_template(
        "core/index.html",
        memberships=services.memberships_of(current_user),
        offices=access.offices_of(current_user),
        overview_url=url_for("communities.overview") if overseen else None,
    )


@bp.route("/c/<slug>/")
def home(slug: str):
    """The community's page: public facts for everyone, the member's status for them."""
    view = _viewer(slug)
    can_review = permissions.can_review_queue(view)
    return render_template(
        "communities/home.html",
        view=view,
        community=view.community,
        membership=view.membership,
        pending_count=len(services.review_queue(view)) if can_review else 0,
        can_review=can_review,
        can_manage=permissions.can_manage_roles(view),
        can_view_members=permissions.can_view_members(view),
        role_labels=ROLE_LABELS,
    )


# -- verification ----------------------------------------------------------


def _verifications(view, reject_form, rejecting_id=None, status=200):
    queue = services.review_queue(view)
    page = render_template(
        "communities/verifications.html",
        community=view.community,
        queue=queue,
        matches={m.id: services.roster_match(m) for m in queue},
        reject_form=reject_form,
        rejecting_id=rejecting_id,
        relation_labels=RELATION_LABELS,
    )
    return page, status


@bp.route("/c/<slug>/verifications")
@login_required
def verifications(slug: str):
    """The queue of pending members this user may verify."""
    return _verifications(_viewer(slug), RejectForm())


@bp.route("/c/<slug>/members/<int:membership_id>/verify", methods=["POST"])
@login_required
def verify(slug: str, membership_id: int):
    """Verify one pending member."""
    view = _viewer(slug)  # CSRFProtect has checked the token of every POST
    membership = services.get_membership(view.community, membership_id)
    if perform(lambda: services.verify(view, membership), reraise=BUTTON_REFUSALS).ok:
        flash(_("%(name)s is verified.", name=membership.user.name), "success")
    return redirect(url_for("communities.verifications", slug=slug))


@bp.route("/c/<slug>/members/<int:membership_id>/reject", methods=["POST"])
@login_required
def reject(slug: str, membership_id: int):
    """Reject one pending member with a reason."""
    view = _viewer(slug)
    membership = services.get_membership(view.community, membership_id)
    _require(permissions.can_verify(view, membership))
    form = RejectForm()
    return form_view(
        form,
        lambda: services.reject(view, membership, form.reason.data),
        render=lambda status: _verifications(view, form, membership.id, status),
        done=lambda _m: _rejected(membership, slug),
    )


def _rejected(membership, slug: str):
    flash(_("The request of %(name)s was rejected.", name=membership.user.name), "info")
    return redirect(url_for("communities.verifications", slug=slug))


# -- members and roles -----------------------------------------------------


@bp.route("/c/<slug>/members")
@login_required
def members(slug: str):
    """The member directory, personal data masked unless the viewer may see it."""
    view = _viewer(slug)
    status = request.args.get("status")
    status_filter = MembershipStatus(status) if status in {s.value for s in MembershipStatus} else None
    people = services.members_visible_to(view, status_filter)
    return render_template(
        "communities/members.html",
        view=view,
        community=view.community,
        members=people,
        status_filter=status_filter,
        unmasked={m.id for m in people if permissions.can_see_personal_data(view, m)},
        can_manage=permissions.can_manage_roles(view),
        role_labels=ROLE_LABELS,
    )


@bp.route("/c/<slug>/members/<int:membership_id>", methods=["GET", "POST"])
@login_required
def member(slug: str, membership_id: int):
    """One member: details and, for staff, their roles."""
    view = _viewer(slug)
    target = services.get_membership(view.community, membership_id)
    _require(permissions.can_manage_roles(view))
    form = RoleForm()
    form.building_id.choices = _building_choices(view.community, blank=_("—"))
    return form_view(
        form,
        lambda: services.assign_role(view, target, Role(form.role.data), form.building_id.data or None),
        render=lambda status: (_member_page(view, target, form), status),
        done=lambda _m: redirect(url_for("communities.member", slug=slug, membership_id=target.id)),
        message=_("Role given."),
    )


def _member_page(view, target, form):
    return render_template(
        "communities/member.html",
        community=view.community,
        target=target,
        form=form,
        revoke_form=RevokeRoleForm(),
        role_labels=ROLE_LABELS,
        relation_labels=RELATION_LABELS,
    )


@bp.route("/c/<slug>/members/<int:membership_id>/roles/revoke", methods=["POST"])
@login_required
def revoke_role(slug: str, membership_id: int):
    """Take a role back from a member."""
    view = _viewer(slug)
    target = services.get_membership(view.community, membership_id)
    form = RevokeRoleForm()
    if not form.validate_on_submit() or form.role.data not in {r.value for r in Role}:
        abort(400)
    outcome = perform(lambda: services.revoke_role(view, target, Role(form.role.data)))
    back = redirect(url_for("communities.member", slug=slug, membership_id=target.id))
    if not outcome.ok:
        return back, outcome.status
    flash(_("Role removed."), "info")
    return back


# -- invites and posters ---------------------------------------------------


@bp.route("/c/<slug>/invites", methods=["GET", "POST"])
@login_required
def invites(slug: str):
    """Staff list invite codes and make new ones."""
    view = _viewer(slug)
    _require(permissions.can_manage_invites(view))
    form = InviteForm()
    form.building_id.choices = _building_choices(view.community, blank=_("The whole community"))
    return form_view(
        form,
        lambda: services.create_invite(view, form.building_id.data or None),
        render=lambda status: (
            render_template(
                "communities/invites.html",
                community=view.community,
                form=form,
                invites=services.invites_of(view.community),
            ),
            status,
        ),
        done=lambda invite: _invite_made(invite, slug),
    )


def _invite_made(invite, slug: str):
    flash(_("New invite code %(code)s.", code=invite.code), "success")
    return redirect(url_for("communities.invites", slug=slug))


def _invite_for(view, invite_id: int):
    invite = services.get_invite(view.community, invite_id)
    _require(permissions.can_manage_invites(view))
    return invite


@bp.route("/c/<slug>/invites/<int:invite_id>/toggle", methods=["POST"])
@login_required
def toggle_invite(slug: str, invite_id: int):
    """Switch an invite code off or on."""
    view = _viewer(slug)
    invite = _invite_for(view, invite_id)
    perform(lambda: services.set_invite_active(view, invite, not invite.active), reraise=BUTTON_REFUSALS)
    return redirect(url_for("communities.invites", slug=slug))


def _join_url(invite) -> str:
    return url_for("communities.join", code=invite.code, _external=True)


@bp.route("/c/<slug>/invites/<int:invite_id>/poster")
@login_required
def invite_poster(slug: str, invite_id: int):
    """A printable A4 poster with the QR code and the code in large type."""
    view = _viewer(slug)
    invite = _invite_for(view, invite_id)
    return render_template(
        "communities/poster.html", community=view.community, invite=invite, join_url=_join_url(invite)
    )


@bp.route("/c/<slug>/invites/<int:invite_id>/qr.svg")
@login_required
def invite_qr(slug: str, invite_id: int):
    """The poster's QR code as SVG."""
    view = _viewer(slug)
    invite = _invite_for(view, invite_id)
    svg = segno.make(_join_url(invite), error="m").svg_inline(scale=10, border=2)
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})


# -- roster ----------------------------------------------------------------


def _stash_dir() -> Path:
    return Path(current_app.config.get("ROSTER_STASH_DIR") or Path(current_app.instance_path) / "imports")


def _roster_viewer(slug: str) -> access.Viewer:
    view = _viewer(slug)
    _require(permissions.can_manage_roster(view))
    return view


@bp.route("/c/<slug>/roster")
@login_required
def roster_list(slug: str):
    """The household register, by building."""
    view = _roster_viewer(slug)
    return render_template("communities/roster.html", community=view.community, form=RosterUploadForm())


@bp.route("/c/<slug>/roster/template.csv")
@login_required
def roster_template(slug: str):
    """A CSV template to fill in."""
    _roster_viewer(slug)
    return Response(
        roster.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=roster-template.csv"},
    )


@bp.route("/c/<slug>/roster/import", methods=["POST"])
@login_required
def roster_preview(slug: str):
    """Upload a roster and see every row and every error before anything is written."""
    view = _roster_viewer(slug)
    form = RosterUploadForm()
    if not form.validate_on_submit():
        return render_template("communities/roster.html", community=view.community, form=form), 400
    data = form.file.data.read()
    try:
        preview = roster.parse(data, form.file.data.filename or "", max_rows=_max_rows())
    except DomainError as err:
        status = handle_refusal(err, form)
        return render_template("communities/roster.html", community=view.community, form=form), status
    token = roster.stash(_stash_dir(), data, view.community.id, current_user.id) if preview.ok else ""
    page = render_template(
        "communities/roster_preview.html",
        community=view.community,
        preview=preview,
        confirm_form=RosterConfirmForm(token=token),
    )
    return page, 200 if preview.ok else 422


def _max_rows() -> int:
    return current_app.config["ROSTER_MAX_ROWS"]


def _import(view, token: str):
    data = roster.unstash(_stash_dir(), token, view.community.id, current_user.id)
    return roster.import_roster(view, view.community, roster.parse(data, max_rows=_max_rows()))


@bp.route("/c/<slug>/roster/import/confirm", methods=["POST"])
@login_required
def roster_confirm(slug: str):
    """Write the previewed roster, all of it or nothing."""
    view = _roster_viewer(slug)
    form = RosterConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = perform(lambda: _import(view, form.token.data))
    if outcome.ok:
        roster.unstash(_stash_dir(), form.token.data, view.community.id, current_user.id, remove=True)
        result = outcome.result
        flash(
            _(
                "Roster imported: %(new)d new households, %(updated)d updated, %(owners)d owners.",
                new=result.households_created,
                updated=result.households_updated,
                owners=result.owners,
            ),
            "success",
        )
    return redirect(url_for("communities.roster_list", slug=slug))


# -- street and district overview -----------------------------------------


@bp.route("/overview")
@login_required
def overview():
    """Street and district staff: the communities they oversee, with counts."""
    communities = services.overseen_communities(current_user)
    _require(bool(communities))
    return render_template(
        "communities/overview.html",
        communities=communities,
        stats=services.community_stats({c.id for c in communities}),
        offices=access.offices_of(current_user),
    )


# -- photos ----------------------------------------------------------------


@bp.route("/photos/<int:photo_id>/thumb", defaults={"thumb": True})
@bp.route("/photos/<int:photo_id>", defaults={"thumb": False})  # registered first: url_for's default
@login_required
def photo(photo_id: int, thumb: bool = False):
    """A stored photo (or its thumbnail), for members and overseers of its community only (404 otherwise:
    nothing confirms that the photo exists)."""
    found, _viewer = access.load(Photo, photo_id, current_user)
    return _send_photo(found, thumb)


def _send_photo(found: Photo, thumb: bool):
    path = photo_path(found, current_app.config["UPLOAD_DIR"], thumb=thumb)
    name = f"photo-{found.id}.{found.extension}"
    try:
        response = send_file(path, mimetype=found.content_type, conditional=True, max_age=86400, download_name=name)
    except FileNotFoundError:
        raise NotFound() from None
    response.cache_control.public = False  # community photos: browsers may keep them, shared caches may not
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Disposition"] = f"inline; filename={name}"
    return response
