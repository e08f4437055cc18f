"""Moderating objections: report (members), hide with a reason and show again (staff). Raising and answering
are the owner feature's routes. Thin: load through the access rule, perform, go back to the owner's page."""

from __future__ import annotations

from flask import flash, redirect, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.communities import access
from app.core.web import perform
from app.objections import bp, permissions, registry, services
from app.objections.models import Objection

USE_CASES = {
    "report": (services.report, _l("Thank you: the moderators will look at it.")),
    "hide": (services.hide, _l("The objection is hidden; its place shows the reason.")),
    "restore": (
        lambda viewer, objection, _reason: services.restore(viewer, objection),
        _l("The objection is shown again."),
    ),
}


@bp.route("/objections/<int:objection_id>/<any(report, hide, restore):verb>", methods=["POST"])
@login_required
def moderate(objection_id: int, verb: str):
    """Report an objection (with a reason), or hide it (staff, with a reason) or show it again."""
    objection, viewer = access.load(Objection, objection_id, current_user, can=permissions.can_view)
    use_case, message = USE_CASES[verb]
    reason = request.form.get("reason", "")  # checked by the moderation kernel (clean_reason)
    outcome = perform(lambda: use_case(viewer, objection, reason))
    if outcome.ok:
        flash(str(message), "success")
    back = registry.kind(objection.owner_kind).url(objection.owner_id)
    return redirect(f"{back}#objection-{objection.id}"), (303 if outcome.ok else outcome.status)
