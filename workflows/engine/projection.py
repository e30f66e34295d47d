"""After every engine run: project READY user tasks into work items, waiting timers into timer
jobs, and a finished workflow into the instance status (DESIGN §3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Table
from sqlalchemy import bindparam
from sqlalchemy import event
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import object_session
from sqlalchemy.orm import scoped_session

from models import ProcessInstance
from models import TimerJob
from models import TimerStatus
from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemKind
from models import WorkItemStatus
from models.cursor import Prepared
from workflows import audit
from workflows import rules
from workflows.calendar import load_calendar
from workflows.calendar import midnight_after
from workflows.effects import EffectContext
from workflows.effects import run_effects
from workflows.engine import Waits
from workflows.engine import clock
from workflows.engine.definitions import properties
from workflows.engine.runtime import engine
from workflows.notify import notifications
from workflows.routing import assignment
from workflows.rules import recusal
from workflows.timers import deadlines


def _mi_wrapper(task: Task) -> Any:
    """The multi-instance task whose instance `task` is, else None.

    The task after a finished MI task also has the wrapper as its parent, so the wrapper must
    name this task's spec as its instance spec.
    """
    wrapper = task.parent
    if wrapper is None or getattr(wrapper.task_spec, "task_spec", None) != task.task_spec.name:
        return None
    return wrapper.task_spec


def mi_input_item(task: Task) -> Any:
    """The multi-instance item (e.g. a username) of an instance of an MI task, else None."""
    input_item = getattr(_mi_wrapper(task), "input_item", None)
    return task.data.get(input_item.bpmn_id) if input_item is not None else None


def mi_output_name(task: Task) -> str | None:
    output_item = getattr(_mi_wrapper(task), "output_item", None)
    return output_item.bpmn_id if output_item is not None else None


def _due_at(session: Session, props: dict[str, str], data: dict[str, Any], now: datetime) -> datetime | None:
    if "dueInWorkingDays" in props:
        return load_calendar(session).deadline(now, int(props["dueInWorkingDays"]))
    value = data.get(props.get("dueDateVariable", ""))
    if not value:
        return None
    if len(value) == 10:
        return midnight_after(date.fromisoformat(value))
    return datetime.fromisoformat(value)


def close_item(session: Session, item: WorkItem, status: WorkItemStatus, now: datetime) -> None:
    """Close an open item and take it out of every candidate's 待办.

    The candidates' UPDATE is written with the item's, at the next flush (`_write_closed`): a
    completion's first write would otherwise come before its projection and the state's dump,
    and SQLite's write lock is held from a transaction's first write (`locking.defer_write`) to
    its commit. Inside a savepoint it is written at once, so that a rollback to it undoes it."""
    item.status = status
    item.completed_at = item.completed_at or now
    real = session() if isinstance(session, scoped_session) else session
    if real.in_nested_transaction():
        session.execute(_CLOSE_CANDIDATES, {"item": item.id})
    else:
        session.info.setdefault(_CLOSING, set()).add(item.id)


# Built once, on the table: the ORM's bulk UPDATE (its session synchronization) cost 0.7 ms of a
# profiled completion, and nothing in a session reads `is_open` back (the 待办 queries do, in SQL,
# after an autoflush or in a later request).
_CANDIDATES: Table = WorkItemCandidate.__table__  # type: ignore[assignment]
_CLOSE_CANDIDATES = update(_CANDIDATES).where(_CANDIDATES.c.work_item_id == bindparam("item")).values(is_open=False)
_CLOSE_ONE = Prepared(_CLOSE_CANDIDATES)
_CLOSING = "orgflow_closing_items"  # session.info: ids of the items closed whose candidates are not yet


@event.listens_for(Session, "before_flush")
def _write_closed(session: Session, *_: Any) -> None:
    closing = session.info.pop(_CLOSING, None)
    if closing:
        params = [{"item": item_id} for item_id in sorted(closing)]
        # On the session's connection: an UPDATE of a table, nothing for the ORM to do with it; a
        # completion's one item on the DB-API cursor (`models.cursor`).
        if len(params) == 1:
            _CLOSE_ONE.execute(session.connection(), params[0]).close()
        else:
            session.connection().execute(_CLOSE_CANDIDATES, params)


@event.listens_for(Session, "before_commit")
def _write_closed_before_commit(session: Session) -> None:
    _write_closed(session)  # in case nothing else was left to flush


@event.listens_for(Session, "after_transaction_end")
def _forget_closed(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_CLOSING, None)
        session.info.pop(_ROUTED, None)


# A new item's candidates are written by one Core INSERT right after the flush that inserts the
# item (its id is known then), not as ORM objects of its `candidates` collection: a one-to-many
# the unit of work sorts, synchronizes and checks for orphans in every completion's flush. Nothing
# reads a new item's candidates before it is flushed (its routing returns them to the caller).
_INSERT_CANDIDATES = Prepared(_CANDIDATES.insert().inline(), columns=("work_item_id", "user_id", "is_open", "created_at"))
_ROUTED = "orgflow_routed_candidates"  # session.info: [(item, user ids, created_at)] not yet written


def _insert_candidates_after(session: Session, item: WorkItem, users: list[User], now: datetime) -> None:
    real = session() if isinstance(session, scoped_session) else session
    real.info.setdefault(_ROUTED, []).append((item, [user.id for user in users], now))


def forget_routed(item: WorkItem) -> None:
    """The item's routed candidates are not to be written, nor told of it: its caller sets others
    (`set_handlers`)."""
    session = object_session(item)
    if session is None:
        return
    if session.info.get(_ROUTED):
        session.info[_ROUTED] = [entry for entry in session.info[_ROUTED] if entry[0] is not item]
    notifications.candidates_changed(session, item)


@event.listens_for(Session, "before_flush")  # the items the flush's first hook inserted (`models.writes`)
@event.listens_for(Session, "after_flush")  # the items the unit of work inserted
def _write_routed(session: Session, *_: Any) -> None:
    routed = session.info.get(_ROUTED)
    if not routed:
        return
    rows, waiting = [], []
    for item, user_ids, at in routed:
        if item.id is None:  # not flushed yet (added after this flush began), or gone with a savepoint
            if item in session:
                waiting.append((item, user_ids, at))
            continue
        rows += [{"work_item_id": item.id, "user_id": uid, "is_open": True, "created_at": at} for uid in user_ids]
    session.info[_ROUTED] = waiting
    if rows:
        _INSERT_CANDIDATES.executemany(session.connection(), rows)


def create_item(session: Session, instance: ProcessInstance, task: Task, now: datetime) -> tuple[WorkItem, list[User]]:
    """A work item for a READY user task, with its candidates (returned too, as users) and the
    server's prepared fields."""
    props = properties(task.task_spec)
    route = assignment.resolve(session, task.task_spec.lane, instance, task.data, props, mi_input_item(task))
    where = f"（{route.scope_unit.name}）" if route.scope_unit else ""
    screened = recusal.screen(session, instance, route.candidates, route.lane, where)  # R-C1
    route.candidates = screened.kept
    ctx = rules.RuleContext(session, data={**instance.data, **task.data}, task_name=task.task_spec.bpmn_id,
                            instance=instance, scope_unit_id=route.scope_unit.id if route.scope_unit else None)
    prepared = rules.prepare_all(props.get("rules"), ctx)
    if prepared:
        task.data.update(prepared)
        instance.data = {**instance.data, **prepared}
    item = WorkItem(
        instance_id=instance.id, task_id=str(task.id), task_name=task.task_spec.bpmn_id,
        title=task.task_spec.bpmn_name or task.task_spec.bpmn_id, lane=route.lane,
        scope_unit_id=route.scope_unit.id if route.scope_unit else None,
        assignee_id=route.candidates[0].id if len(route.candidates) == 1 else None,
        created_at=now, due_at=_due_at(session, props, task.data, now),
    )
    session.add(item)
    _insert_candidates_after(session, item, route.candidates, now)
    if screened.recused:  # the record says who was kept off the step, and why
        conflicts = recusal.case_conflicts(session, instance)
        recused = recusal.recused_record(conflicts, screened.recused)
        note = "、".join(f"{r['name']}（{r['reason']}）" for r in recused) + f"回避，依据 {recusal.RULE}"
        audit.record(session, "task.recusal", instance=instance, work_item=item,
                     payload={"task": item.task_name, "recused": recused, "note": note,
                              "rule": recusal.RULE, "source": recusal.source()})
    return item, route.candidates


# The timer jobs a projection works on: the case's BPMN timers, and its pending deadline jobs.
CASE_TIMERS = or_(TimerJob.kind == "timer", TimerJob.status == TimerStatus.PENDING)


@dataclass
class CaseRows:
    """A case's open work items and its timer jobs (`CASE_TIMERS`, by id), read under its lock in
    this transaction by a caller that has changed none of them since except in memory, so that
    `sync` need not read them again (`cases.tasks`: read along with the item completed)."""

    instance_id: int
    open_items: list[WorkItem]
    timers: list[TimerJob]


@dataclass
class Projected:
    """The case as a projection left it, for an answer built without reading it again: its open
    items (new ones with their candidates) and its BPMN timer jobs (pending or not)."""

    items: list[WorkItem]
    candidates: dict[WorkItem, list[User]]
    timers: list[TimerJob]


_PROJECTED = "orgflow_projected"


def projected(session: Session) -> Projected | None:
    """What the last `sync` of this session left (taken: a second call answers None)."""
    found: Projected | None = session.info.pop(_PROJECTED, None)
    return found


def _sync_items(session: Session, instance: ProcessInstance, ready: list[Task], now: datetime,
                read: list[WorkItem] | None) -> tuple[dict[WorkItem, list[User]], list[WorkItem]]:
    """(the items created with their candidates, the items still open); `ready`: the workflow's
    READY user tasks."""
    ready_ids = {str(task.id) for task in ready}
    if read is None:
        read = list(session.scalars(select(WorkItem).where(
            WorkItem.instance_id == instance.id, WorkItem.status == WorkItemStatus.OPEN).order_by(WorkItem.id)))
    # An item closed in this transaction but not yet flushed is still OPEN in the database.
    open_items = [item for item in read if item.status == WorkItemStatus.OPEN]
    # A resubmission item (退回发起人) stands for no user task; its action closes it.
    for item in open_items:
        if item.kind != WorkItemKind.RESUBMIT and item.task_id not in ready_ids:
            close_item(session, item, WorkItemStatus.CANCELLED, now)
    known = {item.task_id for item in open_items if item.kind != WorkItemKind.RESUBMIT}
    created = dict(create_item(session, instance, task, now) for task in ready if str(task.id) not in known)
    return created, [item for item in open_items if item.status == WorkItemStatus.OPEN] + list(created)


def _timer_fired(session: Session, instance: ProcessInstance, job: TimerJob, task: Task | None) -> None:
    """Record a fired timer and run its effects (a lapse such as 申辩 refused records the refusal)."""
    job.status, job.fired_at = TimerStatus.DONE, clock.now()
    if task is not None:
        run_effects(properties(task.task_spec).get("effects"), EffectContext(session, instance, instance.data))


def _sync_timers(session: Session, instance: ProcessInstance, waits: Waits,
                 read: list[TimerJob] | None) -> tuple[list[TimerJob], list[TimerJob]]:
    """Bring the BPMN timer jobs in line; returns them, and the case's pending deadline jobs (read
    in the same query, so that `deadlines.sync` knows whether it has anything to cancel)."""
    waiting = {str(task.id): (task, due) for task, due in waits.waiting_timers}
    rows = read if read is not None else session.scalars(
        select(TimerJob).where(TimerJob.instance_id == instance.id, CASE_TIMERS).order_by(TimerJob.id))
    jobs: dict[str, TimerJob] = {}
    pending_deadlines = []
    for job in rows:
        if job.kind == "timer":
            jobs[job.task_id] = job
        else:
            pending_deadlines.append(job)
    fired = {str(task.id): (task, due) for task, due in waits.fired_timers}
    for task_id, job in jobs.items():
        if job.status == TimerStatus.PENDING and task_id not in waiting:
            # Gone from the waiting set: it fired during this run, or its branch was cancelled.
            if task_id in fired:
                _timer_fired(session, instance, job, fired[task_id][0])
            else:
                job.status = TimerStatus.CANCELLED
    added: list[TimerJob] = []
    for task_id, (task, due) in fired.items():
        if task_id not in jobs:  # already due when reached: it fired in the run that reached it
            job = TimerJob(instance_id=instance.id, kind="timer", task_id=task_id, task_name=task.task_spec.bpmn_id,
                           due_at=due)
            session.add(job)
            added.append(job)
            _timer_fired(session, instance, job, task)
    for task_id, (task, due) in waiting.items():
        if task_id not in jobs:
            job = TimerJob(instance_id=instance.id, kind="timer", task_id=task_id, task_name=task.task_spec.bpmn_id,
                           due_at=due)
            session.add(job)
            added.append(job)
    return [*jobs.values(), *added], pending_deadlines


def _finish(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, now: datetime) -> None:
    ends = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if type(t.task_spec).__name__ == "EndEvent"
            and t.workflow is workflow]
    end = max(ends, key=lambda t: t.last_state_change) if ends else None
    props = properties(end.task_spec) if end else {}
    instance.status = props.get("status", "completed")
    instance.completed_at = now
    if end is not None:  # the case's real outcome, in the words of the end event (shown as its status)
        instance.data = {**instance.data, "outcome": end.task_spec.bpmn_id,
                         "outcome_text": end.task_spec.bpmn_name or ""}
    run_effects(props.get("effects"), EffectContext(session, instance, instance.data))
    # The chain says how the case ended, so that `record_check` can vouch for its status.
    audit.record(session, "instance.end", instance=instance,
                 payload={"status": instance.status, "outcome": end.task_spec.bpmn_id if end else None,
                          "outcome_text": instance.data.get("outcome_text") if end else None})


def sync(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow,
         case_rows: CaseRows | None = None) -> list[WorkItem]:
    """Bring work items, timer jobs and the instance status in line with the workflow.

    Returns the work items created. Raises RoutingError when a new step has nobody to do it.
    `case_rows`: the case's open items and timer jobs when the caller has read them already.
    """
    now = clock.now()
    known = case_rows if case_rows is not None and case_rows.instance_id == instance.id else None
    waits = engine().waits(workflow)  # the timers' effects below change case data, not the workflow
    # Timers first: a fired timer's effects may feed the next step.
    timers, pending = _sync_timers(session, instance, waits, known.timers if known else None)
    routed, still_open = _sync_items(session, instance, waits.ready, now, known.open_items if known else None)
    created = list(routed)
    session.info[_PROJECTED] = Projected(still_open, routed, timers)
    deadlines.sync(session, instance, created, pending)
    for item, users in routed.items():  # told at commit; their candidates need no second read
        notifications.queue_item(session, item, candidates=[user.id for user in users])
    if workflow.is_completed():
        _finish(session, instance, workflow, now)
    instance.updated_at = now
    return created
