"""Completing any kind of work item through one verb: a user task (`tasks.complete`), an added
signer's 签署, or the initiator's 重新提交 — so one 提交 button and one form endpoint serve all."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models import User
from models import WorkItem
from models import WorkItemKind
from workflows.actions import common
from workflows.actions import returning
from workflows.actions import signers
from workflows.cases import tasks
from workflows.engine import definitions


def complete_item(session: Session, user: User, item_id: int, data: Any = None, comment: str | None = None) -> WorkItem:
    """Complete the item with its form data (None: none sent, an empty form), whatever its kind
    (see `form_schema`)."""
    data = {} if data is None else data
    item = tasks.locked_item(session, item_id)  # 404; read once, under the lock, for every kind
    if item.kind == WorkItemKind.SIGNER:
        return signers.sign(session, user, item_id, data, comment)
    if item.kind == WorkItemKind.RESUBMIT:
        return returning.resubmit(session, user, item_id, data, comment)
    return tasks.complete(session, user, item_id, data, comment)


def form_schema(item: WorkItem) -> dict[str, Any]:
    """The form an item is completed with: the step's form, the 加签 opinion, or the start form."""
    if item.kind == WorkItemKind.SIGNER:
        return {"schema": signers.SIGN_FORM, "blocks": {}}
    if item.kind == WorkItemKind.RESUBMIT:
        assets = definitions.assets(item.instance.definition)
        all_forms = assets["forms"]
        start = all_forms[assets["start"]["formJsonSchemaFilename"]]
        return {"schema": start, "blocks": {k: v for k, v in all_forms.items() if k.startswith("blocks/")}}
    return tasks.form_schema(item)


def can_complete(session: Session, user: User, item: WorkItem) -> bool:
    return common.handling(session, user, item, *WorkItemKind)
