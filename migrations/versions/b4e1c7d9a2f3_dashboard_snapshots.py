"""dashboard snapshots: a street's or district's figures for a period kept as computed, refreshed after changes

Revision ID: b4e1c7d9a2f3
Revises: 7d3e9a2b4c6f
Create Date: 2026-12-06 11:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b4e1c7d9a2f3"
down_revision = "7d3e9a2b4c6f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dashboard_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=32), nullable=False),
        sa.Column("communities", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("more", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("millis", sa.Integer(), nullable=False),
        sa.Column("stale_since", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_snapshots")),
        sa.UniqueConstraint(
            "level", "scope_id", "period_key", name=op.f("uq_dashboard_snapshots_level_scope_id_period_key")
        ),
    )


def downgrade():
    op.drop_table("dashboard_snapshots")
