"""Micro-projects over HTTP: who may open and do what (every world key), applying with a budget from a
phone, review with allocation, expenditures with receipts, ratings, the fund report and its downloads;
and bad input, each refused with a clear message, a 4xx status, and nothing changed."""

from __future__ import annotations

import io
import uuid

import lxml.html
import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select

from app.core.uploads import Photo, photo_path
from app.extensions import db
from app.microprojects import ledger, services
from app.microprojects.models import (
    BudgetLine,
    EntryKind,
    Fund,
    LedgerEntry,
    MicroProject,
    ProjectEvent,
    ProjectStatus,
    Rating,
)
from tests import factories
from tests.microprojects import acting, edge

S = ProjectStatus
LINES = [("活动室书架", 2, 45_000), ("儿童绘本", 100, 3_550)]  # ¥900.00 + ¥3,550.00 = ¥4,450.00
PURPOSE = "为社区儿童提供周末阅读空间，志愿者值班。每周六、日下午开放。"
YEAR = 2027

MEMBERS = ["resident", "owner", "social_org", "staff", "property_manager", "unverified"]
OUTSIDERS = ["other_staff", "other_resident", "outsider"]
LOGIN = "login"


# -- helpers ---------------------------------------------------------------------------------------


def as_(app, world, key):
    """A test client logged in as world.users[key] (None: anonymous), asking for English."""
    http = app.test_client()
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if key is not None:
        with http.session_transaction() as session:
            session["_user_id"] = factories.login_token(world.users[key])
            session["_fresh"] = True
    return http


def count(model, **where) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def snapshot() -> tuple:
    """Row counts of everything these routes write."""
    return tuple(count(m) for m in (MicroProject, BudgetLine, ProjectEvent, LedgerEntry, Rating, Fund, Photo))


def page(response):
    return lxml.html.fromstring(response.get_data(as_text=True))


def text_of(doc, xpath: str) -> str:
    """The text under the nodes, whitespace collapsed."""
    return " ".join(" ".join(" ".join(node.itertext()) for node in doc.xpath(xpath)).split())


def flashes(response) -> str:
    return text_of(page(response), '//*[contains(@class, "flash-error")]')


def field_error(response, field_id: str) -> str:
    return text_of(page(response), f'//*[@id="{field_id}-error"]')


def jpeg(size=(60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, "JPEG")
    return out.getvalue()


def files_under(directory) -> list:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def apply(world, key="resident", *, title="周末儿童阅读角", community=None):
    return edge(
        services.save_application,
        acting(world.users[key], community or world.community),
        title=title,
        purpose=PURPOSE,
        lines=LINES,
        client_id=uuid.uuid4().hex,
    )


def advance(world, project, *statuses, granted_fen=4_450_00):
    """Walk a project through statuses with the right actor for each step."""
    for status in statuses:
        actor = world.users["resident"] if status == S.SUBMITTED else world.users["staff"]
        kwargs = {"granted_fen": granted_fen, "year": YEAR} if status == S.APPROVED else {}
        edge(services.move, acting(actor, project), project, status, "好", **kwargs)
    return project


def funded(world, total_fen=10_000_00):
    return edge(services.set_fund, acting(world.users["staff"], world.community), YEAR, total_fen)


def approved(world, **kw):
    funded(world)
    return advance(world, apply(world), S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, **kw)


def started(world, **kw):
    """Approved and in progress: the only status in which money is spent."""
    return advance(world, approved(world, **kw), S.IN_PROGRESS)


def completed(world):
    return advance(world, started(world), S.COMPLETED)


def application(**overrides) -> dict:
    data = {
        "title": "周末儿童阅读角",
        "purpose": PURPOSE,
        "lines-0-item": "活动室书架",
        "lines-0-quantity": "2",
        "lines-0-unit_price": "450",
        "lines-1-item": "儿童绘本",
        "lines-1-quantity": "100",
        "lines-1-unit_price": "35.50",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def upload_dir(app):
    from pathlib import Path

    return Path(app.config["UPLOAD_DIR"])


# -- who may open what ------------------------------------------------------------------------------


def _expect(response, expected):
    """`expected`: a status code, or LOGIN for a redirect to the login page."""
    if expected == LOGIN:
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    else:
        assert response.status_code == expected, response.get_data(as_text=True)[:500]


@pytest.mark.parametrize(
    ("key", "expected"),
    [*((k, 200) for k in MEMBERS), ("street_staff", 200), *((k, 403) for k in OUTSIDERS), (None, LOGIN)],
)
@pytest.mark.parametrize("path", ["/c/cuizhuyuan/projects", "/c/cuizhuyuan/fund", "/c/cuizhuyuan/fund?year=2027"])
def test_community_pages(app, world, key, expected, path):
    approved(world)
    _expect(as_(app, world, key).get(path), expected)


@pytest.mark.parametrize(
    ("key", "expected"),
    [*((k, 200) for k in MEMBERS), ("street_staff", 200), *((k, 403) for k in OUTSIDERS), (None, LOGIN)],
)
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_ledger_downloads(app, world, key, expected, extension):
    approved(world)
    response = as_(app, world, key).get(f"/c/cuizhuyuan/fund/ledger.{extension}?year={YEAR}")
    _expect(response, expected)
    if expected == 200:
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert f"micro-fund-ledger-{YEAR}.{extension}" in response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("resident", 200),
        ("owner", 200),
        ("social_org", 200),
        ("staff", 403),
        ("property_manager", 403),
        ("unverified", 403),
        ("street_staff", 403),
        *((k, 403) for k in OUTSIDERS),
        (None, LOGIN),
    ],
)
def test_who_may_apply(app, world, key, expected):
    _expect(as_(app, world, key).get("/c/cuizhuyuan/projects/new"), expected)
    before = snapshot()
    _expect(
        as_(app, world, key).post("/c/cuizhuyuan/projects/new", data=application()),
        302 if expected == 200 else expected,
    )
    if expected != 200:
        assert snapshot() == before


@pytest.mark.parametrize(
    ("key", "expected"),
    [*((k, 200) for k in MEMBERS), ("street_staff", 200), *((k, 404) for k in OUTSIDERS), (None, LOGIN)],
)
def test_who_sees_a_submitted_project(app, world, key, expected):
    project = advance(world, apply(world), S.SUBMITTED)
    _expect(as_(app, world, key).get(f"/projects/{project.id}"), expected)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("resident", 200),
        ("staff", 200),
        ("owner", 404),
        ("social_org", 404),
        ("property_manager", 404),
        ("unverified", 404),
        ("street_staff", 404),
        *((k, 404) for k in OUTSIDERS),
        (None, LOGIN),
    ],
)
def test_a_draft_is_seen_by_its_applicant_and_staff_only(app, world, key, expected):
    project = apply(world)
    _expect(as_(app, world, key).get(f"/projects/{project.id}"), expected)
    listing = as_(app, world, key).get("/c/cuizhuyuan/projects")
    if listing.status_code == 200:
        assert ("周末儿童阅读角" in listing.get_data(as_text=True)) == (expected == 200)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("resident", 200),
        ("owner", 403),
        ("social_org", 403),
        ("staff", 403),
        ("property_manager", 403),
        ("unverified", 403),
        ("street_staff", 403),
        *((k, 404) for k in OUTSIDERS),
        (None, LOGIN),
    ],
)
def test_only_the_applicant_edits(app, world, key, expected):
    project = advance(world, apply(world), S.SUBMITTED, S.UNDER_REVIEW)
    edge(services.move, acting(world.users["staff"], project), project, S.CHANGES_REQUESTED, "请补充预算明细")
    _expect(as_(app, world, key).get(f"/projects/{project.id}/edit"), expected)
    before = snapshot()
    response = as_(app, world, key).post(f"/projects/{project.id}/edit", data=application(title="新的标题"))
    _expect(response, 302 if expected == 200 else expected)
    if expected != 200:
        assert snapshot() == before
        assert db.session.get(MicroProject, project.id).title == "周末儿童阅读角"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("staff", 302),
        ("resident", 409),  # the applicant, but this move is the staff's
        ("owner", 403),
        ("social_org", 403),
        ("property_manager", 403),
        ("unverified", 403),
        ("street_staff", 403),
        *((k, 404) for k in OUTSIDERS),
        (None, LOGIN),
    ],
)
def test_who_moves_a_project(app, world, key, expected):
    project = advance(world, apply(world), S.SUBMITTED)
    before = snapshot()
    response = as_(app, world, key).post(f"/projects/{project.id}/move", data={"review-status": "under_review"})
    _expect(response, expected)
    db.session.expire_all()
    if key == "staff":
        assert db.session.get(MicroProject, project.id).status == S.UNDER_REVIEW
    else:
        assert db.session.get(MicroProject, project.id).status == S.SUBMITTED
        assert snapshot() == before


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("resident", 302),
        ("staff", 302),
        ("owner", 403),
        ("social_org", 403),
        ("property_manager", 403),
        ("unverified", 403),
        ("street_staff", 403),
        *((k, 404) for k in OUTSIDERS),
        (None, LOGIN),
    ],
)
def test_who_records_expenditures(app, world, upload_dir, key, expected):
    project = started(world)
    before = snapshot()
    response = as_(app, world, key).post(
        f"/projects/{project.id}/spend",
        data={
            "spend-amount": "100",
            "spend-note": "书架",
            "spend-receipt": (io.BytesIO(jpeg()), "r.jpg", "image/jpeg"),
        },
        content_type="multipart/form-data",
    )
    _expect(response, expected)
    if key in ("resident", "staff"):
        assert count(LedgerEntry, kind=EntryKind.EXPENDITURE) == 1
    else:
        assert snapshot() == before
        assert files_under(upload_dir) == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("resident", 302),
        ("owner", 302),
        ("social_org", 403),  # no household
        ("staff", 403),
        ("property_manager", 403),
        ("unverified", 403),
        ("street_staff", 403),
        *((k, 404) for k in OUTSIDERS),
        (None, LOGIN),
    ],
)
def test_who_rates(app, world, key, expected):
    project = completed(world)
    response = as_(app, world, key).post(f"/projects/{project.id}/rate", data={"rating-score": "4"})
    _expect(response, expected)
    assert count(Rating) == (1 if key in ("resident", "owner") else 0)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("staff", 302),
        *((k, 403) for k in MEMBERS if k != "staff"),
        ("street_staff", 403),
        *((k, 403) for k in OUTSIDERS),
        (None, LOGIN),
    ],
)
def test_who_sets_the_fund(app, world, key, expected):
    response = as_(app, world, key).post(f"/c/cuizhuyuan/fund?year={YEAR}", data={"year": str(YEAR), "total": "50000"})
    _expect(response, expected)
    assert count(Fund) == (1 if key == "staff" else 0)


# -- another community's project: 404 everywhere, nothing changed -------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix", "data"),
    [
        ("get", "", None),
        ("get", "/edit", None),
        ("post", "/edit", application(title="改")),
        ("post", "/move", {"review-status": "under_review"}),
        ("post", "/spend", {"spend-amount": "1", "spend-receipt": None}),
        ("post", "/rate", {"rating-score": "5"}),
    ],
)
@pytest.mark.parametrize("key", ["other_staff", "other_resident"])
def test_another_communitys_project_is_not_found(app, world, upload_dir, method, suffix, data, key):
    project = advance(world, apply(world), S.SUBMITTED)
    before = snapshot()
    http = as_(app, world, key)
    if data and "spend-receipt" in data:
        data = {**data, "spend-receipt": (io.BytesIO(jpeg()), "r.jpg", "image/jpeg")}
        response = http.post(f"/projects/{project.id}{suffix}", data=data, content_type="multipart/form-data")
    else:
        response = getattr(http, method)(f"/projects/{project.id}{suffix}", data=data)
    assert response.status_code == 404
    assert "does not exist or is not visible to you" in response.get_data(as_text=True)
    assert snapshot() == before
    assert files_under(upload_dir) == []


def test_an_unknown_project_is_not_found(app, world):
    assert as_(app, world, "staff").get("/projects/999999").status_code == 404


# -- applying ---------------------------------------------------------------------------------------


def test_the_form_offers_five_empty_lines_and_phone_keypads(app, world):
    doc = page(as_(app, world, "resident").get("/c/cuizhuyuan/projects/new"))
    for n in range(5):
        assert doc.xpath(f'//input[@name="lines-{n}-item"]')
        (quantity,) = doc.xpath(f'//input[@name="lines-{n}-quantity"]')
        assert quantity.get("inputmode") == "numeric"
        (price,) = doc.xpath(f'//input[@name="lines-{n}-unit_price"]')
        assert price.get("inputmode") == "decimal"
    assert not doc.xpath('//input[@name="lines-5-item"]')
    assert doc.xpath('//button[@name="save_draft"]') or doc.xpath('//input[@name="save_draft"]')
    assert doc.xpath('//*[@name="submit_for_review"]')
    assert "beneficiaries" in text_of(doc, '//*[@id="purpose-hint"]') or "who benefits" in text_of(
        doc, '//*[@id="purpose-hint"]'
    )


def test_save_a_draft_with_its_budget(app, world):
    response = as_(app, world, "resident").post(
        "/c/cuizhuyuan/projects/new", data=application(save_draft="Save draft", **{"lines-1-unit_price": "¥35.50"})
    )
    assert response.status_code == 302
    project = db.session.scalars(select(MicroProject)).one()
    assert response.headers["Location"].endswith(f"/projects/{project.id}")
    assert project.status == S.DRAFT and project.applicant_id == world.users["resident"].id
    assert [(line.item, line.quantity, line.unit_price_fen) for line in project.lines] == LINES
    doc = page(as_(app, world, "resident").get(f"/projects/{project.id}"))
    body = text_of(doc, "//main")
    for amount in ("¥450.00", "¥900.00", "¥35.50", "¥3,550.00", "¥4,450.00"):
        assert amount in body
    assert count(ProjectEvent) == 0


def test_submit_for_review_from_the_form(app, world):
    response = as_(app, world, "social_org").post(
        "/c/cuizhuyuan/projects/new", data=application(submit_for_review="Submit for review")
    )
    assert response.status_code == 302
    project = db.session.scalars(select(MicroProject)).one()
    assert project.status == S.SUBMITTED
    assert [(e.from_status, e.to_status) for e in db.session.scalars(select(ProjectEvent))] == [(S.DRAFT, S.SUBMITTED)]


def test_add_a_line_keeps_what_was_typed_and_saves_nothing(app, world):
    response = as_(app, world, "resident").post("/c/cuizhuyuan/projects/new", data=application(add_line="Add a line"))
    assert response.status_code == 200
    doc = page(response)
    assert doc.xpath('//input[@name="lines-5-item"]')
    assert doc.xpath('//input[@name="lines-1-unit_price"]/@value') == ["35.50"]
    assert doc.xpath('//input[@name="title"]/@value') == ["周末儿童阅读角"]
    assert count(MicroProject) == 0


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("-5", "cannot be negative"),
        ("abc", "Enter an amount in yuan"),
        ("1.234", "at most two decimals"),
    ],
)
def test_a_bad_unit_price_is_shown_next_to_its_line(app, world, price, message):
    response = as_(app, world, "resident").post(
        "/c/cuizhuyuan/projects/new", data=application(**{"lines-1-unit_price": price})
    )
    assert response.status_code == 400
    assert message in field_error(response, "lines-1-unit_price")
    assert field_error(response, "lines-0-unit_price") == ""
    assert message in text_of(page(response), '//*[contains(@class, "error-summary")]')
    doc = page(response)
    assert doc.xpath('//input[@name="lines-1-unit_price"]/@value') == [price]  # kept, to correct
    assert snapshot() == (0, 0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"lines-0-quantity": "two"}, "lines-0-quantity", "whole number"),
        ({"lines-0-quantity": "0"}, "lines-0-quantity", "from 1 to 100000"),
        ({"lines-0-quantity": ""}, "lines-0-quantity", "Enter the quantity"),
        ({"lines-0-unit_price": ""}, "lines-0-unit_price", "Enter the unit price"),
        ({"lines-0-item": ""}, "lines-0-item", "Name the item"),
        ({"title": "x"}, "title", "2 to 100 characters"),
        ({"purpose": "太短"}, "purpose", "purpose, beneficiaries and schedule"),
    ],
)
def test_other_bad_input_is_marked_on_its_field(app, world, fields, field_id, message):
    response = as_(app, world, "resident").post("/c/cuizhuyuan/projects/new", data=application(**fields))
    assert response.status_code == 400
    assert message in field_error(response, field_id)
    assert count(MicroProject) == 0


def test_a_budget_with_no_lines_is_refused(app, world):
    data = {"title": "周末儿童阅读角", "purpose": PURPOSE, "submit_for_review": "Submit for review"}
    response = as_(app, world, "resident").post("/c/cuizhuyuan/projects/new", data=data)
    assert response.status_code == 400
    assert "Add at least one budget line" in field_error(response, "budget")
    assert "Add at least one budget line" in text_of(page(response), '//*[contains(@class, "error-summary")]')
    assert snapshot() == (0, 0, 0, 0, 0, 0, 0)


def test_edit_prefills_and_replaces_the_budget(app, world):
    project = apply(world)
    http = as_(app, world, "resident")
    doc = page(http.get(f"/projects/{project.id}/edit"))
    assert doc.xpath('//input[@name="lines-0-unit_price"]/@value') == ["450.00"]
    assert doc.xpath('//input[@name="lines-1-quantity"]/@value') == ["100"]
    assert doc.xpath('//input[@name="lines-4-item"]')  # padded to five rows
    response = http.post(
        f"/projects/{project.id}/edit",
        data={
            "title": "周末阅读角",
            "purpose": PURPOSE,
            "lines-0-item": "书架",
            "lines-0-quantity": "3",
            "lines-0-unit_price": "400",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    project = db.session.get(MicroProject, project.id)
    assert project.title == "周末阅读角" and project.budget_fen == 1_200_00
    assert count(BudgetLine) == 1


def test_a_submitted_application_cannot_be_edited(app, world):
    project = advance(world, apply(world), S.SUBMITTED)
    http = as_(app, world, "resident")
    response = http.get(f"/projects/{project.id}/edit")
    assert response.status_code == 409
    assert "can no longer be changed" in response.get_data(as_text=True)
    before = snapshot()
    assert http.post(f"/projects/{project.id}/edit", data=application(title="改了")).status_code == 409
    assert snapshot() == before


# -- review and approval ---------------------------------------------------------------------------


def test_the_staff_form_offers_only_the_allowed_moves(app, world):
    project = advance(world, apply(world), S.SUBMITTED, S.UNDER_REVIEW)
    doc = page(as_(app, world, "staff").get(f"/projects/{project.id}"))
    options = doc.xpath('//select[@name="review-status"]/option/@value')
    assert options[0] == ""  # nothing consequential is preselected
    assert sorted(options[1:]) == ["approved", "changes_requested", "rejected"]
    assert doc.xpath('//input[@name="review-amount"]') and doc.xpath('//input[@name="review-year"]')
    doc = page(as_(app, world, "resident").get(f"/projects/{project.id}"))
    assert not doc.xpath('//select[@name="review-status"]')


def test_approval_grants_money_from_the_years_fund(app, world):
    funded(world)
    project = advance(world, apply(world), S.SUBMITTED, S.UNDER_REVIEW)
    response = as_(app, world, "staff").post(
        f"/projects/{project.id}/move",
        data={
            "review-status": "approved",
            "review-amount": "¥4,000.50",
            "review-year": str(YEAR),
            "review-comment": "同意",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    project = db.session.get(MicroProject, project.id)
    assert project.status == S.APPROVED and project.granted_fen == 4_000_50
    assert ledger.balance(services.fund_for(world.community, YEAR)).allocated == 4_000_50
    doc = page(as_(app, world, "owner").get(f"/projects/{project.id}"))
    timeline = text_of(doc, '//ol[@class="timeline"]')
    assert "Approved" in timeline and "同意" in timeline and "staff" in timeline
    assert "¥4,000.50" in text_of(doc, '//*[@id="ledger"]')


def test_approving_more_than_the_fund_has_changes_nothing(app, world):
    funded(world, 1_000_00)
    project = advance(world, apply(world), S.SUBMITTED, S.UNDER_REVIEW)
    before = snapshot()
    response = as_(app, world, "staff").post(
        f"/projects/{project.id}/move",
        data={"review-status": "approved", "review-amount": "4450", "review-year": str(YEAR)},
    )
    assert response.status_code == 409
    assert "¥1,000.00 left to allocate" in field_error(response, "review-amount")
    assert snapshot() == before
    project = db.session.get(MicroProject, project.id)
    assert (project.status, project.granted_fen, project.fund_id) == (S.UNDER_REVIEW, 0, None)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "cannot be negative"),
        ("abc", "Enter an amount in yuan"),
        ("1.234", "at most two decimals"),
        ("0", "Enter the amount granted"),
        ("", "Enter an amount in yuan"),
    ],
)
def test_a_bad_granted_amount_changes_nothing(app, world, amount, message):
    funded(world)
    project = advance(world, apply(world), S.SUBMITTED, S.UNDER_REVIEW)
    before = snapshot()
    response = as_(app, world, "staff").post(
        f"/projects/{project.id}/move",
        data={"review-status": "approved", "review-amount": amount, "review-year": str(YEAR)},
    )
    assert response.status_code == 400
    assert message in field_error(response, "review-amount")
    assert snapshot() == before
    assert db.session.get(MicroProject, project.id).status == S.UNDER_REVIEW


@pytest.mark.parametrize(
    ("year", "message"), [("2031", "no micro-fund for 2031"), ("", "Choose a year"), ("next", "whole number")]
)
def test_approval_needs_a_year_with_a_fund(app, world, year, message):
    funded(world)
    project = advance(world, apply(world), S.SUBMITTED, S.UNDER_REVIEW)
    before = snapshot()
    response = as_(app, world, "staff").post(
        f"/projects/{project.id}/move", data={"review-status": "approved", "review-amount": "100", "review-year": year}
    )
    assert response.status_code == 400
    assert message in field_error(response, "review-year")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("setup", "target"),
    [
        ((S.SUBMITTED,), "approved"),  # not reviewed yet
        ((S.SUBMITTED,), "completed"),
        ((S.SUBMITTED, S.UNDER_REVIEW), "under_review"),
        ((S.SUBMITTED, S.UNDER_REVIEW), "draft"),
    ],
)
def test_a_move_not_allowed_from_the_current_status_is_409(app, world, setup, target):
    funded(world)
    project = advance(world, apply(world), *setup)
    status = project.status
    before = snapshot()
    response = as_(app, world, "staff").post(
        f"/projects/{project.id}/move",
        data={"review-status": target, "review-amount": "100", "review-year": str(YEAR), "review-comment": "x"},
    )
    assert response.status_code == 409
    assert "not possible from the project's current status" in flashes(response)
    assert snapshot() == before
    assert db.session.get(MicroProject, project.id).status == status


@pytest.mark.parametrize("status", ["paid", ""])
def test_an_unknown_status_is_refused(app, world, status):
    project = advance(world, apply(world), S.SUBMITTED, S.UNDER_REVIEW)
    before = snapshot()
    response = as_(app, world, "staff").post(f"/projects/{project.id}/move", data={"review-status": status})
    assert response.status_code == 400
    assert "Choose a status" in field_error(response, "review-status")
    assert snapshot() == before


def test_changes_requested_needs_a_reason_and_the_applicant_sees_it(app, world):
    project = advance(world, apply(world), S.SUBMITTED, S.UNDER_REVIEW)
    http = as_(app, world, "staff")
    response = http.post(f"/projects/{project.id}/move", data={"review-status": "changes_requested"})
    assert response.status_code == 400
    assert "Say why" in field_error(response, "review-comment")
    response = http.post(
        f"/projects/{project.id}/move", data={"review-status": "changes_requested", "review-comment": "请补充时间安排"}
    )
    assert response.status_code == 302
    doc = page(as_(app, world, "resident").get(f"/projects/{project.id}"))
    assert "请补充时间安排" in text_of(doc, '//ol[@class="timeline"]')
    assert doc.xpath(f'//a[@href="/projects/{project.id}/edit"]')


def test_the_applicant_resubmits_and_starts_with_buttons(app, world):
    funded(world)
    project = advance(world, apply(world), S.SUBMITTED, S.UNDER_REVIEW)
    edge(services.move, acting(world.users["staff"], project), project, S.CHANGES_REQUESTED, "请补充")
    http = as_(app, world, "resident")
    doc = page(http.get(f"/projects/{project.id}"))
    assert doc.xpath('//input[@name="review-status"][@value="submitted"]')
    assert http.post(f"/projects/{project.id}/move", data={"review-status": "submitted"}).status_code == 302
    advance(world, project, S.UNDER_REVIEW, S.APPROVED)
    doc = page(http.get(f"/projects/{project.id}"))
    assert doc.xpath('//input[@name="review-status"][@value="in_progress"]')
    assert http.post(f"/projects/{project.id}/move", data={"review-status": "in_progress"}).status_code == 302
    assert db.session.get(MicroProject, project.id).status == S.IN_PROGRESS


# -- expenditures -----------------------------------------------------------------------------------


def _spend(http, project, amount="600", receipt=None, note="书架发票"):
    data = {"spend-amount": amount, "spend-note": note}
    if receipt is not False:
        data["spend-receipt"] = (io.BytesIO(receipt or jpeg()), "receipt.jpg", "image/jpeg")
    return http.post(f"/projects/{project.id}/spend", data=data, content_type="multipart/form-data")


def test_an_expenditure_is_stored_with_its_receipt(app, world, upload_dir):
    project = started(world)
    http = as_(app, world, "resident")
    response = _spend(http, project, "600.50")
    assert response.status_code == 302 and response.headers["Location"].endswith("#ledger")
    entry = db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.EXPENDITURE)).one()
    assert (entry.amount_fen, entry.note, entry.actor_id) == (600_50, "书架发票", world.users["resident"].id)
    photo = db.session.get(Photo, entry.receipt_photo_id)
    assert photo.community_id == world.community.id
    assert photo_path(photo, upload_dir).is_file() and photo_path(photo, upload_dir, thumb=True).is_file()
    doc = page(as_(app, world, "owner").get(f"/projects/{project.id}"))
    (img,) = doc.xpath(f'//a[@href="/photos/{photo.id}"]/img')
    assert img.get("src") == f"/photos/{photo.id}/thumb" and img.get("alt")
    assert "¥600.50" in text_of(doc, '//*[@id="ledger"]')


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "cannot be negative"),
        ("abc", "Enter an amount in yuan"),
        ("1.234", "at most two decimals"),
        ("0", "more than zero"),
        ("", "Enter an amount in yuan"),
    ],
)
def test_a_bad_expenditure_amount_changes_nothing(app, world, upload_dir, amount, message):
    project = started(world)
    before = snapshot()
    response = _spend(as_(app, world, "resident"), project, amount)
    assert response.status_code == 400
    assert message in field_error(response, "spend-amount")
    assert snapshot() == before
    assert files_under(upload_dir) == []


def test_spending_more_than_the_allocation_keeps_no_photo(app, world, upload_dir):
    project = started(world, granted_fen=1_000_00)
    http = as_(app, world, "resident")
    assert _spend(http, project, "600").status_code == 302
    stored = files_under(upload_dir)
    before = snapshot()
    response = _spend(http, project, "500")
    assert response.status_code == 409
    assert "¥400.00 left of its allocation" in field_error(response, "spend-amount")
    assert snapshot() == before
    assert files_under(upload_dir) == stored  # the second receipt's files were removed


def test_spending_before_approval_keeps_no_photo(app, world, upload_dir):
    project = advance(world, apply(world), S.SUBMITTED)
    before = snapshot()
    response = _spend(as_(app, world, "resident"), project, "10")
    assert response.status_code == 409
    assert "while the project is in progress" in flashes(response)
    assert snapshot() == before
    assert files_under(upload_dir) == []


@pytest.mark.parametrize(
    ("receipt", "message"), [(False, "Add a photo of the receipt"), (b"not an image" * 10, "not a photo we can use")]
)
def test_an_expenditure_needs_a_real_receipt_photo(app, world, upload_dir, receipt, message):
    project = started(world)
    before = snapshot()
    response = _spend(as_(app, world, "resident"), project, "10", receipt=receipt)
    assert response.status_code == 400
    assert message in field_error(response, "spend-receipt")
    assert snapshot() == before
    assert files_under(upload_dir) == []


# -- ratings ----------------------------------------------------------------------------------------


def test_rating_shows_as_an_average_with_its_count(app, world):
    project = completed(world)
    assert (
        as_(app, world, "resident").post(f"/projects/{project.id}/rate", data={"rating-score": "5"}).status_code == 302
    )
    assert (
        as_(app, world, "owner")
        .post(f"/projects/{project.id}/rate", data={"rating-score": "4", "rating-comment": "不错"})
        .status_code
        == 302
    )
    listing = text_of(page(as_(app, world, "staff").get("/c/cuizhuyuan/projects")), "//main")
    assert "4.5 ★ (2)" in listing
    assert "Rated 4.5 out of 5 by 2 households" in listing
    doc = page(as_(app, world, "resident").get(f"/projects/{project.id}"))
    assert "5 of 5" in text_of(doc, '//*[@id="rating"]')
    assert not doc.xpath('//form[contains(@action, "/rate")]')  # rated: no second form


def test_rating_twice_is_409_and_changes_nothing(app, world):
    project = completed(world)
    assert (
        as_(app, world, "resident").post(f"/projects/{project.id}/rate", data={"rating-score": "5"}).status_code == 302
    )
    before = snapshot()
    # the same household, another score; then another member of the household
    for key, score in (("resident", "2"), ("leader_a", "3")):
        response = as_(app, world, key).post(f"/projects/{project.id}/rate", data={"rating-score": score})
        assert response.status_code == 409
        assert "Your household has rated this project already" in flashes(response)
    assert snapshot() == before
    assert db.session.scalars(select(Rating.score)).all() == [5]


def test_rating_before_completion_is_409(app, world):
    project = approved(world)
    before = snapshot()
    response = as_(app, world, "resident").post(f"/projects/{project.id}/rate", data={"rating-score": "5"})
    assert response.status_code == 409
    assert "once they are completed" in flashes(response)
    assert snapshot() == before


@pytest.mark.parametrize("score", ["", "0", "6", "five"])
def test_a_bad_score_is_refused(app, world, score):
    project = completed(world)
    response = as_(app, world, "resident").post(f"/projects/{project.id}/rate", data={"rating-score": score})
    assert response.status_code == 400
    assert "Choose 1 to 5 stars" in field_error(response, "rating-score")
    assert count(Rating) == 0


# -- the fund ---------------------------------------------------------------------------------------


def test_the_fund_page_adds_up(app, world):
    project = started(world, granted_fen=4_450_00)
    edge(services.spend, acting(world.users["resident"], project), project, 600_00, "书架", client_id=uuid.uuid4().hex)
    doc = page(as_(app, world, "owner").get(f"/c/cuizhuyuan/fund?year={YEAR}"))
    figures = text_of(doc, '//dl[@class="fund-figures"]')
    for words in (
        "Fund total ¥10,000.00",
        "Allocated to projects ¥4,450.00",
        "Spent ¥600.00",
        "Not yet allocated ¥5,550.00",
    ):
        assert words in figures
    (svg,) = doc.xpath("//figure//*[local-name()='svg']")
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "fund-chart-title"
    assert "周末儿童阅读角" in text_of(doc, "//figure")
    assert "¥4,450.00" in text_of(doc, "//figure") and "¥600.00" in text_of(doc, "//figure")
    assert not doc.xpath("//svg//style") and not doc.xpath("//script[not(@src)]")
    assert doc.xpath(f'//a[@href="/c/cuizhuyuan/fund/ledger.csv?year={YEAR}"]')
    assert doc.xpath(f'//a[@href="/c/cuizhuyuan/fund/ledger.xlsx?year={YEAR}"]')
    ledger_text = text_of(doc, '//ul[@class="ledger-list"]')
    assert "Allocation" in ledger_text and "Expenditure" in ledger_text
    assert not doc.xpath('//form[@method="post"]//input[@name="total"]')  # owners see, staff set


def test_a_year_without_a_fund(app, world):
    doc = page(as_(app, world, "resident").get("/c/cuizhuyuan/fund?year=2031"))
    assert "No micro-fund has been set for 2031" in text_of(doc, "//main")


def test_the_default_year_is_this_year_in_shanghai(app, world):
    from app.microprojects.reports import this_year

    doc = page(as_(app, world, "resident").get("/c/cuizhuyuan/fund"))
    assert f"{this_year()}" in text_of(doc, "//h1")


def test_staff_set_and_raise_the_fund(app, world):
    http = as_(app, world, "staff")
    doc = page(http.get(f"/c/cuizhuyuan/fund?year={YEAR}"))
    assert doc.xpath('//input[@name="total"]') and doc.xpath(f'//input[@name="year"][@value="{YEAR}"]')
    response = http.post(f"/c/cuizhuyuan/fund?year={YEAR}", data={"year": str(YEAR), "total": "50,000"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"year={YEAR}")
    assert services.fund_for(world.community, YEAR).total_fen == 50_000_00
    doc = page(http.get(f"/c/cuizhuyuan/fund?year={YEAR}"))
    assert doc.xpath('//input[@name="total"]/@value') == ["50000.00"]


@pytest.mark.parametrize(
    ("total", "year", "field", "message"),
    [
        ("-5", "2027", "total", "cannot be negative"),
        ("abc", "2027", "total", "Enter an amount in yuan"),
        ("1.234", "2027", "total", "at most two decimals"),
        ("", "2027", "total", "Enter an amount in yuan"),
        ("100", "1999", "year", "Choose a year"),
        ("100", "", "year", "Choose a year"),
    ],
)
def test_bad_fund_input_changes_nothing(app, world, total, year, field, message):
    funded(world)
    before = snapshot()
    response = as_(app, world, "staff").post(f"/c/cuizhuyuan/fund?year={YEAR}", data={"year": year, "total": total})
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert snapshot() == before
    assert services.fund_for(world.community, YEAR).total_fen == 10_000_00


def test_the_fund_cannot_drop_below_the_allocations(app, world):
    approved(world)
    response = as_(app, world, "staff").post(
        f"/c/cuizhuyuan/fund?year={YEAR}", data={"year": str(YEAR), "total": "100"}
    )
    assert response.status_code == 409
    assert "¥4,450.00 is already allocated" in field_error(response, "total")
    assert services.fund_for(world.community, YEAR).total_fen == 10_000_00


def test_the_csv_download(app, world):
    project = started(world)
    edge(
        services.spend,
        acting(world.users["resident"], project),
        project,
        600_50,
        "=书架发票",
        client_id=uuid.uuid4().hex,
    )
    response = as_(app, world, "owner").get(f"/c/cuizhuyuan/fund/ledger.csv?year={YEAR}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0] == "Date,Project,Kind,Amount (yuan),Note,Recorded by"
    assert lines[1].endswith(",周末儿童阅读角,Allocation,4450.00,周末儿童阅读角,staff")
    assert lines[2].endswith(",周末儿童阅读角,Expenditure,600.50,'=书架发票,resident")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]


def test_the_csv_in_chinese(app, world):
    approved(world)
    http = as_(app, world, "owner")
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    lines = http.get(f"/c/cuizhuyuan/fund/ledger.csv?year={YEAR}").get_data().decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and "4450.00" in lines[1]


def test_the_xlsx_download(app, world):
    project = started(world)
    edge(services.spend, acting(world.users["resident"], project), project, 600_50, "书架", client_id=uuid.uuid4().hex)
    response = as_(app, world, "street_staff").get(f"/c/cuizhuyuan/fund/ledger.xlsx?year={YEAR}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Date", "Project", "Kind", "Amount (yuan)", "Note", "Recorded by")
    assert [row[3] for row in rows[1:]] == [4450, 600.5]
    assert sheet["D3"].number_format == "¥#,##0.00"


def test_the_home_page_links_to_micro_projects(app, world):
    doc = page(as_(app, world, "resident").get("/c/cuizhuyuan/"))
    assert doc.xpath('//a[@href="/c/cuizhuyuan/projects"]')
