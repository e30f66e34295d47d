"""What the browser tests of one process do again and again, as a user does it at either width:
the side menu (behind 菜单 on a phone), a case from 待办, and a step's decision button."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page
from playwright.sync_api import expect


def menu(person: Any, link: str) -> Page:
    """From the 工作台, follow the side menu's `link` (its text, before any badge), opening 菜单 first on a phone."""
    page: Page = person.go("/")
    toggle = page.locator("button.nav-toggle")
    size = page.viewport_size
    if size is not None and size["width"] <= 640:  # a phone: the menu is folded behind 菜单
        expect(page.locator("#sidenav")).to_be_hidden()
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
    else:
        expect(toggle).to_be_hidden()
    page.locator("#sidenav").get_by_role("link", name=re.compile(f"^{link}")).click()
    page.wait_for_load_state()
    return page


def from_todo(person: Any, number: str) -> Page:
    """Open the case `number` from 待办 (through the menu) at its step's form."""
    page = menu(person, "待办")
    page.locator("#queue tr", has_text=number).get_by_role("link", name="办理").click()
    expect(page.locator("#task")).to_be_visible()
    return page


def act(page: Page, button: str) -> None:
    page.locator("#task .action-bar button", has_text=button).first.click()
    page.wait_for_load_state()

