"""Survey pages: the community's stand-alone surveys (staff make, open and close them), answering at
/surveys/<id> (no JavaScript), the results once closed, their CSV/XLSX export and the printable 公示."""

from __future__ import annotations

from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities import access
from app.communities.access import Viewer
from app.core.errors import Forbidden, NotFound
from app.core.models import utcnow
from app.core.web import download, form_view, perform
from app.surveys import bp, permissions, queries, registry, reports, services
from app.surveys.forms import AnswerForm, ManageForm, SurveyForm
from app.surveys.labels import KIND_LABELS, RESPONDENT_LABELS, STATE_LABELS
from app.surveys.models import Survey, SurveyState


def load(survey_id: int) -> tuple[Survey, Viewer]:
    """The survey, if the viewer may see it; 404 otherwise (also for an owner kind nobody registered)."""
    return access.load(Survey, survey_id, current_user, can=permissions.can_view)


class QuestionErrors:
    """Where `perform` puts a refusal beside the question it names (q<id>); any other is flashed."""

    def __init__(self):
        self.fields: dict[str, SimpleNamespace] = {}

    def __getattr__(self, name: str):
        if name.startswith("q") and name[1:].isdigit():
            return self.fields.setdefault(name, SimpleNamespace(errors=[]))
        raise AttributeError(name)


def owner_url(survey: Survey) -> str | None:
    return registry.kind(survey.owner_kind).url(survey) if survey.owner_kind else None


@bp.route("/c/<slug>/surveys")
@login_required
def index(slug: str):
    """The community's questionnaires and quick polls."""
    viewer = access.community_viewer(slug, current_user)
    return render_template(
        "surveys/index.html",
        community=viewer.community,
        surveys=queries.standalone(viewer),
        can_create=permissions.can_create(viewer),
        state_labels=STATE_LABELS,
    )


@bp.route("/c/<slug>/surveys/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Staff make a survey: questions typed one per line."""
    viewer = access.community_viewer(slug, current_user)
    if not permissions.can_create(viewer):
        raise Forbidden(_("Only the community staff make surveys."))
    form = SurveyForm()
    return form_view(
        form,
        lambda: services.create(
            viewer,
            title=form.title.data,
            description=form.description.data,
            questions=form.parsed,
            respondent=form.respondent.data,
            anonymous=form.anonymous.data,
            closes_at=form.closes_at,
        ),
        render=lambda status: (render_template("surveys/new.html", community=viewer.community, form=form), status),
        done=lambda survey: redirect(url_for("surveys.show", survey_id=survey.id)),
        message=_("The survey is saved as a draft. Open it when it is ready."),
    )


def _show(survey: Survey, viewer: Viewer, form: AnswerForm | None = None, status: int = 200, errors=None):
    now = utcnow()
    is_open = survey.state == SurveyState.OPEN and (survey.closes_at is None or survey.closes_at > now)
    page = render_template(
        "surveys/show.html",
        community=viewer.community,
        survey=survey,
        form=form or AnswerForm(),
        errors=errors or {},
        chosen=request.form if request.method == "POST" else {},
        is_open=is_open,
        answered=queries.answered(viewer, survey),
        can_answer=permissions.can_answer(viewer, survey),
        can_manage=permissions.can_manage(viewer, survey),
        counts=queries.response_count(survey) if permissions.can_see_counts(viewer, survey) else None,
        can_see_results=permissions.can_see_results(viewer, survey),
        owner_url=owner_url(survey),
        manage_form=ManageForm(),
        state_labels=STATE_LABELS,
        kind_labels=KIND_LABELS,
        respondent_labels=RESPONDENT_LABELS,
    )
    return page, status


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@login_required
def show(survey_id: int):
    """The survey: its questions to answer (once), or where it stands."""
    survey, viewer = load(survey_id)
    form = AnswerForm()
    if request.method == "GET":
        return _show(survey, viewer, form)
    if not form.validate_on_submit():
        return _show(survey, viewer, form, 400)
    answers = {key: request.form.getlist(key) for key in request.form if key.startswith("q")}
    errors = QuestionErrors()
    outcome = perform(lambda: services.answer(viewer, survey, client_id=form.client_id.data, answers=answers), errors)
    if not outcome.ok:
        return _show(survey, viewer, form, outcome.status, errors=errors.fields)
    flash(_("Thank you: your answers are in."), "success")
    return redirect(owner_url(survey) or url_for("surveys.show", survey_id=survey.id))


@bp.route("/surveys/<int:survey_id>/<any(open, close):action>", methods=["POST"])
@login_required
def manage(survey_id: int, action: str):
    """Open a draft, or close an open survey (its results can then be read)."""
    survey, viewer = load(survey_id)
    if not permissions.can_manage(viewer, survey):
        raise Forbidden()
    if not ManageForm().validate_on_submit():
        abort(400)
    outcome = perform(lambda: services.manage(viewer, survey, action))
    if not outcome.ok:  # refused (already open, already closed): said at the top of the page
        return _show(survey, viewer, status=outcome.status)
    flash(_("The survey is open.") if action == "open" else _("The survey is closed."), "success")
    return redirect(url_for("surveys.show", survey_id=survey.id))


def _results(survey_id: int) -> tuple[Survey, Viewer, queries.Results]:
    survey, viewer = load(survey_id)
    if not permissions.can_see_results(viewer, survey):
        raise NotFound(_("The results are shown once the survey is closed, to those it is meant for."))
    return survey, viewer, queries.results(survey)


def _render_results(template: str, survey_id: int):
    survey, viewer, found = _results(survey_id)
    return render_template(
        template,
        community=viewer.community,
        survey=survey,
        found=found,
        charts=reports.charts(found),
        reports=reports,
        owner_url=owner_url(survey),
        min_group=queries.MIN_GROUP,
        respondent_labels=RESPONDENT_LABELS,
    )


@bp.route("/surveys/<int:survey_id>/results")
@login_required
def results(survey_id: int):
    """The exact results, per question and per building, after the close."""
    return _render_results("surveys/results.html", survey_id)


@bp.route("/surveys/<int:survey_id>/notice")
@login_required
def notice(survey_id: int):
    """The printable 公示 of the results."""
    return _render_results("surveys/notice.html", survey_id)


@bp.route("/surveys/<int:survey_id>/results.<any(csv, xlsx):extension>")
@login_required
def export(survey_id: int, extension: str):
    """The results as CSV or XLSX."""
    survey, _viewer, found = _results(survey_id)
    body = reports.export(found, extension)
    return download(body, extension, ascii_name=f"survey-{survey.id}-results", name=f"{survey.title}-结果")
