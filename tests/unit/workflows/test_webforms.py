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
from workflows import forms
from workflows import webforms

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
        elif f.kind == "table":
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


def roundtrip(name: str, data: dict[str, Any]) -> dict[str, Any]:
    form = schema(name)
    fields = webforms.fields_of(form, data, webforms.FormContext(blocks=BLOCKS))
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
    meeting = webforms.fields_of(schema("cadre_committee_decision.json"), {}, webforms.FormContext(blocks=BLOCKS))[0]
    assert meeting.kind == "group" and meeting.label == "会议记录"  # resolved through $ref
    assert {c.path: c.kind for c in meeting.children}["meeting.recusals"] == "lines"


def test_empty_fields_and_rows_are_left_out_and_bad_numbers_kept_as_typed() -> None:
    posted = {"meeting.body": ["党委会"], "meeting.members_due": ["九"], "meeting.present": [" 7 "],
              "meeting.absent.0.name": [""], "meeting.absent.0.reason": [""], "meeting.absent.3.name": ["委员甲"],
              "meeting.recusals": ["张三\n\n李四 "], "meeting.minutes_no": ["  "]}
    parsed = webforms.parse_object(posted, schema("cadre_committee_decision.json"), BLOCKS)
    assert parsed == {"meeting": {"body": "党委会", "members_due": "九", "present": 7,
                                  "absent": [{"name": "委员甲"}], "recusals": ["张三", "李四"]}}


def test_errors_land_on_their_fields_and_server_fields_never_render() -> None:
    ctx = webforms.FormContext(blocks=BLOCKS, errors={"meeting.present": ["A-C1：…"], "meeting.absent.1.reason": ["必填"]})
    meeting = webforms.fields_of(schema("cadre_committee_decision.json"), {"meeting": {"absent": [{}, {"name": "甲"}]}},
                                 ctx)[0]
    present = next(c for c in meeting.children if c.path == "meeting.present")
    assert present.errors == ["A-C1：…"] and present.dom_id == "f-meeting-present"
    absent = next(c for c in meeting.children if c.path == "meeting.absent")
    assert len(absent.rows) == 2 + webforms.BLANK_ROWS and absent.rows[1][1].errors == ["必填"]
    targets = webforms.fields_of(schema("cadre_inspection_targets.json"), {"negative_findings": []}, ctx)
    assert [f.path for f in targets] == ["decision"]


def test_read_back_uses_titles_and_names() -> None:
    ctx = webforms.FormContext(blocks=BLOCKS, user_names={"s1_06": "梁晨"})
    fields = {f.path: f for f in webforms.fields_of(schema("cadre_promotion_start.json"), proposal(), ctx)}
    assert fields["candidate"].display == "梁晨"
    assert fields["management_level"].display == "子分公司管理干部"
    assert webforms.usernames_in(schema("cadre_recommendation.json"), {"inspection_team": ["a", "b"]}, BLOCKS) == {"a", "b"}
