"""表彰线索 (issue 16): a 周报 line marked 先进 and accepted by the group goes on the person's
现实表现纪实, and a 表彰's 推荐 step shows its 组织部 the last year's 先进 events of its own unit's
people to nominate from — never another unit's, never a 问题, and to nobody but the step's holder."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.drivers import commendation as honours
from tests.drivers import weekly as wk
from tests.flows import Flow

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.clock("2026-11-30 09:00")]


def leads_of(html: str) -> list[str]:
    """The usernames the 表彰线索 panel lists ([] when there is no panel)."""
    at = html.find('id="commendation-leads"')
    if at < 0:
        return []
    return re.findall(r'data-lead="([^"]+)"', html[at:html.index("</section>", at)])


def test_a_merit_line_of_an_accepted_weekly_report_is_a_lead_at_its_units_nomination(flow: Flow, web: Any) -> None:
    wk.set_schedule(flow)
    flow.worker()
    wk.report(flow, "S1", {"s1_06": "merit", "s1_07": "issue"})
    flow.step(wk.GROUP, wk.case_of(flow, "S1"), "review", {"decision": "accept"})
    elsewhere = flow.api("s2_03").post("/cadres/s2_07/events", {"occurred_on": "2026-11-20", "text": "带队抢修管线",
                                                                 "source": "other", "mark": "merit"})
    assert elsewhere.status_code == 201, elsewhere.get_json()

    case = honours.start(flow, deadline="2026-12-20")["id"]
    html = web(honours.S1_OFFICER).page(f"/cases/{case}")
    # 梁晨's 先进 line of this week, and 宋佳's 先进 of last December on her record (the last year);
    # not 宋佳's 问题 line, not another unit's 先进, not her 2025-03 event (over a year ago)
    assert leads_of(html) == ["s1_06", "s1_07"]
    panel = html[html.index('id="commendation-leads"'):html.index("</section>", html.index('id="commendation-leads"'))]
    rows = re.findall(r'data-lead="([^"]+)">(.*?)</tr>', panel, re.S)
    assert "2026年第49周" in rows[0][1] and "周报" in rows[0][1]  # the line's words and where they came from
    assert "2025 年度疫情防控先进个人" in rows[1][1] and "方舱隔离点" not in panel and "2026年第49周" not in rows[1][1]
    s3 = web(honours.S3_OFFICER).page(f"/cases/{case}")
    assert 'id="commendation-leads"' in s3 and leads_of(s3) == []  # S3's step: its own (empty) list
    assert 'id="commendation-leads"' not in web(honours.OFFICER).page(f"/cases/{case}")  # not the step's holder
