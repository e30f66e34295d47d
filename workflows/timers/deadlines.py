"""Deadlines of work items (DESIGN §3): a reminder before, an overdue notice and escalation after.

This is the one mechanism for 提醒 and 督办; diagrams model no reminder timers. A user task with
`dueInWorkingDays` (or `dueDateVariable`) gives its work item a `due_at` on the working-day
calendar (`projection`). Each such item gets two jobs in `timer_job`, fired by the same worker
and path as BPMN timers:

- `due_soon` at 09:00 (Asia/Shanghai) of the last day, or `remindBeforeWorkingDays` working
  days before it, when that is still ahead: the handlers are told the step is about to fall due;
- `overdue` at `due_at`: the handlers are told, and when the task names `escalateTo` those
  people get the case 抄送 with a 督办 notice. `escalateTo` is a role relative to the unit the
  step is routed to: `org_head` (that unit's 组织部长), `org_officer@parent` (its parent unit's
  组织员), `org_officer@group` (the nearest group unit at or above it). One audit event
  `task.overdue`.

Jobs belong to the step (`task_id`), not to one item: a 转办 or 加签 keeps the deadline. When a
step has no open item left its pending jobs are cancelled at the next projection.
"""

from __future__ import annotations

from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from models import CaseCC
from models import OrgUnit
from models import ProcessInstance
from models import TimerJob
from models import TimerStatus
from models import User
from models import WorkItem
from models import WorkItemStatus
from workflows import audit
from workflows.calendar import WorkCalendar
from workflows.calendar import load_calendar
from workflows.engine import clock
from workflows.engine import definitions
from workflows.notify import notifications
from workflows.routing import assignment

DUE_SOON = "due_soon"
OVERDUE = "overdue"
KINDS = (DUE_SOON, OVERDUE)
REMIND_AT = time(9, 0)


def _properties(instance: ProcessInstance, task_name: str) -> dict[str, str]:
    return definitions.properties(definitions.task_spec(definitions.runtime(instance.definition), task_name))


def reminder_time(due_at: datetime, calendar: WorkCalendar, before_working_days: int = 0) -> datetime:
    """09:00 Asia/Shanghai, `before_working_days` working days before the last day (0: on the
    last day itself; due times are 00:00 of the day after the last day)."""
    last_day = (due_at.astimezone(clock.SHANGHAI) - timedelta(seconds=1)).date()
    return datetime.combine(calendar.working_days_before(last_day, before_working_days), REMIND_AT, clock.SHANGHAI)


def _schedule(session: Session, instance: ProcessInstance, item: WorkItem, now: datetime) -> None:
    assert item.due_at is not None
    before = int(_properties(instance, item.task_name).get("remindBeforeWorkingDays", 0))
    remind_at = reminder_time(item.due_at, load_calendar(session), before)
    # A deadline in hours (SR-1) may fall before 09:00 of its own day: no reminder after it.
    jobs = [(OVERDUE, item.due_at)] + ([(DUE_SOON, remind_at)] if now < remind_at < item.due_at else [])
    for kind, due in jobs:
        session.add(TimerJob(instance_id=instance.id, kind=kind, task_id=item.task_id, task_name=item.task_name,
                             due_at=due, created_at=now))


def sync(session: Session, instance: ProcessInstance, created: list[WorkItem],
         pending: list[TimerJob] | None = None) -> None:
    """Schedule the jobs of new items with a deadline; cancel those of steps no longer open.

    `pending` is the case's pending deadline jobs when the caller has read them already
    (`projection.sync`): with none there is nothing to cancel and no UPDATE is sent.
    """
    now = clock.now()
    if pending is None or pending:
        _cancel_closed_steps(session, instance, pending or [])
    for item in created:
        if item.due_at is not None:
            _schedule(session, instance, item, now)


def _cancel_closed_steps(session: Session, instance: ProcessInstance, loaded: list[TimerJob]) -> None:
    session.flush()  # the UPDATE asks the database which items are open (the caller may not autoflush)
    open_tasks = select(WorkItem.task_id).where(WorkItem.instance_id == instance.id,
                                                WorkItem.status == WorkItemStatus.OPEN)
    session.execute(
        update(TimerJob)
        .where(TimerJob.instance_id == instance.id, TimerJob.kind.in_(KINDS), TimerJob.status == TimerStatus.PENDING,
               TimerJob.task_id.not_in(open_tasks))
        .values(status=TimerStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    for job in loaded:  # read before the UPDATE: their status may be stale now
        session.expire(job)


def _escalation_targets(session: Session, instance: ProcessInstance, item: WorkItem, lane_name: str) -> list[User]:
    """The holders of `escalateTo`, relative to the unit the step is routed to (the owning unit
    for a step whose lane has none, such as `assignees`)."""
    lane = assignment.parse_relative_lane(lane_name)
    unit = session.get(OrgUnit, item.scope_unit_id or instance.owning_unit_id)
    if unit is not None and lane.level == "parent":
        unit = unit.parent
    elif unit is not None and lane.level:
        unit = assignment.unit_at_level(session, unit, lane.level)
    return assignment.users_with_role(session, lane.role or "", unit.id) if unit is not None else []


def _escalate(session: Session, instance: ProcessInstance, item: WorkItem) -> list[str]:
    lane = _properties(instance, item.task_name).get("escalateTo")
    if not lane:
        return []
    targets = _escalation_targets(session, instance, item, lane)
    known = set(session.scalars(select(CaseCC.user_id).where(CaseCC.instance_id == instance.id)))
    for user in targets:
        if user.id not in known:
            session.add(CaseCC(instance_id=instance.id, user_id=user.id, note="逾期督办", created_at=clock.now()))
    notifications.notify(session, [u.id for u in targets], "escalation", instance=instance, item=item,
                         body=f"“{item.title}”已超过办理期限，请督促办理")
    return [u.username for u in targets]


def fire(session: Session, job: TimerJob, instance: ProcessInstance) -> bool:
    """Send the reminder or overdue notice of a deadline job (instance locked by the caller);
    False when the step is no longer open."""
    items = list(session.scalars(
        select(WorkItem).where(WorkItem.instance_id == instance.id, WorkItem.task_id == job.task_id,
                               WorkItem.status == WorkItemStatus.OPEN, WorkItem.on_hold.is_(False))
        .order_by(WorkItem.id)
    ))
    if not items:
        return False
    for item in items:
        notifications.notify(session, notifications.handlers_of(session, item), job.kind, instance=instance,
                             item=item, body=f"办理期限：{item.due_at.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}"
                             if item.due_at else None)
    if job.kind == OVERDUE:
        escalated = _escalate(session, instance, items[0])
        audit.record(session, "task.overdue", instance=instance, work_item=items[0],
                     payload={"task": job.task_name, "due_at": job.due_at.isoformat(), "escalated_to": escalated})
    return True
