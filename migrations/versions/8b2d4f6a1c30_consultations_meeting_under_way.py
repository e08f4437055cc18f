"""consultations: meeting_under_way (a join is counted at a meeting only while one is under way)

Revision ID: 8b2d4f6a1c30
Revises: 4362c07c76fe
Create Date: 2026-12-06 02:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "8b2d4f6a1c30"
down_revision = "4362c07c76fe"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consultations") as batch_op:
        batch_op.add_column(sa.Column("meeting_under_way", sa.Boolean(), server_default=sa.false(), nullable=False))
    # a meeting open when this runs keeps counting its room's joiners
    op.execute(
        "UPDATE consultations SET meeting_under_way = true "
        "WHERE id IN (SELECT consultation_id FROM meetings WHERE state = 'open')"
    )


def downgrade():
    with op.batch_alter_table("consultations") as batch_op:
        batch_op.drop_column("meeting_under_way")
