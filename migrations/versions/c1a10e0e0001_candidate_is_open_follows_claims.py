"""work_item_candidate.is_open follows claims: a claimed item leaves the other candidates' 待办

Revision ID: c1a10e0e0001
Revises: ca7e5e0f0001
Create Date: 2026-12-05 02:50:00.000000

Until now `is_open` mirrored the item's status and hold, and the 待办 joined every row to its work
item to leave out items another candidate had claimed. It now says the item is in this person's
待办, so the list and its count read the candidate index alone (issue 17, item 5). The data:
close the rows of other candidates of items that are claimed now.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c1a10e0e0001'
down_revision = 'ca7e5e0f0001'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE work_item_candidate SET is_open = false WHERE is_open = true AND EXISTS ("
        " SELECT 1 FROM work_item w WHERE w.id = work_item_candidate.work_item_id"
        " AND w.assignee_id IS NOT NULL AND w.assignee_id <> work_item_candidate.user_id)")


def downgrade():
    op.execute(
        "UPDATE work_item_candidate SET is_open = true WHERE is_open = false AND EXISTS ("
        " SELECT 1 FROM work_item w WHERE w.id = work_item_candidate.work_item_id"
        " AND w.status = 'open' AND w.on_hold = false)")
