"""Work items: claim (认领) and complete (同意/不同意 via the form's decision), and the queues."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from uuid import UUID

from sqlalchemy import Executable
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import event
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from models import ProcessInstance
from models import TimerJob
from models import TimerStatus
from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemKind
from models import WorkItemStatus
from models import writes
from workflows import audit
from workflows import rules
from workflows.actions import signing
from workflows.cases import forms
from workflows.cases import locked_read
from workflows.cases import store
from workflows.effects import EffectContext
from workflows.effects import run_effects
from workflows.engine import BpmnWorkflow
from workflows.engine import Task
from workflows.engine import TaskState
from workflows.engine import clock
from workflows.engine import definitions
from workflows.engine import locking
from workflows.engine import projection
from workflows.engine.runtime import engine
from workflows.errors import AlreadyHandled
from workflows.errors import InvalidRequest
from workflows.errors import NotAllowed
from workflows.errors import NotFound
from workflows.routing import delegation
from workflows.routing import permissions
from workflows.rules import meeting
from workflows.rules import recusal

DECISION_FIELDS = ("decision", "result")


def get_item(session: Session, user: User, item_id: int) -> WorkItem:
    """A work item the user may see (a candidate, or a viewer of its case); NotFound/NotAllowed."""
    item = session.get(WorkItem, item_id)
    if item is None:
        raise NotFound(f"待办事项 {item_id} 不存在")
    if not permissions.is_candidate(session, item, user):
        permissions.require_view(session, user, item.instance)
    return item


def _handled_message(item: WorkItem) -> str:
    if item.status == WorkItemStatus.COMPLETED and item.completed_by is not None:
        when = item.completed_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M") if item.completed_at else ""
        return f"该事项已由{item.completed_by.name}于{when}办理"
    return "该事项已不在办理中（流程已流转或已撤销）"


@dataclass
class _Locked:
    """An item read under its case's lock in this transaction, with what the completion needs."""

    item: WorkItem
    after_signers: bool  # 后加签 signers wait on it (else the hold check has nothing to find)
    candidates: list[User] | None = None
    projected: projection.Projected | None = None  # its case after it was completed here
    # Read with the item, each handed out once: its candidates (for `_acting`) and the case's
    # open items and timer jobs (for the projection of the completion that follows).
    read_candidates: list[User] | None = None
    case_rows: projection.CaseRows | None = None
    # The candidates of the case's other open items, for the answer (a completion changes none).
    open_candidates: dict[int, list[User]] = field(default_factory=dict)


_LOCKED = "orgflow_locked_items"


@event.listens_for(Session, "after_transaction_end")
def _forget_locked(session: Session, transaction: Any) -> None:
    if transaction.parent is None or transaction.nested:  # not a flush's; a savepoint's too, to be safe
        session.info.pop(_LOCKED, None)


def _case_rows_stale(session: Session) -> None:
    """What was read with a locked item no longer describes the case's items and timer jobs."""
    for locked in session.info.get(_LOCKED, {}).values():
        locked.case_rows = None


@event.listens_for(Session, "before_flush")
def _new_rows(session: Session, context: Any, instances: Any) -> None:
    if session.info.get(_LOCKED) and any(isinstance(obj, (WorkItem, TimerJob))
                                         for obj in (*session.new, *writes.inserted_now(session))):
        _case_rows_stale(session)


@event.listens_for(Session, "do_orm_execute")
def _bulk_write(state: ORMExecuteState) -> None:
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if (state.session.info.get(_LOCKED) and (state.is_insert or state.is_update or state.is_delete)
            and table in (WorkItem.__tablename__, TimerJob.__tablename__)):
        _case_rows_stale(state.session)


@functools.cache
def _read_query() -> Executable:
    """The statement `_locked` reads with after locking the case (PostgreSQL), built once per
    process (building it and its cache key cost half a millisecond a request): parameters
    `item_id` and `instance_id`. Without the lock `locked_read` reads the case along."""
    target = WorkItem.id == bindparam("item_id")
    query = (
        select(WorkItem, signing.waiting_after_signers(WorkItem.id), User, TimerJob)
        .outerjoin(WorkItemCandidate, WorkItemCandidate.work_item_id == WorkItem.id)
        .outerjoin(User, User.id == WorkItemCandidate.user_id)
        .outerjoin(TimerJob, and_(target, TimerJob.instance_id == WorkItem.instance_id, projection.CASE_TIMERS))
        .where(or_(target, WorkItem.status == WorkItemStatus.OPEN))
        .order_by(WorkItem.id).execution_options(populate_existing=True)
    )
    return query.where(WorkItem.instance_id == bindparam("instance_id"))


def _locked(session: Session, item_id: int) -> _Locked:
    """Lock the item's case, then re-read the item (404): once per transaction, as the lock is
    held and every change goes through this session until it ends.

    The re-read brings along, in the same statement, the candidates of the item and of the case's
    other open items (for the answer) and the case's open items and timer jobs (what the
    projection of a completion reads), so that a completion sends one statement after the lock
    instead of four, and none to build its answer. On PostgreSQL it is a second statement, not
    part of the lock's: a `SELECT … FOR UPDATE` that waited for the lock re-checks only the
    locked row, and the rows it joined would be those from before the wait. On SQLite the
    transaction holds the database from its start, and a transaction that locks at its first
    write (`locking.defer_write`) takes no lock here (`locking.row_locks`): one statement reads
    the case too, and the case's UPDATE checks that its revision has not moved since.
    """
    known: dict[int, _Locked] = session.info.setdefault(_LOCKED, {})
    if item_id in known:
        return known[item_id]
    instance: ProcessInstance | None = None
    rows: list[Any]
    if locking.row_locks(session):
        instance = locking.lock_case_of_item(session, item_id)
        if instance is None:
            raise NotFound(f"待办事项 {item_id} 不存在")
        rows = list(session.execute(_read_query(), {"item_id": item_id, "instance_id": instance.id}))
    else:
        rows = locked_read.rows(session, item_id)
    found = next((row for row in rows if row[0].id == item_id), None)
    if found is None:
        raise NotFound(f"待办事项 {item_id} 不存在")
    item = found[0]
    if instance is None:
        instance = found[4]
        locking.read_unlocked(session, instance)
    # Hand the locked row to the item: the session's identity map holds objects weakly, and
    # lazy-loading `item.instance` after this function returned would read the row again.
    set_committed_value(item, "instance", instance)
    by_item: dict[int, dict[int, User]] = {}
    for row in rows:
        if row[2] is not None:
            by_item.setdefault(row[0].id, {})[row[2].id] = row[2]
    timers = {row[3].id: row[3] for row in rows if row[0] is item and row[3] is not None}
    open_items = list({row[0].id: row[0] for row in rows if row[0].status == WorkItemStatus.OPEN}.values())
    candidates = by_item.pop(item_id, {})
    known[item_id] = locked = _Locked(
        item, bool(found[1]), read_candidates=[candidates[i] for i in sorted(candidates)],
        case_rows=projection.CaseRows(instance.id, open_items, [timers[i] for i in sorted(timers)]),
        open_candidates={i: [users[u] for u in sorted(users)] for i, users in by_item.items()})
    return locked


def locked_item(session: Session, item_id: int) -> WorkItem:
    """The item re-read under its case's lock (404), any kind, open or not."""
    return _locked(session, item_id).item


def item_for_action(session: Session, user: User, item_id: int) -> tuple[WorkItem, User]:
    """Lock the item's case, then re-read the item: 404, 403 for non-candidates, 409 if closed,
    claimed by another or on hold (加签). Returns the item and whom the user acts for (themselves,
    or the candidate whose deputy they are)."""
    return _acting(session, user, item_id)[:2]


def _acting(session: Session, user: User, item_id: int) -> tuple[WorkItem, User, _Locked]:
    locked = _locked(session, item_id)
    item = locked.item
    # All the candidates (read with the item, else one query; also for the answer), then whether
    # the user is one of them.
    read, locked.read_candidates = locked.read_candidates, None
    locked.candidates = read if read is not None else candidates_of(session, item)
    principal: User | None = user if any(c.id == user.id for c in locked.candidates) else None
    principal = principal or delegation.principal_for(session, item, user)
    if principal is None:
        raise delegation.refusal(session, item, user) or NotAllowed("您不是该事项的办理人")
    if item.status != WorkItemStatus.OPEN:
        raise AlreadyHandled(_handled_message(item))
    recusal.check_actor(session, item, user, principal)  # R-C1, also for a relation declared since routing
    if item.assignee_id not in (None, user.id, principal.id):
        raise AlreadyHandled(f"该事项已由{item.assignee.name if item.assignee else '他人'}认领")
    if item.on_hold:
        raise AlreadyHandled(signing.hold_message(session, item))
    return item, principal, locked


def acted_for(user: User, principal: User) -> User | None:
    """The `acted_for` of a record: the principal when a deputy acts, else None."""
    return principal if principal.id != user.id else None


def _form_of(item: WorkItem) -> tuple[dict[str, Any], dict[str, str], str]:
    definition = item.instance.definition
    spec = definitions.task_spec(definitions.runtime(definition), item.task_name)
    props = definitions.properties(spec)
    return definitions.assets(definition)["forms"], props, props["formJsonSchemaFilename"]


def form_schema(item: WorkItem) -> dict[str, Any]:
    """The JSON schema of the item's form (with blocks) as deployed with the case's version."""
    all_forms, _, filename = _form_of(item)
    return {"schema": all_forms[filename], "blocks": {k: v for k, v in all_forms.items() if k.startswith("blocks/")}}


def meeting_roster(session: Session, item: WorkItem) -> dict[str, Any] | None:
    """The meeting roster of a collective-decision step (who is due, who must recuse), None for
    other steps."""
    _, props, _ = _form_of(item)
    return meeting.step_roster(session, item.instance, item.scope_unit_id, props.get("rules"))


def _engine_data(task: Any, submission: dict[str, Any], user: User) -> dict[str, Any]:
    output = projection.mi_output_name(task)
    if output:  # a multi-instance step: each signer's form becomes their output item
        return {output: {**submission, "by": user.username}}
    return submission


def ready_task(item: WorkItem) -> tuple[BpmnWorkflow, Task]:
    """The case's workflow and the item's READY task; AlreadyHandled (409) if it is not READY."""
    workflow = store.load(item.instance)
    task = workflow.get_task_from_id(UUID(item.task_id))
    if task is None or task.state != TaskState.READY:
        raise AlreadyHandled("该步骤已不在办理中")
    return workflow, task


def validate_submission(session: Session, item: WorkItem, data: Any, comment: str | None,
                        task_data: dict[str, Any] | None = None,
                        actor: User | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The item's form data validated (422) with its rules' derived values: (form, submission).

    Rule checks see the case data overlaid with the task's own data (inside a per-recipient
    sub-flow that is the recipient's part of the case) and the acting user.
    """
    all_forms, props, filename = _form_of(item)
    form = forms.validate(all_forms, filename, data, item.instance.definition.content_hash)
    forms.require_comment(all_forms[filename], form, comment)
    ctx = rules.RuleContext(session, data={**item.instance.data, **(task_data or {})}, task_name=item.task_name,
                            instance=item.instance, actor=actor, scope_unit_id=item.scope_unit_id)
    derived = rules.validate_all(props.get("rules"), ctx, form)
    recusal.check_fields(session, item.instance, all_forms[filename], form, all_forms)  # R-C1: teams, talks
    return form, {**form, **derived}


def advance(session: Session, item: WorkItem, submission: dict[str, Any], by: User,
            loaded: tuple[BpmnWorkflow, Task] | None = None, case_rows: projection.CaseRows | None = None) -> None:
    """Complete the item's READY user task with `submission` and run the case to its next wait:
    close the item, apply effects, project new items and timers, save the state. `case_rows`:
    the case's open items and timer jobs as read under the lock in this transaction, if still so."""
    instance = item.instance
    _, props, _ = _form_of(item)
    workflow, task = loaded or ready_task(item)
    engine().complete(workflow, task, _engine_data(task, submission, by))
    projection.close_item(session, item, WorkItemStatus.COMPLETED, clock.now())
    instance.data = {**instance.data, **submission}
    run_effects(props.get("effects"), EffectContext(session, instance, instance.data))
    store.save(session, instance, workflow, case_rows)


def complete(session: Session, user: User, item_id: int, data: Any, comment: str | None = None) -> WorkItem:
    """Complete a work item with its form data and 审批意见.

    One transaction: lock the case, validate the form (422) and its rules, run the engine to
    the next wait, project new items and timers, audit, and save with the revision check.
    When 后加签 signers wait on the item, the submission is held until they have signed.
    Raises NotFound, NotAllowed (403), AlreadyHandled (409), ValidationFailed/RuleViolation (422),
    InvalidRequest (400) for a 加签 or resubmission item (see `workflows.actions`).
    """
    item, principal, locked = _acting(session, user, item_id)
    if item.kind != WorkItemKind.TASK:
        raise InvalidRequest("该事项不是流程步骤，请通过相应的办理操作提交")
    # No autoflush on the way (issue 17): the changes are written once, by the caller's flush or
    # commit; the reads below do not depend on them (`projection` skips the items closed here,
    # effects and the cancelling of deadlines flush for themselves).
    with session.no_autoflush:
        return _complete(session, locked, principal, user, data, comment)


def _complete(session: Session, locked: _Locked, principal: User, user: User, data: Any,
              comment: str | None) -> WorkItem:
    item = locked.item
    loaded = ready_task(item)
    form, submission = validate_submission(session, item, data, comment, loaded[1].data, user)
    item.set_handler(user, acted_for(user, principal))
    item.action, item.comment, item.data = "complete", comment, submission
    item.decision = next((str(form[f]) for f in DECISION_FIELDS if f in form), None)
    item.completed_at = clock.now()
    held = signing.hold_for_after_signers(session, item) if locked.after_signers else []
    if not held:
        case_rows, locked.case_rows = locked.case_rows, None
        advance(session, item, submission, principal, loaded, case_rows)
        locked.projected = projection.projected(session)
    payload = {"task": item.task_name, "decision": item.decision, "comment": comment, "data": submission}
    audit.record(session, "task.complete", actor=user, acted_for=item.acted_for, instance=item.instance,
                 work_item=item, payload={**payload, "held_for": held} if held else payload)
    return item


def completed_case(session: Session, item: WorkItem) -> tuple[list[WorkItem], dict[int, list[User]],
                                                                list[TimerJob]] | None:
    """The case of an item completed in this transaction (and flushed), as its projection left
    it, from the objects the completion loaded: (its open items by id, candidates by item id —
    the completed item's too —, its pending BPMN timers by due time). None when the completion
    did not project (held for 后加签 signers, or not `complete`): then read them."""
    locked = session.info.get(_LOCKED, {}).get(item.id)
    if locked is None or locked.projected is None or locked.candidates is None:
        return None
    found = locked.projected
    items = sorted(found.items, key=lambda i: i.id)
    candidates = {item.id: locked.candidates}
    candidates.update({i.id: sorted(users, key=lambda u: u.id) for i, users in found.candidates.items()})
    candidates.update({i.id: locked.open_candidates[i.id] for i in items
                       if i.id not in candidates and i.id in locked.open_candidates})
    candidates.update(candidates_by_item(session, [i for i in items if i.id not in candidates]))
    timers = sorted((job for job in found.timers if job.status == TimerStatus.PENDING),
                    key=lambda job: (job.due_at, job.id))
    return items, candidates, timers


def open_items(session: Session, instance: ProcessInstance) -> list[WorkItem]:
    return list(session.scalars(
        select(WorkItem).where(WorkItem.instance_id == instance.id, WorkItem.status == WorkItemStatus.OPEN)
        .order_by(WorkItem.id)
    ))


def candidates_of(session: Session, item: WorkItem) -> list[User]:
    return candidates_by_item(session, [item]).get(item.id, [])


def candidates_by_item(session: Session, items: list[WorkItem]) -> dict[int, list[User]]:
    """Item id → its candidates (by user id), for a page of items in one query."""
    ids = [item.id for item in items]
    if not ids:
        return {}
    found: dict[int, list[User]] = {}
    rows = session.execute(
        select(WorkItemCandidate.work_item_id, User).join(User, User.id == WorkItemCandidate.user_id)
        .where(WorkItemCandidate.work_item_id.in_(ids)).order_by(WorkItemCandidate.work_item_id, User.id)
    )
    for item_id, user in rows:
        found.setdefault(item_id, []).append(user)
    return found
