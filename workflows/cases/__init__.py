"""Starting a case, and reading one (DESIGN §3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from models import NumberSequence
from models import OrgUnit
from models import ProcessDefinition
from models import ProcessInstance
from models import User
from workflows import audit
from workflows import rules
from workflows.cases import forms
from workflows.cases import store
from workflows.engine import SERIALIZER_VERSION
from workflows.engine import clock
from workflows.engine import definitions
from workflows.errors import NotAllowed
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.routing import permissions
from workflows.rules import recusal

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = [
    "attachments",
    "batch",
    "check_start",
    "forms",
    "get",
    "prefill",
    "stalled",
    "start",
    "store",
    "tasks",
]


@dataclass
class Parties:
    subject: User | None
    owning_unit: OrgUnit


def next_number(session: Session, prefix: str) -> str:
    """The next business number for a prefix this year, e.g. TB-2026-0007 (gap-free per year)."""
    year = clock.today_local().year
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(NumberSequence).values(prefix=prefix, year=year, last=0).on_conflict_do_nothing())
    last = session.execute(
        update(NumberSequence)
        .where(NumberSequence.prefix == prefix, NumberSequence.year == year)
        .values(last=NumberSequence.last + 1)
        .returning(NumberSequence.last)
    ).scalar_one()
    return f"{prefix}-{year}-{last:04d}"


def _parties(session: Session, meta: dict[str, str], data: dict[str, Any], initiator: User) -> Parties:
    """The person the case is about and the owning unit (their unit, else the initiator's)."""
    subject = None
    variable = meta.get("subjectVariable")
    if variable and data.get(variable):
        subject = session.scalars(select(User).where(User.username == data[variable])).first()
        if subject is None:
            raise ValidationFailed("人员不存在", {variable: [f"找不到人员“{data[variable]}”"]})
    unit_variable = meta.get("subjectUnitVariable")
    unit = None
    if unit_variable and data.get(unit_variable):
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == data[unit_variable])).first()
        if unit is None:
            raise ValidationFailed("单位不存在", {unit_variable: [f"找不到单位“{data[unit_variable]}”"]})
    unit_id = (unit.id if unit else None) or (subject.unit_id if subject else None) or initiator.unit_id
    owning = session.get(OrgUnit, unit_id) if unit_id else None
    if owning is None:
        raise NotAllowed("发起人未归属任何组织，无法发起流程")
    return Parties(subject, owning)


def _title(meta: dict[str, str], case: dict[str, Any], definition: ProcessDefinition) -> str:
    template = meta.get("titleTemplate") or definition.name
    try:
        return template.format_map(case)[:200]
    except (KeyError, ValueError):
        return definition.name


@dataclass
class Checked:
    """A start form that passed every check `start` runs, with the case data it would start."""

    definition: ProcessDefinition
    parties: Parties
    case: dict[str, Any]


def check_start(session: Session, key: str, data: Any, initiator: User) -> Checked:
    """Every check a start runs, writing nothing (also the route preview's checks): the
    initiator may start `key` (NotAllowed), the form (ValidationFailed, 422), the people and
    unit it names, R-C1 and the start rules (RuleViolation)."""
    definition = definitions.latest(session, key)
    assets = definitions.assets(definition)
    meta = assets["start"]
    if not permissions.may_start(session, initiator, meta.get("starterRoles")):
        raise permissions.start_refused(definition.name, meta.get("starterRoles"))
    form = forms.validate(assets["forms"], meta["formJsonSchemaFilename"], data, definition.content_hash)
    parties = _parties(session, meta, form, initiator)
    recusal.check_initiator(session, parties.subject, initiator)  # R-C1: not about oneself or a relative
    ctx = rules.RuleContext(session, data=form, task_name="start", owning_unit=parties.owning_unit, actor=initiator)
    case = {**form, **rules.validate_all(meta.get("rules"), ctx, form)}
    case.update(initiator=initiator.username, owning_unit=parties.owning_unit.code,
                subject_name=parties.subject.name if parties.subject else "")
    return Checked(definition, parties, case)


def start(session: Session, key: str, data: Any, initiator: User) -> ProcessInstance:
    """Start a case of the latest version of `key` with the start form `data`.

    Runs `check_start` (NotAllowed, ValidationFailed, RuleViolation), then runs the case to its
    first wait and projects work items.
    """
    checked = check_start(session, key, data, initiator)
    definition, parties, case = checked.definition, checked.parties, checked.case
    meta = definitions.assets(definition)["start"]
    instance = ProcessInstance(
        definition_id=definition.id, number=next_number(session, meta["numberPrefix"]),
        title=_title(meta, case, definition), initiator_id=initiator.id, initiator=initiator,
        subject_user_id=parties.subject.id if parties.subject else None, subject_user=parties.subject,
        owning_unit_id=parties.owning_unit.id, data=case, state="{}", serializer_version=SERIALIZER_VERSION,
        created_at=clock.now(),
    )
    session.add(instance)
    session.flush()
    store.save(session, instance, store.begin(definition, case))
    audit.record(session, "instance.start", actor=initiator, instance=instance,
                 payload={"number": instance.number, "process": key, "version": definition.version, "data": case})
    return instance


def get(session: Session, viewer: User, instance_id: int) -> ProcessInstance:
    """An instance the viewer may see; raises NotFound or NotAllowed."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"流程实例 {instance_id} 不存在")
    permissions.require_view(session, viewer, instance)
    return instance
