"""Two people acting on the same item at the same moment: one wins, the other is told it was
already handled (409), and the record holds exactly one of the two actions."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask

from tests.conftest import ApiClient
from tests.helpers import start
from tests.integration.actions.support import actions_of
from tests.integration.actions.support import item_of


def race(app: Flask, calls: list[tuple[ApiClient, str, dict[str, Any]]]) -> list[int]:
    """Send the POSTs from separate threads released together; their status codes, in order."""
    barrier = threading.Barrier(len(calls))
    codes: list[int] = [0] * len(calls)

    def send(index: int, caller: ApiClient, path: str, body: dict[str, Any]) -> None:
        mine = ApiClient(app.test_client(), caller.token, caller.username)
        barrier.wait(timeout=10)
        codes[index] = mine.post(path, body).status_code

    threads = [threading.Thread(target=send, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return codes


def test_a_completion_and_a_return_racing_on_one_item(api: Any, app: Flask) -> None:
    for _ in range(5):
        case = start(api)["id"]
        complete_first = item_of(api, "s1_01", case, "deliberation")
        codes = race(app, [
            (api("s1_01"), f"/tasks/{complete_first}/complete", {"data": {"decision": "agree"}}),
            (api("s1_01"), f"/tasks/{complete_first}/return", {"to": "initiator", "reason": "材料不全"}),
        ])
        assert sorted(codes) == [200, 409]
        done = [a for a in actions_of(api, case) if a in ("task.complete", "task.return")]
        assert done == (["task.complete"] if codes[0] == 200 else ["task.return"])


def test_two_officers_transferring_a_shared_item_at_once(api: Any, app: Flask) -> None:
    case = start(api, management_level="group")["id"]
    api("wangjianguo").post(f"/tasks/{item_of(api, 'wangjianguo', case, 'deliberation')}/complete",
                            {"data": {"decision": "agree"}})
    item = item_of(api, "zhaomin", case, "recommendation")
    codes = race(app, [
        (api("zhaomin"), f"/tasks/{item}/transfer", {"to": "lihua", "reason": "请部长定"}),
        (api("sunli"), f"/tasks/{item}/transfer", {"to": "lihua", "reason": "请部长定夺"}),
    ])
    assert sorted(codes) == [200, 409]
    assert actions_of(api, case).count("task.transfer") == 1
