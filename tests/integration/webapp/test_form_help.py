"""Forms that help (issue 13 item 2) over HTTP: a step given back by 退回 comes back with its last
submission, tables offer one blank row and 添加一行 (also without JavaScript), and the person
picker carries what its search box filters by."""

from __future__ import annotations

import re
from typing import Any

from tests.helpers import FOUR_MUSTS_DONE
from tests.helpers import complete
from tests.helpers import start
from tests.helpers import through_inspection
from tests.integration.actions.support import act
from tests.integration.actions.support import item_of

REPORT = {"report": "德能勤绩廉表现突出", "four_musts": FOUR_MUSTS_DONE}
TEAM = {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]}


def task_form(html: str) -> str:
    start_at = html.index('id="task-form"')
    return html[start_at:html.index("</form>", start_at)]


def test_a_step_given_back_comes_back_with_its_last_submission(api: Any, web: Any) -> None:
    case = start(api)
    through_inspection(api, case["id"])
    review = item_of(api, "s1_02", case["id"], "department_review")
    act(api, "s1_02", review, "return", {"to": "inspection", "reason": "考察报告缺少近三年实绩"})
    form = task_form(web("s1_07").page(f"/cases/{case['id']}"))
    assert re.search(r'<textarea id="f-report" name="report"[^>]*>德能勤绩廉表现突出</textarea>', form)
    assert form.count('value="true" checked') == 4  # 凡提四必, as ticked before

    complete(api, "s1_07", case["id"], "inspection", {"report": "补充了近三年实绩", "four_musts": FOUR_MUSTS_DONE})
    complete(api, "s1_02", case["id"], "department_review", {"decision": "submit"})
    committee = item_of(api, "s1_03", case["id"], "committee_decision")
    act(api, "s1_03", committee, "return", {"to": "inspection", "reason": "再补充"})
    again = task_form(web("s1_07").page(f"/cases/{case['id']}"))
    assert ">补充了近三年实绩</textarea>" in again  # the latest round, not the first


def test_a_returned_step_keeps_its_people_but_never_its_decision(api: Any, web: Any) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    complete(api, "s1_03", case["id"], "recommendation", TEAM)
    targets = item_of(api, "s1_03", case["id"], "inspection_targets")
    act(api, "s1_03", targets, "return", {"to": "recommendation", "reason": "推荐范围不够"})
    form = task_form(web("s1_03").page(f"/cases/{case['id']}"))
    assert 'value="meeting" checked' in form and ">得票集中</textarea>" in form
    assert re.search(r'<option value="s1_07" selected>', form) and re.search(r'<option value="s1_08" selected>', form)

    act(api, "s1_03", item_of(api, "s1_03", case["id"], "recommendation"), "return",
        {"to": "deliberation", "reason": "请重新酝酿"})
    html = web("s1_01").page(f"/cases/{case['id']}")
    assert 'name="decision"' not in task_form(html)  # 同意 is a button, never carried over (G6)


def test_the_initiator_gets_the_proposal_back_to_correct(api: Any, web: Any) -> None:
    events = [{"date": "2026-01-05", "event": "抗疫一线坚守", "source": "inspection"}]
    case = start(api, key_events=events)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    act(api, "s1_03", item_of(api, "s1_03", case["id"], "recommendation"), "return",
        {"to": "initiator", "reason": "请补充关键事件材料"})
    form = task_form(web("s1_03").page(f"/cases/{case['id']}"))
    assert 'name="proposed_post" value="炼钢厂厂长"' in form and ">疫情防控期间坚守一线，表现突出</textarea>" in form
    assert 'name="key_events.0.event" value="抗疫一线坚守"' in form
    assert '<option value="s1_06" selected>' in form
