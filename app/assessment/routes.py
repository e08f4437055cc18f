"""The assessment's pages. District: schemes (draft → published), criteria and weights, computing the year's
assessment, publishing the results, exports. Street and district officers: a community's assessment and its
manual scores. A community's members: its published results. Thin: the services decide, `_scheme_page` renders."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.assessment import bp, exports, labels, permissions, queries, scoring, services
from app.assessment.forms import CriterionForm, PointsForm, SchemeForm, ScoreForm
from app.assessment.models import AssessmentCriterion, Scheme
from app.assessment.permissions import Officer
from app.communities import access
from app.communities.models import Community, District
from app.core.errors import Forbidden, NotFound
from app.core.web import download, form_view, perform
from app.documents import services as documents
from app.extensions import db
from app.voting.results import table_csv, table_xlsx

EXPORTS = "<any(csv, xlsx):fmt>"


def district_officer(district_id: int) -> tuple[District, Officer]:
    district = db.session.get(District, district_id)
    officer = services.officer(current_user, district_id) if district else None
    if officer is None or not permissions.can_see_district(officer):
        raise NotFound()
    return district, officer


def load_scheme(scheme_id: int) -> tuple[Scheme, Officer]:
    scheme = db.session.get(Scheme, scheme_id) or abort(404)
    _district, officer = district_officer(scheme.district_id)
    if not permissions.can_see_scheme(officer, scheme):
        raise NotFound()
    return scheme, officer


def load_criterion(scheme: Scheme, criterion_id: int) -> AssessmentCriterion:
    found = db.session.get(AssessmentCriterion, criterion_id)
    if found is None or found.scheme_id != scheme.id:
        raise NotFound()
    return found


@bp.route("/assessment")
@login_required
def entry():
    """The assessment of the district the officer works in."""
    districts = sorted(access.overseen_district_ids(current_user))
    if not districts:
        raise NotFound()
    return redirect(url_for("assessment.district", district_id=districts[0]))


def _district_page(district: District, officer: Officer, form, status: int = 200):
    page = render_template(
        "assessment/district.html",
        district=district,
        schemes=queries.schemes(officer),
        form=form if permissions.can_manage(officer) else None,
        status_labels=labels.STATUS_LABELS,
    )
    return page, status


@bp.route("/d/<int:district_id>/assessment", methods=["GET", "POST"])
@login_required
def district(district_id: int):
    """The district's schemes; district staff start a new one."""
    found, officer = district_officer(district_id)
    form = SchemeForm()
    if form.is_submitted() and not permissions.can_manage(officer):
        raise Forbidden()
    return form_view(
        form,
        lambda: services.create_scheme(officer, current_user, form.year.data, form.title.data, form.client_id.data),
        render=lambda status: _district_page(found, officer, form, status),
        done=lambda scheme: redirect(url_for("assessment.scheme", scheme_id=scheme.id)),
        message=_("Scheme drafted: add its criteria."),
    )


def _scheme_page(scheme: Scheme, officer: Officer, *, criterion_form=None, status: int = 200):
    manage = permissions.can_manage(officer)
    form = criterion_form or CriterionForm()
    form.figure_key.choices = [SelectChoice("", "—")] + [
        SelectChoice(f.key, f.label) for f in queries.figures().values()
    ]
    page = render_template(
        "assessment/scheme.html",
        scheme=scheme,
        officer=officer,
        can_manage=manage,
        criterion_form=form if manage else None,
        figures={key: f.label for key, f in queries.figures().items()},
        results=queries.results(scheme, officer) if scheme.computed_at else [],
        missing=services.missing(scheme, [r.assessment for r in queries.results(scheme)]) if scheme.computed_at else 0,
        labels=labels,
        shown=lambda x: scoring.decimal(x, 2),
        version_client_id=uuid.uuid4().hex,
    )
    return page, status


@bp.route("/assessment/<int:scheme_id>")
@login_required
def scheme(scheme_id: int):
    """A scheme: its criteria and, once computed, the communities' results (ranked; a street's side by side)."""
    found, officer = load_scheme(scheme_id)
    return _scheme_page(found, officer)


def _manage(scheme_id: int) -> tuple[Scheme, Officer]:
    found, officer = load_scheme(scheme_id)
    if not permissions.can_manage(officer):
        raise Forbidden()
    return found, officer


def _button(scheme: Scheme, officer: Officer, action, to=None):
    outcome = perform(action)
    if outcome.ok:
        target = to(outcome.result) if to else scheme.id
        return redirect(url_for("assessment.scheme", scheme_id=target))
    return _scheme_page(db.session.get(Scheme, scheme.id), officer, status=outcome.status)


@bp.route("/assessment/<int:scheme_id>/criteria", methods=["POST"])
@login_required
def add_criterion(scheme_id: int):
    found, officer = _manage(scheme_id)
    form = CriterionForm()
    form.figure_key.choices = [SelectChoice(f.key, f.label) for f in queries.figures().values()]
    return form_view(
        form,
        lambda: services.add_criterion(officer, current_user, found, form.data_for_service()),
        render=lambda status: _scheme_page(found, officer, criterion_form=form, status=status),
        done=lambda _c: redirect(url_for("assessment.scheme", scheme_id=found.id)),
        message=_("Criterion added."),
    )


@bp.route("/assessment/<int:scheme_id>/criteria/<int:criterion_id>/points", methods=["POST"])
@login_required
def set_points(scheme_id: int, criterion_id: int):
    found, officer = _manage(scheme_id)
    criterion = load_criterion(found, criterion_id)
    form = PointsForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")  # shown at the top of the scheme's page
        return _scheme_page(found, officer, status=400)
    return _button(
        found, officer, lambda: services.set_points(officer, current_user, found, criterion, form.points.data)
    )


@bp.route("/assessment/<int:scheme_id>/criteria/<int:criterion_id>/remove", methods=["POST"])
@login_required
def remove_criterion(scheme_id: int, criterion_id: int):
    found, officer = _manage(scheme_id)
    criterion = load_criterion(found, criterion_id)
    return _button(found, officer, lambda: services.remove_criterion(officer, current_user, found, criterion))


@bp.route("/assessment/<int:scheme_id>/publish", methods=["POST"])
@login_required
def publish(scheme_id: int):
    found, officer = _manage(scheme_id)
    return _button(found, officer, lambda: services.publish(officer, current_user, found))


@bp.route("/assessment/<int:scheme_id>/new-version", methods=["POST"])
@login_required
def new_version(scheme_id: int):
    found, officer = _manage(scheme_id)
    form = SchemeForm()  # only its client_id is read
    return _button(
        found,
        officer,
        lambda: services.new_version(officer, current_user, found, form.client_id.data),
        to=lambda made: made.id,
    )


@bp.route("/assessment/<int:scheme_id>/compute", methods=["POST"])
@login_required
def compute(scheme_id: int):
    found, officer = _manage(scheme_id)
    return _button(found, officer, lambda: services.compute(officer, current_user, found))


@bp.route("/assessment/<int:scheme_id>/publish-results", methods=["POST"])
@login_required
def publish_results(scheme_id: int):
    found, officer = _manage(scheme_id)
    return _button(found, officer, lambda: services.publish_results(officer, current_user, found))


@bp.route(f"/assessment/<int:scheme_id>/export.{EXPORTS}")
@login_required
def export(scheme_id: int, fmt: str):
    """The results as CSV or XLSX: what the page shows the officer."""
    found, officer = load_scheme(scheme_id)
    headers, rows = exports.table(found, queries.results(found, officer))
    body = table_csv(headers, rows) if fmt == "csv" else table_xlsx([(str(found.year), headers, rows)])
    name = _("%(title)s %(year)d results", title=found.title, year=found.year)
    return download(body, fmt, ascii_name=f"assessment-{found.year}-v{found.version}", name=name)


def load_assessment(scheme_id: int, slug: str):
    found, officer = load_scheme(scheme_id)
    community = db.session.scalar(db.select(Community).where(Community.slug == slug))
    if community is None or community.street.district_id != found.district_id:
        raise NotFound()
    if not permissions.can_see_community(officer, community.street_id):
        raise NotFound()
    assessment = queries.assessment_of(found, community.id)
    if assessment is None:
        raise NotFound()
    return found, officer, assessment


def _community_page(scheme, officer, assessment, forms=None, status=200):
    can_score = permissions.can_score(officer, scheme, assessment.community.street_id)
    viewer = access.community_viewer(assessment.community.slug, current_user)  # an overseer: they see it
    page = render_template(
        "assessment/community.html",
        scheme=scheme,
        assessment=assessment,
        result=queries.result_of(assessment),
        forms=(forms or {}) if can_score else None,
        score_form=ScoreForm,
        panel=documents.panel(viewer, assessment),
    )
    return page, status


@bp.route("/assessment/<int:scheme_id>/c/<slug>")
@login_required
def community(scheme_id: int, slug: str):
    """One community's assessment: every criterion, its score and formula; the manual ones scored here."""
    return _community_page(*load_assessment(scheme_id, slug))


@bp.route("/assessment/<int:scheme_id>/c/<slug>/score/<int:criterion_id>", methods=["POST"])
@login_required
def score(scheme_id: int, slug: str, criterion_id: int):
    """A street officer (of the community's street) or a district officer scores a manual criterion."""
    found, officer, assessment = load_assessment(scheme_id, slug)
    criterion = load_criterion(found, criterion_id)
    if not permissions.can_score(officer, found, assessment.community.street_id):
        raise Forbidden()
    form = ScoreForm(prefix=f"c{criterion.id}")  # one form per manual criterion on the page
    return form_view(
        form,
        lambda: services.score(officer, current_user, assessment, criterion, form.data_for_service()),
        render=lambda status: _community_page(found, officer, assessment, {criterion.id: form}, status),
        done=lambda _s: redirect(url_for("assessment.community", scheme_id=found.id, slug=slug)),
        message=_("Score saved."),
    )


@bp.route("/c/<slug>/assessment")
@login_required
def published(slug: str):
    """The community's published results, each criterion with its evidence and formula (nothing before)."""
    viewer = access.community_viewer(slug, current_user)
    if not permissions.can_view_results(viewer):
        raise NotFound()
    found = queries.published_for(viewer.community.id)
    return render_template(
        "assessment/published.html",
        community=viewer.community,
        found=[(scheme, result, n, documents.panel(viewer, result.assessment)) for scheme, result, n in found],
    )
