"""audit_event is append-only on PostgreSQL

Revision ID: f5c0d5fb5f05
Revises: dda149e95115
Create Date: 2026-11-29 20:26:49.904508

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f5c0d5fb5f05'
down_revision = 'dda149e95115'
branch_labels = None
depends_on = None


# Rows of the audit log can be added, never changed or removed (DESIGN §7). SQLite has no
# such guard; there the hash chain and external checkpoints detect tampering instead.
FUNCTION = """
CREATE OR REPLACE FUNCTION orgflow_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute("CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_event "
               "FOR EACH ROW EXECUTE FUNCTION orgflow_audit_append_only()")
    op.execute("CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
               "FOR EACH STATEMENT EXECUTE FUNCTION orgflow_audit_append_only()")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_update_delete ON audit_event")
    op.execute("DROP FUNCTION IF EXISTS orgflow_audit_append_only()")
