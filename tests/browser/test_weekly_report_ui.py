"""周报 in a real browser, at a desktop's width and a phone's: the timer worker opens S1's report of
this week; S1's 组织部干部 fills one line per 班子成员 (a 先进 and a 问题), the 书记 confirms, the
group's 组织部 reviews; the group's 周报汇总 then shows S1 已报 for the week, and a line's
发起问责线索 opens the 问责 start form with the person and the 周报 as its source."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from models import ProcessInstance
from models import WeeklyReport
from tests.browser.conftest import DESKTOP
from tests.browser.conftest import PHONE
from tests.browser.steps import act
from tests.browser.steps import from_todo
from tests.drivers import weekly as wk
from webapp.extensions import db
from workflows.engine.clock import SHANGHAI
from workflows.engine.clock import frozen_at

pytestmark = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"], indirect=True)

MEMBERS = ["s1_01", "s1_02", "s1_06", "s1_07", "s1_08"]  # S1's 班子, as the worker lists them
MARKS = {"s1_06": "merit", "s1_07": "issue"}


@pytest.fixture()
def live_now() -> datetime:
    """Wednesday 10:00 (Beijing time) of this week: the report, due on Sunday 23:00, is on time
    on whatever day the test runs — the live server and the test's own steps both run then."""
    today = datetime.now(SHANGHAI).replace(hour=10, minute=0, second=0, microsecond=0)
    return today + timedelta(days=2 - today.weekday())


@pytest.fixture(autouse=True)
def _at_live_now(live_now: datetime) -> Iterator[None]:
    with frozen_at(live_now):
        yield


@pytest.fixture()
def opened(app: Flask, org: None, _at_live_now: None) -> tuple[int, str]:
    """S1's 周报 of this week, opened as the timer worker does once the group set the schedule
    (due on Sunday 23:00): (report id, case number)."""
    from workflows import accounts
    from workflows.weekly import opening
    from workflows.weekly import schedule

    with app.app_context():
        schedule.update(db.session, accounts.find_user(db.session, wk.GROUP_HEAD),
                        {"active": True, "open_weekday": 0, "due_weekday": 6, "due_hour": 23, "units": ["S1"]})
        [case] = opening.open_due(db.session)
        report = db.session.scalars(select(WeeklyReport.id).where(WeeklyReport.instance_id == case.id)).one()
        number = db.session.scalars(select(ProcessInstance.number).where(ProcessInstance.id == case.id)).one()
        db.session.commit()
        db.session.remove()
    return int(report), str(number)


def test_a_unit_reports_its_week_and_the_group_follows_a_line_up(people: Any, opened: tuple[int, str],
                                                                  api: Any) -> None:
    report, number = opened
    officer = people(wk.OFFICERS["S1"])
    page = from_todo(officer, number)
    for row, member in enumerate(MEMBERS):  # the form opens with one row per 班子成员
        expect(page.locator(f"#f-lines-{row}-member")).to_have_value(member)
        page.fill(f"#f-lines-{row}-baobao", "包保炼钢厂复工复产")
        page.fill(f"#f-lines-{row}-production", "生产经营稳定顺行")
        page.fill(f"#f-lines-{row}-role_played", "靠前指挥")
        page.select_option(f"#f-lines-{row}-mark", MARKS.get(member, "neutral"))
    page.fill("#f-summary", "本周平稳")
    act(page, "提交")
    expect(page.locator(".flash")).to_contain_text(number)

    secretary = people(wk.SECRETARIES["S1"])
    act(from_todo(secretary, number), "确认上报")
    expect(secretary.page.locator(".flash")).to_contain_text(number)
    group = people(wk.GROUP)
    act(from_todo(group, number), "审核通过")
    expect(group.page.locator(".flash")).to_contain_text(number)
    body = api(wk.GROUP).get("/weekly-reports?weeks=1").get_json()
    [s1] = [row["cells"][0] for row in body["items"] if row["unit"] == "S1"]
    assert s1["status"] == "on_time" and s1["instance_id"]
    for member, mark in MARKS.items():  # the accepted 先进 / 问题 lines are on the members' 现实表现纪实
        events = api(wk.OFFICERS["S1"]).get(f"/cadres/{member}/events").get_json()["items"]
        assert [e["mark"] for e in events if e.get("instance_id") == s1["instance_id"]] == [mark]

    page = group.go("/")
    page.locator("#dashboard-weekly h2 a").click()
    cell = page.locator('#weekly-matrix tr[data-unit="S1"] td').nth(1)
    expect(cell).to_have_text("已报")
    cell.get_by_role("link").click()
    expect(page).to_have_url(re.compile(f"/weekly/reports/{report}$"))
    expect(page.locator("#weekly-status")).to_have_text("已报")
    lines = page.locator("#weekly-lines tbody tr")
    expect(lines).to_have_count(len(MEMBERS))
    expect(page.locator('#weekly-lines tr[data-member="s1_06"]')).to_contain_text("先进")
    issue = page.locator('#weekly-lines tr[data-member="s1_07"]')
    expect(issue).to_contain_text("问题")
    issue.get_by_role("link", name="发起问责线索").click()
    expect(page.locator("h1")).to_contain_text("问责")
    expect(page.locator("#f-subject_user")).to_have_value("s1_07")
    expect(page.locator("#f-source")).to_have_value("weekly_report")
    page.locator('input[name="level"][value="group"]').check()
    page.select_option("#f-category", "epidemic_prevention")
    page.fill("#f-evidence", "周报反映卡口值守不到位")
    page.locator('input[name="two_ensures_failed"][value="false"]').check()
    page.get_by_role("button", name="提交发起").click()
    expect(page.locator(".case-title")).to_contain_text("宋佳")
