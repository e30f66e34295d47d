"""Approval actions (DESIGN §5): 退回, 转办, 加签/减签, 撤回, 拿回, 催办, 抄送, 认领/释放, 评论, and the
administrator's 改派 and 终止 — one module per concern, all in the `ACTIONS` registry.

Every action follows the transaction shape of `tasks.complete`: lock the case, check (404 →
403 → 409 → 422), act, run the engine and project when the flow moves, record exactly one
audit event, and leave the commit to the caller.
"""

from workflows.actions import catalog as _catalog  # noqa: F401  (fills the registry)
from workflows.actions.claims import can_claim
from workflows.actions.claims import claim
from workflows.actions.common import MAX_REASON
from workflows.actions.completion import can_complete
from workflows.actions.completion import complete_item
from workflows.actions.completion import form_schema
from workflows.actions.registry import ACTIONS
from workflows.actions.registry import INSTANCE
from workflows.actions.registry import ITEM
from workflows.actions.registry import Action
from workflows.actions.registry import Param
from workflows.actions.registry import describe
from workflows.actions.registry import get
from workflows.actions.registry import perform

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = [
    "ACTIONS",
    "Action",
    "INSTANCE",
    "ITEM",
    "MAX_REASON",
    "Param",
    "can_claim",
    "can_complete",
    "cc",
    "claim",
    "comments",
    "complete_item",
    "delegations",
    "describe",
    "form_schema",
    "get",
    "perform",
    "signers",
    "signing",
]
