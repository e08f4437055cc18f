"""street-wide satisfaction campaigns: a street's campaign over all its communities, each community's part a
campaign of its own

Revision ID: 7d3e9a2b4c6f
Revises: 5c2d8e1f3a7b
Create Date: 2026-12-06 08:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7d3e9a2b4c6f"
down_revision = "5c2d8e1f3a7b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satisfaction_street_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["street_id"],
            ["streets.id"],
            name=op.f("fk_satisfaction_street_campaigns_street_id_streets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_satisfaction_street_campaigns_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_street_campaigns")),
        sa.UniqueConstraint(
            "street_id", "client_id", name=op.f("uq_satisfaction_street_campaigns_street_id_client_id")
        ),
    )
    with op.batch_alter_table("satisfaction_street_campaigns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_satisfaction_street_campaigns_street_id"), ["street_id"], unique=False)
    with op.batch_alter_table("satisfaction_campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("street_campaign_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_satisfaction_campaigns_street_campaign_id"), ["street_campaign_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_satisfaction_campaigns_street_campaign_id_satisfaction_street_campaigns"),
            "satisfaction_street_campaigns",
            ["street_campaign_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("satisfaction_campaigns", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_satisfaction_campaigns_street_campaign_id_satisfaction_street_campaigns"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_satisfaction_campaigns_street_campaign_id"))
        batch_op.drop_column("street_campaign_id")
    with op.batch_alter_table("satisfaction_street_campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_satisfaction_street_campaigns_street_id"))
    op.drop_table("satisfaction_street_campaigns")
