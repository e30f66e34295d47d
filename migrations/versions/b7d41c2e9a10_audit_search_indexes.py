"""indexes for the 审计 search and event log

Revision ID: b7d41c2e9a10
Revises: 42c4e3918ada
Create Date: 2026-11-30 06:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d41c2e9a10'
down_revision = '42c4e3918ada'
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX (no batch mode): audit_event must never be copied (its PostgreSQL
    # append-only trigger stays as it is).
    op.create_index('ix_audit_event_action_seq', 'audit_event', ['action', 'seq'], unique=False)
    op.create_index('ix_audit_event_at', 'audit_event', ['at'], unique=False)
    op.create_index('ix_audit_event_acted_for', 'audit_event', ['acted_for_id'], unique=False)
    op.create_index('ix_process_instance_created', 'process_instance', ['created_at'], unique=False)


def downgrade():
    op.drop_index('ix_process_instance_created', table_name='process_instance')
    op.drop_index('ix_audit_event_acted_for', table_name='audit_event')
    op.drop_index('ix_audit_event_at', table_name='audit_event')
    op.drop_index('ix_audit_event_action_seq', table_name='audit_event')
