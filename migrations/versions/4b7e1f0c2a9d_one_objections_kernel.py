"""one objections kernel: poll and meeting-minutes objections in one table; neighbourhood groups dissolved

Revision ID: 4b7e1f0c2a9d
Revises: acd252b6f5dd
Create Date: 2026-12-06 05:20:00.000000

The rows of `objections` (a poll's published result) and `meeting_objections` (a meeting's minutes) move into
the new `objections` (owner_kind "poll" / "meeting", owner_id, community_id, moderation columns) through a
holding table; poll objections keep their ids (audit entries name them). Downgrade moves them back (a
hidden objection is shown again: the old tables had no moderation columns).

Neighbourhood groups can be dissolved (when, why, by whom), and a help post closed with its group keeps the
reason.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "4b7e1f0c2a9d"
down_revision = "acd252b6f5dd"
branch_labels = None
depends_on = None

MOVED = (
    "owner_kind, owner_id, community_id, author_id, client_id, body, created_at, answer, answered_by_id, answered_at"
)
KEPT = "author_id, client_id, body, created_at, answer, answered_by_id, answered_at"


def _restart_ids(table: str) -> None:
    """After rows were inserted with their ids, PostgreSQL's sequence continues after the largest."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
        )


def upgrade():
    op.execute(
        "CREATE TABLE objections_move AS"
        f" SELECT o.id AS old_id, 'poll' AS owner_kind, o.poll_id AS owner_id, p.community_id, {_on('o', KEPT)}"
        " FROM objections o JOIN polls p ON p.id = o.poll_id"
        " UNION ALL"
        f" SELECT NULL, 'meeting', o.meeting_id, m.community_id, {_on('o', KEPT)}"
        " FROM meeting_objections o JOIN meetings m ON m.id = o.meeting_id"
    )
    with op.batch_alter_table("meeting_objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_objections_meeting_id"))
    op.drop_table("meeting_objections")
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objections_poll_id"))
    op.drop_table("objections")

    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("owner_kind", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.String(length=200), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_objections_answered_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_objections_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_objections_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
        sa.UniqueConstraint(
            "owner_kind",
            "owner_id",
            "author_id",
            "client_id",
            name=op.f("uq_objections_owner_kind_owner_id_author_id_client_id"),
        ),
    )
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.create_index("ix_objections_owner", ["owner_kind", "owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_objections_community_id"), ["community_id"], unique=False)

    op.execute(
        f"INSERT INTO objections (id, {MOVED}) SELECT old_id, {MOVED} FROM objections_move WHERE old_id IS NOT NULL"
    )
    _restart_ids("objections")
    op.execute(
        f"INSERT INTO objections ({MOVED}) SELECT {MOVED} FROM objections_move WHERE old_id IS NULL ORDER BY created_at"
    )
    op.drop_table("objections_move")

    with op.batch_alter_table("neighbour_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dissolved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("dissolved_reason", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("dissolved_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_neighbour_groups_dissolved_by_id_users"),
            "users",
            ["dissolved_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("help_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_reason", sa.String(length=200), nullable=True))


def _on(alias: str, columns: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in columns.split(","))


def downgrade():
    with op.batch_alter_table("help_posts", schema=None) as batch_op:
        batch_op.drop_column("closed_reason")
    with op.batch_alter_table("neighbour_groups", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_neighbour_groups_dissolved_by_id_users"), type_="foreignkey")
        batch_op.drop_column("dissolved_by_id")
        batch_op.drop_column("dissolved_reason")
        batch_op.drop_column("dissolved_at")

    op.execute(f"CREATE TABLE objections_move AS SELECT id, {MOVED} FROM objections")
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objections_community_id"))
        batch_op.drop_index("ix_objections_owner")
    op.drop_table("objections")

    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_objections_answered_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_objections_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_objections_poll_id_polls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
        sa.UniqueConstraint(
            "poll_id", "author_id", "client_id", name=op.f("uq_objections_poll_id_author_id_client_id")
        ),
    )
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objections_poll_id"), ["poll_id"], unique=False)
    op.create_table(
        "meeting_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["users.id"],
            name=op.f("fk_meeting_objections_answered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_meeting_objections_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_objections_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_objections")),
        sa.UniqueConstraint("meeting_id", "author_id", "client_id", name="uq_meeting_objections_client"),
    )
    with op.batch_alter_table("meeting_objections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_objections_meeting_id"), ["meeting_id"], unique=False)

    op.execute(
        f"INSERT INTO objections (id, poll_id, {KEPT}) SELECT id, owner_id, {KEPT} FROM objections_move"
        " WHERE owner_kind = 'poll'"
    )
    _restart_ids("objections")
    op.execute(
        f"INSERT INTO meeting_objections (meeting_id, {KEPT}) SELECT owner_id, {KEPT} FROM objections_move"
        " WHERE owner_kind = 'meeting' ORDER BY id"
    )
    op.drop_table("objections_move")
