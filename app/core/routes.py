"""Site-wide views: the landing page, language and text-size preferences, health, photos."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, send_file, session, url_for
from flask_login import current_user, login_required

from app.core import bp, health
from app.core.errors import NotFound
from app.core.uploads import Photo, photo_path
from app.core.web import safe_next
from app.extensions import db


@bp.route("/")
def index():
    """Visitors see what Yishi is; members go to their communities."""
    if current_user.is_authenticated:
        return redirect(url_for("communities.dashboard"))
    return render_template("core/index.html", memberships=[], offices=[], overview_url=None)


@bp.route("/prefs/language", methods=["POST"])
def set_language():
    """Switch the interface language (saved on the account, or in the visitor's session)."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        if current_user.is_authenticated:
            from app.accounts import services as accounts  # the kernel imports no feature when it loads

            accounts.set_locale(current_user, locale)
        session["locale"] = locale
    return redirect(safe_next(request.form.get("next") or request.referrer, url_for("core.index")))


@bp.route("/prefs/large-text", methods=["POST"])
def toggle_large_text():
    """Switch large text (适老化) on or off."""
    if current_user.is_authenticated:
        from app.accounts import services as accounts

        accounts.toggle_large_text(current_user)
    else:
        session["large_text"] = not session.get("large_text", False)
    return redirect(safe_next(request.form.get("next") or request.referrer, url_for("core.index")))


@bp.route("/healthz")
def healthz():
    """Liveness: 200 JSON while the process serves, whatever the database's state, with the states.

    `database` is "ok" or "unreachable"; `realtime` is "degraded" while Redis is unreachable:
    pages still work and rooms work within each process, but speeches do not cross processes.
    Readiness (may this process take traffic?) is /readyz.
    """
    return health.liveness()


@bp.route("/readyz")
def readyz():
    """Readiness: 200 when the database answers and its schema is at the migration head, else 503.

    {"ok", "database": ok|unreachable, "schema": ok|behind|unmigrated|unknown,
    "redis": ok|degraded|not configured}; a degraded Redis does not make the process unready.
    """
    return health.readiness()


@bp.route("/photos/<int:photo_id>/thumb", defaults={"thumb": True})
@bp.route("/photos/<int:photo_id>", defaults={"thumb": False})  # registered first: url_for's default
@login_required
def photo(photo_id: int, thumb: bool = False):
    """A stored photo (or its thumbnail), for members and overseers of its community only."""
    # Imported here: the shared kernel must not import a feature when it loads.
    from app.communities.services import membership_of, overseen_community_ids

    found = db.session.get(Photo, photo_id)
    if found is None or (
        membership_of(current_user, found.community_id) is None
        and found.community_id not in overseen_community_ids(current_user)
    ):
        raise NotFound()  # 404, not 403: do not confirm that the photo exists
    path = photo_path(found, current_app.config["UPLOAD_DIR"], thumb=thumb)
    try:
        response = send_file(
            path,
            mimetype=found.content_type,
            conditional=True,
            max_age=86400,
            download_name=f"photo-{found.id}.{found.extension}",
        )
    except FileNotFoundError:
        raise NotFound() from None
    response.cache_control.public = False  # community photos: browsers may keep them, shared caches may not
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Disposition"] = f"inline; filename=photo-{found.id}.{found.extension}"
    return response
