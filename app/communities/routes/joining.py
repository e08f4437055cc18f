"""Joining a community: the invite code, then the household; the member then waits for verification."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import access, bp, services
from app.communities.forms import (
    CodeForm,
    JoinForm,
)
from app.communities.models import MembershipStatus, Relation
from app.communities.routes.helpers import building_choices
from app.core.errors import DomainError
from app.core.web import form_view, handle_refusal

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
        form.building_id.choices = building_choices(invite.community, blank=_("Choose…"))
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
    home = redirect(url_for("home.community", slug=viewer.community.slug))
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
