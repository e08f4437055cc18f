"""orgs: contests admit organisations' entries and may require a guidance item; qualifications get a client id

Revision ID: 731173d1269c
Revises: bee89f5c5291
Create Date: 2026-12-06 04:44:01.192786

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "731173d1269c"
down_revision = "bee89f5c5291"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contest_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("guidance_item_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_contest_entries_guidance_item_id"), ["guidance_item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contest_entries_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_contest_entries_organisation_id_organisations"),
            "organisations",
            ["organisation_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contest_entries_guidance_item_id_guidance_items"),
            "guidance_items",
            ["guidance_item_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("contests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("admits_organisations", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("requires_guidance", sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table("org_qualifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_org_qualifications_client", ["organisation_id", "client_id"])


def downgrade():
    with op.batch_alter_table("org_qualifications", schema=None) as batch_op:
        batch_op.drop_constraint("uq_org_qualifications_client", type_="unique")
        batch_op.drop_column("client_id")

    with op.batch_alter_table("contests", schema=None) as batch_op:
        batch_op.drop_column("requires_guidance")
        batch_op.drop_column("admits_organisations")

    with op.batch_alter_table("contest_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_contest_entries_guidance_item_id_guidance_items"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_contest_entries_organisation_id_organisations"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_contest_entries_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_contest_entries_guidance_item_id"))
        batch_op.drop_column("guidance_item_id")
        batch_op.drop_column("organisation_id")
