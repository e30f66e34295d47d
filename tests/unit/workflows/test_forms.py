"""Server-side form validation: Chinese messages keyed by field path, `$ref` blocks resolved."""

from __future__ import annotations

import json
from typing import Any

import pytest

from workflows import forms
from workflows.definitions import BPMN_DIR
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
    meeting = {"body": "党委会", "date": "2026-03-02", "members_due": 9, "present": "seven", "votes": {"for": 5}}
    fields = errors("cadre_committee_decision.json", {"meeting": meeting})
    assert fields["meeting.present"] == ["类型应为整数"]
    assert fields["meeting.votes.against"] == ["必填"]


def test_a_valid_submission_passes_unchanged() -> None:
    data = {"decision": "agree"}
    assert forms.validate(all_forms(), "cadre_deliberation.json", data) is data


def test_a_negative_decision_needs_a_comment() -> None:
    schema = all_forms()["cadre_deliberation.json"]
    with pytest.raises(ValidationFailed) as caught:
        forms.require_comment(schema, {"decision": "terminate"}, "  ")
    assert "comment" in caught.value.fields
    forms.require_comment(schema, {"decision": "agree"}, None)
