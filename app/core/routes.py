"""Site-wide views: the landing page, language and text-size preferences, health."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from app.core import bp
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
            current_user.locale = locale
            db.session.commit()
        session["locale"] = locale
    return redirect(safe_next(request.form.get("next") or request.referrer, url_for("core.index")))


@bp.route("/prefs/large-text", methods=["POST"])
def toggle_large_text():
    """Switch large text (适老化) on or off."""
    if current_user.is_authenticated:
        current_user.large_text = not current_user.large_text
        db.session.commit()
    else:
        session["large_text"] = not session.get("large_text", False)
    return redirect(safe_next(request.form.get("next") or request.referrer, url_for("core.index")))


@bp.route("/healthz")
def healthz():
    """Liveness and database reachability, for the load balancer."""
    db.session.execute(text("SELECT 1"))
    return {"ok": True}
