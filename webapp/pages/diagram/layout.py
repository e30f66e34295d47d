"""Layout findings of a drawn BPMN diagram, measured as `webapp.pages.diagram.render` draws it.

`findings(diagram)` lists, in words, every label that leaves its pool (the renderer crops to the
pools), every two labels that overlap, and every edge segment that runs through a flow node that
is neither its source nor its target (nor the task a boundary event sits on). Labels are measured
as drawn: the wrapped lines of the name, centred on the label's box (`diagram_shapes.wrap`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from webapp.pages.diagram import shapes as draw
from webapp.pages.diagram.model import Box
from webapp.pages.diagram.model import Diagram
from webapp.pages.diagram.model import Edge
from webapp.pages.diagram.model import Shape

LABELLED = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
            "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway",
            "dataStoreReference", "dataObjectReference"}
CONTAINERS = {"participant", "lane", "textAnnotation", "group"}
SIZE = 11  # the font size of outside labels (diagram_shapes)
INSET = 2.0  # an edge touching a shape's border does not cross it


@dataclass(frozen=True)
class Label:
    owner: str  # the BPMN id of the labelled shape or edge
    text: str
    box: Box


def _text_box(name: str, anchor: Box, width: float, max_lines: int) -> Box:
    lines = draw.wrap(name, width, SIZE, max_lines)
    wide = max((draw.text_width(line, SIZE) for line in lines), default=0)
    return Box(anchor.cx - wide / 2, anchor.y - 2 + SIZE * 0.15, wide, len(lines) * SIZE * 1.25)


def labels(diagram: Diagram) -> list[Label]:
    """Every outside label (events, gateways, data, edges) with the box its text is drawn in."""
    from webapp.pages.diagram.render import edge_label_box

    found = []
    for shape in diagram.shapes:
        if shape.kind in LABELLED and shape.name:
            anchor = shape.label or Box(shape.box.cx - 45, shape.box.y + shape.box.h + 4, 90, 30)
            found.append(Label(shape.id, shape.name, _text_box(shape.name, anchor, max(anchor.w, 60), 3)))
    for edge in diagram.edges:
        placed = edge_label_box(edge)
        if placed is not None and edge.name:
            found.append(Label(edge.id, edge.name, _text_box(edge.name, placed, max(placed.w, 60), 2)))
    return found


def _overlap(a: Box, b: Box) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def _inside(inner: Box, outer: Box) -> bool:
    return outer.x <= inner.x and outer.y <= inner.y and inner.x + inner.w <= outer.x + outer.w \
        and inner.y + inner.h <= outer.y + outer.h


def _crosses(p: tuple[float, float], q: tuple[float, float], box: Box) -> bool:
    """Whether the segment p→q passes through the inside of `box` (Liang–Barsky clipping)."""
    x0, y0, x1, y1 = box.x + INSET, box.y + INSET, box.x + box.w - INSET, box.y + box.h - INSET
    dx, dy = q[0] - p[0], q[1] - p[1]
    low, high = 0.0, 1.0
    for step, room in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if step == 0:
            if room < 0:
                return False
            continue
        t = room / step
        if step < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return high - low > 1e-6


def _edge_crossings(edge: Edge, nodes: list[Shape], attached: Mapping[str, str | None]) -> list[str]:
    own = {edge.source, edge.target, attached.get(edge.source or "")}
    hits = []
    for shape in nodes:
        if shape.id in own:
            continue
        if any(_crosses(p, q, shape.box) for p, q in zip(edge.points, edge.points[1:], strict=False)):
            hits.append(f"连线 {edge.id}（{edge.name or '无名称'}）穿过 {shape.id}（{shape.name}）")
    return hits


def findings(diagram: Diagram) -> list[str]:
    """The layout findings of `diagram` in words ([] when it is clean)."""
    found: list[str] = []
    attached = {s.id: s.attached_to for s in diagram.shapes if s.attached_to}
    pools = [s.box for s in diagram.shapes if s.kind == "participant"]
    placed = labels(diagram)
    for label in placed:
        if pools and not any(_inside(label.box, pool) for pool in pools):
            found.append(f"标签“{label.text}”（{label.owner}）超出泳池")
    for i, a in enumerate(placed):
        found += [f"标签“{a.text}”（{a.owner}）与“{b.text}”（{b.owner}）重叠"
                  for b in placed[i + 1:] if _overlap(a.box, b.box)]
    nodes = [s for s in diagram.shapes if s.kind not in CONTAINERS and not (s.kind == "subProcess" and s.expanded)]
    found += [f"标签“{label.text}”（{label.owner}）压在 {shape.id}（{shape.name}）上"
              for label in placed for shape in nodes if shape.id != label.owner and _overlap(label.box, shape.box)]
    for edge in diagram.edges:
        found += _edge_crossings(edge, nodes, attached)
    return found
