"""Procurement's use cases, in sections: calls, applications, scoring, contracts (award, milestones,
evaluation, progress). Payments are in app/procurement/ledger.py. Nothing here commits."""

from app.procurement.services.applications import application_of, apply, as_text, edit
from app.procurement.services.calls import calls_in, end_of_day, items_for, panel_choices, publish_call
from app.procurement.services.contracts import (
    EVIDENCE_KIND,
    award,
    contract_of,
    evidence_count,
    post_progress,
    record_satisfaction,
    sign_off,
    submit_milestone,
)
from app.procurement.services.scoring import (
    Combined,
    combined,
    counted,
    declare,
    panel_finished,
    ranking,
    scoring_ended_for,
    sheet_of,
    submit_scores,
    visible_sheets,
)

__all__ = [
    "EVIDENCE_KIND",
    "Combined",
    "application_of",
    "apply",
    "as_text",
    "award",
    "calls_in",
    "combined",
    "contract_of",
    "counted",
    "declare",
    "edit",
    "end_of_day",
    "evidence_count",
    "items_for",
    "panel_choices",
    "panel_finished",
    "post_progress",
    "publish_call",
    "ranking",
    "record_satisfaction",
    "scoring_ended_for",
    "sheet_of",
    "sign_off",
    "submit_milestone",
    "submit_scores",
    "visible_sheets",
]
