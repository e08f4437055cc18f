"""Search: one document per findable thing; on PostgreSQL a stored tsvector of its characters and character pairs, GIN-indexed

Revision ID: 3f7a9c2e5b10
Revises: a3c91f0e7d52
Create Date: 2026-12-05 22:50:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '3f7a9c2e5b10'
down_revision = 'a3c91f0e7d52'
branch_labels = None
depends_on = None

# Every character and every pair of adjacent characters of the lower-cased title and body, as the lexemes of
# a tsvector (array_to_tsvector: taken as they are, no parser, so CJK is indexed under any locale). A query's
# terms become the AND of their pairs (one character: itself); the GIN index finds the documents holding them
# all, and the search's LIKE keeps those holding each term as written (docs/search.md).
GRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION yishi_search_grams(title text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT array_to_tsvector(ARRAY(
    SELECT DISTINCT substr(t.s, i, n)
    FROM (SELECT lower(title || ' ' || body) AS s) AS t,
         generate_series(1, length(t.s)) AS i,
         (VALUES (1), (2)) AS v(n)
    WHERE i + n - 1 <= length(t.s) AND substr(t.s, i, n) !~ '\s'
  ))
$$
"""


def upgrade():
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=True),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_search_documents_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('kind', 'object_id', name=op.f('uq_search_documents_kind_object_id'))
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index('ix_search_documents_scope', ['community_id', 'created_at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        # stored, so a query never computes it: the index finds the rows, a filter or recheck reads the column
        op.execute(GRAMS_FUNCTION)
        op.execute(
            'ALTER TABLE search_documents ADD COLUMN grams tsvector '
            'GENERATED ALWAYS AS (yishi_search_grams(title, body)) STORED'
        )
        op.execute('CREATE INDEX ix_search_documents_grams ON search_documents USING gin (grams)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_search_documents_grams')
        op.execute('ALTER TABLE search_documents DROP COLUMN IF EXISTS grams')
        op.execute('DROP FUNCTION IF EXISTS yishi_search_grams(text, text)')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_search_documents_scope')
    op.drop_table('search_documents')
