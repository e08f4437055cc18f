"""Rule set views: the community's library, copying a template, editing a copy."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities import access
from app.core.errors import Forbidden
from app.core.web import form_view, perform
from app.procedure import bp, permissions, services
from app.procedure.forms import CopyForm, RuleSetForm


def _staff_viewer(slug: str) -> access.Viewer:
    viewer = access.community_viewer(slug, current_user, check=False)
    if not permissions.can_manage_rule_sets(viewer):
        raise Forbidden()
    return viewer


@bp.route("/c/<slug>/rule-sets")
@login_required
def index(slug: str):
    """The shipped templates and the community's own rule sets."""
    viewer = _staff_viewer(slug)
    templates, own = services.library(viewer.community)
    return render_template(
        "procedure/index.html", community=viewer.community, templates=templates, own=own, copy_form=CopyForm()
    )


@bp.route("/c/<slug>/rule-sets/<int:rule_set_id>/copy", methods=["POST"])
@login_required
def copy(slug: str, rule_set_id: int):
    """Copy a rule set into the community's library."""
    viewer = _staff_viewer(slug)
    source = services.get_for(viewer.community, rule_set_id)
    form = CopyForm()
    if not form.validate_on_submit():
        flash(_("Give the rule set a name."), "error")
        return redirect(url_for("procedure.index", slug=slug)), 400
    outcome = perform(lambda: services.copy(viewer, source, form.name.data), reraise=(403, 404, 400))
    flash(_("Copied. You can now change it."), "success")
    return redirect(url_for("procedure.edit", slug=slug, rule_set_id=outcome.result.id))


@bp.route("/c/<slug>/rule-sets/<int:rule_set_id>", methods=["GET", "POST"])
@login_required
def edit(slug: str, rule_set_id: int):
    """Edit one of the community's rule sets."""
    viewer = _staff_viewer(slug)
    rules = services.get_for(viewer.community, rule_set_id)
    if rules.community_id != viewer.community_id:
        raise Forbidden(_("The shipped templates cannot be changed; make a copy."))
    form = RuleSetForm(obj=rules)
    if request.method == "GET":
        form.mode.data = rules.mode.value
    return form_view(
        form,
        lambda: services.update(viewer, rules, form.values(), name=form.name.data, text=form.text.data),
        render=lambda status: (
            render_template("procedure/edit.html", community=viewer.community, rules=rules, form=form),
            status,
        ),
        done=lambda _rules: redirect(url_for("procedure.index", slug=slug)),
        message=_("Saved."),
    )
