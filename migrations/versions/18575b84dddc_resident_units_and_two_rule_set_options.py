"""Resident units (驻区单位) are a role; rule sets: motions first, non-party residents may speak

Revision ID: 18575b84dddc
Revises: 5c1e0d7a9b21
Create Date: 2026-12-05 19:35:59.642928

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '18575b84dddc'
down_revision = '5c1e0d7a9b21'
branch_labels = None
depends_on = None

ROLES = (
    'resident', 'owner', 'building_leader', 'group_leader', 'resident_rep', 'property_manager',
    'owners_committee', 'community_staff', 'social_org', 'expert',
)
ROLES_WITH_RESIDENT_UNIT = (*ROLES[:-1], 'resident_unit', 'expert')


def _role_check(roles) -> None:
    # the member_role CHECK of the non-native enum (autogenerate does not see a new enum value)
    with op.batch_alter_table('member_roles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_member_roles_member_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_member_roles_member_role'), sa.column('role').in_(roles))


def upgrade():
    _role_check(ROLES_WITH_RESIDENT_UNIT)

    # a plain ADD COLUMN (not batch): on SQLite, batch mode would rebuild rule_sets, which consultations reference
    op.add_column('rule_sets', sa.Column('motion_first', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column(
        'rule_sets', sa.Column('non_party_may_speak', sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    # rule 2 of 南塘议事规则 ("无动议不讨论"): enforced in every rule set whose text says so
    op.execute(
        sa.text("UPDATE rule_sets SET motion_first = :yes WHERE text LIKE :rule").bindparams(
            yes=True, rule='%无动议不讨论%'
        )
    )


def downgrade():
    op.drop_column('rule_sets', 'non_party_may_speak')
    op.drop_column('rule_sets', 'motion_first')

    # the role goes: those who held it lose it
    op.execute(sa.text("DELETE FROM member_roles WHERE role = 'resident_unit'"))
    _role_check(ROLES)
