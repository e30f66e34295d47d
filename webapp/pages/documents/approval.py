"""The 审批单 of a case (approval-products §6.5): header, every start-form field in schema order,
the 流程节点 table (step, who — 李四（代张三）—, decision, 审批意见, time, a box to sign) with
what each step filled in, the diagram with the path taken, and the printing footer."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy.orm import Session

from models import OrgUnit
from models import ProcessInstance
from webapp.pages.case import timeline as case_timeline
from webapp.pages.diagram import render as diagram
from webapp.pages.documents.common import Printing
from webapp.pages.documents.common import status_text
from webapp.pages.documents.common import when
from webapp.pages.forms import fields as webforms
from webapp.pages.forms import people

# The 流程节点 table prints the newest rows up to this many (a 退回 loop can add rows without
# end); how many earlier rows were left out is printed above it, and the case page's 审批记录
# holds them all. With every opinion and field at its limit this bounds the 审批单's length,
# and so its drawing time (bench/pdf_worst.py, docs/performance.md).
MAX_PRINTED_NODES = 40
# An opinion longer than this is printed across the table's width, under its row.
LONG_OPINION = 120
# The diagram prints on A4 landscape pages with 273 × 158 mm for the drawing, at 0.25 mm per
# diagram unit: its 11-unit labels print at 7.8 pt. A larger diagram is cut into sheets.
DIAGRAM_MM = (273.0, 158.0)
MM_PER_UNIT = 0.25
ENTRY_STATUS = {"start": "提交申请", "done": "", "open": "审批中", "cancelled": "已取消", "timer": "等待"}


@dataclass
class Node:
    """One row of the 流程节点 table."""

    step: str
    who: str
    decision: str
    comment: str
    at: str
    fields: list[webforms.Field] = field(default_factory=list)
    server: list[tuple[str, str]] = field(default_factory=list)


def who_text(actor: str, principal: str) -> str:
    """李四（代张三） when a deputy acted, else the name."""
    return f"{actor}（代{principal}）" if principal else actor


def _node(entry: case_timeline.Entry) -> Node:
    if entry.status == "open":
        who = "、".join(entry.waiting_for)
        return Node(entry.step, who, "审批中", "", f"到达 {when(entry.at)}" + (f"，期限 {when(entry.due_at)}"
                                                                           if entry.due_at else ""))
    if entry.status == "timer":
        return Node(entry.step, "系统", "等待", "", f"到期 {when(entry.due_at)}")
    decision = entry.decision or ENTRY_STATUS.get(entry.status, "") or "已提交"
    if entry.kind == "held":  # 后加签: submitted, in force once the signers have signed
        decision = f"{decision}（待加签人{entry.target}签署）"
    return Node(entry.step, who_text(entry.actor, entry.principal), decision, entry.comment, when(entry.at),
                entry.fields, entry.server)


def _printed_nodes(nodes: list[Node]) -> dict[str, Any]:
    """The rows the 审批单 prints (the newest MAX_PRINTED_NODES) and how many it leaves out."""
    omitted = max(0, len(nodes) - MAX_PRINTED_NODES)
    return {"nodes": nodes[omitted:], "omitted_nodes": omitted}


def start_fields(session: Session, instance: ProcessInstance) -> list[webforms.Field]:
    """The start form's fields in schema order, with the case's values and the forms' labels."""
    assets = instance.definition.assets
    schema = assets["forms"][assets["start"]["formJsonSchemaFilename"]]
    blocks = {k: v for k, v in assets["forms"].items() if k.startswith("blocks/")}
    names = people.names(session, webforms.usernames_in(schema, instance.data, blocks))
    units = people.unit_names(session, webforms.unit_codes_in(schema, instance.data, blocks))
    return webforms.fields_of(schema, instance.data, webforms.FormContext(blocks=blocks, user_names=names,
                                                                          unit_names=units))


def build(session: Session, instance: ProcessInstance, printing: Printing) -> dict[str, Any]:
    initiator = instance.initiator
    owner = session.get(OrgUnit, instance.owning_unit_id)
    state = case_timeline.diagram_state(instance)
    sheets = diagram.sheets(instance.definition.bpmn_xml, instance.definition.key, state, instance.definition.name,
                            f"pdf{instance.id}", (DIAGRAM_MM[0] / MM_PER_UNIT, DIAGRAM_MM[1] / MM_PER_UNIT), MM_PER_UNIT)
    header = [
        ("流程名称", f"{instance.definition.name}（第 {instance.definition.version} 版）"),
        ("发起人", f"{initiator.name}（{initiator.unit.name if initiator.unit else ''}）"),
        ("发起时间", when(instance.created_at)),
        ("所属组织", owner.name if owner else ""),
        ("当事人", instance.subject_user.name if instance.subject_user else ""),
        ("流程状态", status_text(instance)),
        ("结束时间", when(instance.completed_at)),
    ]
    return {
        "title": "审批单", "case_title": instance.title, "print": printing, "header": header,
        "fields": start_fields(session, instance),
        **_printed_nodes([_node(e) for e in case_timeline.timeline(session, instance)]),
        "long_opinion": LONG_OPINION,
        "sheets": sheets,
    }
