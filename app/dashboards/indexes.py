"""The indexes the dashboards' aggregates ride on, declared here beside the queries that need them: each
figure counts one community's rows in a time range (community, time), so at district scale a figure reads
an index range per community instead of the whole table. They join the features' tables when this module is
imported (app/models.py does), and are created by this branch's migration."""

from __future__ import annotations

from sqlalchemy import Index

from app.communities.models import Membership
from app.consultations.models import Consultation
from app.decisions.models import Decision
from app.ideas.models import Idea, IdeaEvent
from app.microprojects.models import LedgerEntry
from app.moderation.models import ModerationAction, Mute, Report
from app.voting.models import Poll

INDEXES = (
    Index("ix_dash_consultations_opened", Consultation.community_id, Consultation.opened_at),
    Index("ix_dash_consultations_concluded", Consultation.community_id, Consultation.concluded_at),
    Index("ix_dash_memberships_reviewed", Membership.community_id, Membership.status, Membership.reviewed_at),
    Index("ix_dash_ideas_created", Idea.community_id, Idea.created_at),
    Index("ix_dash_idea_events_status", IdeaEvent.to_status, IdeaEvent.created_at),
    Index("ix_dash_ledger_entries_created", LedgerEntry.fund_id, LedgerEntry.created_at),
    Index("ix_dash_reports_created", Report.community_id, Report.created_at),
    Index("ix_dash_moderation_actions_created", ModerationAction.community_id, ModerationAction.created_at),
    Index("ix_dash_mutes_created", Mute.community_id, Mute.created_at),
    Index("ix_dash_polls_opened", Poll.community_id, Poll.poll_type, Poll.opened_at),
    Index("ix_dash_decisions_opened", Decision.community_id, Decision.opened_at),
)
