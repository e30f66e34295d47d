"""The case page through HTTP: the action bar, server-side errors next to their fields with the
input kept, required opinions, the opinion timeline (with 代), the 流程图 and 流转记录 tabs."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from models import User
from models import WorkItem
from tests.helpers import COMMITTEES
from tests.helpers import MEETING_OK
from tests.helpers import meeting
from tests.helpers import start
from tests.helpers import to_committee
from tests.web import open_item_id
from tests.web import start_case
from webapp.extensions import db


def node_class(svg: str, bpmn_id: str) -> str:
    found = re.search(rf'<g class="([^"]+)" data-id="{bpmn_id}"', svg)
    assert found, f"{bpmn_id} not drawn"
    return found.group(1)


def test_the_decider_sees_the_form_decisions_as_buttons_and_an_opinion_box(web: Any) -> None:
    case_id = start_case(web("s1_03"))
    html = web("s1_01").page(f"/cases/{case_id}")
    assert "待我办理" in html and "酝酿" in html
    for label, value in (("同意", "agree"), ("退回修改", "revise"), ("终止", "terminate")):
        assert re.search(rf'name="decision" value="{value}"[^>]*>{label}</button>', html), label
    assert 'id="comment"' in html and "请输入审批意见" in html
    assert "选择“退回修改”“终止”时须填写审批意见" in html
    # the initiator sees the case, but no action bar: the step is not theirs
    assert "待我办理" not in web("s1_03").page(f"/cases/{case_id}")


def test_revise_without_an_opinion_is_refused_and_keeps_the_page(web: Any) -> None:
    case_id = start_case(web("s1_03"))
    secretary = web("s1_01")
    item = open_item_id(secretary, case_id)
    refused = secretary.post(f"/items/{item}/complete", {"decision": "revise", "comment": " "})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="comment-error"' in html and "请填写审批意见" in html
    done = secretary.post(f"/items/{item}/complete", {"decision": "revise", "comment": "请补充关键事件"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/tasks/todo")
    timeline = web("s1_03").page(f"/cases/{case_id}")
    assert "退回修改" in timeline and "请补充关键事件" in timeline and "马立新" in timeline
    assert "修改动议" in timeline  # the revision now waits for the initiator


def posted(meeting: dict[str, Any]) -> dict[str, str]:
    """What the committee form posts for a meeting record: one attendance row per member."""
    form = {f"meeting.{k}": str(v) for k, v in meeting.items() if not isinstance(v, (list, dict))}
    form.update({f"meeting.votes.{k}": str(v) for k, v in meeting["votes"].items()})
    for index, row in enumerate(meeting["attendance"]):
        form.update({f"meeting.attendance.{index}.{k}": v for k, v in row.items()})
    return form


def test_the_committee_form_lists_the_roster_with_the_candidate_recused(web: Any, api: Any) -> None:
    case = start(api)
    to_committee(api, case["id"])
    html = web("s1_03").page(f"/cases/{case['id']}")
    assert '<span class="fixed" id="f-meeting-attendance-0-member">马立新 · 党委书记</span>' in html
    assert 'name="meeting.attendance.4.member" value="s1_08"' in html  # the 5 党委委员 of S1, nobody else
    assert 'name="meeting.attendance.5.member"' not in html
    assert re.search(r'name="meeting.attendance.2.status" value="recused" checked', html)  # 梁晨, the candidate
    assert "须回避：本案当事人" in html
    assert 'name="meeting.members_due"' not in html and 'name="meeting.votes.abstain"' not in html


def test_a_quorum_error_shows_next_to_the_field_with_the_rule_and_the_input_kept(web: Any, api: Any) -> None:
    case = start(api)
    to_committee(api, case["id"])
    officer = web("s1_03")
    item = open_item_id(officer, case["id"])
    two = meeting(COMMITTEES["S1"], {"for": 2, "against": 0}, absent={"s1_07": "出差", "s1_08": "病假"},
                  recused={"s1_06": "本人为拟任人选"}, minutes_no="党委会〔2026〕3号")
    refused = officer.post(f"/items/{item}/complete", posted(two))
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    error = re.search(r'<p class="field-error" id="f-meeting-attendance-error">([^<]+)</p>', html)
    assert error and "A-C1" in error.group(1) and "应到 4 人" in error.group(1) and "依据" in error.group(1)
    assert re.search(r'name="meeting.attendance.3.status" value="absent" checked', html)
    assert re.search(r'name="meeting.attendance.3.reason" value="出差"', html)
    assert re.search(r'name="meeting.minutes_no" value="党委会〔2026〕3号"', html)
    assert officer.post(f"/items/{item}/complete", posted({**MEETING_OK, "minutes_no": "党委会〔2026〕3号"})).status_code == 302
    page = officer.page(f"/cases/{case['id']}")
    assert "任职前公示" in page and "表决结果" not in page.split("审批记录")[0]


def test_a_type_error_keeps_what_was_typed(web: Any, api: Any) -> None:
    case = start(api)
    to_committee(api, case["id"])
    officer = web("s1_03")
    item = open_item_id(officer, case["id"])
    form = {**posted(MEETING_OK), "meeting.votes.for": "三", "meeting.members_due": "九"}
    del form["meeting.attendance.3.status"]
    response = officer.post(f"/items/{item}/complete", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'name="meeting.votes.for" value="三"' in html
    assert re.search(r'id="f-meeting-votes-for-error">类型应为整数', html)
    assert re.search(r'id="f-meeting-attendance-3-status-error">必填', html)
    assert "九" not in html  # a computed count is never taken from the form


def test_the_timeline_reads_back_a_deputy_as_li_si_for_zhang_san(web: Any, app: Flask) -> None:
    case_id = start_case(web("s1_03"))
    secretary = web("s1_01")
    secretary.post(f"/items/{open_item_id(secretary, case_id)}/complete", {"decision": "agree", "comment": "同意。"})
    with app.app_context():  # what a 委托 records: the deputy acted, the principal is named
        item = db.session.query(WorkItem).filter_by(instance_id=case_id, task_name="deliberation").one()
        item.acted_for_id, item.completed_by_id = item.completed_by_id, db.session.query(User).filter_by(
            username="s1_02").one().id
        db.session.commit()
    html = web("s1_03").page(f"/cases/{case_id}")
    assert "高峰（代马立新）" in html
    assert "同意。" in html


def test_the_diagram_marks_done_current_and_untouched_steps(web: Any) -> None:
    case_id = start_case(web("s1_03"))
    svg = web("s1_03").page(f"/cases/{case_id}/diagram")
    assert "state-done" in node_class(svg, "start")
    assert "state-active" in node_class(svg, "deliberation")
    assert "state-idle" in node_class(svg, "committee_decision")
    assert re.search(r'<g class="flow state-done" data-id="flow_start">', svg)
    assert re.search(r'<g class="flow state-idle" data-id="flow_deliberation_agree">', svg)


def test_both_branches_into_a_parallel_join_show_as_taken(web: Any, api: Any) -> None:
    case = start(api)
    to_committee(api, case["id"])
    svg = web("s1_03").page(f"/cases/{case['id']}/diagram")
    taken = set(re.findall(r'<g class="flow state-done" data-id="(\w+)"', svg))
    assert {"flow_inspected", "flow_discipline_heard", "flow_to_department", "flow_to_committee"} <= taken
    assert not {"flow_committee_deferred", "flow_needs_consent", "flow_publicity_reconsider"} & taken
    assert "state-active" in node_class(svg, "committee_decision")


def test_the_history_tab_lists_the_audit_events(web: Any) -> None:
    case_id = start_case(web("s1_03"))
    secretary = web("s1_01")
    secretary.post(f"/items/{open_item_id(secretary, case_id)}/complete", {"decision": "agree"})
    html = web("zhengyun").page(f"/cases/{case_id}/log")
    rows = re.findall(r"<tr><td class=\"nowrap\">[^<]+</td><td>([^<]+)</td>\s*<td>([^<]+)</td><td>([^<]+)</td>", html)
    assert [(who, action) for who, action, _ in rows] == [("林涛", "发起"), ("马立新", "办理")]
    assert rows[1][2] == "酝酿"


def test_a_shared_item_can_be_claimed_from_the_case_page(web: Any, api: Any) -> None:
    case = start(api, management_level="group")
    web("wangjianguo").post(f"/items/{open_item_id(web('wangjianguo'), case['id'])}/complete", {"decision": "agree"})
    zhaomin, sunli = web("zhaomin"), web("sunli")
    html = zhaomin.page(f"/cases/{case['id']}")
    item = open_item_id(zhaomin, case["id"])
    assert "共享待办" in html and f'action="/items/{item}/claim"' in html
    claimed = zhaomin.post(f"/items/{item}/claim", {})
    assert claimed.status_code == 302 and claimed.headers["Location"].endswith(f"/cases/{case['id']}")
    assert "共享待办" not in zhaomin.page(f"/cases/{case['id']}")
    assert f'data-item="{item}"' not in sunli.page("/tasks/todo")
    taken = sunli.post(f"/items/{item}/complete", {"method": "meeting"})
    assert taken.status_code == 409 and "赵敏" in taken.get_data(as_text=True)


def test_handled_twice_answers_409_with_who_did_it(web: Any) -> None:
    case_id = start_case(web("s1_03"))
    secretary = web("s1_01")
    item = open_item_id(secretary, case_id)
    assert secretary.post(f"/items/{item}/complete", {"decision": "agree"}).status_code == 302
    again = secretary.post(f"/items/{item}/complete", {"decision": "agree"})
    assert again.status_code == 409
    assert "马立新" in again.get_data(as_text=True)


def test_an_unknown_action_is_404(web: Any) -> None:
    case_id = start_case(web("s1_03"))
    secretary = web("s1_01")
    assert secretary.post(f"/items/{open_item_id(secretary, case_id)}/explode", {}).status_code == 404


def test_server_fields_are_shown_read_only(web: Any, api: Any) -> None:
    from tests.helpers import complete

    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    complete(api, "s1_03", case["id"], "recommendation",
             {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]})
    html = web("s1_03").page(f"/cases/{case['id']}")
    assert "系统核查结果" in html and "负面清单核查" in html
    assert 'name="negative_findings"' not in html


def test_the_committee_step_is_reached_and_decided_through_the_page(web: Any, api: Any) -> None:
    case = start(api)
    to_committee(api, case["id"])
    officer = web("s1_03")
    item = open_item_id(officer, case["id"])
    form = posted(MEETING_OK)
    assert officer.post(f"/items/{item}/complete", form).status_code == 302
    timeline = officer.page(f"/cases/{case['id']}").split("审批记录")[1]
    assert re.search(r"表决结果</span><span[^>]*>通过<", timeline)
