"""The household roster: the register, its template, and an import previewed before it is written."""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities import access, bp, permissions, roster
from app.communities.forms import (
    RosterConfirmForm,
    RosterUploadForm,
)
from app.communities.routes.helpers import require, viewer_for
from app.core.errors import DomainError
from app.core.web import handle_refusal, perform

# -- roster ----------------------------------------------------------------


def _stash_dir() -> Path:
    return Path(current_app.config.get("ROSTER_STASH_DIR") or Path(current_app.instance_path) / "imports")


def _rosterviewer_for(slug: str) -> access.Viewer:
    view = viewer_for(slug)
    require(permissions.can_manage_roster(view))
    return view


@bp.route("/c/<slug>/roster")
@login_required
def roster_list(slug: str):
    """The household register, by building."""
    view = _rosterviewer_for(slug)
    return render_template("communities/roster.html", community=view.community, form=RosterUploadForm())


@bp.route("/c/<slug>/roster/template.csv")
@login_required
def roster_template(slug: str):
    """A CSV template to fill in."""
    _rosterviewer_for(slug)
    return Response(
        roster.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=roster-template.csv"},
    )


@bp.route("/c/<slug>/roster/import", methods=["POST"])
@login_required
def roster_preview(slug: str):
    """Upload a roster and see every row and every error before anything is written."""
    view = _rosterviewer_for(slug)
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
    view = _rosterviewer_for(slug)
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
