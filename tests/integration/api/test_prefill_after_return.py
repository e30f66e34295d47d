"""A step given back by 退回 opens with its last submission — fields and 审批意见 — on the case
page and in `GET /api/v1/tasks/<id>` alike (issue 13 item 2). The instances of a 会签 are made
anew when the step runs again; each signer gets their own words back, never another's."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.drivers import accountability
from tests.flows import Flow
from tests.integration.actions.support import act

pytestmark = pytest.mark.usefixtures("frozen_clock")

WORDS = {"s1_04": ("调查报告：值守缺位两次，事实清楚", "同意报告，建议从严"),
         "s1_07": ("调查报告：情节较轻，事实清楚", "建议批评教育为主")}


def task_of(flow: Flow, username: str, case_id: int) -> dict[str, Any]:
    item = flow.item(username, case_id, "report")
    response = flow.api(username).get(f"/tasks/{item['id']}")
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def test_each_signer_of_a_returned_countersign_gets_their_own_report_and_opinion_back(flow: Flow, web: Any) -> None:
    case = accountability.start(flow)["id"]
    accountability.investigate(flow, case)
    flow.step("s1_06", case, "defence", {"statement": "对事实无异议", "signed": True})
    first = task_of(flow, "s1_04", case)
    assert first["prefill"]["from_item"] is None and first["prefill"]["comment"] == ""  # the first round
    assert "report" not in first["prefill"]["data"]
    assert "signed" not in first["prefill"]["data"]  # the subject signed the 申辩; nobody else's signature is ticked

    for member, (report, opinion) in WORDS.items():
        flow.step(member, case, "report", {"report": report, "discussed_on": "2026-03-02", "signed": True}, opinion)
    proposal = flow.item("s1_03", case, "decision_proposal")
    act(flow.api, "s1_03", proposal["id"], "return", {"to": "report", "reason": "调查报告须统一定性"})

    for member, (report, opinion) in WORDS.items():
        again = task_of(flow, member, case)
        assert again["prefill"]["data"]["report"] == report and again["prefill"]["comment"] == opinion
        assert again["prefill"]["data"]["discussed_on"] == "2026-03-02" and again["prefill"]["from_item"]
        assert "signed" not in again["prefill"]["data"]  # 本人签名 is given again, never carried over
        html = web(member).page(f"/cases/{case}")
        at = html.index('id="task-form"')
        form = html[at:html.index("</form>", at)]
        assert re.search(rf'<textarea id="f-report" name="report"[^>]*>{report}</textarea>', form)
        assert re.search(rf'<textarea id="comment" name="comment" form="task-form"[^>]*>{opinion}</textarea>', html)
        other = next(words for who, words in WORDS.items() if who != member)
        assert other[0] not in form and other[1] not in form  # the other's words stay in the case log only
