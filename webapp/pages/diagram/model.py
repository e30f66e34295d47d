"""The BPMNDI of a BPMN document as plain data: shapes and edges with their semantic element.

`parse(xml, process_key)` picks the diagram plane that shows `process_key` (directly or as a
participant of a collaboration), else the first plane, and returns every shape and edge on it.
Nothing here draws; `webapp.pages.diagram.render` does.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from dataclasses import field

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

EVENT_DEFINITIONS = ("timer", "message", "signal", "error", "escalation", "conditional", "link", "terminate",
                     "cancel", "compensate")


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Shape:
    """One BPMNShape with what drawing needs from its semantic element."""

    id: str
    kind: str  # the element's local tag: userTask, exclusiveGateway, lane, participant …
    name: str
    box: Box
    label: Box | None = None
    horizontal: bool = True
    expanded: bool = True
    marker_visible: bool = False
    event: str | None = None  # timer, message … (first event definition)
    interrupting: bool = True
    throwing: bool = False
    loop: str | None = None  # parallel | sequential | standard
    instantiate: bool = False
    attached_to: str | None = None  # the task a boundary event sits on


@dataclass
class Edge:
    id: str
    kind: str  # sequenceFlow, messageFlow, association, dataInputAssociation …
    name: str
    points: list[tuple[float, float]]
    label: Box | None = None
    source: str | None = None
    target: str | None = None
    default: bool = False
    conditional: bool = False


@dataclass
class Diagram:
    shapes: list[Shape] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def bounds(self, pad: float = 12) -> Box:
        xs: list[float] = []
        ys: list[float] = []
        for shape in self.shapes:
            for box in (shape.box, shape.label):
                if box is not None:
                    xs += [box.x, box.x + box.w]
                    ys += [box.y, box.y + box.h]
        for edge in self.edges:
            xs += [p[0] for p in edge.points]
            ys += [p[1] for p in edge.points]
        if not xs:
            return Box(0, 0, 100, 60)
        return Box(min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _box(element: ET.Element | None) -> Box | None:
    if element is None:
        return None
    try:
        return Box(*(float(element.get(k, "0")) for k in ("x", "y", "width", "height")))
    except ValueError:
        return None


def _true(value: str | None, default: bool) -> bool:
    return default if value is None else value.strip().lower() == "true"


def _semantic_index(root: ET.Element) -> dict[str, ET.Element]:
    return {el.get("id", ""): el for el in root.iter() if el.get("id") and el.tag.startswith("{" + MODEL)}


def _choose_plane(root: ET.Element, index: dict[str, ET.Element], process_key: str | None) -> ET.Element | None:
    found = [d.find(f"{{{BPMNDI}}}BPMNPlane") for d in root.iter(f"{{{BPMNDI}}}BPMNDiagram")]
    planes = [p for p in found if p is not None]
    if not planes:
        return None
    if process_key:
        for plane in planes:
            shown = index.get(plane.get("bpmnElement", ""))
            if shown is None:
                continue
            if shown.get("id") == process_key:
                return plane
            refs = {p.get("processRef") for p in shown.iter(f"{{{MODEL}}}participant")}
            if process_key in refs:
                return plane
    return planes[0]


def _event_details(element: ET.Element, shape: Shape) -> None:
    for child in element:
        name = _local(child.tag)
        if name.endswith("EventDefinition"):
            kind = name[: -len("EventDefinition")]
            shape.event = kind if kind in EVENT_DEFINITIONS else None
            break
    shape.throwing = shape.kind in ("endEvent", "intermediateThrowEvent")
    if shape.kind == "boundaryEvent":
        shape.interrupting = _true(element.get("cancelActivity"), True)
    elif shape.kind == "startEvent":
        shape.interrupting = _true(element.get("isInterrupting"), True)


def _loop_details(element: ET.Element, shape: Shape) -> None:
    for child in element:
        name = _local(child.tag)
        if name == "multiInstanceLoopCharacteristics":
            shape.loop = "sequential" if _true(child.get("isSequential"), False) else "parallel"
        elif name == "standardLoopCharacteristics":
            shape.loop = "standard"


def _shape(di: ET.Element, element: ET.Element | None) -> Shape | None:
    box = _box(di.find(f"{{{DC}}}Bounds"))
    if box is None:
        return None
    kind = _local(element.tag) if element is not None else "unknown"
    name = (element.get("name") if element is not None else None) or ""
    if element is not None and kind == "textAnnotation":
        text = element.find(f"{{{MODEL}}}text")
        name = (text.text or "") if text is not None else ""
    label = di.find(f"{{{BPMNDI}}}BPMNLabel")
    shape = Shape(
        id=di.get("bpmnElement", ""), kind=kind, name=name.strip(), box=box,
        label=_box(label.find(f"{{{DC}}}Bounds")) if label is not None else None,
        horizontal=_true(di.get("isHorizontal"), True), expanded=_true(di.get("isExpanded"), kind != "subProcess"),
        marker_visible=_true(di.get("isMarkerVisible"), False),
    )
    if element is not None:
        if kind.endswith("Event"):
            _event_details(element, shape)
        _loop_details(element, shape)
        shape.instantiate = _true(element.get("instantiate"), False)
        shape.attached_to = element.get("attachedToRef")
    if kind == "subProcess" and shape.expanded is False and di.get("isExpanded") is None:
        shape.expanded = False
    return shape


def _defaults(index: dict[str, ET.Element]) -> set[str]:
    return {el.get("default", "") for el in index.values() if el.get("default")}


def _edge(di: ET.Element, element: ET.Element | None, defaults: set[str]) -> Edge:
    points = []
    for point in di.findall(f"{{{DI}}}waypoint"):
        try:
            points.append((float(point.get("x", "0")), float(point.get("y", "0"))))
        except ValueError:
            continue
    label = di.find(f"{{{BPMNDI}}}BPMNLabel")
    edge_id = di.get("bpmnElement", "")
    kind = _local(element.tag) if element is not None else "sequenceFlow"
    return Edge(
        id=edge_id, kind=kind, name=((element.get("name") if element is not None else "") or "").strip(),
        points=points, label=_box(label.find(f"{{{DC}}}Bounds")) if label is not None else None,
        source=element.get("sourceRef") if element is not None else None,
        target=element.get("targetRef") if element is not None else None,
        default=edge_id in defaults,
        conditional=element is not None and element.find(f"{{{MODEL}}}conditionExpression") is not None,
    )


def parse(xml: str, process_key: str | None = None) -> Diagram:
    """Shapes and edges of the diagram showing `process_key`; an empty Diagram if there is no DI.

    Raises xml.etree.ElementTree.ParseError for malformed XML.
    """
    root = ET.fromstring(xml)
    index = _semantic_index(root)
    plane = _choose_plane(root, index, process_key)
    diagram = Diagram()
    if plane is None:
        return diagram
    defaults = _defaults(index)
    for di in plane:
        element = index.get(di.get("bpmnElement", ""))
        if _local(di.tag) == "BPMNShape":
            shape = _shape(di, element)
            if shape is not None:
                diagram.shapes.append(shape)
        elif _local(di.tag) == "BPMNEdge":
            diagram.edges.append(_edge(di, element, defaults))
    return diagram
