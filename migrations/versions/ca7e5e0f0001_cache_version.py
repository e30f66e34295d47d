"""cache version: what per-process caches of the org, roles, relations and delegations check

Revision ID: ca7e5e0f0001
Revises: 7e3e1c2a9b01
Create Date: 2026-12-04 23:55:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'ca7e5e0f0001'
down_revision = '7e3e1c2a9b01'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('cache_version',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_version'))
    )
    op.bulk_insert(table, [{'name': 'org', 'version': secrets.randbits(62)}])


def downgrade():
    op.drop_table('cache_version')
