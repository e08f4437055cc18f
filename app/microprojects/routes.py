"""Micro-project views: the list, applying with a budget, one project (review, expenditures with receipts,
ratings), and the micro-fund report with its ledger as CSV and XLSX."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.accounts import services as accounts
from app.communities import access
from app.communities.access import Viewer
from app.contests import services as contests
from app.core.errors import Forbidden
from app.core.money import format_yuan
from app.core.uploads import PhotoStore
from app.core.web import download, form_view, perform
from app.documents import services as documents
from app.extensions import db
from app.ideas import permissions as idea_permissions
from app.ideas.models import Idea
from app.microprojects import bp, ledger, permissions, reports, services
from app.microprojects.forms import (
    ApplicationForm,
    ExpenditureForm,
    FundForm,
    GuidanceForm,
    ProgressForm,
    RatingForm,
    ReviewForm,
)
from app.microprojects.labels import KIND_LABELS, SCORE_LABELS, STATUS_LABELS
from app.microprojects.models import MicroProject, ProjectStatus

S = ProjectStatus
# The list shows what is happening first, then what waits, then what is settled.
LIST_ORDER = [
    S.IN_PROGRESS,
    S.APPROVED,
    S.COMPLETED,
    S.EVALUATED,
    S.UNDER_REVIEW,
    S.SUBMITTED,
    S.CHANGES_REQUESTED,
    S.REJECTED,
    S.DRAFT,
]
RATED = (S.COMPLETED, S.EVALUATED)


def _reader(slug: str) -> Viewer:
    """The viewer, if they may read the community's projects and fund (members, overseers); 403 otherwise."""
    viewer = access.community_viewer(slug, current_user, check=False)
    if not viewer.may_see:
        raise Forbidden()
    return viewer


def _load(project_id: int) -> tuple[MicroProject, Viewer]:
    """The project and the viewer, if they may see it (a draft: its applicant and the staff); 404 otherwise."""
    return access.load(MicroProject, project_id, current_user, can=permissions.can_view)


def _idea_of(project: MicroProject, viewer: Viewer) -> Idea | None:
    """The golden idea the project was adopted from, if the viewer may see it."""
    idea = db.session.get(Idea, project.idea_id) if project.idea_id is not None else None
    return idea if idea is not None and idea_permissions.can_view(viewer, idea) else None


def _year_arg() -> int:
    """The `year` query argument, or this year in Asia/Shanghai."""
    year = request.args.get("year", type=int)
    return year if year is not None and 2000 <= year <= 2100 else reports.this_year()


@bp.route("/c/<slug>/projects")
@login_required
def index(slug: str):
    """Projects by status, with their budgets, grants and ratings."""
    viewer = _reader(slug)
    groups: dict = {}
    ratings = {}
    for item in services.listing(viewer):
        groups.setdefault(item.project.status, []).append(item.project)
        if item.project.status in RATED:
            ratings[item.project.id] = (item.rating_count, reports.average_stars(item.rating_count, item.rating_total))
    return render_template(
        "microprojects/index.html",
        community=viewer.community,
        groups=[(status, groups[status]) for status in LIST_ORDER if status in groups],
        ratings=ratings,
        can_apply=permissions.can_apply(viewer),
        status_labels=STATUS_LABELS,
    )


# -- applying --------------------------------------------------------------------------------------


def _budget_lines(form: ApplicationForm) -> list[tuple]:
    """(item, quantity, unit price in fen) for each filled row (half-filled ones were refused by the form)."""
    rows = (entry.form for entry in form.lines.entries)
    return [(row.item.data, row.quantity.data, row.unit_price.data) for row in rows if row.item.data]


def _application_page(viewer: Viewer, form: ApplicationForm, project: MicroProject | None, status: int):
    page = render_template("microprojects/form.html", community=viewer.community, form=form, project=project)
    return page, status


def _application(viewer: Viewer, form: ApplicationForm, project: MicroProject | None = None):
    """Save (and maybe send) an application; or show the form again, with one more row or with errors."""
    if request.method == "POST" and form.add_line.data:
        if len(form.lines.entries) < form.lines.max_entries:
            form.lines.append_entry()
        return _application_page(viewer, form, project, 200)
    return form_view(
        form,
        lambda: services.save_application(
            viewer,
            title=form.title.data,
            purpose=form.purpose.data,
            lines=_budget_lines(form),
            project=project,
            client_id=form.client_id.data,
        ),
        render=lambda status: _application_page(viewer, form, project, status),
        done=lambda saved: _sent_or_saved(viewer, saved, send=bool(form.submit_for_review.data)),
    )


def _sent_or_saved(viewer: Viewer, project: MicroProject, *, send: bool):
    sent = _("Your application was sent for review. You will see every step here.")
    if send and project.status in services.EDITABLE:
        if perform(lambda: services.move(viewer, project, S.SUBMITTED)).ok:  # else saved, not sent: says why
            flash(sent, "success")
    elif send:
        flash(sent, "success")  # a retry of a sending that went through: the application is on its way
    else:
        flash(_("Draft saved. Send it for review when it is ready."), "success")
    return redirect(url_for("microprojects.show", project_id=project.id))


@bp.route("/c/<slug>/projects/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Apply for a micro-project: its purpose and a budget, kept as a draft or sent for review."""
    viewer = access.community_viewer(slug, current_user, check=False)
    if not permissions.can_apply(viewer):
        raise Forbidden(_("Verified residents and social organisations apply for micro-projects."))
    return _application(viewer, ApplicationForm())


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit(project_id: int):
    """The applicant revises a draft, or an application sent back for changes."""
    project, viewer = _load(project_id)
    services.check_editable(viewer, project)  # refused: the error page (403, 409)
    lines = [{"item": li.item, "quantity": li.quantity, "unit_price": li.unit_price_fen} for li in project.lines]
    data = None if request.method == "POST" else {"title": project.title, "purpose": project.purpose, "lines": lines}
    return _application(viewer, ApplicationForm(data=data), project)


# -- one project -----------------------------------------------------------------------------------


def _moves(viewer: Viewer, project: MicroProject) -> tuple[list, list]:
    """The status changes offered to the staff and to the applicant."""
    order = list(ProjectStatus).index
    staff = sorted(services.STAFF_MOVES.get(project.status, ()), key=order) if permissions.can_review(viewer) else []
    applicant = permissions.is_applicant(viewer, project)
    mine = sorted(services.APPLICANT_MOVES.get(project.status, ()), key=order) if applicant else []
    return staff, [s for s in mine if s not in staff]


def _show(project: MicroProject, viewer: Viewer, *, status: int = 200, **forms):
    """One project's page; `forms` (review_form, spend_form, rating_form, progress_form) are shown again."""
    staff_moves, applicant_moves = _moves(viewer, project)
    books = permissions.can_keep_books(viewer, project)
    allocated, spent = ledger.project_balance(project)
    count, total = services.rating_summary(project)
    household_id = viewer.membership.household_id if viewer.membership is not None else None
    page = render_template(
        "microprojects/show.html",
        community=viewer.community,
        project=project,
        attachments=documents.panel(viewer, project),
        applicant_name=accounts.names_of([project.applicant_id]).get(project.applicant_id, ""),
        idea=_idea_of(project, viewer),
        contest_entry=contests.entry_of_project(project.id),
        fund_year=services.fund_year(project),
        allocated=allocated,
        spent=spent,
        events=services.history(project),
        ledger_rows=services.ledger_of(project=project),
        rating_count=count,
        rating_average=reports.average_stars(count, total),
        my_rating=services.household_rating(project, household_id),
        can_rate=permissions.can_rate(viewer) and project.status == S.COMPLETED,
        can_spend=books and project.status in services.SPENDING,
        can_edit=permissions.can_edit(viewer, project) and project.status in services.EDITABLE,
        staff=permissions.can_review(viewer),
        staff_moves=staff_moves,
        applicant_moves=applicant_moves,
        review_form=forms.get("review_form") or ReviewForm(formdata=None, prefix="review", year=reports.this_year()),
        spend_form=forms.get("spend_form") or ExpenditureForm(formdata=None, prefix="spend"),
        rating_form=forms.get("rating_form") or RatingForm(formdata=None, prefix="rating"),
        progress_form=forms.get("progress_form") or ProgressForm(formdata=None, prefix="progress"),
        progress_posts=services.progress_of(project),
        guidance_item=services.guidance_item_of(project),
        guidance_form=_guidance_form(viewer, project, forms.get("guidance_form")),
        can_post_progress=books and project.status in services.PROGRESS,
        status_labels=STATUS_LABELS,
        kind_labels={k.value: label for k, label in KIND_LABELS.items()},
        score_labels=SCORE_LABELS,
    )
    return page, status


def _guidance_form(viewer: Viewer, project: MicroProject, form: GuidanceForm | None) -> GuidanceForm | None:
    """For the staff: the published guidance items the project may answer."""
    if not permissions.can_review(viewer):
        return None
    form = form or GuidanceForm(formdata=None, guidance_item_id=project.guidance_item_id)
    choices = [SelectChoice(i.id, f"{i.year} · {i.title}") for i in services.guidance_choices(viewer)]
    form.guidance_item_id.choices = [SelectChoice("", _("None")), *choices]
    return form


@bp.route("/projects/<int:project_id>/guidance", methods=["POST"])
@login_required
def guidance(project_id: int):
    """Staff choose the guidance list's item the project answers."""
    project, viewer = _load(project_id)
    if not permissions.can_review(viewer):
        raise Forbidden()
    form = _guidance_form(viewer, project, GuidanceForm())
    return form_view(
        form,
        lambda: services.link_guidance(viewer, project, form.guidance_item_id.data),
        render=lambda status: _show(project, viewer, status=status, guidance_form=form),
        done=lambda _project: _back(project),
        message=_("Saved."),
    )


def _store(project: MicroProject) -> PhotoStore:
    return PhotoStore(current_app.config, community_id=project.community_id, owner_id=current_user.id)


def _back(project: MicroProject, anchor: str = ""):
    return redirect(url_for("microprojects.show", project_id=project.id) + anchor)


@bp.route("/projects/<int:project_id>")
@login_required
def show(project_id: int):
    """One project: purpose, budget, status history, ledger with receipts, rating, and the staff review."""
    return _show(*_load(project_id))


@bp.route("/projects/<int:project_id>/progress", methods=["POST"])
@login_required
def progress(project_id: int):
    """The applicant or staff report progress, optionally a milestone, with photos."""
    project, viewer = _load(project_id)
    form = ProgressForm(prefix="progress")
    return form_view(
        form,
        lambda: services.post_progress(
            viewer,
            project,
            client_id=form.client_id.data,
            body=form.body.data,
            milestone=form.milestone.data,
            photos=[f.read() for f in form.photos.data or [] if f and f.filename],
            store=_store(project),
        ),
        render=lambda status: _show(project, viewer, progress_form=form, status=status),
        done=lambda _post: _back(project, "#progress-posts"),
        message=_("Progress posted."),
    )


@bp.route("/projects/<int:project_id>/move", methods=["POST"])
@login_required
def move(project_id: int):
    """Change the status: the applicant sends or starts the project; staff review, approve (granting money
    from the year's fund), complete and close it."""
    project, viewer = _load(project_id)
    form = ReviewForm(prefix="review")
    if not form.validate_on_submit():
        return _show(project, viewer, review_form=form, status=400)
    approving = form.status.data == S.APPROVED.value
    grant = {"granted_fen": form.amount.data, "year": form.year.data} if approving else {}
    staff_form = form if permissions.can_review(viewer) else None  # the applicant's buttons carry no fields
    outcome = perform(
        lambda: services.move(viewer, project, form.status.data, form.comment.data or "", **grant), staff_form
    )
    if not outcome.ok:
        return _show(project, viewer, review_form=form, status=outcome.status)
    flash(_("The project is now: %(status)s.", status=STATUS_LABELS[project.status]), "success")
    return _back(project)


@bp.route("/projects/<int:project_id>/spend", methods=["POST"])
@login_required
def spend(project_id: int):
    """Record an expenditure with a photo of its receipt, within the project's allocation, while the project
    is in progress. A retried form (same client_id) records nothing more and stores no second photo."""
    project, viewer = _load(project_id)
    form = ExpenditureForm(prefix="spend")
    if services.expenditure_by_client(viewer, project, form.client_id.data) is not None:
        return _back(project, "#ledger")  # a retry of an expenditure already recorded
    checked = perform(lambda: services.check_spending(viewer, project))  # before the form, and any file
    if not checked.ok:
        return _show(project, viewer, status=checked.status)
    return form_view(
        form,
        lambda: services.spend(
            viewer,
            project,
            form.amount.data,
            form.note.data or "",
            client_id=form.client_id.data,
            receipt=form.receipt.data.read(),
            store=_store(project),
        ),
        render=lambda status: _show(project, viewer, spend_form=form, status=status),
        done=lambda entry: _spent(project, entry),
    )


def _spent(project: MicroProject, entry):
    amount = format_yuan(entry.amount_fen)
    flash(_("Expenditure of %(amount)s recorded, with its receipt.", amount=amount), "success")
    return _back(project, "#ledger")


@bp.route("/projects/<int:project_id>/rate", methods=["POST"])
@login_required
def rate(project_id: int):
    """A household rates a completed project from 1 to 5, once."""
    project, viewer = _load(project_id)
    form = RatingForm(prefix="rating")
    return form_view(
        form,
        lambda: services.rate(viewer, project, form.score.data, form.comment.data or ""),
        render=lambda status: _show(project, viewer, rating_form=form, status=status),
        done=lambda _rating: _back(project, "#rating"),
        message=_("Thank you: your household's rating was recorded."),
    )


# -- the micro-fund --------------------------------------------------------------------------------


@bp.route("/c/<slug>/fund", methods=["GET", "POST"])
@login_required
def fund(slug: str):
    """The year's micro-fund: total, allocated, spent and left, per project, a chart and the ledger; staff set
    the total."""
    viewer = _reader(slug)
    year = _year_arg()
    current = services.fund_for(viewer.community, year)
    if not permissions.can_review(viewer):
        if request.method == "POST":
            raise Forbidden()
        return _fund_page(viewer, year, current, None, 200)
    form = FundForm(year=year, total=current.total_fen if current else None)
    return form_view(
        form,
        lambda: services.set_fund(viewer, form.year.data, form.total.data),
        render=lambda status: _fund_page(viewer, year, current, form, status),
        done=lambda saved: _fund_saved(viewer, saved),
    )


def _fund_saved(viewer: Viewer, saved):
    total = format_yuan(saved.total_fen)
    flash(_("The %(year)d micro-fund is now %(total)s.", year=saved.year, total=total), "success")
    return redirect(url_for("microprojects.fund", slug=viewer.community.slug, year=saved.year))


def _fund_page(viewer: Viewer, year: int, current, form, status: int):
    balance, per_project = services.fund_balances(current) if current is not None else (None, [])
    per_project = [(item.project, item.allocated, item.spent) for item in per_project]
    chart = None
    if per_project:
        chart = reports.fund_chart_svg(
            [(project.title, allocated, spent) for project, allocated, spent in per_project],
            labels={
                "title": _("Allocated and spent, per project, %(year)d", year=year),
                "allocated": _("Allocated"),
                "spent": _("Spent"),
            },
        )
    return (
        render_template(
            "microprojects/fund.html",
            community=viewer.community,
            year=year,
            fund=current,
            balance=balance,
            per_project=per_project,
            chart=chart,
            ledger_rows=services.ledger_of(fund=current),
            form=form,
            status_labels=STATUS_LABELS,
            kind_labels={k.value: label for k, label in KIND_LABELS.items()},
        ),
        status,
    )


def _ledger_export(slug: str):
    """The year's ledger as rows, with translated headers, and the file names to send it under."""
    community = _reader(slug).community
    year = _year_arg()
    rows = services.ledger_of(fund=services.fund_for(community, year))
    headers = {
        "date": _("Date"),
        "project": _("Project"),
        "kind": _("Kind"),
        "amount": _("Amount (yuan)"),
        "note": _("Note"),
        "recorded_by": _("Recorded by"),
    }
    kinds = {kind.value: str(label) for kind, label in KIND_LABELS.items()}
    names = {"ascii_name": f"micro-fund-ledger-{year}", "name": f"{community.name}-{_('Micro-fund ledger')}-{year}"}
    return rows, headers, kinds, names


@bp.route("/c/<slug>/fund/ledger.csv")
@login_required
def ledger_csv(slug: str):
    """The year's ledger as CSV (UTF-8 with BOM, so Excel reads Chinese)."""
    rows, headers, kinds, names = _ledger_export(slug)
    return download(reports.ledger_csv(rows, headers=headers, kinds=kinds), "csv", **names)


@bp.route("/c/<slug>/fund/ledger.xlsx")
@login_required
def ledger_xlsx(slug: str):
    """The year's ledger as an Excel workbook."""
    rows, headers, kinds, names = _ledger_export(slug)
    body = reports.ledger_xlsx(rows, headers=headers, kinds=kinds, sheet_title=_("Micro-fund ledger"))
    return download(body, "xlsx", **names)
