"""The SVG diagrams: every production diagram and a zoo of BPMN elements draw as valid, safe SVG,
and a case's state colours its nodes and the path it took."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import ROOT
from webapp.pages.diagram import render as diagram
from webapp.pages.diagram.model import parse
from workflows.engine import WorkflowEngine
from workflows.engine import definitions

SVG = "{http://www.w3.org/2000/svg}"
ZOO = ROOT / "tests/bpmn/drawing/diagram_zoo.bpmn"


def nodes(svg: str) -> dict[str, str]:
    root = ET.fromstring(svg)
    return {g.get("data-id", ""): g.get("class", "") for g in root.iter(f"{SVG}g") if "node" in g.get("class", "")}


@pytest.mark.parametrize("path", definitions.bpmn_files(), ids=lambda p: Path(p).name)
def test_every_production_diagram_draws_every_flow_node(path: Path) -> None:
    xml = path.read_text(encoding="utf-8")
    for process in WorkflowEngine().parse(xml, path.name):
        svg = diagram.render_svg(xml, process.key, title=process.name)
        drawn = nodes(svg)
        shapes = parse(xml, process.key).shapes
        flow_nodes = [s.id for s in shapes if s.kind not in ("participant", "lane")]
        assert flow_nodes and set(flow_nodes) <= set(drawn)
        assert all("state-plain" in cls for cls in drawn.values())


def test_the_zoo_of_elements_draws_with_its_markers() -> None:
    svg = diagram.render_svg(ZOO.read_text(encoding="utf-8"), "zoo", title="样例")
    drawn = nodes(svg)
    kinds = {key: cls.split()[1] for key, cls in drawn.items()}
    assert kinds["review_timer"] == "boundaryEvent" and kinds["call"] == "callActivity"
    assert kinds["sub"] == "subProcess" and kinds["sub_task"] == "scriptTask" and kinds["gw_e"] == "eventBasedGateway"
    assert {"doc_ref", "note", "grp"} <= set(drawn)
    assert svg.index('data-id="review_timer"') > svg.index('data-id="review"')  # boundary events on top
    assert 'stroke-dasharray="4 3"' in svg  # the non-interrupting boundary timer
    assert 'marker-start="url(#bpmn-mstart)"' in svg  # the message flow between pools
    assert "外部单位" in svg and "党组织书记（集团）" in svg and "custom lane" in svg
    root = ET.fromstring(svg)  # well-formed, with the pool's "&" and "<" escaped
    assert root.tag == f"{SVG}svg"


def test_text_from_the_diagram_is_escaped_never_markup() -> None:
    svg = diagram.render_svg(ZOO.read_text(encoding="utf-8"), "zoo")
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "style=" not in svg and "<style" not in svg  # presentation attributes only (strict CSP)


def test_long_names_wrap_inside_their_box() -> None:
    lines = diagram.draw.wrap("一个名字很长很长很长很长很长很长很长很长很长很长的审核步骤", 92, 12, 3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(len(line) <= 8 for line in lines)
    assert diagram.draw.wrap("Review by the committee", 92, 12, 3) == ["Review by the", "committee"]


def test_a_case_state_colours_nodes_and_the_taken_flows() -> None:
    xml = (ROOT / "bpmn/cadre_promotion.bpmn").read_text(encoding="utf-8")
    state = diagram.DiagramState(done={"start", "gw_merge_deliberation", "deliberation", "gw_deliberation"},
                                 active={"proposal_revision"},
                                 steps={("start", "gw_merge_deliberation"), ("gw_deliberation", "proposal_revision")})
    svg = diagram.render_svg(xml, "cadre_promotion", state, labels={"active": "In progress"}, prefix="c9")
    drawn = nodes(svg)
    assert "state-done" in drawn["deliberation"] and "state-active" in drawn["proposal_revision"]
    assert "state-idle" in drawn["committee_decision"]
    assert '<g class="flow state-done" data-id="flow_deliberation_revise">' in svg
    assert '<g class="flow state-idle" data-id="flow_deliberation_agree">' in svg
    assert "<title>修改动议（In progress）</title>" in svg
    assert 'id="c9-arrow-done"' in svg and 'id="bpmn-arrow-done"' not in svg


def test_a_document_without_diagram_interchange_draws_an_empty_picture() -> None:
    xml = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
           '<bpmn:process id="p"/></bpmn:definitions>')
    svg = diagram.render_svg(xml, "p")
    assert ET.fromstring(svg).tag == f"{SVG}svg"
