"""The check registry and the context every rule check receives.

A user task lists its checks in the diagram (`spiffworkflow:property name="rules"`, e.g.
`meeting:cadre_committee four_musts_closed`). Each check may `prepare` server fields when the
task becomes ready (shown to the approver) and `validate` a submission, returning derived
values (never typed by a user) or raising RuleViolation.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrgUnit
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemKind
from models import WorkItemStatus
from workflows import caching
from workflows.calendar import WorkCalendar
from workflows.calendar import load_calendar
from workflows.engine import clock
from workflows.errors import RuleViolation
from workflows.rules.packs import rule
from workflows.sql import autoflushing


@dataclass
class RuleContext:
    """What a check may look at: the case so far, the database, the calendar, the time."""

    session: Session
    data: dict[str, Any]
    task_name: str
    instance: ProcessInstance | None = None
    owning_unit: OrgUnit | None = None
    actor: User | None = None  # who is starting the case or completing the step
    scope_unit_id: int | None = None  # the unit the step was routed to (e.g. whose 党委会 decides)
    now: datetime = field(default_factory=clock.now)
    _calendar: WorkCalendar | None = None

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = load_calendar(self.session)
        return self._calendar

    @property
    def today(self) -> date:
        return self.now.astimezone(clock.SHANGHAI).date()

    def submission(self, task_name: str) -> dict[str, Any]:
        """The data of the latest completed work item of `task_name` in this case ({} if none)."""
        if self.instance is None or self.instance.id is None:
            return {}
        item = self.session.scalars(
            select(WorkItem)
            .where(
                WorkItem.instance_id == self.instance.id,
                WorkItem.task_name == task_name,
                WorkItem.status == WorkItemStatus.COMPLETED,
                # the step's own submissions: not a 退回/转办 of it, nor a 加签 signer's opinion
                WorkItem.kind == WorkItemKind.TASK,
                WorkItem.action == "complete",
            )
            .order_by(WorkItem.completed_at.desc(), WorkItem.id.desc())
            .limit(1)
        ).first()
        return dict(item.data or {}) if item else {}

    def home_unit(self) -> OrgUnit | None:
        """The case's owning unit (the unit of the person it is about, else the initiator's)."""
        if self.owning_unit is None and self.instance is not None:
            self.owning_unit = self.session.get(OrgUnit, self.instance.owning_unit_id)
        return self.owning_unit

    def user(self, username: str | None) -> User | None:
        if not username:
            return None
        return caching.users_named(self.session, [username]).get(username)


def violation(rule_id: str, message: str | None = None, field: str | None = None) -> RuleViolation:
    """A RuleViolation citing `rule_id`'s source from its rule pack."""
    definition = rule(rule_id)
    return RuleViolation(rule_id, message or definition.text, definition.source, field)


Validate = Callable[[RuleContext, dict[str, Any], str | None], dict[str, Any] | None]
Prepare = Callable[[RuleContext, str | None], dict[str, Any]]


@dataclass(frozen=True)
class Check:
    name: str
    validate: Validate
    prepare: Prepare | None = None
    # The models `prepare` reads; None: any (then it sees every write of the transaction).
    prepare_reads: tuple[type, ...] | None = None


CHECKS: dict[str, Check] = {}


def check(name: str, prepare: Prepare | None = None,
          prepare_reads: tuple[type, ...] | None = None) -> Callable[[Validate], Validate]:
    """Register a validate function (and optional prepare) under `name`. `prepare_reads`: the
    models the prepare hook reads, when it says so (see `prepare_all`)."""

    def register(func: Validate) -> Validate:
        if name in CHECKS:
            raise ValueError(f"check {name} registered twice")
        CHECKS[name] = Check(name, func, prepare, prepare_reads)
        return func

    return register


def parse_specs(spec: str | None) -> list[tuple[str, str | None]]:
    """`"meeting:cadre_committee four_musts"` → [("meeting", "cadre_committee"), ("four_musts", None)]."""
    result = []
    for token in (spec or "").replace(",", " ").split():
        name, _, arg = token.partition(":")
        result.append((name, arg or None))
    return result


def unknown_checks(spec: str | None) -> list[str]:
    """Names in `spec` that no module registered (deploy refuses such diagrams)."""
    return [name for name, _ in parse_specs(spec) if name not in CHECKS]


def prepare_all(spec: str | None, ctx: RuleContext) -> dict[str, Any]:
    """Server fields for a task that just became ready. The hooks read what the transaction
    wrote (the items completed in it), so they autoflush also inside a completion — unless each
    names the models it reads and none of them has a change waiting to be flushed (issue 17: the
    completion's changes are then written once, by its one flush)."""
    prepared: dict[str, Any] = {}
    checks = [(found, arg) for name, arg in parse_specs(spec) if (found := CHECKS[name]).prepare is not None]
    if checks:
        with autoflushing(ctx.session) if _sees_pending(ctx.session, [c for c, _ in checks]) else nullcontext():
            for found, arg in checks:
                assert found.prepare is not None
                prepared.update(found.prepare(ctx, arg))
    return prepared


def _sees_pending(session: Session, checks: list[Check]) -> bool:
    """Whether a prepare hook may read a change of this transaction not yet flushed."""
    if any(c.prepare_reads is None for c in checks):
        return True
    read = tuple(model for c in checks for model in c.prepare_reads or ())
    return any(isinstance(obj, read) for obj in (*session.new, *session.dirty, *session.deleted))


def validate_all(spec: str | None, ctx: RuleContext, form: dict[str, Any]) -> dict[str, Any]:
    """Run every check on a submission; return the derived values to store with it."""
    derived: dict[str, Any] = {}
    for name, arg in parse_specs(spec):
        result = CHECKS[name].validate(ctx, {**form, **derived}, arg)
        if result:
            derived.update(result)
    return derived
