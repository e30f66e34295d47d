"""批量同意 on the 待办 page: checkboxes only on steps that need nothing but the decision, one
shared optional opinion, and an answer that names every item — approved, or refused and why."""

from __future__ import annotations

import re
from typing import Any

from tests.helpers import complete
from tests.helpers import open_item
from tests.helpers import start

RECOMMENDATION = {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]}


def _ticks(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'<input type="checkbox" name="ids" value="(\d+)" form="batch"', html)}


def _two_steps_for_the_officer(api: Any) -> tuple[int, int]:
    """s1_03's 待办: 民主推荐 of one case (a form to fill), 确定考察对象 of another (decision only)."""
    first, second = start(api), start(api, candidate="s1_07")
    for case in (first, second):
        complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    complete(api, "s1_03", first["id"], "recommendation", RECOMMENDATION)
    return (open_item(api, "s1_03", second["id"], "recommendation")["id"],
            open_item(api, "s1_03", first["id"], "inspection_targets")["id"])


def test_only_decision_only_steps_can_be_ticked(api: Any, web: Any) -> None:
    form_step, decision_step = _two_steps_for_the_officer(api)
    html = web("s1_03").page("/tasks/todo")
    assert 'id="batch"' in html and "批量同意" in html
    assert _ticks(html) == {decision_step}
    assert f'data-item="{form_step}"' in html


def test_no_batch_form_without_an_eligible_step(api: Any, web: Any) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    html = web("s1_03").page("/tasks/todo")  # only 民主推荐, which needs its form
    assert 'id="batch"' not in html and not _ticks(html)


def test_the_batch_answers_every_item_and_records_each(api: Any, web: Any) -> None:
    form_step, decision_step = _two_steps_for_the_officer(api)
    officer = web("s1_03")
    officer.page("/tasks/todo")
    answer = officer.post("/tasks/batch-approve", [("ids", str(decision_step)), ("ids", str(form_step)),
                                                   ("comment", "同意列为考察对象")])
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "已同意 1 件，未办理 1 件。" in html
    rows = dict(re.findall(r'<tr data-item="(\d+)" class="(done|refused)">', html))
    assert rows == {str(decision_step): "done", str(form_step): "refused"}
    assert "该步骤需要填写表单，请逐件办理" in html
    done = api("s1_03").get("/tasks?view=done").get_json()["items"]
    assert [(i["id"], i["decision"], i["comment"]) for i in done if i["task"] == "inspection_targets"] == [
        (decision_step, "proceed", "同意列为考察对象")]
    assert open_item(api, "s1_03", api("s1_03").get(f"/tasks/{form_step}").get_json()["instance_id"],
                     "recommendation")["id"] == form_step  # untouched


def test_nothing_ticked_goes_back_with_a_hint(api: Any, web: Any) -> None:
    _two_steps_for_the_officer(api)
    officer = web("s1_03")
    officer.page("/tasks/todo")
    response = officer.post("/tasks/batch-approve", {"comment": "同意"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/tasks/todo")
    assert "请先勾选要批量同意的事项" in officer.page("/tasks/todo")
