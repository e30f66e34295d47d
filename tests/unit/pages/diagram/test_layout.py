"""The layout of every diagram in bpmn/ as OrgFlow draws it: no label outside its pool (the
drawing is cropped to the pools), no two labels on top of each other or on a shape that is not
theirs, and no edge running through a shape that is neither its source nor its target. The
check itself is shown to catch each kind of finding on a small drawn diagram."""

from __future__ import annotations

from pathlib import Path

import pytest

from webapp.pages.diagram.layout import findings
from webapp.pages.diagram.model import parse
from workflows.engine import definitions


@pytest.mark.parametrize("path", definitions.bpmn_files(), ids=lambda p: Path(p).name)
def test_every_diagram_keeps_its_labels_in_the_pool_apart_and_its_edges_off_other_shapes(path: Path) -> None:
    assert findings(parse(path.read_text(encoding="utf-8"))) == []


def _diagram(edges: str, labels: str = "") -> str:
    """A pool with a gateway, two tasks in a row and an end; `edges` and `labels` are BPMNDI."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d">
  <bpmn:collaboration id="c"><bpmn:participant id="pool" name="池" processRef="p"/></bpmn:collaboration>
  <bpmn:process id="p" isExecutable="true">
    <bpmn:exclusiveGateway id="gw" name="是否办理"/>
    <bpmn:task id="a" name="甲"/><bpmn:task id="b" name="乙"/><bpmn:endEvent id="end" name="结束"/>
    <bpmn:sequenceFlow id="yes" name="是" sourceRef="gw" targetRef="a"/>
    <bpmn:sequenceFlow id="no" name="否" sourceRef="gw" targetRef="b"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="dd"><bpmndi:BPMNPlane id="pl" bpmnElement="c">
    <bpmndi:BPMNShape id="pool_di" bpmnElement="pool"><dc:Bounds x="0" y="0" width="800" height="200"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="gw_di" bpmnElement="gw"><dc:Bounds x="60" y="75" width="50" height="50"/>{labels}</bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="a_di" bpmnElement="a"><dc:Bounds x="200" y="60" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="b_di" bpmnElement="b"><dc:Bounds x="400" y="60" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="600" y="82" width="36" height="36"/></bpmndi:BPMNShape>
    {edges}
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>"""


def _edge(flow: str, points: str, label: str = "") -> str:
    box = f'<bpmndi:BPMNLabel><dc:Bounds {label} width="20" height="14"/></bpmndi:BPMNLabel>' if label else ""
    return f'<bpmndi:BPMNEdge id="{flow}_di" bpmnElement="{flow}">{points}{box}</bpmndi:BPMNEdge>'


def _points(*xy: tuple[int, int]) -> str:
    return "".join(f'<di:waypoint x="{x}" y="{y}"/>' for x, y in xy)


def test_the_check_passes_a_clean_drawing() -> None:
    clean = _diagram(_edge("yes", _points((110, 100), (200, 100)), 'x="140" y="84"')
                     + _edge("no", _points((85, 125), (85, 170), (450, 170), (450, 140)), 'x="90" y="150"'))
    assert findings(parse(clean)) == []


def test_the_check_finds_an_edge_through_a_shape_overlapping_labels_and_a_label_outside_the_pool() -> None:
    bad = _diagram(_edge("yes", _points((110, 100), (200, 100)), 'x="120" y="84"')
                   + _edge("no", _points((110, 100), (400, 100)), 'x="120" y="84"'),
                   '<bpmndi:BPMNLabel><dc:Bounds x="60" y="-40" width="50" height="14"/></bpmndi:BPMNLabel>')
    found = findings(parse(bad))
    assert "连线 no（否）穿过 a（甲）" in found
    assert "标签“是”（yes）与“否”（no）重叠" in found
    assert "标签“是否办理”（gw）超出泳池" in found
    assert len(found) == 3, found
