"""Process diagrams as SVG, drawn on the server from the BPMNDI (DESIGN §8).

`render_svg(xml, process_key, state)` returns a self-contained SVG document: every colour is a
presentation attribute (no <style>, no script), so the same text works inline in a page under a
strict CSP and in a weasyprint PDF. With a `DiagramState`, completed steps and the path taken are
green, current steps orange and untouched ones grey; without one the diagram is drawn neutrally.
Every flow node is a `<g class="node state-…" data-id="<bpmn id>">`, so pages and tests can find it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from xml.sax.saxutils import escape
from xml.sax.saxutils import quoteattr

from sqlalchemy.orm import Session

from models import ProcessDefinition
from models import User
from webapp.pages.diagram import shapes as draw
from webapp.pages.diagram.model import Box
from webapp.pages.diagram.model import Diagram
from webapp.pages.diagram.model import Edge
from webapp.pages.diagram.model import Shape
from webapp.pages.diagram.model import parse
from workflows import admin
from workflows.labels import lane_title

FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"
TASKS = {"task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask",
         "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
CONTAINERS = {"participant", "lane"}

# (fill, stroke, text) per state; "plain" is the diagram without a case.
PALETTE = {
    "done": ("#e8f7ee", "#2ba471", "#1f2329"),
    "active": ("#fff3e0", "#f77b00", "#1f2329"),
    "idle": ("#ffffff", "#a9aeb8", "#86909c"),
    "plain": ("#ffffff", "#4e5969", "#1f2329"),
}
FLOW_COLOURS = {"done": "#2ba471", "idle": "#c9cdd4", "plain": "#4e5969"}
SHEET_OVERLAP = 24  # diagram units two neighbouring printed sheets share
STATE_TEXT = {"done": "已完成", "active": "进行中", "idle": "未到达", "plain": ""}


@dataclass
class DiagramState:
    """What a case has done: BPMN ids of completed and current nodes, and (source, target) steps taken."""

    done: set[str] = field(default_factory=set)
    active: set[str] = field(default_factory=set)
    steps: set[tuple[str, str]] = field(default_factory=set)

    def node(self, bpmn_id: str) -> str:
        if bpmn_id in self.active:
            return "active"
        return "done" if bpmn_id in self.done else "idle"


# ---------------------------------------------------------------- edges

def _edge_path(points: list[tuple[float, float]]) -> str:
    return "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points)


def edge_label_box(edge: Edge) -> Box | None:
    """Where an edge's name is drawn: its BPMNLabel, else just above the middle segment."""
    if edge.label is not None:
        return edge.label
    if len(edge.points) < 2 or not edge.name:
        return None
    middle = len(edge.points) // 2
    (x1, y1), (x2, y2) = edge.points[middle - 1], edge.points[middle]
    return Box((x1 + x2) / 2 + 4, (y1 + y2) / 2 - 16, 80, 14)


def _edge(edge: Edge, colour: str, prefix: str, state_class: str) -> str:
    if len(edge.points) < 2:
        return ""
    path = _edge_path(edge.points)
    attrs = f'fill="none" stroke="{colour}" stroke-width="{2.2 if state_class == "done" else 1.4}"'
    if edge.kind == "messageFlow":
        attrs += f' stroke-dasharray="8 5" marker-start="url(#{prefix}-mstart)" marker-end="url(#{prefix}-mend)"'
    elif edge.kind == "sequenceFlow":
        attrs += f' marker-end="url(#{prefix}-arrow-{state_class})"'
    else:
        attrs += ' stroke-dasharray="2 4"'
    parts = [f'<g class="flow state-{state_class}" data-id={quoteattr(edge.id)}><path d="{path}" {attrs}/>']
    (x1, y1), (x2, y2) = edge.points[0], edge.points[1]
    length = math.hypot(x2 - x1, y2 - y1) or 1
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    if edge.default:
        mx, my = x1 + ux * 10, y1 + uy * 10
        parts.append(f'<path d="M{mx - uy * 6 - ux * 4:.1f} {my + ux * 6 - uy * 4:.1f}'
                     f'L{mx + uy * 6 + ux * 4:.1f} {my - ux * 6 + uy * 4:.1f}" stroke="{colour}" stroke-width="1.5"/>')
    label = edge_label_box(edge)
    if label is not None and edge.name:
        parts.append(draw.text(draw.wrap(edge.name, max(label.w, 60), 11, 2), label.cx, label.y - 2, 11, "#4e5969"))
    parts.append("</g>")
    return "".join(parts)


def _defs(prefix: str) -> str:
    arrows = "".join(
        f'<marker id="{prefix}-arrow-{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="{colour}"/></marker>'
        for name, colour in FLOW_COLOURS.items()
    )
    return (f"<defs>{arrows}"
            f'<marker id="{prefix}-mstart" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="7" markerHeight="7">'
            f'<circle cx="5" cy="5" r="4" fill="#fff" stroke="#4e5969"/></marker>'
            f'<marker id="{prefix}-mend" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
            f'orient="auto"><path d="M0 0L10 5L0 10z" fill="#fff" stroke="#4e5969"/></marker></defs>')


# ---------------------------------------------------------------- assembly

def _node_state(shape: Shape, state: DiagramState | None) -> str:
    return state.node(shape.id) if state is not None else "plain"


def _flow_state(edge: Edge, state: DiagramState | None, kinds: dict[str, str]) -> str:
    if state is None:
        return "plain"
    if (edge.source, edge.target) in state.steps:
        return "done"
    # The engine records a parallel join under one of its incoming branches only; a join that was
    # passed had every incoming branch arrive.
    joined = kinds.get(edge.target or "") == "parallelGateway" and edge.target in state.done
    return "done" if joined and edge.source in state.done else "idle"


def _node(shape: Shape, state_name: str, labels: dict[str, str]) -> str:
    fill, stroke, ink = PALETTE[state_name]
    if shape.kind in TASKS:
        body = draw.task(shape, fill, stroke, ink)
    elif shape.kind in GATEWAYS:
        body = draw.gateway(shape, fill, stroke, ink)
    elif shape.kind in EVENTS:
        body = draw.event(shape, fill, stroke, ink)
    else:
        body = draw.artifact(shape, PALETTE["plain"][2])
    tip = shape.name + (f"（{labels.get(state_name, '')}）" if labels.get(state_name) else "")
    title = f"<title>{escape(tip)}</title>" if tip else ""
    return (f'<g class="node {escape(shape.kind)} state-{state_name}" data-id={quoteattr(shape.id)}>'
            f"{title}{body}</g>")


def _ordered(shapes: Iterable[Shape]) -> list[Shape]:
    """Containers first (pools, lanes, expanded subprocesses), boundary events last, so nothing hides."""
    rank = {"participant": 0, "lane": 1}

    def key(shape: Shape) -> int:
        if shape.kind in rank:
            return rank[shape.kind]
        if shape.kind in ("subProcess", "transaction", "adHocSubProcess", "group") and shape.expanded:
            return 2
        return 4 if shape.kind == "boundaryEvent" else 3

    return sorted(shapes, key=key)


def _svg_open(box: Box, title: str, mm_per_unit: float | None) -> str:
    size = (f'width="{box.w * mm_per_unit:.1f}mm" height="{box.h * mm_per_unit:.1f}mm"' if mm_per_unit
            else f'width="{box.w:.0f}" height="{box.h:.0f}"')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="bpmn-diagram" viewBox="{box.x:.0f} {box.y:.0f} '
            f'{box.w:.0f} {box.h:.0f}" {size} '
            f'font-family={quoteattr(FONT)} role="img" aria-label={quoteattr(title or "BPMN")}>')


def render(diagram: Diagram, state: DiagramState | None = None, labels: dict[str, str] | None = None,
           title: str = "", prefix: str = "bpmn", view: Box | None = None, mm_per_unit: float | None = None) -> str:
    """SVG text for a parsed diagram (see module docstring); `view` shows only that part of it, and
    `mm_per_unit` sizes the SVG in millimetres (for print) instead of one pixel per unit."""
    texts = {**STATE_TEXT, **(labels or {})}
    prefix = re.sub(r"[^A-Za-z0-9_-]", "", prefix) or "bpmn"
    box = view or diagram.bounds()
    parts: list[str] = [
        _svg_open(box, title, mm_per_unit),
        f"<title>{escape(title)}</title>" if title else "",
        _defs(prefix),
        f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{box.w:.0f}" height="{box.h:.0f}" fill="#ffffff"/>',
    ]
    ordered = _ordered(diagram.shapes)
    for shape in (s for s in ordered if s.kind in CONTAINERS):
        parts.append(f'<g class="{shape.kind}" data-id={quoteattr(shape.id)}>'
                     f"{draw.container(shape, lane_title(shape.name) if shape.kind == 'lane' else shape.name)}</g>")
    for shape in (s for s in ordered if s.kind not in CONTAINERS and s.kind != "boundaryEvent"):
        parts.append(_node(shape, _node_state(shape, state), texts))
    kinds = {shape.id: shape.kind for shape in diagram.shapes}
    for edge in diagram.edges:
        flow = _flow_state(edge, state, kinds)
        parts.append(_edge(edge, FLOW_COLOURS[flow], prefix, flow))
    for shape in (s for s in ordered if s.kind == "boundaryEvent"):
        parts.append(_node(shape, _node_state(shape, state), texts))
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Sheet:
    """One printed part of a diagram: its place in the grid (row, column from 1) and its SVG."""

    row: int
    column: int
    svg: str


def _meets(box: Box, view: Box, pad: float = 60) -> bool:
    """Whether `box` (grown by `pad` for a label drawn beside it) shows in `view`."""
    return box.x - pad < view.x + view.w and view.x < box.x + box.w + pad and box.y - pad < view.y + view.h \
        and view.y < box.y + box.h + pad


def _part(drawn: Diagram, view: Box) -> Diagram:
    """The shapes and edges of `drawn` that show in `view` (drawing the rest, clipped, costs time)."""
    def edge_box(edge: Edge) -> Box:
        xs, ys = [p[0] for p in edge.points] or [0.0], [p[1] for p in edge.points] or [0.0]
        return Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))

    return Diagram([s for s in drawn.shapes if _meets(s.box, view) or (s.label is not None and _meets(s.label, view))],
                   [e for e in drawn.edges if _meets(edge_box(e), view)])


def sheets(xml: str, process_key: str | None, state: DiagramState | None, title: str, prefix: str,
           most: tuple[float, float], mm_per_unit: float) -> list[Sheet]:
    """The diagram cut into a grid of equal parts no larger than `most` (width, height, in diagram
    units), each drawn at `mm_per_unit`, neighbours overlapping by SHEET_OVERLAP so nothing on a
    cut is lost. A diagram that fits is one sheet. Raises ParseError on bad XML."""
    overlap = SHEET_OVERLAP
    drawn = parse(xml, process_key)
    box = drawn.bounds()
    columns, rows = (max(1, math.ceil((size - overlap) / (limit - overlap))) for size, limit in zip(
        (box.w, box.h), most, strict=True))
    width, height = (box.w + (columns - 1) * overlap) / columns, (box.h + (rows - 1) * overlap) / rows
    views = [(row, column, Box(box.x + column * (width - overlap), box.y + row * (height - overlap), width, height))
             for row in range(rows) for column in range(columns)]
    return [Sheet(row + 1, column + 1, render(_part(drawn, view), state, None, title, f"{prefix}-{row}-{column}",
                                             view, mm_per_unit)) for row, column, view in views]


def render_svg(xml: str, process_key: str | None = None, state: DiagramState | None = None,
               labels: dict[str, str] | None = None, title: str = "", prefix: str = "bpmn") -> str:
    """Parse a BPMN document and draw the diagram of `process_key`.

    `labels` overrides the state words in tooltips (for other locales); `prefix` keeps marker ids
    unique when several diagrams share a page. Raises xml.etree.ElementTree.ParseError on bad XML.
    """
    return render(parse(xml, process_key), state, labels, title, prefix)


def state_of(workflow: Any) -> DiagramState:
    """The DiagramState of a SpiffWorkflow BpmnWorkflow (its subprocesses included).

    A node is done when any of its tasks completed, active when one is READY, STARTED or WAITING;
    a step (source → target) was taken when a reached task descends from a completed one.
    """
    from workflows.engine import TaskState

    state = DiagramState()
    reached = TaskState.COMPLETED | TaskState.READY | TaskState.STARTED | TaskState.WAITING
    for task in workflow.get_tasks(state=reached):
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        if task.state == TaskState.COMPLETED:
            state.done.add(bpmn_id)
        else:
            state.active.add(bpmn_id)
        source = _bpmn_parent(task)
        if source is not None:
            state.steps.add((source, bpmn_id))
    return state


def _bpmn_parent(task: Any) -> str | None:
    parent = task.parent
    while parent is not None:
        bpmn_id = getattr(parent.task_spec, "bpmn_id", None)
        if bpmn_id and bpmn_id != getattr(task.task_spec, "bpmn_id", None):
            return str(bpmn_id)
        parent = parent.parent
    return None


def version_diagram(session: Session, actor: User, definition_id: int) -> tuple[ProcessDefinition, str]:
    """A deployed version and its diagram (drawn without a case), for 管理 · 流程版本."""
    definition = admin.version(session, actor, definition_id)
    svg = render_svg(definition.bpmn_xml, definition.key, title=definition.name, prefix=f"def{definition.id}")
    return definition, svg
