"""Checks any process may use that are not regulations: bounded loops."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy import select

from models import WorkItem
from models import WorkItemStatus
from workflows.errors import ValidationFailed
from workflows.rules.base import RuleContext
from workflows.rules.base import check

# Every pass round a back edge deepens SpiffWorkflow's task tree; near 200 passes it fails
# for good (reference/spiffworkflow.md G1). No real case goes round a step this often.
MAX_ROUNDS = 20


def parse_loop(arg: str | None) -> tuple[str, set[str]]:
    """`"meeting_outcome=rejected|deferred"` → ("meeting_outcome", {"rejected", "deferred"})."""
    field, _, values = (arg or "").partition("=")
    if not field or not values:
        raise ValueError("loop_guard needs field=value, e.g. loop_guard:decision=revise")
    return field, set(values.split("|"))


@check("loop_guard")
def check_loop_guard(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """Refuse sending a case round the same loop again after MAX_ROUNDS passes of this step."""
    field, values = parse_loop(arg)
    if form.get(field) not in values or ctx.instance is None:
        return
    rounds = ctx.session.scalar(select(func.count()).select_from(WorkItem).where(
        WorkItem.instance_id == ctx.instance.id, WorkItem.task_name == ctx.task_name,
        WorkItem.status == WorkItemStatus.COMPLETED)) or 0
    if rounds + 1 >= MAX_ROUNDS:
        raise ValidationFailed(
            "办理轮次已达上限",
            {field: [f"本环节已办理 {rounds} 次，不能再退回重办；请作出终结性决定或终止流程"]},
        )
