"""One argument order for every approval action (issue 14): `run(session, user, target_id, …)`,
the registered service function itself rather than an adapter reordering its arguments."""

from __future__ import annotations

import inspect

from workflows import actions
from workflows.actions.registry import ITEM


def test_every_action_runs_with_session_user_then_the_target_id() -> None:
    assert {"claim", "complete", "transfer", "withdraw"} <= set(actions.ACTIONS)
    for action in actions.ACTIONS.values():
        names = list(inspect.signature(action.run).parameters)[:3]
        target = "item_id" if action.scope == ITEM else "instance_id"
        assert names == ["session", "user", target], (action.name, names)
        assert not action.run.__name__.startswith("_"), f"{action.name} runs through an adapter"


def test_every_parameter_an_action_asks_for_is_a_keyword_of_its_function() -> None:
    for action in actions.ACTIONS.values():
        keywords = inspect.signature(action.run).parameters
        assert all(p.keyword in keywords for p in action.params), action.name
