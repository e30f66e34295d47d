"""Server-side form validation: Chinese messages keyed by field path, `$ref` blocks resolved."""

from __future__ import annotations

import json
from typing import Any

import pytest

from workflows.cases import forms
from workflows.engine.definitions import BPMN_DIR
from workflows.errors import ValidationFailed


def all_forms() -> dict[str, Any]:
    root = BPMN_DIR / "forms"
    return {str(p.relative_to(root)): json.loads(p.read_text()) for p in root.rglob("*.json")}


def errors(filename: str, data: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        forms.validate(all_forms(), filename, data)
    return caught.value.fields


def test_missing_required_fields_are_reported_one_by_one() -> None:
    fields = errors("cadre_appointment.json", {"notice_no": "x"})
    assert fields == {"appointed_on": ["必填"], "talk_date": ["必填"], "talk_by": ["必填"]}


def test_a_bad_choice_lists_the_chinese_options() -> None:
    fields = errors("cadre_deliberation.json", {"decision": "maybe"})
    assert fields["decision"] == ["请从以下选项中选择：同意、退回修改、终止"]


def test_dates_must_be_iso_dates() -> None:
    assert errors("cadre_publicity.json", {"start_date": "2026/10/01"})["start_date"] == ["日期格式应为 YYYY-MM-DD"]


def test_unknown_fields_are_refused() -> None:
    assert errors("cadre_deliberation.json", {"decision": "agree", "approved": True})["approved"] == ["表单中没有这个字段"]


def test_meeting_block_errors_carry_their_nested_path() -> None:
    meeting = {"body": "党委会", "date": "2026-03-02", "attendance": [{"member": "s1_01", "status": "here"}],
               "votes": {"for": "five"}}
    fields = errors("cadre_committee_decision.json", {"meeting": meeting})
    assert fields["meeting.attendance.0.status"] == ["请从以下选项中选择：出席、缺席、回避"]
    assert fields["meeting.votes.for"] == ["类型应为整数"] and fields["meeting.votes.against"] == ["必填"]


def test_the_old_typed_counts_are_refused_with_what_to_do_instead() -> None:
    typed = {"body": "党委会", "date": "2026-03-02", "members_due": 3, "present": 2,
             "absent": [{"name": "委员甲", "reason": "出差"}], "votes": {"for": 2, "against": 0}}
    fields = errors("cadre_committee_decision.json", {"meeting": typed})
    assert fields["meeting.members_due"][0].startswith("应到人数由系统根据名册计算")
    assert "出席情况" in fields["meeting.present"][0] and "出席情况" in fields["meeting.absent"][0]
    assert fields["meeting.attendance"] == ["必填"]


def test_a_valid_submission_passes_unchanged() -> None:
    data = {"decision": "agree"}
    assert forms.validate(all_forms(), "cadre_deliberation.json", data) is data


def test_a_negative_decision_needs_a_comment() -> None:
    schema = all_forms()["cadre_deliberation.json"]
    with pytest.raises(ValidationFailed) as caught:
        forms.require_comment(schema, {"decision": "terminate"}, "  ")
    assert "comment" in caught.value.fields
    forms.require_comment(schema, {"decision": "agree"}, None)


def test_every_field_naming_people_says_whether_recusal_applies() -> None:
    """回避 (R-C1) covers each field naming people who act on the case (teams, talks, introducers);
    a field naming the subject or the participants says so with `"x-recusal": false`."""
    from workflows.rules.recusal import named_fields

    for name, schema in all_forms().items():
        for field, prop in (schema.get("properties") or {}).items():
            widget = prop.get("x-widget") or (prop.get("items") or {}).get("x-widget")
            if widget in ("user", "users"):
                assert isinstance(prop.get("x-recusal"), bool), f"{name}: {field} must declare x-recusal"
    found = {name: named_fields(schema) for name, schema in all_forms().items() if named_fields(schema)}
    assert found == {"cadre_recommendation.json": {"inspection_team": "考察组成员"},
                     "cadre_appointment.json": {"talk_by": "谈话人"},
                     "accountability_start_approval.json": {"investigation_team": "问责调查组成员"},
                     "admission_vetting.json": {"introducers": "入党介绍人"},
                     "admission_approval_talk.json": {"talk_by": "谈话人"},
                     "admission_oath.json": {"led_by": "领誓人"},
                     "assessment_talk.json": {"talk_by": "考核组成员"}}
