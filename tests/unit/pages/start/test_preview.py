"""The route preview: conditions on the start form decide, later decisions assume agreement, and
candidates come from the same routing the engine uses."""

from __future__ import annotations

import ast
from typing import Any

from tests.helpers import proposal
from webapp.extensions import db
from webapp.pages.start import preview
from workflows import accounts
from workflows.engine import definitions


def evaluate(expression: str, data: dict[str, Any], start_fields: set[str] | None = None) -> Any:
    result = preview._evaluate(ast.parse(expression, mode="eval").body, data, start_fields or set())
    return result if isinstance(result, bool) else ("later" if result.later else "missing")


def test_conditions_are_decided_when_the_data_is_known_and_unknown_otherwise() -> None:
    assert evaluate("purpose == 'promotion'", {"purpose": "promotion"}) is True
    assert evaluate("kind in ('a', 'b')", {"kind": "c"}) is False
    assert evaluate("meeting_outcome == 'adopted' and purpose == 'promotion'", {"purpose": "reserve_pool"}) is False
    assert evaluate("meeting_outcome == 'adopted' and purpose == 'promotion'", {"purpose": "promotion"}) == "later"
    assert evaluate("decision == 'agree' or len(team) > 1", {"team": ["a", "b"]}) is True
    assert evaluate("not breakthrough_type == 'none'", {}, {"breakthrough_type"}) == "missing"
    assert evaluate("1 / zero", {"zero": 0}) == "later"


def steps(username: str, **data: Any) -> list[preview.Step]:
    definition = definitions.latest(db.session, "cadre_promotion")
    return preview.route(db.session, definition, accounts.find_user(db.session, username), data)


def test_a_regular_case_previews_its_steps_and_people(ctx: None, org: None) -> None:
    route = steps("s1_03", **proposal())
    names = [s.id for s in route]
    assert names[:3] == ["deliberation", "recommendation", "inspection_targets"]
    assert "upper_approval" not in names and "upper_consent" not in names
    assert names[-1] == "end_completed" and route[-1].kind == "end"
    assert "upper_filing" not in names and "probation_committee" not in names
    filed = [s.id for s in steps("s1_03", **proposal(upward_filing="record"))]
    assert filed.index("committee_decision") < filed.index("upper_filing") < filed.index("publicity")  # A-C15
    by_id = {s.id: s for s in route}
    assert by_id["deliberation"].candidates == ["马立新"] and by_id["deliberation"].unit == "钢铁股份公司党委"
    assert by_id["inspection"].note == "由前序步骤指定"
    assert by_id["publicity_timer"].kind == "timer"


def test_breakthrough_and_reserve_pool_change_the_path(ctx: None, org: None) -> None:
    route = [s.id for s in steps("s1_03", **proposal(breakthrough_type="qualification", purpose="reserve_pool"))]
    assert "upper_consent" in route and "upper_approval" not in route
    assert route[-1] == "end_reserve_pool" and "publicity" not in route
    skip = [s.id for s in steps("s1_03", **proposal(breakthrough_type="skip_grade", grades_skipped=1))]
    assert skip.index("upper_approval") < skip.index("recommendation")


def test_the_owning_unit_is_the_subjects(ctx: None, org: None) -> None:
    route = {s.id: s for s in steps("zhaomin", **proposal(candidate="s2_06"))}
    assert route["deliberation"].candidates == ["韩冬"]  # S2's secretary, not the group's
    # not chosen yet: who it would be for each option, from the unit the form gives (here the group's own)
    assert steps("zhaomin")[0].note == "取决于干部管理权限（集团管理干部：王建国）"
