"""reserve pool: category and managing unit, measures, annual reviews

Revision ID: a7c3e91d2b40
Revises: f5f5a72a7b96
Create Date: 2026-12-04 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e91d2b40'
down_revision = 'f5f5a72a7b96'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reserve_pool_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reserve_pool_entry_unit_id'), ['unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_reserve_pool_entry_unit_id_org_unit'), 'org_unit', ['unit_id'], ['id'])
    op.create_table('reserve_measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_reserve_measure_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['reserve_pool_entry.id'], name=op.f('fk_reserve_measure_entry_id_reserve_pool_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reserve_measure'))
    )
    with op.batch_alter_table('reserve_measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reserve_measure_entry_id'), ['entry_id'], unique=False)
    op.create_table('reserve_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['reserve_pool_entry.id'], name=op.f('fk_reserve_review_entry_id_reserve_pool_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_reserve_review_reviewed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reserve_review')),
    sa.UniqueConstraint('entry_id', 'year', name=op.f('uq_reserve_review_entry_id_year'))
    )
    with op.batch_alter_table('reserve_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reserve_review_entry_id'), ['entry_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reserve_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reserve_review_entry_id'))
    op.drop_table('reserve_review')
    with op.batch_alter_table('reserve_measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reserve_measure_entry_id'))
    op.drop_table('reserve_measure')
    with op.batch_alter_table('reserve_pool_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reserve_pool_entry_unit_id_org_unit'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reserve_pool_entry_unit_id'))
        batch_op.drop_column('unit_id')
        batch_op.drop_column('category')
