"""dashboards: indexes for the street and district dashboards' aggregates (community, time)

Revision ID: a7a5fa3ab097
Revises: b88db3d7cecd
Create Date: 2026-12-06 04:59:32.651262

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "a7a5fa3ab097"
down_revision = "b88db3d7cecd"
branch_labels = None
depends_on = None

# (name, table, columns): declared in app/dashboards/indexes.py
INDEXES = (
    ("ix_dash_consultations_opened", "consultations", ["community_id", "opened_at"]),
    ("ix_dash_consultations_concluded", "consultations", ["community_id", "concluded_at"]),
    ("ix_dash_memberships_reviewed", "memberships", ["community_id", "status", "reviewed_at"]),
    ("ix_dash_ideas_created", "ideas", ["community_id", "created_at"]),
    ("ix_dash_idea_events_status", "idea_events", ["to_status", "created_at"]),
    ("ix_dash_ledger_entries_created", "ledger_entries", ["fund_id", "created_at"]),
    ("ix_dash_reports_created", "reports", ["community_id", "created_at"]),
    ("ix_dash_moderation_actions_created", "moderation_actions", ["community_id", "created_at"]),
    ("ix_dash_mutes_created", "mutes", ["community_id", "created_at"]),
    ("ix_dash_polls_opened", "polls", ["community_id", "poll_type", "opened_at"]),
    ("ix_dash_decisions_opened", "decisions", ["community_id", "opened_at"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
