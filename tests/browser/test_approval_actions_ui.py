"""Approval actions in a real browser, each by the person it belongs to: 退回 to an earlier step
and to the initiator, then 重新提交; 转办; 加签 (向后) and the added signer's 同意; a deputy acting
"代" during a 委托; reading a notification."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.conftest import PHONE
from tests.browser.test_cadre_promotion_ui import open_case
from tests.browser.test_cadre_promotion_ui import todo_numbers
from tests.helpers import complete
from tests.helpers import start
from workflows.engine import clock

# Each test at a desktop's width and a phone's (issue 13: every item at both widths).
pytestmark = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"], indirect=True)


def dialog(page: Page, action: str) -> Any:
    """Open the small form of `action` in the action bar and return it."""
    pop = page.locator(f'#action-bar details[data-action="{action}"]').first
    summary, more = pop.locator("summary"), page.locator("#action-bar .more-toggle")
    # Wait until the bar shows one of the two (a loaded machine lays the page out late): reading
    # `is_visible` at once could find neither, and then wait for a summary hidden under 更多.
    expect(summary.or_(more).filter(visible=True).first).to_be_visible(timeout=30_000)
    if not summary.is_visible():
        more.click()  # on a phone the actions other than the decisions are under 更多
    summary.click()
    form = pop.locator("form")
    expect(form).to_be_visible()
    return form


def record(page: Page) -> list[str]:
    """The timeline's tags and from → to lines, as the page reads them back."""
    return page.locator(".timeline .tl .tag, .timeline .tl-move").all_inner_texts()


def test_return_to_an_earlier_step_and_to_the_initiator_then_resubmit(people: Any, api: Any, shoot: Any) -> None:
    case = start(api)
    number = case["number"]
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    officer = people("s1_03")
    page = open_case(officer, number)
    form = dialog(page, "return")
    expect(form.locator("select[name=to] option")).to_have_text(["请选择", "发起人（动议） · 林涛", "酝酿 · 马立新"])
    form.locator("select[name=to]").select_option("deliberation")
    shoot(page, "case-actions")
    form.get_by_role("button", name="确定").click()
    refused = page.locator('#action-bar details[data-action="return"][open]')
    expect(refused.locator(".field-error")).to_have_text("请填写退回理由")
    expect(refused.locator("select[name=to]")).to_have_value("deliberation")
    refused.locator("textarea[name=reason]").fill("酝酿意见需写明人选的主要不足")
    refused.get_by_role("button", name="确定").click()
    expect(page.locator(".flash")).to_contain_text("已退回")
    assert todo_numbers(officer) == []

    secretary = people("s1_01")
    page = open_case(secretary, number)
    expect(page.locator(".timeline")).to_contain_text("退回至：酝酿")
    form = dialog(page, "return")
    form.locator("select[name=to]").select_option("initiator")
    form.locator("textarea[name=reason]").fill("请补充推荐理由后重新提交")
    form.get_by_role("button", name="确定").click()
    expect(page.locator(".flash")).to_contain_text("已退回")

    page = open_case(officer, number)
    expect(page.locator("#task-title")).to_contain_text("动议（退回修改）")
    page.fill("#f-reasons", "疫情防控期间坚守一线，连续奋战 60 天，表现突出")
    page.locator("#action-bar button", has_text="重新提交").click()
    expect(page.locator(".flash")).to_contain_text(number)
    assert todo_numbers(secretary) == [number]
    page = open_case(secretary, number)
    expect(page.locator(".timeline")).to_contain_text("重新提交")


def test_transfer_then_add_a_signer_after_who_agrees(people: Any, api: Any, shoot: Any) -> None:
    number = start(api)["number"]
    page = open_case(people("s1_01"), number)
    form = dialog(page, "transfer")
    form.locator("select[name=to]").select_option("s1_02")
    form.locator("textarea[name=reason]").fill("本人出差，请高峰同志办理")
    form.get_by_role("button", name="确定").click()
    expect(page.locator(".flash")).to_contain_text("已转办")

    head = people("s1_02")
    page = open_case(head, number)
    expect(page.locator(".timeline")).to_contain_text("马立新 → 高峰")
    form = dialog(page, "add-signer")
    form.locator("select[name=user]").select_option("s1_07")
    form.get_by_label("向后加签").check()
    form.locator("textarea[name=reason]").fill("请党委委员把关")
    form.get_by_role("button", name="确定").click()
    expect(page.locator(".timeline")).to_contain_text("向后加签：宋佳")
    page.locator("#comment").fill("同意，请宋佳同志会签")
    page.locator("#action-bar button", has_text="同意").first.click()
    expect(page.locator(".flash")).to_contain_text(number)

    signer = people("s1_07")
    assert todo_numbers(signer) == [number]
    page = open_case(signer, number)
    expect(page.locator("#task-title")).to_contain_text("酝酿（加签）")
    page.locator("#comment").fill("无不同意见")
    page.locator("#action-bar button", has_text="同意").first.click()
    expect(page.locator(".flash")).to_contain_text(number)
    assert todo_numbers(people("s1_03")) == [number]  # 民主推荐: the step went on
    page = open_case(people("s1_03"), number)
    assert record(page)[:4] == ["转办", "马立新 → 高峰", "向后加签：宋佳", "同意"]
    page.locator(".timeline-card").scroll_into_view_if_needed()
    shoot(page, "case-record")


def test_a_deputy_acts_for_the_principal(people: Any, api: Any) -> None:
    number = start(api)["number"]
    secretary = people("s1_01")
    page = secretary.go("/delegations")
    page.select_option("#f-deputy", "s1_02")
    page.fill("#f-ends_at", (clock.today_local().date() + timedelta(days=7)).isoformat())
    page.get_by_label("干部提拔任用").check()
    page.fill("#f-reason", "赴党校学习")
    page.get_by_role("button", name="设置委托").click()
    expect(page.locator("#given")).to_contain_text("生效中")

    deputy = people("s1_02")
    page = deputy.go("/tasks/todo")
    expect(page.locator("#queue tr", has_text=number).locator(".acting-for")).to_have_text("代马立新办理")
    page = open_case(deputy, number)
    page.locator("#comment").fill("同意（代书记）")
    page.locator("#action-bar button", has_text="同意").first.click()
    expect(page.locator(".flash")).to_contain_text(number)
    page = open_case(people("s1_03"), number)
    expect(page.locator(".timeline .tl-done .tl-who").first).to_contain_text("高峰（代马立新）")


def test_reading_a_notification(people: Any, api: Any, shoot: Any) -> None:
    case = start(api)
    officer = people("s1_03")
    page = officer.go(f"/cases/{case['id']}")
    form = dialog(page, "remind")
    form.locator("textarea[name=note]").fill("党委会下周召开，请于周五前酝酿")
    form.get_by_role("button", name="确定").click()
    expect(page.locator(".flash")).to_contain_text("已催办")

    secretary = people("s1_01")
    page = secretary.go("/")
    menu = page.locator("button.nav-toggle")
    if menu.is_visible():
        menu.click()  # on a phone the navigation is behind 菜单
    expect(page.locator("#nav-notifications .badge")).to_have_text("2")
    page.locator("#nav-notifications").click()
    rows = page.locator("#notifications tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("林涛催办：党委会下周召开，请于周五前酝酿")
    expect(rows.first).to_have_class("unread")
    shoot(page, "notifications")
    rows.first.locator(".n-title a").click()
    expect(page.locator("#task-title")).to_contain_text("酝酿")
    expect(page.locator("#nav-notifications .badge")).to_have_count(0)
    page = secretary.go("/notifications")
    expect(page.locator("#notifications tbody tr.unread")).to_have_count(0)
