"""Invite codes and their printable QR posters."""

from __future__ import annotations

import segno
from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.communities import bp, permissions, services
from app.communities.forms import (
    InviteForm,
)
from app.communities.routes.helpers import BUTTON_REFUSALS, building_choices, require, viewer_for
from app.core.web import form_view, perform

# -- invites and posters ---------------------------------------------------


@bp.route("/c/<slug>/invites", methods=["GET", "POST"])
@login_required
def invites(slug: str):
    """Staff list invite codes and make new ones."""
    view = viewer_for(slug)
    require(permissions.can_manage_invites(view))
    form = InviteForm()
    form.building_id.choices = building_choices(view.community, blank=_("The whole community"))
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
    require(permissions.can_manage_invites(view))
    return invite


@bp.route("/c/<slug>/invites/<int:invite_id>/toggle", methods=["POST"])
@login_required
def toggle_invite(slug: str, invite_id: int):
    """Switch an invite code off or on."""
    view = viewer_for(slug)
    invite = _invite_for(view, invite_id)
    perform(lambda: services.set_invite_active(view, invite, not invite.active), reraise=BUTTON_REFUSALS)
    return redirect(url_for("communities.invites", slug=slug))


def _join_url(invite) -> str:
    return url_for("communities.join", code=invite.code, _external=True)


@bp.route("/c/<slug>/invites/<int:invite_id>/poster")
@login_required
def invite_poster(slug: str, invite_id: int):
    """A printable A4 poster with the QR code and the code in large type."""
    view = viewer_for(slug)
    invite = _invite_for(view, invite_id)
    return render_template(
        "communities/poster.html", community=view.community, invite=invite, join_url=_join_url(invite)
    )


@bp.route("/c/<slug>/invites/<int:invite_id>/qr.svg")
@login_required
def invite_qr(slug: str, invite_id: int):
    """The poster's QR code as SVG."""
    view = viewer_for(slug)
    invite = _invite_for(view, invite_id)
    svg = segno.make(_join_url(invite), error="m").svg_inline(scale=10, border=2)
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})
