"""a survey keeps its eligible count at the close; a service call says when its panel's scoring ends

Revision ID: 5c2d8e1f3a7b
Revises: acb35bac5385
Create Date: 2026-12-06 08:00:00.000000

`surveys.eligible_at_close`: who could answer, counted when the survey closed (the published response rate's
denominator; households joining afterwards do not move it). Surveys closed before this revision keep None and
are counted as before. `procurement_calls.scoring_ends`: the end of the panel's scoring (experts who have not
scored are reminded the day before); existing calls get none.
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "5c2d8e1f3a7b"
down_revision = "acb35bac5385"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("eligible_at_close", sa.Integer(), nullable=True))
    with op.batch_alter_table("procurement_calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scoring_ends", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("procurement_calls", schema=None) as batch_op:
        batch_op.drop_column("scoring_ends")
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_column("eligible_at_close")
