"""Route preview (发起 → 流程预览): the steps a new case would take and who would get each.

The path is read from the diagram's sequence flows. At a gateway, conditions on what the start
form already says are evaluated for real; conditions on later decisions assume each step agrees
(the path a case takes when nobody objects). Candidates are resolved with `assignment.resolve`
exactly as the engine will, from the owning unit the start form gives (the subject's unit, else
the initiator's).
"""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrgUnit
from models import ProcessDefinition
from models import User
from webapp.pages.diagram.model import MODEL
from workflows.engine import SAFE_BUILTINS
from workflows.engine import runtime
from workflows.errors import WorkflowError
from workflows.labels import lane_title
from workflows.routing import assignment
from workflows.rules import recusal

SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
USER_TASKS = {"userTask", "manualTask"}
MAX_STEPS = 60


class _Unknown:
    """A condition that cannot be decided yet; `later` when it waits on a later step's decision."""

    def __init__(self, later: bool) -> None:
        self.later = later


@dataclass
class Step:
    id: str
    name: str
    kind: str  # task | timer | call | end
    lane: str = ""
    lane_title: str = ""
    unit: str = ""
    candidates: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class _Case:
    """What `assignment.resolve` reads from an instance, for a case that does not exist yet."""

    initiator: User
    subject_user: User | None
    owning_unit_id: int
    titles: dict[str, str] = field(default_factory=dict)  # start form field → its title
    choices: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # field → its (value, title) options


@dataclass
class _Graph:
    nodes: dict[str, ET.Element]
    flows: dict[str, list[ET.Element]]
    lanes: dict[str, str]
    defaults: set[str]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _graph(xml: str, key: str) -> _Graph:
    root = ET.fromstring(xml)
    process = next(p for p in root.iter(f"{{{MODEL}}}process") if p.get("id") == key)
    nodes: dict[str, ET.Element] = {}
    flows: dict[str, list[ET.Element]] = {}
    lanes: dict[str, str] = {}
    for element in process.iter():
        tag = _local(element.tag)
        if tag == "sequenceFlow":
            flows.setdefault(element.get("sourceRef", ""), []).append(element)
        elif tag == "lane":
            for ref in element.findall(f"{{{MODEL}}}flowNodeRef"):
                lanes[(ref.text or "").strip()] = element.get("name", "")
        elif element.get("id") and tag not in ("laneSet", "flowNodeRef", "extensionElements"):
            nodes[element.get("id", "")] = element
    defaults = {el.get("default", "") for el in nodes.values() if el.get("default")}
    return _Graph(nodes, flows, lanes, defaults)


def _props(element: ET.Element) -> dict[str, str]:
    return {p.get("name", ""): p.get("value", "") for p in element.iter(f"{{{SPIFF}}}property")}


def _evaluate(node: ast.expr, data: dict[str, Any], start_fields: set[str]) -> bool | _Unknown:
    """Three-valued evaluation: and/or/not over leaves the script engine decides when it can."""
    if isinstance(node, ast.BoolOp):
        values = [_evaluate(v, data, start_fields) for v in node.values]
        decided = [v for v in values if isinstance(v, bool)]
        short = isinstance(node.op, ast.Or)  # `or` is decided by a True, `and` by a False
        if short in decided:
            return short
        unknown = [v for v in values if isinstance(v, _Unknown)]
        return _Unknown(any(u.later for u in unknown)) if unknown else not short
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _evaluate(node.operand, data, start_fields)
        return inner if isinstance(inner, _Unknown) else not inner
    missing = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - set(data)
    missing -= set(runtime.engine().script_engine.environment.globals) | set(SAFE_BUILTINS)
    if missing:
        return _Unknown(later=bool(missing - start_fields))
    try:
        return bool(runtime.engine().script_engine.environment.evaluate(ast.unparse(node), dict(data)))
    except Exception:  # any failing condition is simply "not known yet"
        return _Unknown(later=True)


def _condition(flow: ET.Element, data: dict[str, Any], start_fields: set[str]) -> bool | _Unknown | None:
    expression = flow.find(f"{{{MODEL}}}conditionExpression")
    text = (expression.text or "").strip() if expression is not None else ""
    if not text:
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return _Unknown(later=True)
    return _evaluate(tree.body, data, start_fields)


def _rank(graph: _Graph, flow: ET.Element, verdict: bool | _Unknown | None, seen: set[str]) -> tuple[int, ...]:
    target = graph.nodes.get(flow.get("targetRef", ""))
    ends = target is not None and _local(target.tag) == "endEvent"
    if verdict is True:
        return (0,)
    if isinstance(verdict, _Unknown) and verdict.later:
        return (1, flow.get("targetRef") in seen, ends)
    if flow.get("id") in graph.defaults or verdict is None:
        return (2, flow.get("targetRef") in seen, ends)
    return (3, flow.get("targetRef") in seen, ends)


def _next(graph: _Graph, node: ET.Element, data: dict[str, Any], start_fields: set[str], seen: set[str]) -> list[str]:
    """The targets the preview follows out of `node`."""
    flows = graph.flows.get(node.get("id", ""), [])
    if _local(node.tag) == "parallelGateway" or len(flows) <= 1:
        return [f.get("targetRef", "") for f in flows]
    verdicts = [(f, _condition(f, data, start_fields)) for f in flows]
    open_flows = [(f, v) for f, v in verdicts if v is not False]
    if not open_flows:
        return []
    best = min(open_flows, key=lambda fv: _rank(graph, fv[0], fv[1], seen))
    return [best[0].get("targetRef", "")]


def _resolve(session: Session, step: Step, case: _Case, data: dict[str, Any], props: dict[str, str]) -> None:
    if step.lane == "assignees" and not data.get(props.get("assigneesVariable", "")):
        step.note = "由前序步骤指定"
        return
    decider = props.get("deciderVariable", "management_level")  # as `assignment.resolve` reads it
    if step.lane.endswith("@decider") and not data.get(decider):
        each = _per_choice(session, step, case, data, props, decider)
        step.note = f"取决于{case.titles.get(decider, decider)}" + (f"（{'；'.join(each)}）" if each else "")
        return
    try:
        route = assignment.resolve(session, step.lane or None, case, data, props)  # type: ignore[arg-type]
        screened = recusal.screen(session, case, route.candidates, route.lane)  # type: ignore[arg-type]
    except (WorkflowError, ValueError) as exc:
        step.note = getattr(exc, "message", str(exc))
        return
    step.unit = route.scope_unit.name if route.scope_unit is not None else ""
    step.candidates = [u.name for u in screened.kept]
    if screened.recused:
        step.note = f"{'、'.join(u.name for u in screened.recused)}回避（R-C1）"


def _per_choice(session: Session, step: Step, case: _Case, data: dict[str, Any], props: dict[str, str],
                decider: str) -> list[str]:
    """Who would get a decider-level step for each option of the field that is not chosen yet,
    from the unit the form gives (the person chosen): "集团党委：王建国"."""
    found = []
    for value, title in case.choices.get(decider, []):
        try:
            route = assignment.resolve(session, step.lane, case, {**data, decider: value}, props)  # type: ignore[arg-type]
            screened = recusal.screen(session, case, route.candidates, route.lane)  # type: ignore[arg-type]
        except (WorkflowError, ValueError):
            continue
        if screened.kept:
            found.append(f"{title}：{'、'.join(u.name for u in screened.kept)}")
    return found


def _step(session: Session, graph: _Graph, element: ET.Element, case: _Case, data: dict[str, Any]) -> Step | None:
    tag, node_id = _local(element.tag), element.get("id", "")
    name = element.get("name") or node_id
    if tag in USER_TASKS:
        lane = graph.lanes.get(node_id, "")
        step = Step(node_id, name, "task", lane, lane_title(lane) if lane else "")
        _resolve(session, step, case, data, _props(element))
        return step
    if tag == "intermediateCatchEvent" and element.find(f"{{{MODEL}}}timerEventDefinition") is not None:
        return Step(node_id, name, "timer")
    if tag == "callActivity":
        return Step(node_id, name, "call")
    if tag == "endEvent":
        return Step(node_id, name, "end", note=_props(element).get("status", "completed"))
    return None


def _walk(session: Session, graph: _Graph, case: _Case, data: dict[str, Any], start_fields: set[str],
          start: str) -> list[Step]:
    steps: list[Step] = []
    seen: set[str] = set()
    queue = [start]
    while queue and len(steps) < MAX_STEPS:
        node_id = queue.pop(0)
        element = graph.nodes.get(node_id)
        if element is None or node_id in seen:
            continue
        seen.add(node_id)
        step = _step(session, graph, element, case, data)
        if step is not None:
            steps.append(step)
        if _local(element.tag) in ("subProcess", "transaction"):
            inner = [c.get("id", "") for c in element if _local(c.tag) == "startEvent"]
            queue = inner + queue
        queue += _next(graph, element, data, start_fields, seen)
    return steps


def _case(session: Session, definition: ProcessDefinition, user: User, data: dict[str, Any]) -> _Case:
    meta = definition.assets["start"]
    subject = None
    if meta.get("subjectVariable") and data.get(meta["subjectVariable"]):
        subject = session.scalars(select(User).where(User.username == str(data[meta["subjectVariable"]]))).first()
    unit_id = None
    if meta.get("subjectUnitVariable") and data.get(meta["subjectUnitVariable"]):
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == str(data[meta["subjectUnitVariable"]])))
    unit_id = unit_id or (subject.unit_id if subject else None) or user.unit_id
    return _Case(initiator=user, subject_user=subject, owning_unit_id=unit_id or 0)


def route(session: Session, definition: ProcessDefinition, user: User, data: dict[str, Any]) -> list[Step]:
    """The steps a case of `definition` started by `user` with start form `data` would take.

    Never raises for incomplete data: what cannot be resolved yet carries a `note` instead.
    """
    case = _case(session, definition, user, data)
    if not case.owning_unit_id:
        return []
    graph = _graph(definition.bpmn_xml, definition.key)
    schema = definition.assets["forms"][definition.assets["start"]["formJsonSchemaFilename"]]
    start_fields = set((schema.get("properties") or {}).keys())
    props = schema.get("properties") or {}
    case.titles = {name: str(prop.get("title") or name) for name, prop in props.items()}
    case.choices = {name: [(str(o.get("const")), str(o.get("title", o.get("const")))) for o in prop["oneOf"]]
                    for name, prop in props.items() if isinstance(prop.get("oneOf"), list)}
    starts = [i for i, el in graph.nodes.items() if _local(el.tag) == "startEvent" and el in _top_level(graph, i)]
    context = {**data, "initiator": user.username}
    return _walk(session, graph, case, context, start_fields, starts[0]) if starts else []


def _top_level(graph: _Graph, node_id: str) -> list[ET.Element]:
    """[the node] when it has a flow leaving it and is not inside a subprocess, else []."""
    element = graph.nodes[node_id]
    inner = {c.get("id") for el in graph.nodes.values() if _local(el.tag) in ("subProcess", "transaction")
             for c in el.iter() if c is not el}
    return [element] if node_id not in inner else []
