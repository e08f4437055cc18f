"""Site-wide views: the landing page and health. (Language and text size are the accounts blueprint's; photos
the communities'.)"""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from app.core import bp
from app.core.realtime import realtime_status
from app.extensions import db


@bp.route("/")
def index():
    """Visitors see what Yishi is; members go to their communities."""
    if current_user.is_authenticated:
        return redirect(url_for("communities.dashboard"))
    return render_template("core/index.html", memberships=[], offices=[], overview_url=None)


@bp.route("/healthz")
def healthz():
    """Liveness for the load balancer: 200 while pages can be served, with the realtime status.

    `realtime` is "degraded" while Redis is unreachable: pages still work and
    rooms work within each process, but speeches do not cross processes.
    """
    db.session.execute(text("SELECT 1"))
    response = {"ok": True, "database": "ok", "realtime": realtime_status()}
    return response, 200, {"Cache-Control": "no-store"}
