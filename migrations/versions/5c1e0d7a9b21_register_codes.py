"""A one-time code may prove a number at registration (code purpose "register")

Revision ID: 5c1e0d7a9b21
Revises: 034dcddce1e3
Create Date: 2026-12-05 20:30:00

"""

from alembic import op

revision = "5c1e0d7a9b21"
down_revision = "034dcddce1e3"
branch_labels = None
depends_on = None

OLD = ("login", "reset", "change_password", "desk_reset")
NEW = (*OLD, "register")


def _purposes(values) -> str:
    return "purpose IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    with op.batch_alter_table("one_time_codes") as batch_op:
        batch_op.drop_constraint(op.f("ck_one_time_codes_code_purpose"), type_="check")
        batch_op.create_check_constraint("code_purpose", _purposes(NEW))


def downgrade():
    op.execute("DELETE FROM one_time_codes WHERE purpose = 'register'")
    with op.batch_alter_table("one_time_codes") as batch_op:
        batch_op.drop_constraint(op.f("ck_one_time_codes_code_purpose"), type_="check")
        batch_op.create_check_constraint("code_purpose", _purposes(OLD))
