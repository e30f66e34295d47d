"""A small facade over SpiffWorkflow: parse, start, load, dump, run, complete.

Collaborators (script environment, serializer registry) are built here once and passed in;
nothing reads application config. Instances are stored *without* their spec ("state-only"):
the spec comes from the deployed definition, which halves the row and the load time
(reference/spiffworkflow.md §2.9) and pins every instance to the version it started on.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow as BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import WorkflowConverter
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent as StartEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.exceptions import TaskNotFoundException as TaskNotFoundException
from SpiffWorkflow.spiff.parser.process import VALIDATOR
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task as Task
from SpiffWorkflow.util.task import TaskState as TaskState

from workflows.engine.clock import install_spiff_clock
from workflows.engine.multi_instance import ApprovalScriptEngine
from workflows.engine.multi_instance import lazy_wiring_problems
from workflows.engine.multi_instance import wire_merges
from workflows.errors import DiagramInvalid
from workflows.errors import ScriptError

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = [
    "SAFE_BUILTINS",
    "TaskState",
    "clock",
    "definitions",
    "locking",
    "runtime",
]

SERIALIZER_VERSION = BpmnWorkflowSerializer().VERSION

# What diagram scripts and conditions may use. No import, open, eval, getattr, type...
SAFE_BUILTINS: dict[str, Any] = {
    name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
    for name in (
        "abs", "all", "any", "bool", "dict", "enumerate", "float", "int", "len", "list", "max",
        "min", "range", "round", "set", "sorted", "str", "sum", "tuple", "zip", "isinstance",
    )
}


@dataclass(frozen=True)
class ParsedProcess:
    """A parsed, validated process ready to run: the spec and the specs of its subprocesses."""

    key: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]


class _StateOnlyConverter(BpmnWorkflowConverter):
    """Serializes a workflow without its spec; restoring needs the spec passed back in."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(
        self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None
    ) -> BpmnWorkflow:
        from uuid import UUID

        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _StateOnlyConverter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return BpmnWorkflowSerializer(registry)


class WorkflowEngine:
    """Runs BPMN processes. One instance per process; it holds no per-case state."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None) -> None:
        install_spiff_clock()
        env = {"__builtins__": SAFE_BUILTINS, **(helpers or {})}
        self.script_engine = ApprovalScriptEngine(environment=TaskDataEnvironment(env))
        self.serializer = _make_serializer()

    def parse(self, xml: str, filename: str) -> list[ParsedProcess]:
        """Parse and validate one BPMN document; return every executable process in it.

        Raises DiagramInvalid with the parser's message when the XML or the BPMN is wrong.
        """
        parser = SpiffBpmnParser(validator=VALIDATOR)
        try:
            parser.add_bpmn_str(xml.encode("utf-8"), filename=filename)
            processes = []
            for key in parser.get_process_ids():
                spec = parser.get_spec(key)
                processes.append(ParsedProcess(key, spec.description or key, spec, parser.get_subprocess_specs(key)))
        except (SpiffWorkflowException, ValueError, SyntaxError) as exc:
            raise DiagramInvalid(f"{filename}: {exc}") from exc
        for process in processes:
            _make_read_only(process, filename)
        return processes

    def start(self, process: ParsedProcess, data: Mapping[str, Any]) -> BpmnWorkflow:
        """A new workflow with `data` on its start task, run to the first wait."""
        workflow = BpmnWorkflow(process.spec, process.subprocess_specs, script_engine=self.script_engine)
        workflow.task_tree.set_data(**data)
        self.run(workflow)
        return workflow

    def load(self, process: ParsedProcess, state: str) -> BpmnWorkflow:
        """Restore a workflow saved by `dump` onto its (cached) spec."""
        import json

        dct = json.loads(state)
        dct.pop(BpmnWorkflowSerializer.VERSION_KEY, None)
        workflow: BpmnWorkflow = self.serializer.registry.restore(
            dct, spec=process.spec, subprocess_specs=process.subprocess_specs
        )
        workflow.script_engine = self.script_engine  # the engine is never serialized
        return workflow

    def dump(self, workflow: BpmnWorkflow) -> str:
        """The workflow state as JSON, without the spec."""
        return str(self.serializer.serialize_json(workflow))

    def run(self, workflow: BpmnWorkflow) -> None:
        """Fire due timers and run engine tasks until every branch waits for a person or a timer."""
        with _script_errors():
            workflow.refresh_timers()
            workflow.do_engine_steps()

    def complete(self, workflow: BpmnWorkflow, task: Task, data: Mapping[str, Any]) -> None:
        """Put form data on a READY user task, complete it and run on to the next wait."""
        with _script_errors():
            task.set_data(**data)
            task.run()
        self.run(workflow)

    @staticmethod
    def ready_user_tasks(workflow: BpmnWorkflow) -> list[Task]:
        return list(workflow.get_tasks(state=TaskState.READY, manual=True))

    @staticmethod
    def waiting_timers(workflow: BpmnWorkflow) -> list[tuple[Task, datetime]]:
        """Every waiting timer event with its due time (UTC)."""
        return _timers(workflow.get_tasks(state=TaskState.WAITING, spec_class=CatchingEvent))

    @staticmethod
    def fired_timers(workflow: BpmnWorkflow) -> list[tuple[Task, datetime]]:
        """Every timer event that has fired, with its due time (UTC)."""
        # Filter in Python: a state filter skips tasks below unfinished ones (reference G4).
        tasks = workflow.get_tasks(spec_class=CatchingEvent)
        return _timers(task for task in tasks if task.state == TaskState.COMPLETED)

    @staticmethod
    def waits(workflow: BpmnWorkflow) -> Waits:
        """`ready_user_tasks`, `waiting_timers` and `fired_timers` in one walk of the task tree
        (what the projection reads after every run). The walk visits every task, in the order
        the filtered walks visit theirs: a READY or WAITING task is never below a predicted one,
        so their filters prune nothing they would find."""
        ready, waiting, fired = [], [], []
        for task in workflow.get_tasks():
            state = task.state
            if state == TaskState.READY:
                if task.task_spec.manual:
                    ready.append(task)
            elif state == TaskState.WAITING:
                if isinstance(task.task_spec, CatchingEvent):
                    waiting.append(task)
            elif state == TaskState.COMPLETED and isinstance(task.task_spec, CatchingEvent):
                fired.append(task)
        return Waits(ready, _timers(waiting), _timers(fired))


@dataclass(frozen=True)
class Waits:
    """Where a workflow waits after a run (`WorkflowEngine.waits`)."""

    ready: list[Task]
    waiting_timers: list[tuple[Task, datetime]]
    fired_timers: list[tuple[Task, datetime]]


def _make_read_only(process: ParsedProcess, filename: str) -> None:
    """Do now what SpiffWorkflow would otherwise do to the spec while a case runs, so the spec
    never changes after parsing and any thread or process may run any case on it (G18)."""
    specs = [process.spec, *process.subprocess_specs.values()]
    problems = [problem for spec in specs for problem in lazy_wiring_problems(spec)]
    if problems:
        raise DiagramInvalid(f"{filename}: " + "; ".join(problems))
    for spec in specs:
        wire_merges(spec)


def _timers(tasks: Iterable[Task]) -> list[tuple[Task, datetime]]:
    found = []
    for task in tasks:
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, TimerEventDefinition):
            continue
        value = definition.details(task).value
        if isinstance(value, str):
            found.append((task, TimerEventDefinition.get_datetime(value)))
    return found


@contextmanager
def _script_errors() -> Iterator[None]:
    """Turn SpiffWorkflow's task exceptions into ScriptError with the task and line."""
    try:
        yield
    except WorkflowTaskException as exc:
        task = exc.task.task_spec.bpmn_id if exc.task else None
        raise ScriptError(str(exc), task=task, line=exc.line_number) from exc
    except SpiffWorkflowException as exc:
        raise ScriptError(str(exc)) from exc
