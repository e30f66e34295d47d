"""The generic form: every schema in bpmn/forms/ renders, and what a browser posts parses back to
exactly the JSON the schema validates; bad input is kept as typed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.helpers import FOUR_MUSTS_DONE
from tests.helpers import MEETING_OK
from tests.helpers import proposal
from webapp.pages.forms import fields as webforms
from workflows.cases import forms

FORMS = ROOT / "bpmn/forms"
BLOCKS = {f"blocks/{p.name}": json.loads(p.read_text(encoding="utf-8")) for p in (FORMS / "blocks").glob("*.json")}


def schema(name: str) -> dict[str, Any]:
    return dict(json.loads((FORMS / name).read_text(encoding="utf-8")))


def flatten(fields: list[webforms.Field]) -> dict[str, list[str]]:
    """What a browser would post for these fields as rendered with their values."""
    posted: dict[str, list[str]] = {}
    for f in fields:
        if f.kind == "group":
            posted.update(flatten(f.children))
        elif f.kind in ("table", "attendance"):
            for row in f.rows:
                posted.update(flatten(row))
        elif f.kind in ("users", "multi"):
            posted[f.path] = [str(v) for v in f.value or []]
        elif f.kind == "lines":
            posted[f.path] = ["\n".join(f.value or [])]
        elif f.kind == "check":
            if f.value:
                posted[f.path] = ["true"]
        elif f.kind == "boolean":
            posted[f.path] = [] if f.value is None else ["true" if f.value else "false"]
        else:
            posted[f.path] = ["" if f.value is None else str(f.value)]
    return posted


# S1's 党委会 as `rules.meeting.roster_view` gives it for a case about 梁晨 (s1_06).
ROSTER = {"body": "党委会", "unit": "S1", "unit_name": "钢铁股份公司党委", "vote_options": ["for", "against", "defer"],
          "members": [{"username": "s1_01", "name": "马立新", "post": "党委书记"},
                      {"username": "s1_02", "name": "高峰", "post": "组织部部长"},
                      {"username": "s1_06", "name": "梁晨", "post": "党委委员", "must_recuse": "本案当事人"},
                      {"username": "s1_07", "name": "宋佳", "post": "党委委员"},
                      {"username": "s1_08", "name": "唐磊", "post": "党委委员"}]}


def roundtrip(name: str, data: dict[str, Any]) -> dict[str, Any]:
    form = schema(name)
    fields = webforms.fields_of(form, data, webforms.FormContext(blocks=BLOCKS, editing=True, roster=ROSTER))
    return webforms.parse_object(flatten(fields), form, BLOCKS)


@pytest.mark.parametrize("path", sorted(FORMS.glob("*.json")), ids=lambda p: Path(p).name)
def test_every_form_renders_its_properties(path: Path) -> None:
    form = json.loads(path.read_text(encoding="utf-8"))
    fields = webforms.fields_of(form, {}, webforms.FormContext(blocks=BLOCKS))
    hidden = set(form.get("x-server-fields") or [])
    assert [f.path for f in fields] == [n for n in form.get("properties", {}) if n not in hidden]
    assert all(f.kind != "unknown" for f in fields)


@pytest.mark.parametrize(("name", "data"), [
    ("cadre_promotion_start.json", proposal(key_events=[{"date": "2025-02-01", "event": "抗疫一线", "source": "inspection"}])),
    ("cadre_committee_decision.json", {"meeting": MEETING_OK}),
    ("cadre_inspection.json", {"report": "表现突出\n第二行", "four_musts": FOUR_MUSTS_DONE}),
    ("cadre_recommendation.json", {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]}),
    ("cadre_publicity_review.json", {"objections": False, "finding": "none", "decision": "continue"}),
])
def test_what_the_browser_posts_parses_back_to_the_same_valid_json(name: str, data: dict[str, Any]) -> None:
    parsed = roundtrip(name, data)
    assert parsed == data
    all_forms = {name: schema(name), **BLOCKS}
    assert forms.validate(all_forms, name, parsed) == data


def test_kinds_follow_the_schema() -> None:
    fields = {f.path: f for f in webforms.fields_of(schema("cadre_promotion_start.json"), {},
                                                      webforms.FormContext(blocks=BLOCKS))}
    assert fields["candidate"].kind == "user" and fields["reasons"].kind == "textarea"
    assert fields["management_level"].kind == "radio" and fields["in_probation"].kind == "boolean"
    assert fields["years_in_post"].kind == "number" and fields["grades_skipped"].kind == "integer"
    assert fields["key_events"].kind == "table" and fields["key_events"].columns == ["日期", "事件", "来源"]
    assert fields["key_events"].rows[0][2].kind == "choice"  # radios become a drop-down inside a table
    inspection = webforms.fields_of(schema("cadre_inspection.json"), {}, webforms.FormContext(blocks=BLOCKS))
    assert [c.kind for c in inspection[1].children] == ["check"] * 4  # an all-boolean object is a checklist
    editing = webforms.FormContext(blocks=BLOCKS, editing=True, roster=ROSTER)
    meeting = webforms.fields_of(schema("cadre_committee_decision.json"), {}, editing)[0]
    assert meeting.kind == "group" and meeting.label == "会议记录"  # resolved through $ref
    kinds = {c.path: c.kind for c in meeting.children}
    assert kinds["meeting.attendance"] == "attendance"
    assert not {"meeting.members_due", "meeting.present", "meeting.absent"} & set(kinds)  # computed, never typed
    votes = next(c for c in meeting.children if c.path == "meeting.votes")
    assert [c.label for c in votes.children] == ["同意", "不同意", "缓议"]  # the body's options: no 弃权 (A-C4)


def test_the_attendance_lists_the_roster_and_starts_the_subject_as_recused() -> None:
    ctx = webforms.FormContext(blocks=BLOCKS, editing=True, roster=ROSTER)
    meeting = webforms.fields_of(schema("cadre_committee_decision.json"), {}, ctx)[0]
    attendance = next(c for c in meeting.children if c.path == "meeting.attendance")
    assert attendance.columns == ["姓名", "出席情况", "缺席或回避原因"]
    assert [(r[0].kind, r[0].value, r[0].display) for r in attendance.rows][:2] == [
        ("fixed", "s1_01", "马立新 · 党委书记"), ("fixed", "s1_02", "高峰 · 组织部部长")]
    subject = attendance.rows[2]
    assert (subject[1].value, subject[2].value, subject[0].description) == ("recused", "本案当事人", "须回避：本案当事人")
    assert attendance.rows[0][1].kind == "radio" and attendance.rows[0][1].value is None  # nobody is ticked for you


def test_empty_fields_and_rows_are_left_out_and_computed_fields_never_parsed() -> None:
    posted = {"meeting.body": ["党委会"], "meeting.members_due": ["九"], "meeting.present": [" 7 "],
              "meeting.attendance.0.member": ["s1_01"], "meeting.attendance.0.status": ["present"],
              "meeting.attendance.0.reason": [""], "meeting.attendance.3.member": ["s1_08"],
              "meeting.attendance.3.status": ["absent"], "meeting.attendance.3.reason": [" 出差 "],
              "meeting.votes.for": ["三"], "meeting.minutes_no": ["  "]}
    parsed = webforms.parse_object(posted, schema("cadre_committee_decision.json"), BLOCKS)
    assert parsed == {"meeting": {"body": "党委会", "votes": {"for": "三"}, "attendance": [
        {"member": "s1_01", "status": "present"}, {"member": "s1_08", "status": "absent", "reason": "出差"}]}}


def test_errors_land_on_their_fields_and_server_fields_never_render() -> None:
    errors = {"meeting.attendance": ["A-C1：…"], "meeting.attendance.1.reason": ["缺席须写明原因"]}
    ctx = webforms.FormContext(blocks=BLOCKS, errors=errors, editing=True, roster=ROSTER)
    values = {"meeting": {"attendance": [{"member": "s1_01", "status": "present"}, {"member": "s1_02", "status": "absent"}]}}
    meeting = webforms.fields_of(schema("cadre_committee_decision.json"), values, ctx)[0]
    attendance = next(c for c in meeting.children if c.path == "meeting.attendance")
    assert attendance.errors == ["A-C1：…"] and attendance.dom_id == "f-meeting-attendance"
    assert attendance.rows[1][1].value == "absent" and attendance.rows[1][2].errors == ["缺席须写明原因"]
    targets = webforms.fields_of(schema("cadre_inspection_targets.json"), {"negative_findings": []}, ctx)
    assert [f.path for f in targets] == ["decision"]


def test_a_stored_meeting_reads_back_with_the_counts_the_server_derived() -> None:
    stored = {**MEETING_OK, "members_total": 5, "members_due": 4, "present": 3,
              "absent": [{"username": "s1_08", "name": "唐磊", "reason": "出差"}]}
    ctx = webforms.FormContext(blocks=BLOCKS, user_names={"s1_01": "马立新", "s1_08": "唐磊"})
    meeting = webforms.fields_of(schema("cadre_committee_decision.json"), {"meeting": stored}, ctx)[0]
    shown = {c.path: c for c in meeting.children}
    assert (shown["meeting.members_due"].display, shown["meeting.present"].display) == ("4", "3")
    assert "meeting.absent" not in shown  # the attendance shows who was away, and why
    rows = [(r[0].display, r[1].display, r[2].display) for r in shown["meeting.attendance"].rows]
    assert rows[0] == ("马立新", "出席", "") and ("唐磊", "缺席", "出差") in rows


def test_read_back_uses_titles_and_names() -> None:
    ctx = webforms.FormContext(blocks=BLOCKS, user_names={"s1_06": "梁晨"})
    fields = {f.path: f for f in webforms.fields_of(schema("cadre_promotion_start.json"), proposal(), ctx)}
    assert fields["candidate"].display == "梁晨"
    assert fields["management_level"].display == "子分公司管理干部"
    assert webforms.usernames_in(schema("cadre_recommendation.json"), {"inspection_team": ["a", "b"]}, BLOCKS) == {"a", "b"}
