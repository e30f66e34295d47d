"""周报 pages: the unit × week matrix with its CSV for the group's 组织部, one report with a 问责 lead
per line (the 问责 start form opens prefilled) and the 督导 form, the schedule form, and the
工作台's 周报 part for the group and for a subsidiary."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.drivers import weekly as wk
from tests.flows import Flow
from tests.flows import at
from workflows.engine.clock import frozen_at


@pytest.fixture()
def flow(api: Any, app: Any, runner: Any) -> Iterator[Flow]:
    """The week of Monday 2026-11-30, reports due Friday 18:00: S1 已报, S2 and S3 opened."""
    with frozen_at(at("2026-11-30 09:00")):
        flow = Flow(api, app, runner)
        wk.set_schedule(flow)
        flow.worker()
        wk.report(flow, "S1", {"s1_07": "issue"})
        yield flow


def test_the_matrix_shows_each_unit_and_week_with_its_status(flow: Flow, web: Any) -> None:
    page = web(wk.GROUP).page("/weekly?weeks=2")
    assert "周报汇总" in page and "2026-W49" in page and "2026-W48" in page
    s1 = page[page.index('data-unit="S1"'):page.index('data-unit="S2"')]
    assert 'data-status="on_time"' in s1 and "已报" in s1 and 'data-status="none"' in s1
    assert 'data-status="pending"' in page[page.index('data-unit="S3"'):]
    with frozen_at(at("2026-12-04 18:30")):
        late = web(wk.GROUP).page("/weekly")
        assert 'data-status="missing"' in late[late.index('data-unit="S2"'):]


def test_the_matrix_csv_has_a_line_per_unit_and_week(flow: Flow, web: Any) -> None:
    response = web(wk.GROUP).get("/weekly/matrix.csv?weeks=2")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["单位代码", "单位", "周次", "周一", "状态", "编号"]
    assert [r[0] + r[2] + r[4] for r in rows[1:]] == ["S12026-W49已报", "S12026-W48未开启", "S22026-W49待报",
                                                      "S22026-W48未开启", "S32026-W49待报", "S32026-W48未开启"]
    assert rows[1][5].startswith("ZB-2026-")


@pytest.mark.parametrize("username", ["s1_03", "s1_01", "wangjianguo", "s2_03"])
def test_the_matrix_and_its_csv_are_refused_to_others(flow: Flow, web: Any, username: str) -> None:
    assert web(username).get("/weekly").status_code == 403
    assert web(username).get("/weekly/matrix.csv").status_code == 403


def test_a_report_line_opens_the_accountability_start_form_prefilled(flow: Flow, web: Any) -> None:
    report = wk.cell(flow, "S1")["report_id"]
    page = web(wk.GROUP).page(f"/weekly/reports/{report}")
    assert "包保炼钢厂复工复产" in page and "问题" in page
    link = "/start/accountability?subject_user=s1_07&amp;source=weekly_report"  # a person, not also the unit
    assert link in page
    form = web(wk.GROUP).page(link.replace("&amp;", "&"))
    assert 'value="s1_07"' in form or 'value="s1_07" selected' in form
    assert 'value="weekly_report" selected' in form
    assert "/start/reserve_nomination?candidate=s1_07" in page  # or propose the person for the 后备干部库
    own = web("s1_03").page(f"/weekly/reports/{report}")  # its own unit sees it, without the 问责 links
    assert "发起问责线索" not in own
    assert web("s2_03").get(f"/weekly/reports/{report}").status_code == 403


def test_the_group_opens_a_supervision_from_the_report_page(flow: Flow, web: Any) -> None:
    missing = wk.cell(flow, "S3")["report_id"]
    assert "开启督导" not in web(wk.GROUP).page(f"/weekly/reports/{missing}")  # 待报: not yet
    with frozen_at(at("2026-12-05 09:00")):
        page = web(wk.GROUP).page(f"/weekly/reports/{missing}")
        assert 'data-status="missing"' in page and "开启督导" in page
        response = web(wk.GROUP).post(f"/weekly/reports/{missing}/supervisions", {"reason": "漏报，约谈组织部"})
        assert response.status_code == 302
        assert "漏报，约谈组织部" in web(wk.GROUP).page(f"/weekly/reports/{missing}")
        assert web("s3_03").post(f"/weekly/reports/{missing}/supervisions", {"reason": "x"}).status_code == 403


def test_the_schedule_form_saves_and_refuses_a_due_day_before_the_opening(flow: Flow, web: Any) -> None:
    assert web("s1_03").get("/weekly/schedule").status_code == 403
    assert 'id="weekly-schedule"' in web(wk.GROUP_HEAD).page("/weekly/schedule")
    bad = web(wk.GROUP_HEAD).post("/weekly/schedule", {"active": "1", "open_weekday": "3", "due_weekday": "1",
                                                       "due_hour": "18", "units": ""})
    assert bad.status_code == 422 and "截止日不能早于开启日" in bad.get_data(as_text=True)
    good = web(wk.GROUP_HEAD).post("/weekly/schedule", {"active": "1", "open_weekday": "0", "due_weekday": "3",
                                                        "due_hour": "12", "units": "S1,S3"})
    assert good.status_code == 302
    assert flow.api(wk.GROUP).get("/weekly-schedule").get_json() == {
        "active": True, "open_weekday": 0, "due_weekday": 3, "due_hour": 12, "units": ["S1", "S3"]}


def test_the_dashboard_shows_this_weeks_reports_to_the_group_and_what_a_unit_owes(flow: Flow, web: Any) -> None:
    group = web(wk.GROUP).page("/")
    part = group[group.index('id="dashboard-weekly"'):]
    assert "本周周报" in part and 'data-count="on_time">已报 1' in part and 'data-count="pending">待报 2' in part
    owed = web("s2_03").page("/")
    assert "待报周报" in owed and 'data-status="pending"' in owed[owed.index('id="dashboard-weekly"'):]
    assert 'id="dashboard-weekly"' not in web("s1_03").page("/")  # S1 has reported


def test_the_unit_fills_its_report_on_the_case_page_with_a_row_per_member(flow: Flow, web: Any) -> None:
    case = wk.case_of(flow, "S2")
    page = web("s2_03").page(f"/cases/{case}")
    assert "填报周报" in page and "包保工作" in page and "生产经营稳定运行" in page and "作用发挥" in page
    chosen = re.findall(r'<option value="(s2_\d\d)"[^>]*selected>', page)
    assert chosen == ["s2_01", "s2_02", "s2_06", "s2_07", "s2_08"]  # one prefilled row per 班子成员
