"""meetings: changed before they start, cancelled with a reason, an online room besides the consultation's

Revision ID: 53b6cd3b7f41
Revises: b37b6780726b
Create Date: 2026-12-06 04:45:36.324893

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "53b6cd3b7f41"
down_revision = "b37b6780726b"
branch_labels = None
depends_on = None

STATES = ("draft", "scheduled", "open", "closed")
STATES_WITH_CANCELLED = (*STATES, "cancelled")
CHECK = "ck_meetings_meeting_state"


def _listed(values) -> str:
    return "CHECK (state IN (" + ", ".join(f"'{v}'" for v in values) + "))"


def _state_check(states, old_states) -> None:
    """The meeting_state CHECK of the non-native enum gains (or loses) 'cancelled' (autogenerate does not see a
    new enum value). SQLite cannot alter a CHECK, and rebuilding meetings (batch mode) would drop a table that
    agenda items, attendances and objections reference: its CREATE statement is edited in place, as
    app's slow-deliberation migration (4362c07c76fe) does for rule_sets. Every row satisfies the new check (the
    list only grows; going down, cancelled meetings are deleted first)."""
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.drop_constraint(op.f(CHECK), "meetings", type_="check")
        op.create_check_constraint(op.f(CHECK), "meetings", sa.column("state").in_(states))
        return
    sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'meetings'").scalar()
    assert _listed(old_states) in sql, "meetings has not the expected state check"
    sql = sql.replace(_listed(old_states), _listed(states))
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'meetings'", (sql,))
    conn.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade():
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("online_room", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
    _state_check(STATES_WITH_CANCELLED, STATES)


def downgrade():
    op.execute("DELETE FROM meetings WHERE state = 'cancelled'")
    _state_check(STATES, STATES_WITH_CANCELLED)
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("online_room")
