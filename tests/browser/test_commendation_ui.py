"""表彰 in a real browser, at a desktop's width and a phone's: the group's 组织部干部 starts a 七一
表彰 with S1's quotas; S1's 组织部干部 nominates two 党员 and a 党支部 in the nominees table
(添加一行); at the 资格审核 the nominee on the negative list (last year 基本称职) cannot pass — the
refusal cites H-C2 and its source by the 不予通过 table — and is excluded there; the 公示, the
党委会 and the 表彰决定 go by the API, after which the case page offers the 表彰决定 PDF."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
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
from tests.drivers import commendation as hon
from tests.flows import Flow
from tests.flows import at
from workflows.engine import clock
from workflows.engine.clock import SHANGHAI
from workflows.engine.clock import frozen_at

pytestmark = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"], indirect=True)


@pytest.fixture()
def live_now() -> datetime:
    """1 June 10:00 (Beijing time) of this year, when a 七一 表彰 is under way: its 公示 and
    decision, a fortnight later, fall in the same year on whatever day the test runs. The live
    server and the test's own steps both run then."""
    return datetime.now(SHANGHAI).replace(month=6, day=1, hour=10, minute=0, second=0, microsecond=0)


@pytest.fixture(autouse=True)
def _at_live_now(live_now: datetime) -> Iterator[None]:
    with frozen_at(live_now):
        yield

QUOTAS = [("S1", "excellent_member", 2), ("S1", "advanced_org", 1)]
NOMINEES = [("excellent_member", "s1_05", "", "疫情期间坚守一线卡口，连续值守四十天"),
            ("excellent_member", "s1b1_01", "", "带领党员突击队抢修设备"),
            ("advanced_org", "", "S1B1", "组织党员突击队，实现厂区零感染、生产不停")]


def launch(page: Page, title: str, deadline: str) -> str:
    page.locator('a[data-key="commendation"]').click()
    page.locator('input[name="kind"][value="qiyi"]').check()
    page.fill("#f-title", title)
    page.fill("#f-basis", hon.launch()["basis"])
    page.fill("#f-deadline", deadline)
    for row, (unit, honour, quota) in enumerate(QUOTAS):
        if row:
            page.locator("#f-quotas").get_by_role("button", name="添加一行").click()
        page.fill(f"#f-quotas-{row}-unit", unit)
        page.select_option(f"#f-quotas-{row}-honour", honour)
        page.fill(f"#f-quotas-{row}-quota", str(quota))
    page.get_by_role("button", name="提交发起").click()
    expect(page.locator(".case-title")).to_have_text(title)
    return page.locator(".case-number").inner_text()


def nominate(page: Page) -> None:
    table = page.locator("#f-nominees")
    for row, (honour, person, organization, deeds) in enumerate(NOMINEES):
        if row:
            table.get_by_role("button", name="添加一行").click()
        page.select_option(f"#f-nominees-{row}-honour", honour)
        if person:
            page.select_option(f"#f-nominees-{row}-person", person)
        page.fill(f"#f-nominees-{row}-organization", organization)
        page.fill(f"#f-nominees-{row}-deeds", deeds)
    expect(table.locator("tbody tr[data-row]:visible")).to_have_count(3)
    act(page, "提交")


def later_steps(flow: Flow, case: int, today: Any) -> None:
    """公示 from today for 5 working days, the timer, then (a fortnight on) no objections, the
    group 党委会 and the 表彰决定."""
    flow.step(hon.OFFICER, case, "publicity", {"start_date": today.isoformat(), "scope": "集团各单位"})
    after = today + timedelta(days=14)
    with frozen_at(at(f"{after.isoformat()} 10:00")):
        assert flow.worker() >= 1
        flow.step(hon.OFFICER, case, "publicity_review", {"objections": False, "decision": "continue"})
        flow.step(hon.OFFICER, case, "committee_decision", hon.committee(on=after.isoformat()))
        flow.step(hon.OFFICER, case, "decision", {"decision_no": hon.DECISION_NO, "issued_on": after.isoformat()})


def test_a_qiyi_commendation_from_quotas_to_the_decision_pdf(people: Any, api: Any, app: Flask,
                                                              runner: FlaskCliRunner) -> None:
    flow = Flow(api=api, app=app, runner=runner)
    today = clock.today_local().date()  # live_now, as on the live server
    hon.rate(app, "s1_05", today.year - 1, "基本称职")  # 罗兰: on the negative list (H-C2)
    officer = people(hon.OFFICER)
    title = f"{today.year}年“七一”表彰"
    number = launch(menu(officer, "发起"), title, (today + timedelta(days=14)).isoformat())
    case = next(i["instance_id"] for i in flow.todo(hon.S1_OFFICER) if i["instance"]["number"] == number)

    s1 = people(hon.S1_OFFICER)
    nominate(from_todo(s1, number))
    expect(s1.page.locator(".flash")).to_contain_text(number)
    review = flow.api(hon.OFFICER).get(f"/tasks/{flow.item(hon.OFFICER, case, 'review')['id']}").get_json()
    shown = review["data"]["eligibility"]
    assert [(r["name"], [f["rule"] for f in r["findings"]]) for r in shown] == [
        ("罗兰", ["H-C2"]), ("张伟", []), ("炼钢厂党支部", [])]

    page = from_todo(officer, number)
    expect(page.locator(".server-fields")).to_contain_text("罗兰（优秀共产党员）")
    act(page, "通过，进入公示")
    refused = page.locator("#f-excluded-error")
    expect(refused).to_contain_text("H-C2：罗兰")
    expect(refused).to_contain_text("不得作为表彰对象")
    expect(refused).to_contain_text("《党政领导干部考核工作条例》")
    page.fill("#f-excluded-0-nominee", "罗兰")
    page.fill("#f-excluded-0-reason", "负面清单：上年度考核基本称职")
    act(page, "通过，进入公示")
    expect(page.locator(".flash")).to_contain_text(number)
    data = flow.case(hon.OFFICER, case)["data"]
    assert [r["name"] for r in data["honourees"]] == ["张伟", "炼钢厂党支部"]
    assert [(e["name"], e["rule"]) for e in data["exclusions"]] == [("罗兰", "H-C2")]

    page = menu(officer, "我发起的")
    page.locator("#queue").get_by_role("link", name=number).click()
    expect(page.locator("#downloads a", has_text="表彰决定")).to_have_count(0)
    later_steps(flow, case, today)
    assert flow.case(hon.OFFICER, case)["status"] == "completed"
    page.reload()
    link = page.locator("#downloads a", has_text="表彰决定")
    expect(link).to_have_attribute("href", f"/cases/{case}/documents/commendation_decision.pdf")
    pdf = page.request.get(officer.base + link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
