"""deliveries: the key of the last send (SMS out-id, email Message-ID) and when an email's text reached the
server, to settle a send a killed worker left

Revision ID: 7c3f5a91d2e4
Revises: ada26703e085
Create Date: 2026-12-06 01:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7c3f5a91d2e4"
down_revision = "ada26703e085"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_key", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("handed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("notification_deliveries", schema=None) as batch_op:
        batch_op.drop_column("handed_at")
        batch_op.drop_column("send_key")
