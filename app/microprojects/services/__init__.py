"""Micro-project use cases: funds, applications with budgets, review with allocation, expenditures with
receipts, progress and ratings, and projects made for an adopted idea or a winning contest entry.

Every use case takes the `Viewer` (communities.access) as its actor and checks it with `permissions`;
nothing here commits (the edge owns the transaction). `from app.microprojects import services` and
`services.x(...)` reach every public use case, whichever module of this package it lives in.
"""

from app.microprojects.services.aftercare import (
    MAX_PROGRESS_PHOTOS,
    PROGRESS,
    post_progress,
    progress_of,
    rate,
    rating_summary,
)
from app.microprojects.services.applications import (
    APPLICANT_MOVES,
    EDITABLE,
    MAX_LINES,
    STAFF_MOVES,
    application_by_client,
    check_editable,
    fund_for,
    move,
    save_application,
    set_fund,
)
from app.microprojects.services.granted import create_granted, draft_from_idea, projects_of_idea
from app.microprojects.services.guidance import guidance_choices, guidance_item_of, link_guidance
from app.microprojects.services.reading import (
    Listed,
    ProjectMoney,
    entries_of,
    fund_balances,
    fund_year,
    history,
    household_rating,
    ledger_of,
    listing,
    titles_of,
)
from app.microprojects.services.spending import CLOSED, SPENDING, check_spending, expenditure_by_client, spend

__all__ = [
    "APPLICANT_MOVES",
    "CLOSED",
    "EDITABLE",
    "MAX_LINES",
    "MAX_PROGRESS_PHOTOS",
    "PROGRESS",
    "SPENDING",
    "STAFF_MOVES",
    "Listed",
    "ProjectMoney",
    "application_by_client",
    "check_editable",
    "check_spending",
    "create_granted",
    "draft_from_idea",
    "entries_of",
    "expenditure_by_client",
    "fund_balances",
    "fund_for",
    "fund_year",
    "guidance_choices",
    "guidance_item_of",
    "history",
    "household_rating",
    "ledger_of",
    "link_guidance",
    "listing",
    "move",
    "post_progress",
    "progress_of",
    "projects_of_idea",
    "rate",
    "rating_summary",
    "save_application",
    "set_fund",
    "spend",
    "titles_of",
]
