"""Every diagram in bpmn/ validates, is fully drawn (BPMNDI), keeps its nodes inside their lanes
and names its user tasks as DOMAIN.md §5 does."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from workflows.engine import definitions

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
FILES = definitions.bpmn_files()
NOT_DRAWN = {"laneSet", "lane", "sequenceFlow", "dataObject", "documentation", "extensionElements", "incoming",
             "outgoing", "multiInstanceLoopCharacteristics", "conditionExpression", "timerEventDefinition"}

# DOMAIN.md §5: the task ids of each process (the API contract).
CONTRACT = {
    "accountability": {"start_approval", "investigation", "defence", "report", "decision_proposal",
                       "secretary_approval", "committee_decision", "rating_override", "announce_archive", "appeal",
                       "appeal_decision"},
    "party_admission": {"branch_review", "vetting", "training", "pre_review", "volunteer_form", "branch_meeting",
                        "approval_talk", "committee_approval", "filing", "oath", "makeup_training"},
    "dues_allocation": {"allocation_plan", "committee_decision", "transfer"},
    "dues_recipient": {"receive_plan", "sub_committee_decision", "ledger", "usage_report", "report_review"},
    "dues_topup": {"committee_decision", "transfer"},
    "party_probation": {"application", "branch_meeting", "committee_approval"},
    "reserve_nomination": {"department_review", "committee_decision", "filing"},
    "commendation": {"nomination", "review", "publicity", "publicity_review", "committee_decision", "decision"},
    "annual_assessment": {"report", "evaluation", "talk", "proposal", "committee_decision", "publicity"},
    "special_report": {"acknowledge", "receive", "follow_up"},
}


def _tag(element: etree._Element) -> str:
    return etree.QName(element).localname


def _bounds(shape: etree._Element) -> tuple[float, float, float, float]:
    b = shape.find("dc:Bounds", NS)
    return float(b.get("x")), float(b.get("y")), float(b.get("width")), float(b.get("height"))


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


def _near(point: tuple[float, float], box: tuple[float, ...], slack: float = 2) -> bool:
    x, y, w, h = box
    return x - slack <= point[0] <= x + w + slack and y - slack <= point[1] <= y + h + slack


def test_every_diagram_validates_with_the_cli(runner: object) -> None:
    result = runner.invoke(args=["workflows", "validate"])  # type: ignore[attr-defined]
    assert result.exit_code == 0, result.output
    for path in FILES:
        assert f"{path.name}: OK" in result.output


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_element_is_drawn_inside_its_lane(path: Path) -> None:
    doc = etree.parse(str(path))
    shapes = {s.get("bpmnElement"): _bounds(s) for s in doc.iterfind(".//bpmndi:BPMNShape", NS)}
    for process in doc.iterfind("bpmn:process", NS):
        lanes = {lane.get("id"): [ref.text for ref in lane.iterfind("bpmn:flowNodeRef", NS)]
                 for lane in process.iterfind(".//bpmn:lane", NS)}
        nodes = [e for e in process if _tag(e) not in NOT_DRAWN and isinstance(e.tag, str)]
        placed = [ref for refs in lanes.values() for ref in refs]
        for node in nodes:
            assert node.get("id") in shapes, f"{path.name}: {node.get('id')} has no BPMNShape"
            assert placed.count(node.get("id")) == 1, f"{path.name}: {node.get('id')} is not in exactly one lane"
        for lane_id, refs in lanes.items():
            assert lane_id in shapes, f"{path.name}: lane {lane_id} is not drawn"
            for ref in refs:
                assert _inside(shapes[ref], shapes[lane_id]), f"{path.name}: {ref} is drawn outside {lane_id}"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_flow_is_drawn_from_its_source_to_its_target(path: Path) -> None:
    doc = etree.parse(str(path))
    shapes = {s.get("bpmnElement"): _bounds(s) for s in doc.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): [(float(w.get("x")), float(w.get("y"))) for w in e.iterfind("di:waypoint", NS)]
             for e in doc.iterfind(".//bpmndi:BPMNEdge", NS)}
    for flow in doc.iterfind(".//bpmn:sequenceFlow", NS):
        points = edges.get(flow.get("id"))
        assert points and len(points) >= 2, f"{path.name}: {flow.get('id')} has no BPMNEdge"
        assert _near(points[0], shapes[flow.get("sourceRef")]), f"{path.name}: {flow.get('id')} starts elsewhere"
        assert _near(points[-1], shapes[flow.get("targetRef")]), f"{path.name}: {flow.get('id')} ends elsewhere"


def test_user_task_ids_are_the_domain_contract() -> None:
    found: dict[str, set[str]] = {}
    for path in FILES:
        for process in etree.parse(str(path)).iterfind("bpmn:process", NS):
            found[process.get("id")] = {t.get("id") for t in process.iterfind("bpmn:userTask", NS)}
    for key, tasks in CONTRACT.items():
        assert tasks <= found[key], f"{key} lacks {sorted(tasks - found[key])}"


def test_every_process_numbers_its_cases_with_a_prefix_of_its_own() -> None:
    """A case number names its process (TB-… 提拔, ZB-… 周报, ZX-… 专报): no two diagrams share a
    prefix, or a 专报 would be numbered like a 周报."""
    prefixes: dict[str, list[str]] = {}
    for path in FILES:
        for prop in etree.parse(str(path)).iter("{*}property"):
            if prop.get("name") == "numberPrefix":
                prefixes.setdefault(prop.get("value") or "", []).append(path.stem)
    assert {p: keys for p, keys in prefixes.items() if len(keys) > 1} == {}
    assert len(prefixes) == len(FILES)
