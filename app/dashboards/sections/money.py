"""The micro-fund: the year's budgets, what was allocated to projects and spent by them, spent per household."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, select

from app.dashboards.period import BY_YEAR, Period
from app.dashboards.registry import FEN, FEN_PER, Figure, Scope, SectionData, section
from app.dashboards.sql import bucket, within
from app.extensions import db
from app.microprojects.models import EntryKind, Fund, LedgerEntry


def _link(community, period: Period):
    return url_for("microprojects.fund", slug=community.slug, year=period.end[0])


@section("money", _l("Micro-fund"), 40)
def build(scope: Scope, period: Period) -> SectionData:
    budget = Figure("fund_budget", _("Micro-fund budgets"), FEN, _link, yearly=True)
    allocated = Figure("fund_allocated", _("Allocated to projects"), FEN, _link)
    spent = Figure("fund_spent", _("Spent"), FEN, _link)
    per_household = Figure("fund_spent_per_household", _("Spent per household"), FEN_PER, _link)
    ids = scope.community_ids

    rows = db.session.execute(
        select(Fund.community_id, cast(Fund.year, String), func.sum(Fund.total_fen), 0)
        .where(Fund.community_id.in_(ids), Fund.year.in_(list(period.years)))
        .group_by(Fund.community_id, Fund.year)
    ).all()
    budget.add_rows(scope, [(cid, year if period.by == BY_YEAR else None, fen, 0) for cid, year, fen, _z in rows])

    b = bucket(LedgerEntry.created_at, period)
    rows = db.session.execute(
        select(Fund.community_id, b, LedgerEntry.kind, func.sum(LedgerEntry.amount_fen))
        .select_from(LedgerEntry)
        .join(Fund, LedgerEntry.fund_id == Fund.id)
        .where(Fund.community_id.in_(ids), within(LedgerEntry.created_at, period))
        .group_by(Fund.community_id, b, LedgerEntry.kind)
    ).all()
    allocated.add_rows(scope, [(cid, bk, fen, 0) for cid, bk, kind, fen in rows if kind == EntryKind.ALLOCATION])
    expenditure = [(cid, bk, fen, 0) for cid, bk, kind, fen in rows if kind == EntryKind.EXPENDITURE]
    spent.add_rows(scope, expenditure)
    per_household.add_rows(scope, expenditure)
    per_household.divide_by_households(scope, period.buckets())
    return SectionData([budget, allocated, spent, per_household])
