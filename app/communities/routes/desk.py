"""Help at the desk: community staff print a one-time password reset code for a member at the office."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities import access, bp, permissions, services
from app.communities.routes.helpers import require
from app.core.web import perform

SLIP_LANGUAGES = ("zh_CN", "en")  # the slip is in both, whatever the staff member reads


@bp.route("/c/<slug>/members/<int:membership_id>/reset-code", methods=["POST"])
@login_required
def issue_reset_code(slug: str, membership_id: int):
    """Issue the code and show the slip to print (shown once: the code is not kept; issuing again replaces it)."""
    view = access.community_viewer(slug, current_user)  # 404 unless they may see the community
    target = services.get_membership(view.community, membership_id)  # 404 for another community's member
    require(permissions.can_issue_reset_code(view, target))
    outcome = perform(lambda: services.issue_reset_code(view, target))
    if not outcome.ok:  # refused (flashed): back to the member
        return redirect(url_for("communities.member", slug=slug, membership_id=target.id), code=303)
    code, expires_at = outcome.result
    return (
        render_template(
            "communities/reset_slip.html",
            community=view.community,
            target=target,
            code=f"{code[:4]} {code[4:]}",
            expires_at=expires_at,
            issued_by=current_user.name,
            steps={language: _slip_steps(language) for language in SLIP_LANGUAGES},
            reset_url=url_for("accounts.reset_password", _external=True),
        ),
        200,
        {"Cache-Control": "no-store"},
    )


def _slip_steps(language: str) -> list[str]:
    with force_locale(language):
        return [
            _("Open Yishi and tap “Log in”, then “Forgot your password?”, then “I have a code”."),
            _("Enter your mobile number and the code on this slip, then choose a new password."),
            _("The code works once, until the time above. Tell it to nobody: staff will never ask for it."),
        ]
