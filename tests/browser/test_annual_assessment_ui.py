"""年度综合考核 in a real browser, at a desktop's width and a phone's: the group's 组织部干部 starts
S1's assessment of last year from the 发起 page, records the 述职 and the 民主测评 counts table
(考核谈话 by the API), proposes the 等次 — a member who failed the “两个确保” cannot be proposed
称职 (B-C9, shown by the field) — records the group 党委会 on its roster and the 公示 of the 优秀;
the ratings then show on the rated members' 干部信息 pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.conftest import PHONE
from tests.browser.steps import act
from tests.browser.steps import from_todo
from tests.browser.steps import menu
from tests.drivers import assessment as ka
from tests.flows import Flow
from workflows.engine import clock

pytestmark = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"], indirect=True)

RATED = {"s1_06": "梁晨", "s1_07": "宋佳"}
VOTES = {"s1_06": (40, 18, 2, 0), "s1_07": (20, 30, 8, 2)}


def start(page: Page, year: int) -> str:
    page.locator('a[data-key="annual_assessment"]').click()
    page.fill("#f-unit", "S1")
    page.fill("#f-year", str(year))
    page.get_by_label("集团党委", exact=True).check()
    page.select_option("#f-members", list(RATED))
    page.fill("#f-plan", ka.plan()["plan"])
    page.get_by_role("button", name="提交发起").click()
    expect(page.locator(".case-title")).to_have_text(f"钢铁股份公司党委{year}年度综合考核")
    return page.locator(".case-number").inner_text()


def evaluate(page: Page, on: str) -> None:
    """The 民主测评: 60 ballots, one row per rated member, counts per option and the 班子's."""
    page.fill("#f-evaluated_on", on)
    page.fill("#f-participants", "60")
    table = page.locator("#f-member_votes")
    for row, (member, counts) in enumerate(VOTES.items()):
        if row:
            table.get_by_role("button", name="添加一行").click()
        page.select_option(f"#f-member_votes-{row}-member", member)
        for option, count in zip(("excellent", "competent", "basic", "incompetent"), counts, strict=True):
            page.fill(f"#f-member_votes-{row}-{option}", str(count))
    for option, count in {"good": 40, "fairly_good": 15, "average": 4, "poor": 1}.items():
        page.fill(f"#f-team_{option}", str(count))
    act(page, "提交")


def propose(page: Page, second_rating: str) -> None:
    """梁晨 优秀; 宋佳 failed the “两个确保”, proposed `second_rating`."""
    table = page.locator("#f-ratings")
    if table.locator("tbody tr[data-row]:visible").count() < 2:
        table.get_by_role("button", name="添加一行").click()
    for row, (member, rating, ensures) in enumerate((("s1_06", "优秀", "met"), ("s1_07", second_rating, "failed"))):
        page.select_option(f"#f-ratings-{row}-member", member)
        page.select_option(f"#f-ratings-{row}-rating", rating)
        page.select_option(f"#f-ratings-{row}-two_ensures", ensures)
        page.check(f'input[name="ratings.{row}.prevention_weak"][value="false"]')
        page.fill(f"#f-ratings-{row}-performance", "包保炼钢厂卡口，复工复产有序")
    page.get_by_label("较好", exact=True).check()
    page.locator('input[name="team_two_ensures"][value="met"]').check()
    page.fill("#f-team_performance", "班子分工包保，疫情期间生产稳定顺行")
    act(page, "提交")


def committee(page: Page, on: str) -> None:
    """The group 党委会 on its roster of 9: 杨帆 and 黄伟 away, the seven present all for."""
    expect(page.locator("#f-meeting-attendance-0-member")).to_contain_text("王建国")
    page.fill("#f-meeting-body", "集团党委会")
    page.fill("#f-meeting-date", on)
    for row in range(9):
        page.check(f'input[name="meeting.attendance.{row}.status"][value="present"]')
    for row, reason in ((5, "出差"), (6, "病假")):
        page.check(f'input[name="meeting.attendance.{row}.status"][value="absent"]')
        page.fill(f"#f-meeting-attendance-{row}-reason", reason)
    page.fill("#f-meeting-votes-for", "7")
    page.fill("#f-meeting-votes-against", "0")
    act(page, "提交")


def test_the_group_assesses_s1_from_start_to_the_cadre_records(people: Any, api: Any, app: Flask,
                                                               runner: FlaskCliRunner) -> None:
    flow = Flow(api=api, app=app, runner=runner)
    today = clock.today_local().date()  # the live server runs on the real clock
    year = today.year - 1
    day = {n: (today - timedelta(days=n)).isoformat() for n in (30, 29, 28, 21, 14)}
    officer = people(ka.OFFICER)
    number = start(menu(officer, "发起"), year)

    page = from_todo(officer, number)
    page.fill("#f-held_on", day[30])
    page.fill("#f-reports", "班子和班子成员分别述职述廉")
    act(page, "提交")
    expect(page.locator(".flash")).to_contain_text(number)
    case = next(i["instance_id"] for i in flow.todo(ka.OFFICER) if i["instance"]["number"] == number)

    evaluate(from_todo(officer, number), day[29])
    expect(page.locator(".flash")).to_contain_text(number)
    data = flow.case(ka.OFFICER, case)["data"]
    assert data["evaluation_summary"]["s1_07"] == {"优秀": 20, "称职": 30, "基本称职": 8, "不称职": 2}
    assert data["team_evaluation"] == {"好": 40, "较好": 15, "一般": 4, "较差": 1}
    flow.step(ka.OFFICER, case, "talk", ka.talk(talked_on=day[28]))

    page = from_todo(officer, number)
    propose(page, "称职")
    refused = page.locator("#f-ratings-1-rating-error")  # by 宋佳's 等次
    expect(refused).to_contain_text("B-C9：宋佳")
    expect(refused).to_contain_text("须直接评定为“不称职”")
    expect(refused).to_contain_text("集团组织〔2020〕2号")
    expect(page.locator("#f-ratings-0-member")).to_have_value("s1_06")  # what was typed is kept
    propose(page, "不称职")
    expect(page.locator(".flash")).to_contain_text(number)

    page = from_todo(officer, number)
    committee(page, day[21])
    expect(page.locator(".flash")).to_contain_text(number)
    assert flow.case(ka.OFFICER, case)["data"]["needs_publicity"] is True  # an 优秀 is published first

    page = from_todo(officer, number)
    page.fill("#f-start_date", day[14])
    page.fill("#f-scope", "钢铁股份公司")
    page.get_by_label("无反映", exact=True).check()
    act(page, "提交")
    expect(page.locator(".flash")).to_contain_text(number)
    assert flow.case(ka.OFFICER, case)["status"] == "completed"
    assert ka.ratings(flow, "s1_06")[year] == ("优秀", False, "assessment")
    assert ka.ratings(flow, "s1_07")[year] == ("不称职", True, "assessment")  # B-C9 locks it

    page = menu(officer, "干部信息")
    for username, name in RATED.items():
        page = officer.go(f"/cadres/{username}")
        expect(page.locator("h1")).to_contain_text(name)
        row = page.locator("#section-ratings tbody tr", has_text=str(year))
        expect(row).to_contain_text("优秀" if username == "s1_06" else "不称职")
