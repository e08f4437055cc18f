"""A community's pages: the dashboard (the chooser of one's communities), verification, members and roles,
and the overview of the communities street and district staff oversee. (The community's home is app/home's.)"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities import access, bp, permissions, services
from app.communities.forms import (
    RejectForm,
    RevokeRoleForm,
    RoleForm,
)
from app.communities.labels import RELATION_LABELS, ROLE_LABELS
from app.communities.models import MembershipStatus, Role
from app.communities.routes.helpers import BUTTON_REFUSALS, building_choices, require, viewer_for
from app.core.web import form_view, perform

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
    return _verifications(viewer_for(slug), RejectForm())


@bp.route("/c/<slug>/members/<int:membership_id>/verify", methods=["POST"])
@login_required
def verify(slug: str, membership_id: int):
    """Verify one pending member."""
    view = viewer_for(slug)  # CSRFProtect has checked the token of every POST
    membership = services.get_membership(view.community, membership_id)
    if perform(lambda: services.verify(view, membership), reraise=BUTTON_REFUSALS).ok:
        flash(_("%(name)s is verified.", name=membership.user.name), "success")
    return redirect(url_for("communities.verifications", slug=slug))


@bp.route("/c/<slug>/members/<int:membership_id>/reject", methods=["POST"])
@login_required
def reject(slug: str, membership_id: int):
    """Reject one pending member with a reason."""
    view = viewer_for(slug)
    membership = services.get_membership(view.community, membership_id)
    require(permissions.can_verify(view, membership))
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
    view = viewer_for(slug)
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
    view = viewer_for(slug)
    target = services.get_membership(view.community, membership_id)
    require(permissions.can_manage_roles(view))
    form = RoleForm()
    form.building_id.choices = building_choices(view.community, blank=_("—"))
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
        can_issue_reset_code=permissions.can_issue_reset_code(view, target),
        desk_code_hours=current_app.config["DESK_CODE_HOURS"],
        revoke_form=RevokeRoleForm(),
        role_labels=ROLE_LABELS,
        relation_labels=RELATION_LABELS,
    )


@bp.route("/c/<slug>/members/<int:membership_id>/roles/revoke", methods=["POST"])
@login_required
def revoke_role(slug: str, membership_id: int):
    """Take a role back from a member."""
    view = viewer_for(slug)
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


# -- street and district overview -----------------------------------------


@bp.route("/overview")
@login_required
def overview():
    """Street and district staff: the communities they oversee, with counts."""
    communities = services.overseen_communities(current_user)
    require(bool(communities))
    return render_template(
        "communities/overview.html",
        communities=communities,
        stats=services.community_stats({c.id for c in communities}),
        offices=access.offices_of(current_user),
    )
