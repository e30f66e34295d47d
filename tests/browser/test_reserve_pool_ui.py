"""后备干部库 in a real browser: the 组织部干部 opens it from the menu, searches by 培养措施, opens
梁晨's entry, adds a 培养措施 (a backwards one is refused with A-R3 on the page), and keeps him in
this year's review; the 书记 of the same unit reads the page without the forms."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.drivers import reserve as rsv


@pytest.fixture()
def entry(app: Flask) -> int:
    rsv.put_in_pool(app, "s1b1_02", "S1", "long_term", "热轧厂副厂长", "2020-01-05")
    return rsv.put_in_pool(app, "s1_06", "S1", "young_outstanding", "炼钢厂厂长", "2020-02-01",
                           [("frontline", "选派到疫情防控一线吃劲岗位", "2020-02-10", "2020-04-30")])


def test_the_department_searches_the_pool_and_records_a_measure(people: Any, entry: int, shoot: Any) -> None:
    officer = people("s1_03")
    page = officer.go("/")
    page.click("#nav-reserve")
    expect(page.locator("#reserve-pool tbody tr")).to_have_count(2)
    page.fill("#measure", "吃劲岗位")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("#reserve-pool tbody tr")).to_have_count(1)
    expect(page.locator("#reserve-csv")).to_have_attribute("href", "/reserve-pool/export.csv?measure=%E5%90%83%E5%8A%B2%E5%B2%97%E4%BD%8D&status=active")
    page.get_by_role("link", name="梁晨").click()
    expect(page.locator("#entry-category")).to_have_text("优秀年轻干部")
    expect(page.locator("#measures tbody tr")).to_have_count(1)
    form = page.locator("#measure-form")
    form.locator("select[name=kind]").select_option("secondment")
    form.locator("input[name=title]").fill("到热轧厂挂职锻炼")
    form.locator("input[name=starts_on]").fill("2021-03-01")
    form.locator("input[name=ends_on]").fill("2021-01-01")
    form.get_by_role("button", name="添加").click()
    expect(page.locator(".flash.error")).to_contain_text("A-R3")
    form = page.locator("#measure-form")
    form.locator("select[name=kind]").select_option("secondment")
    form.locator("input[name=title]").fill("到热轧厂挂职锻炼")
    form.locator("input[name=starts_on]").fill("2021-03-01")
    form.locator("input[name=ends_on]").fill("2021-12-31")
    form.get_by_role("button", name="添加").click()
    expect(page.locator(".flash").first).to_have_text("已添加培养措施")
    expect(page.locator("#measures tbody tr")).to_have_count(2)
    expect(page.locator("#measures")).to_contain_text("2021-03-01 — 2021-12-31")
    page.locator("#review-form").get_by_role("button", name="提交年度调整").click()
    expect(page.locator("#reviews tbody tr")).to_have_count(1)
    expect(page.locator("#reviewed-note")).to_be_visible()
    shoot(page, "reserve-entry", full_page=True)
    secretary = people("s1_01").go(f"/reserve-pool/{entry}")
    expect(secretary.locator("#measures tbody tr")).to_have_count(2)
    expect(secretary.locator("#measure-form")).to_have_count(0)
    expect(secretary.locator("#review-form")).to_have_count(0)
