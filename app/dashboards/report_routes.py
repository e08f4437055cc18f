"""The yearly report (print page and Word file) and the open-data zip of a district, a street or a community,
and the open data's dictionary. Who may see them is the dashboard's rule (`scopes`: 404 otherwise); the year
and the period are refused with a message when absurd. Thin: `report` and `opendata` write them out."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.clock import local_today
from app.core.errors import DomainError
from app.core.web import download
from app.dashboards import bp, opendata, report, scopes, summary
from app.dashboards.forms import PeriodForm
from app.dashboards.period import Period
from app.dashboards.registry import Scope
from app.dashboards.report_docx import build_docx
from app.extensions import db
from app.voting.results import table_csv

LEVELS = {  # level -> (the scope for the viewer, the URL's id argument)
    "district": (scopes.district_scope, "district_id"),
    "street": (scopes.street_scope, "street_id"),
    "community": (scopes.community_scope, "slug"),
}


def links(level: str, period: Period, ident) -> dict[str, object]:
    """The dashboard page's links to the yearly reports (this year and the two before) and to the open data."""
    key = LEVELS[level][1]
    this_year = local_today().year
    return {
        "reports": [
            (year, url_for(f"dashboards.{level}_report", year=year, **{key: ident}))
            for year in range(this_year, this_year - 3, -1)
        ],
        "open_data": url_for(f"dashboards.{level}_open_data", **{key: ident}, **period.query_args()),
    }


def _report(level: str, ident, year: int, as_docx: bool):
    scope_of, key = LEVELS[level]
    scope = scope_of(current_user, ident)  # 404 first: another street's officer learns nothing of the year
    made = report.build(scope, year)
    db.session.commit()  # a snapshot counted for this report is kept
    if as_docx:
        name = _("%(place)s yearly report %(year)s", place=scope.title, year=year)
        return download(build_docx(made), "docx", ascii_name=f"{level}-report-{year}", name=name)
    docx_url = url_for(f"dashboards.{level}_report_docx", year=year, **{key: ident})
    dashboard_url = url_for(f"dashboards.{level}", **{key: ident}, **made.period.query_args())
    return render_template("dashboards/report.html", report=made, docx_url=docx_url, dashboard_url=dashboard_url)


def _open_data(level: str, ident):
    scope: Scope = LEVELS[level][0](current_user, ident)
    form = PeriodForm(request.args)
    if not form.validate():
        raise DomainError("bad_period", next(iter(form.errors.values()))[0])
    built = summary.figures(scope, form.period).built
    body = opendata.zip_file(scopes.with_households(scope), form.period, built)
    db.session.commit()  # a snapshot counted for this download is kept
    start, end = form.period.start_text, form.period.end_text
    name = _("%(place)s open data %(start)s to %(end)s", place=scope.title, start=start, end=end)
    return download(body, "zip", ascii_name=f"{level}-open-data-{start}-{end}", name=name)


@bp.route("/dashboard/district/<int:district_id>/report/<int:year>")
@login_required
def district_report(district_id: int, year: int):
    """A district's yearly report, to print (its district staff)."""
    return _report("district", district_id, year, as_docx=False)


@bp.route("/dashboard/district/<int:district_id>/report/<int:year>.docx")
@login_required
def district_report_docx(district_id: int, year: int):
    return _report("district", district_id, year, as_docx=True)


@bp.route("/dashboard/street/<int:street_id>/report/<int:year>")
@login_required
def street_report(street_id: int, year: int):
    """A street's yearly report, to print (its street staff, its district's staff)."""
    return _report("street", street_id, year, as_docx=False)


@bp.route("/dashboard/street/<int:street_id>/report/<int:year>.docx")
@login_required
def street_report_docx(street_id: int, year: int):
    return _report("street", street_id, year, as_docx=True)


@bp.route("/dashboard/community/<slug>/report/<int:year>")
@login_required
def community_report(slug: str, year: int):
    """A community's yearly report (its staff, the street and district staff overseeing it)."""
    return _report("community", slug, year, as_docx=False)


@bp.route("/dashboard/community/<slug>/report/<int:year>.docx")
@login_required
def community_report_docx(slug: str, year: int):
    return _report("community", slug, year, as_docx=True)


@bp.route("/dashboard/district/<int:district_id>/open-data.zip")
@login_required
def district_open_data(district_id: int):
    """Non-personal aggregates per community and month or year, with the data dictionary."""
    return _open_data("district", district_id)


@bp.route("/dashboard/street/<int:street_id>/open-data.zip")
@login_required
def street_open_data(street_id: int):
    return _open_data("street", street_id)


@bp.route("/dashboard/community/<slug>/open-data.zip")
@login_required
def community_open_data(slug: str):
    return _open_data("community", slug)


@bp.route("/open-data")
def open_data_dictionary():
    """The open data's columns, their units and meanings, and the suppression rule: public (it holds no data)."""
    return render_template("dashboards/open_data.html", columns=opendata.dictionary(), min_count=opendata.MIN_COUNT)


@bp.route("/open-data/dictionary.csv")
def open_data_dictionary_csv():
    headers, rows = opendata.dictionary_table()
    return download(table_csv(headers, rows), "csv", ascii_name="data-dictionary", name=_("Open data dictionary"))
