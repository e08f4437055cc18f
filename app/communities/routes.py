"""Community views: join, home, verification, members and roles, invites, roster."""

from __future__ import annotations

from pathlib import Path

import segno
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import bp, permissions, roster, services
from app.communities.forms import (
    ROLE_LABELS,
    CodeForm,
    InviteForm,
    JoinForm,
    RejectForm,
    RevokeRoleForm,
    RoleForm,
    RosterConfirmForm,
    RosterUploadForm,
)
from app.communities.models import MembershipStatus, Relation, Role
from app.core.errors import DomainError, Forbidden
from app.core.web import handle_refusal


def _viewer(slug: str) -> services.Viewer:
    return services.viewer(current_user, services.get_community(slug))


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


@bp.route("/join/<code>", methods=["GET", "POST"])
@login_required
def join_household(code: str):
    """Step two: the household; then the member waits for verification."""
    try:
        invite = services.find_invite(code)
    except DomainError as err:
        handle_refusal(err)
        return redirect(url_for("communities.join"))
    community = invite.community
    existing = services.membership_of(current_user, community.id)
    if existing is not None and existing.status != MembershipStatus.REJECTED:
        return redirect(url_for("communities.home", slug=community.slug))

    form = JoinForm(code=invite.code)
    if invite.building_id:
        form.building_id.choices = [SelectChoice(invite.building_id, invite.building.name)]
    else:
        form.building_id.choices = _building_choices(community, blank=_("Choose…"))
    status = 200
    if form.validate_on_submit():
        try:
            household = None
            if not form.no_household.data:
                household = services.find_household(community.id, form.building_id.data, form.unit.data, form.room.data)
            relation = Relation(form.relation.data) if household and form.relation.data else None
            services.join(current_user, invite, household=household, relation=relation)
        except DomainError as err:
            status = handle_refusal(err, form)
        else:
            return redirect(url_for("communities.home", slug=community.slug))
    elif request.method == "POST":
        status = 400
    return render_template("communities/join_household.html", form=form, invite=invite, community=community), status


# -- the community's home --------------------------------------------------


@bp.route("/me")
@login_required
def dashboard():
    """The user's communities and their status in each."""
    overseen = services.overseen_communities(current_user)
    return render_template(
        "core/index.html",
        memberships=services.memberships_of(current_user),
        offices=services.offices_of(current_user),
        overview_url=url_for("communities.overview") if overseen else None,
    )


@bp.route("/c/<slug>/")
def home(slug: str):
    """The community's page: public facts for everyone, the member's status for them."""
    view = _viewer(slug)
    membership = view.membership
    can_review = permissions.can_review_queue(membership, view.community.id)
    pending_count = len(services.review_queue(current_user, view.community)) if can_review else 0
    return render_template(
        "communities/home.html",
        view=view,
        community=view.community,
        membership=membership,
        pending_count=pending_count,
        can_review=can_review,
        can_manage=permissions.can_manage_roles(membership, view.community.id),
        can_view_members=permissions.can_view_members(membership, view.community.id, oversees=view.oversees),
        role_labels=ROLE_LABELS,
    )


# -- verification ----------------------------------------------------------


@bp.route("/c/<slug>/verifications")
@login_required
def verifications(slug: str):
    """The queue of pending members this user may verify."""
    view = _viewer(slug)
    queue = services.review_queue(current_user, view.community)
    return render_template(
        "communities/verifications.html",
        community=view.community,
        queue=queue,
        matches={m.id: services.roster_match(m) for m in queue},
        reject_form=RejectForm(),
        relation_labels=_relation_labels(),
    )


@bp.route("/c/<slug>/members/<int:membership_id>/verify", methods=["POST"])
@login_required
def verify(slug: str, membership_id: int):
    """Verify one pending member."""
    view = _viewer(slug)  # CSRFProtect has checked the token of every POST
    membership = services.get_membership(view.community, membership_id)
    services.verify(current_user, membership)
    flash(_("%(name)s is verified.", name=membership.user.name), "success")
    return redirect(url_for("communities.verifications", slug=slug))


@bp.route("/c/<slug>/members/<int:membership_id>/reject", methods=["POST"])
@login_required
def reject(slug: str, membership_id: int):
    """Reject one pending member with a reason."""
    view = _viewer(slug)
    membership = services.get_membership(view.community, membership_id)
    if not permissions.can_verify(view.membership, membership):
        raise Forbidden()
    form = RejectForm()
    status = 400
    if form.validate_on_submit():
        try:
            services.reject(current_user, membership, form.reason.data)
        except DomainError as err:
            status = handle_refusal(err, form)
        else:
            flash(_("The request of %(name)s was rejected.", name=membership.user.name), "info")
            return redirect(url_for("communities.verifications", slug=slug))
    queue = services.review_queue(current_user, view.community)
    return (
        render_template(
            "communities/verifications.html",
            community=view.community,
            queue=queue,
            matches={m.id: services.roster_match(m) for m in queue},
            reject_form=form,
            rejecting_id=membership.id,
            relation_labels=_relation_labels(),
        ),
        status,
    )


def _relation_labels():
    return {Relation.OWNER: _("Owner"), Relation.FAMILY: _("Family of the owner"), Relation.TENANT: _("Tenant")}


# -- members and roles -----------------------------------------------------


@bp.route("/c/<slug>/members")
@login_required
def members(slug: str):
    """The member directory, personal data masked unless the viewer may see it."""
    view = _viewer(slug)
    status = request.args.get("status")
    try:
        status_filter = MembershipStatus(status) if status else None
    except ValueError:
        status_filter = None
    people = services.members_visible_to(view, status_filter)
    return render_template(
        "communities/members.html",
        view=view,
        community=view.community,
        members=people,
        status_filter=status_filter,
        unmasked={m.id for m in people if permissions.can_see_personal_data(view.membership, m)},
        can_manage=permissions.can_manage_roles(view.membership, view.community.id),
        role_labels=ROLE_LABELS,
    )


@bp.route("/c/<slug>/members/<int:membership_id>", methods=["GET", "POST"])
@login_required
def member(slug: str, membership_id: int):
    """One member: details and, for staff, their roles."""
    view = _viewer(slug)
    target = services.get_membership(view.community, membership_id)
    if not permissions.can_manage_roles(view.membership, view.community.id):
        raise Forbidden()
    form = RoleForm()
    form.building_id.choices = _building_choices(view.community, blank=_("—"))
    status = 200
    if form.validate_on_submit():
        try:
            services.assign_role(current_user, target, Role(form.role.data), form.building_id.data or None)
        except DomainError as err:
            status = handle_refusal(err, form)
        else:
            flash(_("Role given."), "success")
            return redirect(url_for("communities.member", slug=slug, membership_id=target.id))
    elif request.method == "POST":
        status = 400
    return (
        render_template(
            "communities/member.html",
            community=view.community,
            target=target,
            form=form,
            revoke_form=RevokeRoleForm(),
            role_labels=ROLE_LABELS,
            relation_labels=_relation_labels(),
        ),
        status,
    )


@bp.route("/c/<slug>/members/<int:membership_id>/roles/revoke", methods=["POST"])
@login_required
def revoke_role(slug: str, membership_id: int):
    """Take a role back from a member."""
    view = _viewer(slug)
    target = services.get_membership(view.community, membership_id)
    form = RevokeRoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        role = Role(form.role.data)
    except ValueError:
        abort(400)
    try:
        services.revoke_role(current_user, target, role)
    except DomainError as err:
        status = handle_refusal(err)
        return redirect(url_for("communities.member", slug=slug, membership_id=target.id)), status
    flash(_("Role removed."), "info")
    return redirect(url_for("communities.member", slug=slug, membership_id=target.id))


# -- invites and posters ---------------------------------------------------


@bp.route("/c/<slug>/invites", methods=["GET", "POST"])
@login_required
def invites(slug: str):
    """Staff list invite codes and make new ones."""
    view = _viewer(slug)
    if not permissions.can_manage_invites(view.membership, view.community.id):
        raise Forbidden()
    form = InviteForm()
    form.building_id.choices = _building_choices(view.community, blank=_("The whole community"))
    status = 200
    if form.validate_on_submit():
        try:
            invite = services.create_invite(current_user, view.community, form.building_id.data or None)
        except DomainError as err:
            status = handle_refusal(err, form)
        else:
            flash(_("New invite code %(code)s.", code=invite.code), "success")
            return redirect(url_for("communities.invites", slug=slug))
    return (
        render_template(
            "communities/invites.html", community=view.community, form=form, invites=services.invites_of(view.community)
        ),
        status,
    )


def _invite_for(view, invite_id: int):
    invite = services.get_invite(view.community, invite_id)
    if not permissions.can_manage_invites(view.membership, view.community.id):
        raise Forbidden()
    return invite


@bp.route("/c/<slug>/invites/<int:invite_id>/toggle", methods=["POST"])
@login_required
def toggle_invite(slug: str, invite_id: int):
    """Switch an invite code off or on."""
    view = _viewer(slug)
    invite = _invite_for(view, invite_id)
    services.set_invite_active(current_user, invite, not invite.active)
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


@bp.route("/c/<slug>/roster")
@login_required
def roster_list(slug: str):
    """The household register, by building."""
    view = _viewer(slug)
    if not permissions.can_manage_roster(view.membership, view.community.id):
        raise Forbidden()
    return render_template("communities/roster.html", community=view.community, form=RosterUploadForm())


@bp.route("/c/<slug>/roster/template.csv")
@login_required
def roster_template(slug: str):
    """A CSV template to fill in."""
    view = _viewer(slug)
    if not permissions.can_manage_roster(view.membership, view.community.id):
        raise Forbidden()
    return Response(
        roster.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=roster-template.csv"},
    )


@bp.route("/c/<slug>/roster/import", methods=["POST"])
@login_required
def roster_preview(slug: str):
    """Upload a roster and see every row and every error before anything is written."""
    view = _viewer(slug)
    if not permissions.can_manage_roster(view.membership, view.community.id):
        raise Forbidden()
    form = RosterUploadForm()
    if not form.validate_on_submit():
        return render_template("communities/roster.html", community=view.community, form=form), 400
    data = form.file.data.read()
    try:
        preview = roster.parse(data, form.file.data.filename or "", max_rows=current_app.config["ROSTER_MAX_ROWS"])
    except DomainError as err:
        status = handle_refusal(err, form)
        return render_template("communities/roster.html", community=view.community, form=form), status
    token = roster.stash(_stash_dir(), data, view.community.id, current_user.id) if preview.ok else ""
    return (
        render_template(
            "communities/roster_preview.html",
            community=view.community,
            preview=preview,
            confirm_form=RosterConfirmForm(token=token),
        ),
        200 if preview.ok else 422,
    )


@bp.route("/c/<slug>/roster/import/confirm", methods=["POST"])
@login_required
def roster_confirm(slug: str):
    """Write the previewed roster, all of it or nothing."""
    view = _viewer(slug)
    if not permissions.can_manage_roster(view.membership, view.community.id):
        raise Forbidden()
    form = RosterConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = roster.unstash(_stash_dir(), form.token.data, view.community.id, current_user.id)
        preview = roster.parse(data, max_rows=current_app.config["ROSTER_MAX_ROWS"])
        result = roster.import_roster(current_user, view.community, preview)
    except DomainError as err:
        handle_refusal(err)
        return redirect(url_for("communities.roster_list", slug=slug))
    roster.unstash(_stash_dir(), form.token.data, view.community.id, current_user.id, remove=True)
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
    if not communities:
        raise Forbidden()
    return render_template(
        "communities/overview.html",
        communities=communities,
        stats=services.community_stats({c.id for c in communities}),
        offices=services.offices_of(current_user),
    )
