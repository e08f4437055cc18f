"""Rule set views: the community's library, copying a template, editing a copy."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities import services as communities
from app.core.errors import DomainError, Forbidden
from app.core.web import handle_refusal
from app.procedure import bp, permissions, services
from app.procedure.forms import CopyForm, RuleSetForm


def _staff_community(slug: str):
    community = communities.get_community(slug)
    if not permissions.can_manage_rule_sets(communities.membership_of(current_user, community.id), community.id):
        raise Forbidden()
    return community


@bp.route("/c/<slug>/rule-sets")
@login_required
def index(slug: str):
    """The shipped templates and the community's own rule sets."""
    community = _staff_community(slug)
    templates, own = services.library(community)
    return render_template(
        "procedure/index.html", community=community, templates=templates, own=own, copy_form=CopyForm()
    )


@bp.route("/c/<slug>/rule-sets/<int:rule_set_id>/copy", methods=["POST"])
@login_required
def copy(slug: str, rule_set_id: int):
    """Copy a rule set into the community's library."""
    community = _staff_community(slug)
    source = services.get_for(community, rule_set_id)
    form = CopyForm()
    if not form.validate_on_submit():
        flash(_("Give the rule set a name."), "error")
        return redirect(url_for("procedure.index", slug=slug)), 400
    clone = services.copy(current_user, community, source, form.name.data)
    flash(_("Copied. You can now change it."), "success")
    return redirect(url_for("procedure.edit", slug=slug, rule_set_id=clone.id))


@bp.route("/c/<slug>/rule-sets/<int:rule_set_id>", methods=["GET", "POST"])
@login_required
def edit(slug: str, rule_set_id: int):
    """Edit one of the community's rule sets."""
    community = _staff_community(slug)
    rules = services.get_for(community, rule_set_id)
    if rules.community_id != community.id:
        raise Forbidden(_("The shipped templates cannot be changed; make a copy."))
    form = RuleSetForm(obj=rules)
    if request.method == "GET":
        form.mode.data = rules.mode.value
    status = 200
    if form.validate_on_submit():
        try:
            services.update(current_user, community, rules, form.values(), name=form.name.data, text=form.text.data)
        except DomainError as err:
            status = handle_refusal(err, form)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("procedure.index", slug=slug))
    elif request.method == "POST":
        status = 400
    return render_template("procedure/edit.html", community=community, rules=rules, form=form), status
