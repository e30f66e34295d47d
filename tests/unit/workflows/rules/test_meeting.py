"""The meeting block: the server computes the outcome from the body's rule set (A-C1/A-C2/A-C4)
and the counts it derived from the roster (`members_due`, `present`)."""

from __future__ import annotations

from typing import Any

import pytest

from workflows.errors import RuleViolation
from workflows.errors import ValidationFailed
from workflows.rules.meeting import evaluate
from workflows.rules.meeting import quorum_needed
from workflows.rules.packs import body

COMMITTEE = body("cadre_committee")


def meeting(due: int, present: int, votes_for: int, against: int = 0, defer: int = 0, **extra: Any) -> dict[str, Any]:
    return {"body": "党委会", "date": "2026-03-02", "members_due": due, "present": present,
            "votes": {"for": votes_for, "against": against, "abstain": 0, "defer": defer}, **extra}


def test_quorum_is_two_thirds_of_members_due_rounded_up() -> None:
    assert quorum_needed(COMMITTEE, 9) == 6
    assert quorum_needed(COMMITTEE, 10) == 7
    assert quorum_needed(COMMITTEE, 3) == 2


def test_nine_due_six_present_five_for_is_adopted() -> None:
    assert evaluate(COMMITTEE, meeting(9, 6, 5, 1)) == "adopted"


def test_nine_due_six_present_four_for_is_not_adopted_because_half_of_members_due_is_counted() -> None:
    # 4 of 6 present is a majority of those present, but not more than half of the 9 due (A-C2).
    assert evaluate(COMMITTEE, meeting(9, 6, 4, 2)) == "rejected"


def test_nine_due_five_present_is_an_invalid_meeting_citing_a_c1() -> None:
    with pytest.raises(RuleViolation) as caught:
        evaluate(COMMITTEE, meeting(9, 5, 5))
    assert caught.value.rule == "A-C1"
    assert "A-C1" in caught.value.message and "党政领导干部选拔任用工作条例" in caught.value.message
    assert "meeting.attendance" in caught.value.fields


def test_defer_votes_defer_a_matter_that_is_not_adopted() -> None:
    assert evaluate(COMMITTEE, meeting(9, 7, 4, 0, defer=3)) == "deferred"
    assert evaluate(COMMITTEE, meeting(9, 7, 5, 0, defer=2)) == "adopted"


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (meeting(9, 6, 5, 2), "meeting.votes"),
        (meeting(9, 7, 5, written_opinions_for=1), "meeting.written_opinions_for"),
    ],
)
def test_inconsistent_records_are_refused_with_the_field_named(record: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        evaluate(COMMITTEE, record)
    assert field in caught.value.fields


def test_a_cadre_committee_has_no_abstention_a_c4() -> None:
    record = meeting(9, 7, 5)
    record["votes"]["abstain"] = 1
    with pytest.raises(RuleViolation) as caught:
        evaluate(COMMITTEE, record)
    assert caught.value.rule == "A-C4" and "meeting.votes.abstain" in caught.value.fields
    assert evaluate(body("dues_committee"), record) == "adopted"  # a 党费 decision may abstain


def test_a_body_with_everyone_recused_cannot_meet() -> None:
    with pytest.raises(RuleViolation) as caught:
        evaluate(COMMITTEE, {**meeting(0, 0, 0), "members_total": 1, "recusals": [{"name": "甲"}]})
    assert caught.value.rule == "A-C1"
