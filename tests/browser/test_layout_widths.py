"""The layout at a phone's width (390×844) and a desktop's (1440×900), measured in a real browser:
办理 in reach on 待办 without sideways scrolling, the navigation folded away on the phone, the
decision buttons in the bottom bar, and the 审批意见 box wide enough to write in even when the
action bar is full (after a 加签, and when the initiator also handles the step)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.helpers import complete
from tests.helpers import open_item
from tests.helpers import start

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
SIZES = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
MIN_OPINION = 280  # px: a line of about twenty characters


@pytest.fixture(params=SIZES)
def size(request: pytest.FixtureRequest) -> dict[str, int]:
    return request.param


@pytest.fixture()
def signed_in(browser: Browser, live_server: str, size: dict[str, int]) -> Iterator[Any]:
    """`signed_in("s1_03")` → a page of that demo user at the test's window size."""
    contexts: list[Any] = []
    problems: list[str] = []

    def open_as(username: str) -> Page:
        context = browser.new_context(viewport=size, locale="zh-CN", is_mobile=size == PHONE,
                                      has_touch=size == PHONE)
        contexts.append(context)
        page = context.new_page()
        # A refused form answers 422 on purpose (Chromium logs that); any other error is a failure.
        page.on("console", lambda m: problems.append(m.text)
                if m.type == "error" and "responded with a status of 4" not in m.text else None)
        page.goto(live_server + "/auth/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button.btn.primary")
        page.wait_for_url(live_server + "/")
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert problems == []


def phone(page: Page) -> bool:
    return page.viewport_size["width"] < 600


def fits(page: Page) -> None:
    """Nothing sticks out sideways: the page scrolls only up and down."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"


def on_screen(page: Page, element: Locator) -> dict[str, float]:
    """The element's box, asserted to lie within the window's width."""
    box = element.bounding_box()
    assert box is not None, f"{element} is not displayed"
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], f"{element} at {box}"
    return box


def opinion_width(page: Page) -> float:
    """The width of the 审批意见 box, with a full action bar (nine buttons or more)."""
    assert page.locator("#action-bar .decisions > button, #action-bar .more > *").count() >= 9
    box = page.locator("#comment").bounding_box()
    assert box is not None
    return box["width"]


def more_actions(page: Page, shoot: Any) -> None:
    """On a phone, 更多 unfolds the other actions, and 退回 opens its form on screen."""
    back = page.locator('#action-bar details[data-action="return"] summary')
    if not phone(page):
        expect(back).to_be_visible()
        return
    expect(back).to_be_hidden()
    page.locator("#action-bar .more-toggle").click()
    expect(back).to_be_visible()
    shot(page, shoot, "case-more")
    back.click()
    form = page.locator('#action-bar details[data-action="return"] form')
    expect(form).to_be_visible()
    on_screen(page, form)
    expect(form.get_by_role("button", name="确定")).to_be_in_viewport()
    shot(page, shoot, "case-return")
    form.get_by_role("button", name="确定").click()  # no reason given: refused, the form comes back open
    refused = page.locator('#action-bar details[data-action="return"][open] form')
    expect(refused.locator(".field-error").first).to_be_visible()
    on_screen(page, refused)


def decisions_reachable(page: Page, *labels: str) -> None:
    """The decision buttons are shown in the action bar; on a phone, pinned to the bottom."""
    for label in labels:
        button = page.locator("#action-bar .decisions button", has_text=label).first
        expect(button).to_be_visible()
        in_the_bottom_bar(page, button)


def in_the_bottom_bar(page: Page, button: Locator) -> None:
    """On screen; on a phone, within the bar pinned to the bottom of the window."""
    box = on_screen(page, button)
    if phone(page):
        assert box["y"] + box["height"] <= page.viewport_size["height"] + 0.5
        assert box["y"] > page.viewport_size["height"] - 120, f"{button} is not in the bottom bar: {box}"


def shot(page: Page, shoot: Any, name: str) -> None:
    """phone-<name>.png; at a desk only the case pages (todo.png, start.png … are taken elsewhere)."""
    if phone(page):
        shoot(page, f"phone-{name}")
    elif name.startswith("case"):
        shoot(page, f"desktop-{name}")


def test_the_navigation_folds_away_on_a_phone(signed_in: Any, shoot: Any) -> None:
    page = signed_in("s1_03")
    nav = page.locator("#sidenav")
    if not phone(page):
        expect(nav).to_be_visible()
        expect(page.get_by_role("button", name="菜单")).to_be_hidden()
        assert nav.bounding_box()["width"] < 200
        return
    expect(nav).to_be_hidden()
    expect(page.locator(".topbar .who")).to_be_hidden()
    page.get_by_role("button", name="菜单").click()
    expect(nav.get_by_role("link", name="待办")).to_be_visible()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    shot(page, shoot, "menu")
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("button", name="菜单")).to_have_attribute("aria-expanded", "false")
    fits(page)


def test_todo_list_has_handle_in_reach(signed_in: Any, api: Any, live_server: str, shoot: Any) -> None:
    number = start(api)["number"]
    start(api, candidate="s1_07")
    page = signed_in("s1_01")
    page.goto(live_server + "/tasks/todo")
    row = page.locator("#queue tbody tr", has_text=number)
    handle = row.get_by_role("link", name="办理")
    expect(handle).to_be_visible()
    on_screen(page, handle)
    fits(page)
    shot(page, shoot, "todo")
    handle.click()
    expect(page.locator("#task")).to_be_visible()
    fits(page)


def test_the_initiator_who_also_handles_the_step(signed_in: Any, api: Any, live_server: str, shoot: Any) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    complete(api, "s1_03", case["id"], "recommendation",
             {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]})
    page = signed_in("s1_03")
    page.goto(live_server + f"/cases/{case['id']}")
    width = opinion_width(page)
    shot(page, shoot, "case")
    assert width >= MIN_OPINION
    decisions_reachable(page, "列为考察对象", "不列为考察对象")
    fits(page)
    more_actions(page, shoot)


def test_after_adding_a_signer(signed_in: Any, api: Any, live_server: str, shoot: Any) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")
    added = api("s1_01").post(f"/tasks/{item['id']}/add-signer", {"user": "s1_02", "position": "after"})
    assert added.status_code == 200, added.get_json()
    page = signed_in("s1_01")
    page.goto(live_server + f"/cases/{case['id']}")
    width = opinion_width(page)
    shot(page, shoot, "case-signed")
    assert width >= MIN_OPINION
    decisions_reachable(page, "同意", "退回修改", "终止")
    fits(page)



def test_the_actions_on_a_case_without_a_step_of_ones_own(signed_in: Any, api: Any, live_server: str) -> None:
    case = start(api)  # at 酝酿, the secretary's: the initiator may 催办 or 撤回
    page = signed_in("s1_03")
    page.goto(live_server + f"/cases/{case['id']}")
    remind = page.locator('#action-bar details[data-action="remind"] summary')
    if phone(page):
        toggle = page.locator("#action-bar .more-toggle")
        expect(toggle).to_have_text("操作")
        in_the_bottom_bar(page, toggle)
        expect(remind).to_be_hidden()
        toggle.click()
    expect(remind).to_be_visible()
    on_screen(page, remind)
    fits(page)


PAGES = {
    "s1_03": ["/", "/start/", "/start/cadre_promotion", "/tasks/todo", "/tasks/done", "/tasks/started", "/tasks/cc",
              "/notifications", "/delegations", "/auth/password", "/cases/{id}", "/cases/{id}?tab=diagram",
              "/cases/{id}?tab=log"],
    "admin": ["/admin/users", "/admin/org", "/admin/processes", "/admin/calendar", "/admin/probation", "/admin/cases",
              "/admin/cases/{id}"],
    "zhengyun": ["/audit/", "/audit/events", "/audit/verify"],
}


def test_every_page_fits_the_width(signed_in: Any, api: Any, live_server: str, shoot: Any) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    wide = []
    for username, paths in PAGES.items():
        page = signed_in(username)
        for path in paths:
            page.goto(live_server + path.format(id=case["id"]))
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > page.viewport_size["width"]:
                wide.append((path, width))
            if path == "/start/cadre_promotion":
                shot(page, shoot, "start")
    assert wide == [], f"wider than the window: {wide}"
