"""Exports: the awards with every score, and a contract's ledger, as CSV and XLSX (voting.results' tables,
sent with core.web.download)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.money import format_yuan
from app.core.web import download
from app.procurement.services import scoring
from app.voting.results import table_csv, table_xlsx


def _fraction(value) -> str:
    if value is None:
        return ""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def awards_table(calls) -> tuple[list[str], list[list]]:
    headers = [
        _("Call"),
        _("Organisation"),
        _("Budget"),
        _("Experts counted"),
        _("Combined score"),
        _("Combined score (decimal)"),
        _("Awarded"),
        _("Reason"),
    ]
    rows = []
    for call in calls:
        if call.award is None:
            continue
        for application, combined in scoring.ranking(call):
            won = application.id == call.award.application_id
            rows.append(
                [
                    call.title,
                    application.organisation.name,
                    format_yuan(application.total_fen),
                    combined.experts,
                    _fraction(combined.score),
                    f"{float(combined.score):.2f}" if combined.score is not None else "",
                    _("yes") if won else "",
                    call.award.reason if won else "",
                ]
            )
    return headers, rows


def awards_download(community, calls, fmt: str):
    headers, rows = awards_table(calls)
    body = table_csv(headers, rows) if fmt == "csv" else table_xlsx([(_("Awards"), headers, rows)])
    return download(body, fmt, ascii_name=f"awards-{community.slug}", name=f"{community.name}-{_('Awards')}")


def ledger_table(contract) -> tuple[list[str], list[list]]:
    headers = [_("Date"), _("Milestone"), _("Amount (fen)"), _("Amount"), _("Evaluation"), _("Signed by"), _("Note")]
    rows = [
        [
            p.created_at.date().isoformat(),
            p.milestone.title,
            p.amount_fen,
            format_yuan(p.amount_fen),
            f"#{p.evaluation_id} {p.evaluation.note}",
            p.evaluation.signed_by.name if p.evaluation.signed_by else "",
            p.note,
        ]
        for p in contract.payments
    ]
    return headers, rows


def ledger_download(contract, fmt: str):
    headers, rows = ledger_table(contract)
    body = table_csv(headers, rows) if fmt == "csv" else table_xlsx([(_("Ledger"), headers, rows)])
    return download(body, fmt, ascii_name=f"contract-{contract.id}-ledger", name=f"{contract.call.title}-{_('Ledger')}")
