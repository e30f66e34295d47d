"""Deploying and validating diagrams, and the per-process cache of parsed specs.

A definition row holds the BPMN XML and a snapshot of every form it uses, so an instance
keeps exactly the forms and spec it started with. A new version is stored only when the
content hash (XML + forms) changes.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ProcessDefinition
from models import User
from workflows import audit
from workflows.effects import unknown_effects
from workflows.engine import ParsedProcess
from workflows.engine.runtime import engine
from workflows.errors import DiagramInvalid
from workflows.errors import ProcessNotFound
from workflows.routing.assignment import parse_lane
from workflows.routing.assignment import parse_relative_lane
from workflows.rules import unknown_checks

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
END_STATUSES = {"completed", "rejected"}


@dataclass
class DeployResult:
    key: str
    version: int
    created: bool


@dataclass
class CheckedFile:
    """A validated BPMN file: its startable processes and the assets to store with them."""

    path: Path
    xml: str
    processes: list[ParsedProcess]
    forms: dict[str, dict[str, Any]]
    starts: dict[str, dict[str, str]]


def properties(task_spec: Any) -> dict[str, str]:
    """The `spiffworkflow:property` values of a task spec ({} for specs without extensions)."""
    extensions = getattr(task_spec, "extensions", None) or {}
    return dict(extensions.get("properties") or {})


def _start_spec(process: ParsedProcess) -> Any:
    starts = [s for s in process.spec.task_specs.values() if type(s).__name__ == "StartEvent"]
    return starts[0] if starts else None


def _load_form(forms_dir: Path, name: str, found: dict[str, dict[str, Any]]) -> None:
    # Imported here: workflows.cases imports this module (store → projection), so importing
    # workflows.cases at the top made `import workflows.engine.definitions` alone fail.
    from workflows.cases import forms as forms_mod

    if name in found:
        return
    path = forms_dir / name
    if not path.is_file():
        raise DiagramInvalid(f"form {name} not found in {forms_dir}")
    schema = json.loads(path.read_text(encoding="utf-8"))
    forms_mod.check_schema(name, schema)
    found[name] = schema
    for ref in forms_mod.referenced_files(schema):
        _load_form(forms_dir, ref, found)


def _deadline_problems(props: dict[str, str]) -> list[str]:
    """`dueInWorkingDays` / `remindBeforeWorkingDays` are whole numbers of working days; a reminder
    offset or an `escalateTo` needs a deadline, and `escalateTo` a role relative to the step's unit."""
    problems = [f"{key} must be a whole number of working days, not {props[key]!r}"
                for key in ("dueInWorkingDays", "remindBeforeWorkingDays")
                if key in props and not props[key].isdigit()]
    has_deadline = "dueInWorkingDays" in props or "dueDateVariable" in props
    problems.extend(f"{key} without dueInWorkingDays or dueDateVariable"
                    for key in ("remindBeforeWorkingDays", "escalateTo") if key in props and not has_deadline)
    if "escalateTo" in props:
        try:
            parse_relative_lane(props["escalateTo"])
        except ValueError as exc:
            problems.append(f"escalateTo: {exc}")
    return problems


def _check_task(spec: Any, forms_dir: Path, found: dict[str, dict[str, Any]], problems: list[str]) -> None:
    props = properties(spec)
    name = spec.bpmn_id or spec.name
    if getattr(spec, "manual", False):
        try:
            parse_lane(spec.lane)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
        if "formJsonSchemaFilename" not in props:
            problems.append(f"{name}: user task without formJsonSchemaFilename")
    if "formJsonSchemaFilename" in props:
        try:
            _load_form(forms_dir, props["formJsonSchemaFilename"], found)
        except DiagramInvalid as exc:
            problems.append(f"{name}: {exc.message}")
    problems.extend(f"{name}: unknown rule check {c!r}" for c in unknown_checks(props.get("rules")))
    problems.extend(f"{name}: unknown effect {e!r}" for e in unknown_effects(props.get("effects")))
    problems.extend(f"{name}: {p}" for p in _deadline_problems(props))
    if type(spec).__name__ == "EndEvent" and props.get("status", "completed") not in END_STATUSES:
        problems.append(f"{name}: end status must be one of {sorted(END_STATUSES)}")


def check_file(path: Path) -> CheckedFile:
    """Parse and validate one BPMN file and the forms it references; raise DiagramInvalid."""
    xml = path.read_text(encoding="utf-8")
    parsed = engine().parse(xml, path.name)
    forms: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    starts: dict[str, dict[str, str]] = {}
    for process in parsed:
        specs = [process.spec, *process.subprocess_specs.values()]
        for spec in (s for wf in specs for s in wf.task_specs.values()):
            _check_task(spec, path.parent / "forms", forms, problems)
        start = properties(_start_spec(process))
        if "numberPrefix" in start:
            if "formJsonSchemaFilename" not in start:
                problems.append(f"{process.key}: start event needs formJsonSchemaFilename")
            starts[process.key] = start
    if problems:
        raise DiagramInvalid(f"{path.name}: " + "; ".join(problems))
    startable = [p for p in parsed if p.key in starts]
    return CheckedFile(path, xml, startable, forms, starts)


def content_hash(xml: str, forms: dict[str, dict[str, Any]]) -> str:
    digest = hashlib.sha256(xml.encode("utf-8"))
    digest.update(json.dumps(forms, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def bpmn_files(directory: Path = BPMN_DIR) -> list[Path]:
    return sorted(directory.glob("*.bpmn"))


def validate_all(directory: Path = BPMN_DIR) -> list[CheckedFile]:
    """Validate every diagram; raises DiagramInvalid listing the first bad file's problems."""
    return [check_file(path) for path in bpmn_files(directory)]


def _deploy_process(session: Session, checked: CheckedFile, process: ParsedProcess, actor: User | None) -> DeployResult:
    digest = content_hash(checked.xml, checked.forms)
    existing = session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.key == process.key, ProcessDefinition.content_hash == digest)
    ).first()
    if existing is not None:
        return DeployResult(process.key, existing.version, False)
    last = session.scalar(select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == process.key))
    definition = ProcessDefinition(
        key=process.key,
        version=(last or 0) + 1,
        name=process.name,
        content_hash=digest,
        filename=checked.path.name,
        bpmn_xml=checked.xml,
        assets={"forms": checked.forms, "start": checked.starts[process.key]},
        deployed_by_id=actor.id if actor else None,
    )
    session.add(definition)
    session.flush()
    audit.record(session, "definition.deploy", actor=actor,
                 payload={"key": process.key, "version": definition.version, "hash": digest})
    return DeployResult(process.key, definition.version, True)


def deploy_all(session: Session, directory: Path = BPMN_DIR, actor: User | None = None) -> list[DeployResult]:
    """Validate every diagram, then store a new version of each process whose content changed."""
    results: list[DeployResult] = []
    for checked in validate_all(directory):
        results.extend(_deploy_process(session, checked, process, actor) for process in checked.processes)
    return results


def latest(session: Session, key: str) -> ProcessDefinition:
    """The newest deployed version of a process; raises ProcessNotFound."""
    definition = session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.key == key).order_by(ProcessDefinition.version.desc()).limit(1)
    ).first()
    if definition is None:
        raise ProcessNotFound(f"没有已部署的流程“{key}”")
    return definition


def all_latest(session: Session) -> list[ProcessDefinition]:
    """The newest version of every deployed process, by key."""
    newest = (
        select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
        .group_by(ProcessDefinition.key)
        .subquery()
    )
    return list(
        session.scalars(
            select(ProcessDefinition)
            .join(newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.version))
            .order_by(ProcessDefinition.key)
        )
    )


_specs: dict[tuple[int, str], ParsedProcess] = {}
_specs_lock = threading.Lock()
_assets: dict[tuple[int, str], dict[str, Any]] = {}


def assets(definition: ProcessDefinition) -> dict[str, Any]:
    """The definition's forms and start metadata, decoded once per process and shared by its
    threads: read only. A case's lock leaves the column unloaded (`locking.CASE_LOADS`), as its
    21 KB of JSON cost a completion ~0.3 ms to fetch and decode (issue 17)."""
    key = (definition.id, definition.content_hash)
    found = _assets.get(key)
    if found is None:
        found = _assets[key] = definition.assets  # a race loads it twice, alike; either is kept
    return found


def runtime(definition: ProcessDefinition) -> ParsedProcess:
    """The parsed spec of a definition version, parsed once per process and shared by its threads.

    Sharing is safe because parsing leaves nothing for SpiffWorkflow to wire while a case runs
    (`engine.WorkflowEngine.parse`, reference/spiffworkflow.md G18): a spec is read-only.
    """
    key = (definition.id, definition.content_hash)  # ids can be reused once a row is deleted (tests)
    found = _specs.get(key)
    if found is None:
        with _specs_lock:
            found = _specs.get(key)
            if found is None:
                parsed = engine().parse(definition.bpmn_xml, definition.filename)
                found = _specs[key] = next(p for p in parsed if p.key == definition.key)
    return found


def task_spec(process: ParsedProcess, name: str) -> Any:
    """The task spec with BPMN id `name` in a process or its subprocesses.

    For a multi-instance task that is the spec of its instances ("<id> [child]"), which holds
    the lane, the form and the rules; the wrapper named `<id>` holds none of them.
    """
    for spec in [process.spec, *process.subprocess_specs.values()]:
        for key in (f"{name} [child]", name):
            if key in spec.task_specs:
                return spec.task_specs[key]
    raise KeyError(name)
