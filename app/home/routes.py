"""The home's views: where a login lands, the community's home page and its activity feed."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.communities import access
from app.communities import permissions as community_permissions
from app.communities import services as community_services
from app.communities.labels import ROLE_LABELS
from app.home import activity, bp
from app.home import providers as _providers  # noqa: F401  (registers the features' providers of needs)
from app.home.needs import needs_of
from app.notices import queries as notice_queries


def landing_url(user) -> str:
    """Where a logged-in person starts: their one community's page; the chooser (/me) when they belong to or
    oversee several; street and district staff who only oversee go to their overview; someone in no
    community yet joins one."""
    member_of = [m.community for m in community_services.memberships_of(user)]
    overseen = [c for c in community_services.overseen_communities(user) if c not in member_of]
    places = member_of + overseen
    if len(places) == 1:
        return url_for("home.community", slug=places[0].slug)
    if not places:
        return url_for("communities.join")
    if not member_of:
        return url_for("communities.overview")
    return url_for("communities.dashboard")


@bp.route("/home")
@login_required
def landing():
    """After logging in (and from /): straight to what concerns this person."""
    return redirect(landing_url(current_user))


def _page_number() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isascii() and page.isdigit() and len(page) < 4 else 1


@bp.route("/c/<slug>/")
def community(slug: str):
    """The community's home: what needs the viewer now, then what is happening; public facts for visitors."""
    view = access.community_viewer(slug, current_user, check=False)
    happening, more = activity.page_of(view) if view.may_see else ([], False)
    notices = notice_queries.active_for(view, limit=3) if view.may_see else []
    return render_template(
        "home/community.html",
        view=view,
        community=view.community,
        membership=view.membership,
        needs=needs_of(view),
        notices=notices,
        unread_notices={n.id for n in notices} - notice_queries.read_ids(view, notices),
        activity=happening,
        more_activity=more,
        can_review=community_permissions.can_review_queue(view),
        can_manage=community_permissions.can_manage_roles(view),
        can_view_members=community_permissions.can_view_members(view),
        role_labels=ROLE_LABELS,
    )


@bp.route("/c/<slug>/activity")
def community_activity(slug: str):
    """社区动态, page by page (members and overseers)."""
    view = access.community_viewer(slug, current_user)
    page = _page_number()
    happening, more = activity.page_of(view, page)
    return render_template(
        "home/activity.html", community=view.community, activity=happening, page=page, more_activity=more
    )
