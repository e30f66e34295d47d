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
    assert re.search(r'<option value="s1_07"[^>]* selected>', form) and re.search(r'<option value="s1_08"[^>]* selected>', form)

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
    assert re.search(r'<option value="s1_06"[^>]* selected>', form)


def rows_of(html: str, table: str) -> list[int]:
    """The row indexes a table offers as inputs (its prototype row aside)."""
    return sorted({int(i) for i in re.findall(rf'name="{table}\.(\d+)\.', html)})


def test_a_table_offers_one_blank_row_and_a_row_to_copy(web: Any) -> None:
    html = web("s1_03").page("/start/cadre_promotion")
    assert rows_of(html, "key_events") == [0]
    assert re.search(r'<fieldset class="group table-field" id="f-key_events" data-rows data-max-items="50">', html)
    template = html[html.index("<template data-row-template>"):html.index("</template>")]
    assert 'name="key_events.__i__.date"' in template and "data-row-del hidden" in template
    assert '<button type="submit" name="add_row" value="key_events" class="btn small" data-row-add>添加一行</button>' in html


def test_add_a_row_without_javascript_keeps_the_input_and_checks_nothing(web: Any, app: Any) -> None:
    officer = web("s1_03")
    typed = {"key_events.0.date": "2026-01-05", "key_events.0.event": "抗疫一线坚守", "current_post": ""}
    response = officer.post("/start/cadre_promotion", {**typed, "add_row": "key_events"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "field-error" not in html  # 现任职务 is still empty: not checked yet
    assert rows_of(html, "key_events") == [0, 1, 2] and 'name="key_events.0.event" value="抗疫一线坚守"' in html
    assert 'name="candidate"' in html and "已发起" not in html

    full = {f"key_events.{i}.{k}": v for i in range(50) for k, v in (("date", "2026-01-05"), ("event", f"事件{i}"))}
    at_most = officer.post("/start/cadre_promotion", {**full, "add_row": "key_events"}).get_data(as_text=True)
    assert rows_of(at_most, "key_events") == list(range(50))  # maxItems: no blank row, 添加一行 disabled
    assert 'value="key_events" class="btn small" data-row-add disabled>' in at_most
    del full["key_events.49.date"], full["key_events.49.event"]
    one_left = officer.post("/start/cadre_promotion", {**full, "add_row": "key_events"}).get_data(as_text=True)
    assert rows_of(one_left, "key_events") == list(range(50))


def test_add_a_row_on_a_step_form_without_javascript_completes_nothing(api: Any, web: Any) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    act(api, "s1_03", item_of(api, "s1_03", case["id"], "recommendation"), "return",
        {"to": "initiator", "reason": "请补充关键事件材料"})
    resubmit = item_of(api, "s1_03", case["id"], "start")
    officer = web("s1_03")
    sent = {"candidate": "s1_06", "key_events.0.date": "2026-01-05", "key_events.0.event": "抗疫一线坚守",
            "add_row": "key_events"}
    response = officer.post(f"/items/{resubmit}/complete", sent)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and rows_of(task_form(html), "key_events") == [0, 1, 2]
    assert item_of(api, "s1_03", case["id"], "start") == resubmit  # still open: nothing was submitted


def test_the_person_picker_carries_names_units_and_pinyin_for_its_search_box(web: Any) -> None:
    html = web("s1_03").page("/start/cadre_promotion")
    box = re.search(r'<input type="search" class="picker-search" data-picker="f-candidate"[^>]*>', html)
    assert box and " hidden>" in box.group(0) and 'aria-controls="f-candidate"' in box.group(0)  # shown by forms.js
    assert re.search(r'<select id="f-candidate" name="candidate" class="user-picker">', html)  # still a plain select
    option = re.search(r'<option value="s1_01" data-search="([^"]+)">马立新 · 党委书记</option>', html)
    assert option and {"马立新", "s1_01", "钢铁股份公司党委", "malixin", "mlx", "gtgfgsdw"} <= set(option.group(1).split())
    assert '<script src="/static/js/forms.js" defer></script>' in html
