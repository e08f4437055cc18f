"""Proxy voting (委托投票) in owners' decisions: proxies, a ballot's by-proxy mark, a decision's proxy limit

Revision ID: a3c91f0e7d52
Revises: 2a92b4213571
Create Date: 2026-12-05 22:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c91f0e7d52'
down_revision = '2a92b4213571'
branch_labels = None
depends_on = None

OLD_PURPOSES = ("login", "reset", "change_password", "desk_reset", "register")
NEW_PURPOSES = (*OLD_PURPOSES, "proxy_appoint")


def _purposes(values) -> str:
    return "purpose IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _purpose_check(values) -> None:
    # the code_purpose CHECK of the non-native enum (autogenerate does not see a new enum value)
    with op.batch_alter_table('one_time_codes') as batch_op:
        batch_op.drop_constraint(op.f('ck_one_time_codes_code_purpose'), type_='check')
        batch_op.create_check_constraint('code_purpose', _purposes(values))


def upgrade():
    op.create_table('decision_proxies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('roll_entry_id', sa.Integer(), nullable=False),
    sa.Column('proxy_user_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('online', 'office', name='proxy_method', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_decision_proxies_decision_id_decisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_decision_proxies_photo_id_photos'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proxy_user_id'], ['users.id'], name=op.f('fk_decision_proxies_proxy_user_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_decision_proxies_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_decision_proxies_revoked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['roll_entry_id'], ['decision_roll_entries.id'], name=op.f('fk_decision_proxies_roll_entry_id_decision_roll_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_proxies'))
    )
    with op.batch_alter_table('decision_proxies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_proxies_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_proxies_proxy_user_id'), ['proxy_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_proxies_roll_entry_id'), ['roll_entry_id'], unique=False)

    # plain ADD COLUMNs (not batch): on SQLite, batch mode would rebuild ballots and decisions, which others reference
    op.add_column('ballots', sa.Column('by_proxy', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('decisions', sa.Column('proxy_limit', sa.Integer(), server_default='5', nullable=False))
    op.add_column('photos', sa.Column('restricted', sa.Boolean(), server_default=sa.false(), nullable=False))
    if op.get_context().dialect.name != 'sqlite':  # SQLite adds a CHECK only by rebuilding the table
        op.create_check_constraint(op.f('ck_decisions_proxy_limit_range'), 'decisions', 'proxy_limit BETWEEN 1 AND 50')
    _purpose_check(NEW_PURPOSES)  # an SMS code confirms an owner's appointment of a proxy


def downgrade():
    op.execute("DELETE FROM one_time_codes WHERE purpose = 'proxy_appoint'")
    _purpose_check(OLD_PURPOSES)
    if op.get_context().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_decisions_proxy_limit_range'), 'decisions', type_='check')
    op.drop_column('photos', 'restricted')
    op.drop_column('decisions', 'proxy_limit')
    op.drop_column('ballots', 'by_proxy')
    with op.batch_alter_table('decision_proxies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_proxies_roll_entry_id'))
        batch_op.drop_index(batch_op.f('ix_decision_proxies_proxy_user_id'))
        batch_op.drop_index(batch_op.f('ix_decision_proxies_decision_id'))

    op.drop_table('decision_proxies')
