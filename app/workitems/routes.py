"""Work-item views for the district: the entry and hub, departments and officers, the admitted list of a year
(page, print, CSV and XLSX). Requests and rounds: request_routes.py; objections: objection_routes.py."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import Forbidden, NotFound
from app.core.web import download, form_view, perform
from app.extensions import db
from app.voting.results import table_csv, table_xlsx
from app.workitems import bp, exports, permissions, queries, services, standing
from app.workitems.forms import DepartmentForm, OfficerForm
from app.workitems.labels import STATUS_LABELS
from app.workitems.models import Department, DepartmentOfficer
from app.workitems.standing import Stance


def district_stance(district_id: int) -> Stance:
    """The user's stance towards the district: 404 for anyone without a tie to it."""
    found = standing.stance(current_user, standing.district_by_id(district_id))
    if not permissions.can_see_district(found):
        raise NotFound()
    return found


def require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


def load_department(department_id: int) -> tuple[Department, Stance]:
    """The department, for district staff and its officers (403 for others tied to the district)."""
    department = db.session.get(Department, department_id) or abort(404)
    stance = district_stance(department.district_id)
    require(permissions.can_view_department(stance, department))
    return department, stance


@bp.route("/workitems")
@login_required
def entry():
    """The admission list of the user's district (a chooser when they have ties to several)."""
    districts = standing.districts_of(current_user)
    if not districts:
        raise NotFound()
    if len(districts) == 1:
        return redirect(url_for("workitems.hub", district_id=districts[0].id))
    return render_template("workitems/entry.html", districts=districts)


@bp.route("/d/<int:district_id>/workitems")
@login_required
def hub(district_id: int):
    """The district's admission list: the years' lists, and what each role does here."""
    stance = district_stance(district_id)
    return render_template(
        "workitems/hub.html",
        stance=stance,
        district=stance.district,
        years=queries.listed_years(district_id),
        departments=queries.departments(district_id),
        urgent=queries.pending_urgent(district_id) if permissions.can_decide(stance) else [],
        can_manage=permissions.can_manage_departments(stance),
        can_decide=permissions.can_decide(stance),
        can_view_objections=permissions.can_view_objections(stance),
        staff_communities=standing.communities(stance.staff_of),
    )


def _departments_page(stance: Stance, form, status=200):
    page = render_template(
        "workitems/departments.html",
        district=stance.district,
        departments=queries.departments(stance.district_id),
        form=form,
    )
    return page, status


@bp.route("/d/<int:district_id>/workitems/departments", methods=["GET", "POST"])
@login_required
def departments(district_id: int):
    """District staff: the district's departments, and a new one."""
    stance = district_stance(district_id)
    require(permissions.can_manage_departments(stance))
    form = DepartmentForm()
    return form_view(
        form,
        lambda: services.create_department(stance, form.name.data),
        render=lambda status: _departments_page(stance, form, status),
        done=lambda department: redirect(url_for("workitems.department", department_id=department.id)),
        message=_("Department created. Name its officers."),
    )


def _department_page(department: Department, stance: Stance, form, status=200):
    page = render_template(
        "workitems/department.html",
        department=department,
        district=stance.district,
        requests=queries.requests_of(department),
        form=form,
        can_manage=permissions.can_manage_departments(stance),
        can_request=permissions.can_request(stance, department),
        status_labels=STATUS_LABELS,
    )
    return page, status


@bp.route("/workitems/departments/<int:department_id>")
@login_required
def department(department_id: int):
    """A department: its officers and its requests."""
    department, stance = load_department(department_id)
    return _department_page(department, stance, OfficerForm())


@bp.route("/workitems/departments/<int:department_id>/officers", methods=["POST"])
@login_required
def name_officer(department_id: int):
    """District staff name an officer by mobile number."""
    department, stance = load_department(department_id)
    require(permissions.can_manage_departments(stance))
    form = OfficerForm()
    return form_view(
        form,
        lambda: services.name_officer(stance, department, form.phone.data),
        render=lambda status: _department_page(department, stance, form, status),
        done=lambda _officer: redirect(url_for("workitems.department", department_id=department.id)),
        message=_("Officer named."),
    )


@bp.route("/workitems/officers/<int:officer_id>/remove", methods=["POST"])
@login_required
def remove_officer(officer_id: int):
    """District staff remove an officer from a department."""
    officer = db.session.get(DepartmentOfficer, officer_id) or abort(404)
    department, stance = load_department(officer.department_id)
    perform(lambda: services.remove_officer(stance, officer))
    return redirect(url_for("workitems.department", department_id=department.id))


def _admitted(district_id: int, year: int) -> tuple[Stance, list]:
    stance = district_stance(district_id)
    require(permissions.can_view_list(stance))
    if not services.FIRST_YEAR <= year <= 9999:
        raise NotFound()
    return stance, queries.admitted(district_id, year)


@bp.route("/d/<int:district_id>/workitems/<int:year>")
@login_required
def admitted(district_id: int, year: int):
    """The admitted list of a year (published to everyone with a tie to the district)."""
    stance, items = _admitted(district_id, year)
    return render_template("workitems/list.html", district=stance.district, year=year, items=items)


@bp.route("/d/<int:district_id>/workitems/<int:year>/print")
@login_required
def printable(district_id: int, year: int):
    """The year's list on paper."""
    stance, items = _admitted(district_id, year)
    return render_template(
        "workitems/print.html", district=stance.district, year=year, headers=exports.headers(), rows=exports.rows(items)
    )


@bp.route("/d/<int:district_id>/workitems/<int:year>/export.<fmt>")
@login_required
def export(district_id: int, year: int, fmt: str):
    """The year's list as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    stance, items = _admitted(district_id, year)
    title = _("%(district)s admitted work items %(year)d", district=stance.district.name, year=year)
    headers, rows = exports.headers(), exports.rows(items)
    body = table_csv(headers, rows) if fmt == "csv" else table_xlsx([(str(year), headers, rows)])
    return download(body, fmt, ascii_name=f"workitems-{year}", name=title)
