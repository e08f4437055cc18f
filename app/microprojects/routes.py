"""Micro-project views: the list, applying with a budget, one project (review, expenditures with receipts,
ratings), and the micro-fund report with its ledger as CSV and XLSX."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import services as accounts
from app.communities import services as communities
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.money import format_yuan
from app.core.uploads import PhotoStore, discard_files, save_photo
from app.core.web import handle_refusal
from app.extensions import db
from app.microprojects import bp, ledger, permissions, reports, services
from app.microprojects.forms import (
    KIND_LABELS,
    SCORE_LABELS,
    STATUS_LABELS,
    ApplicationForm,
    ExpenditureForm,
    FundForm,
    ProgressForm,
    RatingForm,
    ReviewForm,
)
from app.microprojects.models import ProjectStatus

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
EDITABLE = (S.DRAFT, S.CHANGES_REQUESTED)  # as services.save_application accepts
SPENDING = services.SPENDING  # as services.spend accepts: only to offer the form
PROGRESS = (S.APPROVED, S.IN_PROGRESS, S.COMPLETED)  # as services.post_progress accepts
RATED = (S.COMPLETED, S.EVALUATED)


def _reader(slug: str):
    """The community and the user's membership, if they may read its projects and fund (members, overseers)."""
    community = communities.get_community(slug)
    member = communities.membership_of(current_user, community.id)
    if member is None and community.id not in communities.overseen_community_ids(current_user):
        raise Forbidden()
    return community, member


def _contest_entry_of(project):
    """The proposal-contest entry the project was granted for, if any."""
    from app.contests import services as contests  # a read across features, as for the idea

    return contests.entry_of_project(project.id)


def _idea_of(project):
    """The golden idea the project was adopted from, if the user may see it."""
    if project.idea_id is None:
        return None
    from app.ideas import services as ideas

    try:
        idea = ideas.get(project.idea_id)
        ideas.visible(current_user, idea)
    except NotFound:
        return None
    return idea


def _year_arg() -> int:
    """The `year` query argument, or this year in Asia/Shanghai."""
    year = request.args.get("year", type=int)
    return year if year is not None and 2000 <= year <= 2100 else reports.this_year()


@bp.route("/c/<slug>/projects")
@login_required
def index(slug: str):
    """Projects by status, with their budgets, grants and ratings."""
    community, member = _reader(slug)
    groups: dict = {}
    ratings = {}
    for item in services.listing(current_user, community):
        groups.setdefault(item.project.status, []).append(item.project)
        if item.project.status in RATED:
            ratings[item.project.id] = (item.rating_count, reports.average_stars(item.rating_count, item.rating_total))
    return render_template(
        "microprojects/index.html",
        community=community,
        groups=[(status, groups[status]) for status in LIST_ORDER if status in groups],
        ratings=ratings,
        can_apply=permissions.can_apply(member),
        status_labels=STATUS_LABELS,
    )


# -- applying --------------------------------------------------------------------------------------


def _budget_lines(form: ApplicationForm):
    """(item, quantity, unit price in fen) for each filled row; None if a price is not an amount (marked)."""
    lines, ok = [], True
    for entry in form.lines.entries:
        line = entry.form
        if not line.item.data:
            continue  # an empty row: half-filled ones were refused by the form
        try:
            price = ledger.parse_yuan(line.unit_price.data, field="unit_price")
        except DomainError as err:
            line.unit_price.errors = [*line.unit_price.errors, err.message]
            ok = False
            continue
        lines.append((line.item.data, line.quantity.data, price))
    return lines if ok else None


def _application(form: ApplicationForm, community, project=None):
    """Save (and maybe send) an application; or show the form again, with one more row or with errors."""
    status = 200
    if request.method == "POST":
        if form.add_line.data:
            if len(form.lines.entries) < form.lines.max_entries:
                form.lines.append_entry()
        elif not form.validate_on_submit() or (lines := _budget_lines(form)) is None:
            status = 400
        else:
            try:
                project = services.save_application(
                    current_user,
                    community,
                    title=form.title.data,
                    purpose=form.purpose.data,
                    lines=lines,
                    project=project,
                    client_id=form.client_id.data,
                )
            except DomainError as err:
                status = handle_refusal(err, form)
            else:
                return _sent_or_saved(project, send=bool(form.submit_for_review.data))
    return (
        render_template("microprojects/form.html", community=community, form=form, project=project),
        status,
    )


def _sent_or_saved(project, *, send: bool):
    sent = _("Your application was sent for review. You will see every step here.")
    if send and project.status in EDITABLE:
        try:
            services.move(current_user, project, S.SUBMITTED)
        except DomainError as err:
            handle_refusal(err)  # saved, but not sent: the message says why
        else:
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
    community = communities.get_community(slug)
    if not permissions.can_apply(communities.membership_of(current_user, community.id)):
        raise Forbidden(_("Verified residents and social organisations apply for micro-projects."))
    return _application(ApplicationForm(), community)


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit(project_id: int):
    """The applicant revises a draft, or an application sent back for changes."""
    project = services.get(project_id)
    services.visible(current_user, project)
    if project.applicant_id != current_user.id:
        raise Forbidden()
    if project.status not in EDITABLE:
        raise DomainError("wrong_status", _("This application can no longer be changed."), status=409)
    community = communities.get_community_by_id(project.community_id)
    if request.method == "POST":
        form = ApplicationForm()
    else:
        form = ApplicationForm(
            data={
                "title": project.title,
                "purpose": project.purpose,
                "lines": [
                    {
                        "item": line.item,
                        "quantity": line.quantity,
                        "unit_price": reports.yuan_decimal(line.unit_price_fen),
                    }
                    for line in project.lines
                ],
            }
        )
    return _application(form, community, project)


# -- one project -----------------------------------------------------------------------------------


def _show(project, member, *, review_form=None, spend_form=None, rating_form=None, progress_form=None, status=200):
    community = communities.get_community_by_id(project.community_id)
    staff = permissions.can_review(member, project.community_id)
    applicant = project.applicant_id == current_user.id
    order = list(ProjectStatus).index
    staff_moves = sorted(services.STAFF_MOVES.get(project.status, ()), key=order) if staff else []
    applicant_moves = [
        s
        for s in sorted(services.APPLICANT_MOVES.get(project.status, ()), key=order)
        if applicant and s not in staff_moves
    ]
    allocated, spent = ledger.project_balance(project)
    ledger_rows = services.ledger_of(project=project)
    count, total = services.rating_summary(project)
    household_id = member.household_id if member is not None else None
    if review_form is None:
        review_form = ReviewForm(formdata=None, prefix="review", year=reports.this_year())
    return (
        render_template(
            "microprojects/show.html",
            community=community,
            project=project,
            applicant_name=accounts.names_of([project.applicant_id]).get(project.applicant_id, ""),
            idea=_idea_of(project),
            contest_entry=_contest_entry_of(project),
            fund_year=services.fund_year(project),
            allocated=allocated,
            spent=spent,
            events=services.history(project),
            ledger_rows=ledger_rows,
            rating_count=count,
            rating_average=reports.average_stars(count, total),
            my_rating=services.household_rating(project, household_id),
            can_rate=permissions.can_rate(member) and project.status == S.COMPLETED,
            can_spend=(applicant or staff) and project.status in SPENDING,
            can_edit=applicant and project.status in EDITABLE,
            staff=staff,
            staff_moves=staff_moves,
            applicant_moves=applicant_moves,
            review_form=review_form,
            spend_form=spend_form or ExpenditureForm(formdata=None, prefix="spend"),
            rating_form=rating_form or RatingForm(formdata=None, prefix="rating"),
            progress_form=progress_form or ProgressForm(formdata=None, prefix="progress"),
            progress_posts=services.progress_of(project),
            can_post_progress=(applicant or staff) and project.status in PROGRESS,
            status_labels=STATUS_LABELS,
            kind_labels={k.value: label for k, label in KIND_LABELS.items()},
            score_labels=SCORE_LABELS,
        ),
        status,
    )


@bp.route("/projects/<int:project_id>/progress", methods=["POST"])
@login_required
def progress(project_id: int):
    """The applicant or staff report progress, optionally a milestone, with photos."""
    project = services.get(project_id)
    member = services.visible(current_user, project)
    form = ProgressForm(prefix="progress")
    if not form.validate_on_submit():
        return _show(project, member, progress_form=form, status=400)
    files = [f for f in (form.photos.data or []) if f and f.filename]
    try:
        services.post_progress(
            current_user,
            project,
            client_id=form.client_id.data,
            body=form.body.data,
            milestone=form.milestone.data,
            photos=[f.read() for f in files],
            store=PhotoStore(current_app.config, community_id=project.community_id, owner_id=current_user.id),
        )
    except DomainError as err:
        return _show(project, member, progress_form=form, status=handle_refusal(err, form))
    flash(_("Progress posted."), "success")
    return redirect(url_for("microprojects.show", project_id=project.id) + "#progress-posts")


@bp.route("/projects/<int:project_id>")
@login_required
def show(project_id: int):
    """One project: purpose, budget, status history, ledger with receipts, rating, and the staff review."""
    project = services.get(project_id)
    return _show(project, services.visible(current_user, project))


@bp.route("/projects/<int:project_id>/move", methods=["POST"])
@login_required
def move(project_id: int):
    """Change the status: the applicant sends or starts the project; staff review, approve (granting money
    from the year's fund), complete and close it."""
    project = services.get(project_id)
    member = services.visible(current_user, project)
    staff = permissions.can_review(member, project.community_id)
    form = ReviewForm(prefix="review")
    if not form.validate_on_submit():
        return _show(project, member, review_form=form, status=400)
    granted_fen = year = None
    if form.status.data == S.APPROVED.value:
        try:
            granted_fen = ledger.parse_yuan(form.amount.data, field="amount")
        except DomainError as err:
            return _show(project, member, review_form=form, status=handle_refusal(err, form))
        year = form.year.data
        if year is None:
            form.year.errors = [*form.year.errors, _("Choose a year.")]
            return _show(project, member, review_form=form, status=400)
    try:
        services.move(
            current_user, project, form.status.data, form.comment.data or "", granted_fen=granted_fen, year=year
        )
    except DomainError as err:
        status = handle_refusal(err, form if staff else None)  # the applicant's buttons carry no fields to mark
        return _show(project, member, review_form=form, status=status)
    flash(_("The project is now: %(status)s.", status=STATUS_LABELS[project.status]), "success")
    return redirect(url_for("microprojects.show", project_id=project.id))


@bp.route("/projects/<int:project_id>/spend", methods=["POST"])
@login_required
def spend(project_id: int):
    """Record an expenditure with a photo of its receipt, within the project's allocation, while the project
    is in progress. A retried form (same client_id) records nothing more and stores no second photo."""
    project = services.get(project_id)
    member = services.visible(current_user, project)
    form = ExpenditureForm(prefix="spend")
    if services.expenditure_by_client(current_user, project, form.client_id.data) is not None:
        return _spent(project, None)  # a retry of an expenditure already recorded
    try:
        services.check_spending(current_user, project)  # before any file is written
    except DomainError as err:
        return _show(project, member, status=handle_refusal(err))
    if not form.validate_on_submit():
        return _show(project, member, spend_form=form, status=400)
    try:
        amount_fen = ledger.parse_yuan(form.amount.data, field="amount")
    except DomainError as err:
        return _show(project, member, spend_form=form, status=handle_refusal(err, form))
    config = current_app.config
    try:
        photo = save_photo(
            form.receipt.data.read(),
            community_id=project.community_id,
            owner_id=current_user.id,
            upload_dir=config["UPLOAD_DIR"],
            max_bytes=config["UPLOAD_MAX_BYTES"],
            max_pixels=config["UPLOAD_MAX_PIXELS"],
        )
    except DomainError as err:
        db.session.rollback()
        form.receipt.errors = [*form.receipt.errors, err.message]
        return _show(project, member, spend_form=form, status=err.status_code)
    photo_id = photo.id
    try:
        entry = services.spend(
            current_user,
            project,
            amount_fen,
            form.note.data or "",
            receipt_photo_id=photo_id,
            client_id=form.client_id.data,
        )
    except Exception as err:
        db.session.rollback()  # the photo's row too: services.spend rolls back only what it began
        discard_files(photo, config["UPLOAD_DIR"])
        if not isinstance(err, DomainError):
            raise
        return _show(project, member, spend_form=form, status=handle_refusal(err, form))
    if entry.receipt_photo_id != photo_id:
        # a retry that raced the first request: its entry has the first receipt; this photo is not kept
        discard_files(photo, config["UPLOAD_DIR"])  # its row was rolled back with the losing insert
    return _spent(project, entry)


def _spent(project, entry):
    if entry is not None:
        flash(
            _("Expenditure of %(amount)s recorded, with its receipt.", amount=format_yuan(entry.amount_fen)), "success"
        )
    return redirect(url_for("microprojects.show", project_id=project.id) + "#ledger")


@bp.route("/projects/<int:project_id>/rate", methods=["POST"])
@login_required
def rate(project_id: int):
    """A household rates a completed project from 1 to 5, once."""
    project = services.get(project_id)
    member = services.visible(current_user, project)
    form = RatingForm(prefix="rating")
    if not form.validate_on_submit():
        return _show(project, member, rating_form=form, status=400)
    try:
        services.rate(current_user, project, form.score.data, form.comment.data or "")
    except DomainError as err:
        return _show(project, member, rating_form=form, status=handle_refusal(err, form))
    flash(_("Thank you: your household's rating was recorded."), "success")
    return redirect(url_for("microprojects.show", project_id=project.id) + "#rating")


# -- the micro-fund --------------------------------------------------------------------------------


@bp.route("/c/<slug>/fund", methods=["GET", "POST"])
@login_required
def fund(slug: str):
    """The year's micro-fund: total, allocated, spent and left, per project, a chart and the ledger; staff set
    the total."""
    community, member = _reader(slug)
    year = _year_arg()
    staff = permissions.can_review(member, community.id)
    if request.method == "POST" and not staff:
        raise Forbidden()
    current = services.fund_for(community, year)
    form = None
    status = 200
    if staff:
        form = FundForm(year=year, total=reports.yuan_decimal(current.total_fen) if current else None)
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            try:
                total_fen = ledger.parse_yuan(form.total.data, field="total")
                saved = services.set_fund(current_user, community, form.year.data, total_fen)
            except DomainError as err:
                status = handle_refusal(err, form)
            else:
                flash(
                    _("The %(year)d micro-fund is now %(total)s.", year=saved.year, total=format_yuan(saved.total_fen)),
                    "success",
                )
                return redirect(url_for("microprojects.fund", slug=community.slug, year=saved.year))
    return _fund_page(community, year, current, form, status)


def _fund_page(community, year: int, current, form, status: int):
    balance, per_project = services.fund_balances(current) if current is not None else (None, [])
    per_project = [(item.project, item.allocated, item.spent) for item in per_project]
    rows = services.ledger_of(fund=current)
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
            community=community,
            year=year,
            fund=current,
            balance=balance,
            per_project=per_project,
            chart=chart,
            ledger_rows=rows,
            form=form,
            status_labels=STATUS_LABELS,
            kind_labels={k.value: label for k, label in KIND_LABELS.items()},
        ),
        status,
    )


def _ledger_export(slug: str, extension: str):
    """The year's ledger as rows, with translated headers, and the file names to send it under."""
    community, _member = _reader(slug)
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
    ascii_name = f"micro-fund-ledger-{year}.{extension}"
    utf8_name = f"{community.name}-{_('Micro-fund ledger')}-{year}.{extension}"
    disposition = f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(utf8_name)}"
    return rows, headers, kinds, disposition


@bp.route("/c/<slug>/fund/ledger.csv")
@login_required
def ledger_csv(slug: str):
    """The year's ledger as CSV (UTF-8 with BOM, so Excel reads Chinese)."""
    rows, headers, kinds, disposition = _ledger_export(slug, "csv")
    return Response(
        reports.ledger_csv(rows, headers=headers, kinds=kinds),
        mimetype="text/csv",
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


@bp.route("/c/<slug>/fund/ledger.xlsx")
@login_required
def ledger_xlsx(slug: str):
    """The year's ledger as an Excel workbook."""
    rows, headers, kinds, disposition = _ledger_export(slug, "xlsx")
    return Response(
        reports.ledger_xlsx(rows, headers=headers, kinds=kinds, sheet_title=_("Micro-fund ledger")),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )
