"""批量同意 in a real browser: the secretary ticks two 酝酿 steps on the 待办 page, adds one shared
opinion, presses 批量同意 and reads which were approved; the 待办 is empty afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.conftest import PHONE
from tests.helpers import start

# Each test at a desktop's width and a phone's (issue 13: every item at both widths).
pytestmark = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"], indirect=True)


def test_the_secretary_approves_two_steps_at_once(people: Any, api: Any) -> None:
    cases = [start(api), start(api, candidate="s1_07")]
    secretary = people("s1_01")
    page = secretary.go("/tasks/todo")
    boxes = page.locator('#queue input[type=checkbox][name=ids]')
    expect(boxes).to_have_count(2)
    for n in range(2):
        boxes.nth(n).check()
    page.fill("#batch-comment", "同意，按程序推进")
    page.get_by_role("button", name="批量同意").click()
    expect(page.locator("#batch-summary")).to_have_text("已同意 2 件，未办理 0 件。")
    expect(page.locator("#batch-result tbody tr.done")).to_have_count(2)
    expect(page.locator("#batch-result")).to_contain_text(cases[0]["number"])
    page.get_by_role("link", name="返回待办").click()
    expect(page.locator("#queue")).to_have_count(0)
    done = api("s1_01").get("/tasks?view=done").get_json()["items"]
    assert sorted((i["instance_id"], i["comment"]) for i in done) == sorted(
        (c["id"], "同意，按程序推进") for c in cases)
