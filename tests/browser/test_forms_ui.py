"""Forms that help, in a real browser (issue 13 item 2): 添加/删除 rows within maxItems, the person
picker's search box (name, unit, pinyin initials), both also without JavaScript; 预览 showing the
start's own refusals by their fields; the 发起 catalog explaining what a user may not start."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.conftest import PHONE
from tests.conftest import PASSWORD

# Each test at a desktop's width and a phone's (issue 13: every item at both widths).
pytestmark = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"], indirect=True)


def test_rows_are_added_and_deleted_within_max_items(people: Any) -> None:
    page = people("s1_03").go("/start/cadre_promotion")
    table = page.locator("#f-key_events")
    rows, add = table.locator("tbody tr"), table.get_by_role("button", name="添加一行")
    expect(rows).to_have_count(1)
    page.fill("#f-key_events-0-event", "抗疫一线坚守")
    add.click()
    expect(rows).to_have_count(2)
    expect(page.locator("#f-key_events-1-date")).to_be_focused()  # the new row's first field
    page.fill("#f-key_events-1-event", "驻村帮扶")
    expect(rows.nth(1).locator("td.num")).to_have_text("2")
    rows.nth(0).get_by_role("button", name="删除").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator("td.num")).to_have_text("1")
    expect(page.locator("#f-key_events-1-event")).to_have_value("驻村帮扶")  # the row keeps its own name

    page.locator("#f-current_post").press("Enter")  # an Enter in a text field adds no row
    expect(rows).to_have_count(1)
    for _ in range(49):
        add.click()
    expect(rows).to_have_count(50)
    expect(add).to_be_disabled()  # maxItems 50
    rows.nth(49).get_by_role("button", name="删除").click()
    expect(add).to_be_enabled()


def test_the_person_picker_filters_by_name_unit_and_pinyin_initials(people: Any) -> None:
    page = people("s1_03").go("/start/cadre_promotion")
    search, picker = page.get_by_label("搜索拟提拔人选"), page.locator("#f-candidate")
    search.fill("mlx")
    expect(picker.locator("option[value]:not([value=''])")).to_have_text(["马立新 · 党委书记"])
    expect(page.locator(".picker-count")).to_have_text("1 人")
    search.press("Enter")
    expect(picker).to_have_value("s1_01")
    search.fill("lgc")  # 炼钢厂党支部, by its initials
    expect(picker.locator("optgroup")).to_have_count(2)  # 炼钢厂党支部, and 马立新's unit (chosen stays listed)
    expect(picker.locator("optgroup[label='炼钢厂党支部'] option")).to_have_count(3)
    expect(picker).to_have_value("s1_01")
    search.fill("宋佳")
    picker.select_option("s1_07")
    search.fill("")
    expect(picker.locator("option")).to_have_count(1 + 14)  # everybody again: 6 in the branches, 8 in S1
    expect(picker).to_have_value("s1_07")


def test_preview_shows_what_the_start_would_refuse_next_to_its_field(people: Any) -> None:
    page = people("s1_03").go("/start/cadre_promotion")
    page.select_option("#f-candidate", "s1_06")
    for selector, value in {"#f-current_post": "炼钢厂副厂长", "#f-proposed_post": "炼钢厂厂长", "#f-years_in_post": "3",
                            "#f-grades_skipped": "2", "#f-reasons": "表现突出"}.items():
        page.fill(selector, value)
    for label in ("子分公司管理干部", "提拔任用", "越级提拔"):
        page.get_by_label(label, exact=True).check()
    page.locator('input[name="in_probation"][value="false"]').check()
    page.get_by_role("button", name="预览流程").click()
    expect(page.locator("#f-grades_skipped-error")).to_contain_text("A-C10")
    expect(page.locator(".alert.ok")).to_have_count(0)
    expect(page.locator(".alert.error")).to_be_visible()


def test_the_catalog_shows_what_a_user_may_not_start_and_who_may(people: Any) -> None:
    page = people("s1_01").go("/start/")
    refused = page.locator('[data-refused="cadre_promotion"]')
    expect(refused).to_contain_text("仅限组织部门干部发起")
    expect(refused.get_by_role("link")).to_have_count(0)
    page.locator('a[data-key="dues_topup"]').click()
    expect(page.locator("h1")).to_contain_text("追加")


def test_without_javascript_the_forms_still_work(browser: Browser, live_server: str, viewport: dict[str, int]) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=viewport, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(live_server + "/auth/login")
        page.fill("#username", "s1_03")
        page.fill("#password", PASSWORD)
        page.click("button.btn.primary")
        page.goto(live_server + "/start/cadre_promotion")
        expect(page.locator(".picker-search").first).to_be_hidden()
        expect(page.locator("#f-key_events [data-row-del]").first).to_be_hidden()
        page.select_option("#f-candidate", "s1_06")  # a plain select
        page.fill("#f-key_events-0-event", "抗疫一线坚守")
        page.get_by_role("button", name="添加一行").click()
        expect(page.locator("#f-key_events tbody tr")).to_have_count(3)
        expect(page.locator("#f-key_events-0-event")).to_have_value("抗疫一线坚守")
        expect(page.locator("#f-candidate")).to_have_value("s1_06")
    finally:
        context.close()


def test_at_phone_width_the_search_box_and_add_button_are_in_reach(people: Any) -> None:
    person = people("s1_03")
    person.page.set_viewport_size(PHONE)
    page = person.go("/start/cadre_promotion")
    for target in (page.get_by_label("搜索拟提拔人选"), page.get_by_role("button", name="添加一行")):
        target.scroll_into_view_if_needed()
        box = target.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
