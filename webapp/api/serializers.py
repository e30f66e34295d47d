"""JSON shapes of the API (DESIGN §10). Times are ISO 8601 in Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import AuditEvent
from models import CaseCC
from models import ProcessDefinition
from models import ProcessInstance
from models import TimerJob
from models import User
from models import WorkItem
from workflows import timers
from workflows.cases import tasks
from workflows.engine import clock
from workflows.routing import delegation


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(clock.SHANGHAI).isoformat() if moment else None


def username(user: User | None) -> str | None:
    return user.username if user else None


def process_json(definition: ProcessDefinition) -> dict[str, Any]:
    return {"key": definition.key, "version": definition.version, "name": definition.name,
            "deployed_at": iso(definition.deployed_at)}


def item_json(session: Session, item: WorkItem, with_instance: bool = True,
              candidates: list[User] | None = None) -> dict[str, Any]:
    """A work item; pass `candidates` when they were read for a whole page (`items_json`)."""
    if candidates is None:
        candidates = tasks.candidates_of(session, item)
    body: dict[str, Any] = {
        "id": item.id,
        "instance_id": item.instance_id,
        "task": item.task_name,
        "title": item.title,
        "status": item.status,
        "assignee": username(item.assignee),
        "candidates": [u.username for u in candidates],
        "due_at": iso(item.due_at),
        "created_at": iso(item.created_at),
        "completed_at": iso(item.completed_at),
        "completed_by": username(item.completed_by),
        "acted_for": username(item.acted_for),
        "action": item.action,
        "decision": item.decision,
        "comment": item.comment,
        "kind": item.kind,
        "parent_id": item.parent_id,
        "sign_position": item.sign_position,
        "on_hold": item.on_hold,
    }
    if with_instance:
        body["instance"] = {"number": item.instance.number, "title": item.instance.title,
                            "process": item.instance.definition.key}
    return body


def items_json(session: Session, items: list[WorkItem], with_instance: bool = True) -> list[dict[str, Any]]:
    """Several work items, their candidates read in one query."""
    candidates = tasks.candidates_by_item(session, items)
    return [item_json(session, item, with_instance, candidates.get(item.id, [])) for item in items]


def instance_summary(instance: ProcessInstance) -> dict[str, Any]:
    return {
        "id": instance.id,
        "number": instance.number,
        "process": instance.definition.key,
        "version": instance.definition.version,
        "title": instance.title,
        "status": instance.status,
        "initiator": instance.initiator.username,
        "created_at": iso(instance.created_at),
        "completed_at": iso(instance.completed_at),
    }


def instance_json(session: Session, instance: ProcessInstance) -> dict[str, Any]:
    """A case with its open items (candidates read in one query) and its timers."""
    return _instance_json(session, instance)[0]


def _instance_json(session: Session, instance: ProcessInstance, also: WorkItem | None = None,
                   known: tuple[list[WorkItem], dict[int, list[User]], list[TimerJob]] | None = None,
                   ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    if known is None:
        open_items = tasks.open_items(session, instance)
        candidates = tasks.candidates_by_item(session, [*open_items, *([also] if also is not None else [])])
        jobs = timers.timers_of(session, instance.id)
    else:
        open_items, candidates, jobs = known
    body = instance_summary(instance)
    body.update(
        subject=username(instance.subject_user),
        revision=instance.revision,
        data=instance.data,
        work_items=[item_json(session, i, False, candidates.get(i.id, [])) for i in open_items],
        timers=[{"task": job.task_name, "due_at": iso(job.due_at)} for job in jobs],
    )
    return body, item_json(session, also, True, candidates.get(also.id, [])) if also is not None else None


def completion_json(session: Session, item: WorkItem) -> dict[str, Any]:
    """The answer to completing `item`: the item as handled and its case as it is now — built from
    the objects the completion left in the session when it projected the case (issue 17)."""
    instance, done = _instance_json(session, item.instance, item, tasks.completed_case(session, item))
    return {"item": done, "instance": instance}


def event_json(session: Session, evt: AuditEvent, users: dict[int, User]) -> dict[str, Any]:
    return {
        "id": evt.id,
        "seq": evt.seq,
        "at": iso(evt.at),
        "actor": username(users.get(evt.actor_id)) if evt.actor_id else None,
        "acted_for": username(users.get(evt.acted_for_id)) if evt.acted_for_id else None,
        "actor_label": delegation.signature(users.get(evt.actor_id) if evt.actor_id else None,
                                            users.get(evt.acted_for_id) if evt.acted_for_id else None),
        "action": evt.action,
        "task": evt.payload.get("task"),
        "work_item_id": evt.work_item_id,
        "data": evt.payload,
    }


def cc_json(session: Session, cc: CaseCC, instance: ProcessInstance) -> dict[str, Any]:
    """A 抄送我的 entry: the case, who CC'd it, when, and whether it was read."""
    by = session.get(User, cc.by_id) if cc.by_id else None
    return {**instance_summary(instance), "cc_by": username(by), "cc_note": cc.note, "cc_at": iso(cc.created_at),
            "read_at": iso(cc.read_at)}
