"""The dashboards' pages: /dashboard lands on the viewer's level; a district's, a street's and a community's
dashboard with the period picker; each exported as CSV and XLSX. Thin: the scope decides who may see (404
otherwise), the sections count, `present` writes it out."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.services import memberships_of
from app.core.errors import DomainError, NotFound
from app.core.web import download
from app.dashboards import bp, present, report_routes, scopes, summary
from app.dashboards.forms import PeriodForm
from app.dashboards.registry import Scope
from app.extensions import db
from app.voting.results import table_csv, table_xlsx

EXPORTS = "<any(csv, xlsx):fmt>"


@bp.route("/dashboard")
@login_required
def landing():
    """The viewer's own level: their district's, street's or community's dashboard."""
    url = scopes.landing(current_user, memberships_of(current_user))
    if url is None:
        raise NotFound()
    return redirect(url)


def _show(scope: Scope, export_url, ident=None):
    form = PeriodForm(request.args)
    if not form.validate():  # a reversed or absurd range: the form and what is wrong, nothing else
        return render_template("dashboards/show.html", scope=scope, form=form, sections=None), 400
    period = form.period
    served = summary.figures(scope, period, communities=not scope.by_streets)  # a district's page: its streets
    db.session.commit()  # a snapshot counted for this view is kept
    table_rows = present.rows(scope, period, communities=not scope.by_streets)
    built, tabs = served.built, []
    if scope.by_streets:  # a district's page shows one section at a time: every section is a link away
        built, tabs = _one_section(served.built, period)
    sections = [
        (
            section,
            [present.figure_view(f, table_rows, scope, period, f"{section.key}-{f.key}") for f in data.figures],
            [present.shown_detail(d, scope) for d in data.details],
        )
        for section, data in built
    ]
    exports = {fmt: export_url(fmt, period.query_args()) for fmt in ("csv", "xlsx")}
    more = report_routes.links(scope.level, period, ident)
    return render_template(
        "dashboards/show.html",
        scope=scope,
        form=form,
        sections=sections,
        exports=exports,
        more=more,
        served=served,
        as_of=present.as_of(served.as_of),
        tabs=tabs,
    )


def _one_section(built, period):
    """The section asked for (`?section=`; the first when none or unknown) and a link to each, for the page."""
    keys = [section.key for section, _data in built]
    chosen = request.args.get("section")
    chosen = chosen if chosen in keys else keys[0] if keys else None
    tabs = [
        (
            section.title,
            url_for(request.endpoint, **request.view_args, **period.query_args(), section=section.key),
            section.key == chosen,
        )
        for section, _data in built
    ]
    return [(section, data) for section, data in built if section.key == chosen], tabs


def _export(scope: Scope, fmt: str, ascii_name: str):
    form = PeriodForm(request.args)
    if not form.validate():
        message = next(iter(form.errors.values()))[0]
        raise DomainError("bad_period", message)
    headers, rows, sheets = present.export_table(scope, form.period, summary.figures(scope, form.period).built)
    db.session.commit()  # a snapshot counted for this export is kept
    body = table_csv(headers, rows) if fmt == "csv" else table_xlsx(sheets)
    start, end = form.period.start_text, form.period.end_text
    name = _("%(place)s dashboard %(start)s to %(end)s", place=scope.title, start=start, end=end)
    return download(body, fmt, ascii_name=f"{ascii_name}-{start}-{end}", name=name)


def _url(endpoint: str, **ids):
    return lambda fmt, args: url_for(endpoint, fmt=fmt, **ids, **args)


@bp.route("/dashboard/district/<int:district_id>")
@login_required
def district(district_id: int):
    """A district's streets and communities, side by side and over time (its district staff only)."""
    return _show(
        scopes.district_scope(current_user, district_id),
        _url("dashboards.district_export", district_id=district_id),
        district_id,
    )


@bp.route(f"/dashboard/district/<int:district_id>/export.{EXPORTS}")
@login_required
def district_export(district_id: int, fmt: str):
    return _export(scopes.district_scope(current_user, district_id), fmt, f"district-{district_id}")


@bp.route("/dashboard/street/<int:street_id>")
@login_required
def street(street_id: int):
    """A street's communities (its street staff and the district's)."""
    return _show(
        scopes.street_scope(current_user, street_id), _url("dashboards.street_export", street_id=street_id), street_id
    )


@bp.route(f"/dashboard/street/<int:street_id>/export.{EXPORTS}")
@login_required
def street_export(street_id: int, fmt: str):
    return _export(scopes.street_scope(current_user, street_id), fmt, f"street-{street_id}")


@bp.route("/dashboard/community/<slug>")
@login_required
def community(slug: str):
    """One community's figures over time (its staff, and the street and district staff overseeing it)."""
    return _show(scopes.community_scope(current_user, slug), _url("dashboards.community_export", slug=slug), slug)


@bp.route(f"/dashboard/community/<slug>/export.{EXPORTS}")
@login_required
def community_export(slug: str, fmt: str):
    return _export(scopes.community_scope(current_user, slug), fmt, f"community-{slug}")
