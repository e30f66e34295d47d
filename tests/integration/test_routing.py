"""Lane → candidates in the org tree (DESIGN §4), resolved from the case's owning unit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models import ProcessInstance
from tests.helpers import start
from webapp.extensions import db
from workflows.routing import assignment


@pytest.fixture()
def case(api: Any, app: Any) -> Any:
    started = start(api)  # initiator s1_03, subject s1_06, owning unit S1
    with app.app_context():
        yield db.session.scalars(select(ProcessInstance).where(ProcessInstance.id == started["id"])).one()
        db.session.remove()


def names(route: assignment.Route) -> list[str]:
    return [u.username for u in route.candidates]


@pytest.mark.parametrize(
    ("lane", "data", "expected"),
    [
        ("secretary", {}, ["s1_01"]),  # the owning unit itself
        ("org_officer@subsidiary", {}, ["s1_03"]),
        ("org_officer@group", {}, ["zhaomin", "sunli"]),  # walks up to the group
        ("secretary@decider", {"management_level": "group"}, ["wangjianguo"]),
        ("secretary@decider", {"management_level": "subsidiary"}, ["s1_01"]),
        ("initiator", {}, ["s1_03"]),
        ("subject", {}, ["s1_06"]),
        ("assignees", {"team": ["s1_08", "s1_07"]}, ["s1_08", "s1_07"]),
    ],
)
def test_each_lane_kind_resolves_to_the_right_people(case: Any, lane: str, data: dict[str, Any],
                                                     expected: list[str]) -> None:
    route = assignment.resolve(db.session, lane, case, data, {"assigneesVariable": "team"})
    assert names(route) == expected


def test_a_unit_variable_routes_from_another_unit(case: Any) -> None:
    route = assignment.resolve(db.session, "secretary", case, {"recipient": "S2"}, {"unitVariable": "recipient"})
    assert names(route) == ["s2_01"] and route.scope_unit.code == "S2"


def test_a_lane_with_nobody_in_the_role_is_an_error_naming_the_unit(case: Any) -> None:
    with pytest.raises(assignment.RoutingError) as caught:
        assignment.resolve(db.session, "finance@branch", case, {}, {})
    assert "finance@branch" in caught.value.message


def test_unknown_lanes_are_refused() -> None:
    for bad in ("pope", "secretary@galaxy", "", None):
        with pytest.raises(ValueError):
            assignment.parse_lane(bad)
