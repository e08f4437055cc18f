"""work items admission list (社区工作事项准入): departments and officers, requests, yearly rounds, objections

Revision ID: acd252b6f5dd
Revises: 731173d1269c
Create Date: 2026-12-06 04:47:48.892488

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "acd252b6f5dd"
down_revision = "731173d1269c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "workitem_departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_workitem_departments_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_workitem_departments_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workitem_departments")),
        sa.UniqueConstraint("district_id", "name", name=op.f("uq_workitem_departments_district_id_name")),
    )
    with op.batch_alter_table("workitem_departments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workitem_departments_district_id"), ["district_id"], unique=False)

    op.create_table(
        "workitem_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_workitem_rounds_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_workitem_rounds_district_id_districts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workitem_rounds")),
        sa.UniqueConstraint("district_id", "year", name=op.f("uq_workitem_rounds_district_id_year")),
    )
    with op.batch_alter_table("workitem_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workitem_rounds_district_id"), ["district_id"], unique=False)

    op.create_table(
        "workitem_officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("named_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["workitem_departments.id"],
            name=op.f("fk_workitem_officers_department_id_workitem_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["named_by_id"], ["users.id"], name=op.f("fk_workitem_officers_named_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_workitem_officers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workitem_officers")),
        sa.UniqueConstraint("department_id", "user_id", name=op.f("uq_workitem_officers_department_id_user_id")),
    )
    with op.batch_alter_table("workitem_officers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workitem_officers_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_workitem_officers_user_id"), ["user_id"], unique=False)

    op.create_table(
        "workitem_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("duties", sa.Text(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("hours_per_month", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("urgent_reason", sa.String(length=500), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "admitted",
                "refused",
                "withdrawn",
                name="workitem_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("NOT urgent OR urgent_reason <> ''", name=op.f("ck_workitem_requests_urgent_has_reason")),
        sa.CheckConstraint(
            "hours_per_month >= 0 AND hours_per_month <= 744", name=op.f("ck_workitem_requests_hours_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_workitem_requests_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["workitem_departments.id"],
            name=op.f("fk_workitem_requests_department_id_workitem_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_workitem_requests_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_workitem_requests_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["workitem_rounds.id"],
            name=op.f("fk_workitem_requests_round_id_workitem_rounds"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workitem_requests")),
        sa.UniqueConstraint(
            "department_id",
            "requested_by_id",
            "client_id",
            name=op.f("uq_workitem_requests_department_id_requested_by_id_client_id"),
        ),
    )
    with op.batch_alter_table("workitem_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workitem_requests_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_workitem_requests_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_workitem_requests_year"), ["year"], unique=False)

    op.create_table(
        "workitem_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["users.id"],
            name=op.f("fk_workitem_objections_answered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_workitem_objections_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["workitem_departments.id"],
            name=op.f("fk_workitem_objections_department_id_workitem_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_workitem_objections_reporter_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workitem_objections")),
        sa.UniqueConstraint(
            "community_id",
            "reporter_id",
            "client_id",
            name=op.f("uq_workitem_objections_community_id_reporter_id_client_id"),
        ),
    )
    with op.batch_alter_table("workitem_objections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workitem_objections_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_workitem_objections_department_id"), ["department_id"], unique=False)


def downgrade():
    with op.batch_alter_table("workitem_objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workitem_objections_department_id"))
        batch_op.drop_index(batch_op.f("ix_workitem_objections_community_id"))

    op.drop_table("workitem_objections")
    with op.batch_alter_table("workitem_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workitem_requests_year"))
        batch_op.drop_index(batch_op.f("ix_workitem_requests_district_id"))
        batch_op.drop_index(batch_op.f("ix_workitem_requests_department_id"))

    op.drop_table("workitem_requests")
    with op.batch_alter_table("workitem_officers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workitem_officers_user_id"))
        batch_op.drop_index(batch_op.f("ix_workitem_officers_department_id"))

    op.drop_table("workitem_officers")
    with op.batch_alter_table("workitem_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workitem_rounds_district_id"))

    op.drop_table("workitem_rounds")
    with op.batch_alter_table("workitem_departments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workitem_departments_district_id"))

    op.drop_table("workitem_departments")
