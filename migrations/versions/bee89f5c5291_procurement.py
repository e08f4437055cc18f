"""procurement: service calls, applications, the panel's scores, awards, contracts, milestones, the ledger

Revision ID: bee89f5c5291
Revises: 53b6cd3b7f41
Create Date: 2026-12-06 04:49:27.426460

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "bee89f5c5291"
down_revision = "53b6cd3b7f41"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "procurement_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("guidance_item_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("ceiling_fen", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "awarded", "cancelled", name="call_status", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ceiling_fen > 0", name=op.f("ck_procurement_calls_ceiling_positive")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_procurement_calls_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_procurement_calls_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["guidance_item_id"],
            ["guidance_items.id"],
            name=op.f("fk_procurement_calls_guidance_item_id_guidance_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["street_id"], ["streets.id"], name=op.f("fk_procurement_calls_street_id_streets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_calls")),
        sa.UniqueConstraint("created_by_id", "client_id", name="uq_procurement_calls_client"),
    )
    with op.batch_alter_table("procurement_calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procurement_calls_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_procurement_calls_guidance_item_id"), ["guidance_item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_procurement_calls_street_id"), ["street_id"], unique=False)

    op.create_table(
        "procurement_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("total_fen", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("total_fen > 0", name=op.f("ck_procurement_applications_total_positive")),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["users.id"], name=op.f("fk_procurement_applications_agent_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["procurement_calls.id"],
            name=op.f("fk_procurement_applications_call_id_procurement_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_procurement_applications_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_applications")),
        sa.UniqueConstraint("call_id", "organisation_id", name="uq_procurement_applications_org"),
    )
    with op.batch_alter_table("procurement_applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procurement_applications_call_id"), ["call_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_procurement_applications_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "procurement_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("weight_num", sa.Integer(), nullable=False),
        sa.Column("weight_den", sa.Integer(), nullable=False),
        sa.CheckConstraint("weight_num > 0 AND weight_den > 0", name=op.f("ck_procurement_criteria_weight_positive")),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["procurement_calls.id"],
            name=op.f("fk_procurement_criteria_call_id_procurement_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_criteria")),
    )
    with op.batch_alter_table("procurement_criteria", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procurement_criteria_call_id"), ["call_id"], unique=False)

    op.create_table(
        "procurement_panel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["procurement_calls.id"],
            name=op.f("fk_procurement_panel_call_id_procurement_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_procurement_panel_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_panel")),
        sa.UniqueConstraint("call_id", "user_id", name="uq_procurement_panel"),
    )
    with op.batch_alter_table("procurement_panel", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procurement_panel_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_procurement_panel_user_id"), ["user_id"], unique=False)

    op.create_table(
        "procurement_awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("awarded_by_id", sa.Integer(), nullable=True),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["procurement_applications.id"],
            name=op.f("fk_procurement_awards_application_id_procurement_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["awarded_by_id"], ["users.id"], name=op.f("fk_procurement_awards_awarded_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["procurement_calls.id"],
            name=op.f("fk_procurement_awards_call_id_procurement_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_awards")),
        sa.UniqueConstraint("call_id", name="uq_procurement_awards_call"),
    )
    op.create_table(
        "procurement_budget_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_procurement_budget_lines_amount_positive")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["procurement_applications.id"],
            name=op.f("fk_procurement_budget_lines_application_id_procurement_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_budget_lines")),
    )
    with op.batch_alter_table("procurement_budget_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_budget_lines_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "procurement_contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("total_fen", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("total_fen > 0", name=op.f("ck_procurement_contracts_total_positive")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["procurement_applications.id"],
            name=op.f("fk_procurement_contracts_application_id_procurement_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["procurement_calls.id"],
            name=op.f("fk_procurement_contracts_call_id_procurement_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_procurement_contracts_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_procurement_contracts_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_contracts")),
        sa.UniqueConstraint("call_id", name="uq_procurement_contracts_call"),
    )
    with op.batch_alter_table("procurement_contracts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procurement_contracts_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_procurement_contracts_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "procurement_planned_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("deliverable", sa.String(length=300), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("share_num", sa.Integer(), nullable=False),
        sa.Column("share_den", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "share_num > 0 AND share_den > 0", name=op.f("ck_procurement_planned_milestones_share_positive")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["procurement_applications.id"],
            name=op.f("fk_procurement_planned_milestones_application_id_procurement_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_planned_milestones")),
    )
    with op.batch_alter_table("procurement_planned_milestones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_planned_milestones_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "procurement_score_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("conflicted", sa.Boolean(), nullable=False),
        sa.Column("conflict_note", sa.String(length=300), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["procurement_applications.id"],
            name=op.f("fk_procurement_score_sheets_application_id_procurement_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["users.id"], name=op.f("fk_procurement_score_sheets_expert_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_score_sheets")),
        sa.UniqueConstraint("application_id", "expert_id", name="uq_procurement_sheets"),
    )
    with op.batch_alter_table("procurement_score_sheets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_score_sheets_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_procurement_score_sheets_expert_id"), ["expert_id"], unique=False)

    op.create_table(
        "procurement_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("deliverable", sa.String(length=300), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("share_num", sa.Integer(), nullable=False),
        sa.Column("share_den", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "submitted",
                "evaluated",
                "paid",
                name="milestone_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_procurement_milestones_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["procurement_contracts.id"],
            name=op.f("fk_procurement_milestones_contract_id_procurement_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_milestones")),
    )
    with op.batch_alter_table("procurement_milestones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procurement_milestones_contract_id"), ["contract_id"], unique=False)

    op.create_table(
        "procurement_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_procurement_progress_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["procurement_contracts.id"],
            name=op.f("fk_procurement_progress_contract_id_procurement_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_progress")),
        sa.UniqueConstraint("contract_id", "author_id", "client_id", name="uq_procurement_progress"),
    )
    with op.batch_alter_table("procurement_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procurement_progress_contract_id"), ["contract_id"], unique=False)

    op.create_table(
        "procurement_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.CheckConstraint("points >= 0 AND points <= 100", name=op.f("ck_procurement_scores_points_range")),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["procurement_criteria.id"],
            name=op.f("fk_procurement_scores_criterion_id_procurement_criteria"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sheet_id"],
            ["procurement_score_sheets.id"],
            name=op.f("fk_procurement_scores_sheet_id_procurement_score_sheets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_scores")),
        sa.UniqueConstraint("sheet_id", "criterion_id", name="uq_procurement_scores"),
    )
    with op.batch_alter_table("procurement_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procurement_scores_sheet_id"), ["sheet_id"], unique=False)

    op.create_table(
        "procurement_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("evidence_count", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["procurement_milestones.id"],
            name=op.f("fk_procurement_evaluations_milestone_id_procurement_milestones"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"],
            ["users.id"],
            name=op.f("fk_procurement_evaluations_signed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_evaluations")),
        sa.UniqueConstraint("milestone_id", name="uq_procurement_evaluations_milestone"),
    )
    op.create_table(
        "procurement_progress_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_procurement_progress_photos_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["procurement_progress.id"],
            name=op.f("fk_procurement_progress_photos_post_id_procurement_progress"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_progress_photos")),
    )
    with op.batch_alter_table("procurement_progress_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procurement_progress_photos_post_id"), ["post_id"], unique=False)

    op.create_table(
        "procurement_satisfaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=True),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Integer(), nullable=False),
        sa.Column("score_num", sa.Integer(), nullable=False),
        sa.Column("score_den", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "responses >= 0 AND eligible >= responses", name=op.f("ck_procurement_satisfaction_responses_range")
        ),
        sa.CheckConstraint(
            "score_den > 0 AND score_num >= 0 AND score_num <= score_den",
            name=op.f("ck_procurement_satisfaction_score_range"),
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["procurement_milestones.id"],
            name=op.f("fk_procurement_satisfaction_milestone_id_procurement_milestones"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_procurement_satisfaction_survey_id_surveys"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_satisfaction")),
        sa.UniqueConstraint("milestone_id", name="uq_procurement_satisfaction_milestone"),
    )
    op.create_table(
        "procurement_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("paid_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_procurement_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["procurement_contracts.id"],
            name=op.f("fk_procurement_payments_contract_id_procurement_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["procurement_evaluations.id"],
            name=op.f("fk_procurement_payments_evaluation_id_procurement_evaluations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["procurement_milestones.id"],
            name=op.f("fk_procurement_payments_milestone_id_procurement_milestones"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["paid_by_id"], ["users.id"], name=op.f("fk_procurement_payments_paid_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_payments")),
        sa.UniqueConstraint("evaluation_id", name="uq_procurement_payments_evaluation"),
        sa.UniqueConstraint("milestone_id", name="uq_procurement_payments_milestone"),
    )
    with op.batch_alter_table("procurement_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procurement_payments_contract_id"), ["contract_id"], unique=False)


def downgrade():
    with op.batch_alter_table("procurement_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_payments_contract_id"))

    op.drop_table("procurement_payments")
    op.drop_table("procurement_satisfaction")
    with op.batch_alter_table("procurement_progress_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_progress_photos_post_id"))

    op.drop_table("procurement_progress_photos")
    op.drop_table("procurement_evaluations")
    with op.batch_alter_table("procurement_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_scores_sheet_id"))

    op.drop_table("procurement_scores")
    with op.batch_alter_table("procurement_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_progress_contract_id"))

    op.drop_table("procurement_progress")
    with op.batch_alter_table("procurement_milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_milestones_contract_id"))

    op.drop_table("procurement_milestones")
    with op.batch_alter_table("procurement_score_sheets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_score_sheets_expert_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_score_sheets_application_id"))

    op.drop_table("procurement_score_sheets")
    with op.batch_alter_table("procurement_planned_milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_planned_milestones_application_id"))

    op.drop_table("procurement_planned_milestones")
    with op.batch_alter_table("procurement_contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_contracts_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_contracts_community_id"))

    op.drop_table("procurement_contracts")
    with op.batch_alter_table("procurement_budget_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_budget_lines_application_id"))

    op.drop_table("procurement_budget_lines")
    op.drop_table("procurement_awards")
    with op.batch_alter_table("procurement_panel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_panel_user_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_panel_call_id"))

    op.drop_table("procurement_panel")
    with op.batch_alter_table("procurement_criteria", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_criteria_call_id"))

    op.drop_table("procurement_criteria")
    with op.batch_alter_table("procurement_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_applications_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_applications_call_id"))

    op.drop_table("procurement_applications")
    with op.batch_alter_table("procurement_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_calls_street_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_calls_guidance_item_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_calls_community_id"))

    op.drop_table("procurement_calls")
