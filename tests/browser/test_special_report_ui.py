"""重要情况专报 in a real browser: S1's 组织部干部 files a 重大事项 from the 发起 page; the group's
组织部部长 finds it on the 工作台, opens the 专报 and its case and acknowledges it; the group's 组织部
receives it and assigns the follow-up, which closes it; the list finds it by kind and offers the CSV
of that search."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.drivers import special_report as sr
from workflows.engine import clock


def act(page: Page, button: str) -> None:
    page.locator("#task .action-bar button", has_text=button).first.click()
    page.wait_for_load_state()


def test_a_major_matter_is_filed_acknowledged_received_and_closed_in_the_browser(people: Any) -> None:
    today = clock.today_local().date()  # the live server runs on the real clock
    page = people(sr.OFFICER).go("/start/special_report")
    page.select_option("#f-kind", "major")
    page.fill("#f-headline", "热轧厂停产检修")
    page.fill("#f-occurred_on", today.isoformat())
    page.fill("#f-content", "设备故障，热轧厂停产检修三天")
    page.select_option("#f-persons", [sr.PERSON])
    page.get_by_role("button", name="提交发起").click()
    expect(page.locator(".case-title")).to_have_text("【重大事项】热轧厂停产检修")
    number = page.locator(".case-number").inner_text()

    head = people(sr.HEAD).go("/")
    board = head.locator("#board-special-reports")
    expect(board).to_contain_text("待部长确认 1")
    board.get_by_role("link", name=f"{number} 【重大事项】热轧厂停产检修").click()
    expect(head.locator("#special-links a[data-person]")).to_have_text(["罗兰"])
    head.locator("#special-case").click()
    head.fill("#f-instructions", "按预案处置")
    act(head, "提交")
    expect(head.locator(".flash")).to_contain_text(number)

    office = people(sr.GROUP_OFFICER).go("/special-reports")
    office.select_option("#kind", "major")
    office.get_by_role("button", name="搜索").click()
    expect(office.locator("#special-reports tbody tr")).to_have_count(1)
    expect(office.locator("#special-csv")).to_have_attribute("href", "/special-reports/export.csv?kind=major")
    office.get_by_role("link", name=number).click()
    office.locator("#special-case").click()
    office.select_option("#f-follow_up_by", sr.FOLLOWER)
    office.fill("#f-follow_up_task", "跟踪检修进度")
    office.fill("#f-follow_up_due", (today + timedelta(days=7)).isoformat())
    act(office, "提交")
    expect(office.locator(".flash")).to_contain_text(number)

    follower = people(sr.FOLLOWER).go(f"/special-reports?q={number}")
    follower.get_by_role("link", name=number).click()
    follower.locator("#special-case").click()
    follower.fill("#f-result", "已恢复生产")
    follower.fill("#f-done_on", today.isoformat())
    act(follower, "提交")
    follower = people(sr.FOLLOWER).go(f"/special-reports?q={number}&status=closed")
    expect(follower.locator("#special-reports tbody tr")).to_have_count(1)
