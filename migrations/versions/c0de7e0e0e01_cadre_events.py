"""cadre events: 现实表现纪实

Revision ID: c0de7e0e0e01
Revises: a78cd0ded9e7
Create Date: 2026-12-04 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0de7e0e0e01'
down_revision = 'a78cd0ded9e7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cadre_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('mark', sa.String(length=10), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_cadre_events_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_cadre_events_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_cadre_events_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cadre_events'))
    )
    with op.batch_alter_table('cadre_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cadre_events_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cadre_events_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('cadre_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cadre_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_cadre_events_instance_id'))
    op.drop_table('cadre_events')
