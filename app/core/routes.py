"""Site-wide views: the landing page and health. (Language and text size are the accounts blueprint's; photos
the communities'.)"""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user

from app.core import bp, health


@bp.route("/")
def index():
    """Visitors see what Yishi is; a logged-in person goes where a login lands (their community's home)."""
    if current_user.is_authenticated:
        return redirect(url_for("home.landing"))
    return render_template("core/index.html", memberships=[], offices=[], overview_url=None)


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
