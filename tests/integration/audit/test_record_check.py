"""`flask audit verify` vouches for the record, not only the chain: an opinion, a decision, form
data or a case status changed in the database behind the application is reported line by line
(exit 1), for every case or one (`--case`); the case page and the 审批单 say whether the record
matches the chain."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy import text

from models import WorkItem
from tests.helpers import FOUR_MUSTS_DONE
from tests.helpers import complete
from tests.helpers import start
from tests.integration.actions.support import act
from tests.integration.actions.support import item_of
from tests.integration.documents.conftest import download
from tests.integration.documents.conftest import flat
from tests.integration.documents.conftest import pdf_text
from tests.integration.test_audit_chain import sql
from webapp.extensions import db


@pytest.fixture()
def cases(api: Any, app: Flask) -> dict[str, Any]:
    """A running promotion two steps in (an opinion, form data) and one the 书记 ended at 酝酿."""
    running = start(api)
    complete(api, "s1_01", running["id"], "deliberation", {"decision": "agree"}, comment="同意动议")
    complete(api, "s1_03", running["id"], "recommendation",
             {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]})
    ended = start(api, proposed_post="轧钢厂厂长")
    complete(api, "s1_01", ended["id"], "deliberation", {"decision": "terminate"}, comment="暂不动议")
    with app.app_context():
        items = {i.task_name: i.id for i in db.session.scalars(select(WorkItem).where(
            WorkItem.instance_id == running["id"]))}
        db.session.remove()
    return {"running": running, "ended": ended, "items": items}


def verify(runner: Any, *args: str) -> Any:
    return runner.invoke(args=["audit", "verify", *args])


def test_an_untouched_record_matches_its_chain(cases: dict[str, Any], runner: Any) -> None:
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "records of 2 cases match the chain" in result.output
    one = verify(runner, "--case", cases["running"]["number"])
    assert one.exit_code == 0, one.output
    assert f"OK case {cases['running']['number']}" in one.output


def test_every_changed_row_is_reported_with_exit_1(cases: dict[str, Any], app: Flask, runner: Any) -> None:
    items, number = cases["items"], cases["running"]["number"]
    sql(app, "UPDATE work_item SET comment = :c WHERE id = :i", c="不同意动议", i=items["deliberation"])
    sql(app, "UPDATE work_item SET decision = 'disagree' WHERE id = :i", i=items["deliberation"])
    sql(app, "UPDATE work_item SET data = :d WHERE id = :i", i=items["recommendation"],
        d='{"method": "meeting", "results": "得票分散", "inspection_team": ["s1_07", "s1_08"]}')
    sql(app, "UPDATE process_instance SET status = 'completed' WHERE id = :i", i=cases["running"]["id"])
    result = verify(runner)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(number)]
    assert len(lines) == 4, result.output
    deliberation = f"{number} 事项 #{items['deliberation']}（酝酿）"
    assert f"{deliberation} 审批意见：记录为 “不同意动议”，审计链为 “同意动议”" in lines
    assert f"{deliberation} 办理结果：记录为 “disagree”，审计链为 “agree”" in lines
    assert any(line.startswith(f"{number} 事项 #{items['recommendation']}") and "表单数据" in line
               and "得票分散" in line and "得票集中" in line for line in lines), lines
    assert f"{number} 流程状态：记录为 “completed”，审计链为 “running”" in lines
    assert "4 处记录与审计链不一致" in result.output
    assert cases["ended"]["number"] not in result.output  # the other case is intact


def test_one_case_is_checked_alone(cases: dict[str, Any], app: Flask, runner: Any) -> None:
    sql(app, "UPDATE work_item SET comment = '同意' WHERE id = :i", i=cases["items"]["deliberation"])
    result = verify(runner, "--case", str(cases["running"]["id"]))
    assert result.exit_code == 1 and "审批意见" in result.output
    assert verify(runner, "--case", cases["ended"]["number"]).exit_code == 0
    missing = verify(runner, "--case", "NO-SUCH-CASE")
    assert missing.exit_code == 1 and "不存在" in missing.output


def test_an_ended_case_reopened_in_the_database_is_reported(cases: dict[str, Any], app: Flask, runner: Any) -> None:
    ended = cases["ended"]
    sql(app, "UPDATE process_instance SET status = 'running' WHERE id = :i", i=ended["id"])
    result = verify(runner, "--case", ended["number"])
    assert result.exit_code == 1
    assert "流程状态：记录为 “running”，审计链为 “rejected”" in result.output or \
        "流程状态：记录为 “running”，审计链为 “completed”" in result.output, result.output


def test_one_case_check_sees_its_own_events_changed(cases: dict[str, Any], app: Flask, runner: Any) -> None:
    with app.app_context():
        seq = db.session.execute(text("SELECT seq FROM audit_event WHERE instance_id = :i AND action = 'task.complete'"),
                                 {"i": cases["ended"]["id"]}).scalar_one()
        db.session.remove()
    sql(app, "UPDATE audit_event SET payload = :p WHERE seq = :s", s=seq,
        p='{"task": "deliberation", "decision": "terminate", "comment": "改写的意见", "data": {"decision": "terminate"}}')
    result = verify(runner, "--case", cases["ended"]["number"])
    assert result.exit_code == 1
    assert f"第 {seq} 号事件内容与哈希不符" in result.output


def test_the_case_page_and_the_approval_sheet_say_whether_the_record_matches(
        cases: dict[str, Any], app: Flask, web: Any) -> None:
    case_id = cases["running"]["id"]
    page = web("s1_03").page(f"/cases/{case_id}")
    assert 'id="record-check">记录与审计链一致' in page
    assert "记录与审计链一致" in flat(pdf_text(download(web("s1_03"), f"/cases/{case_id}/documents/approval.pdf")))

    sql(app, "UPDATE work_item SET comment = '不同意动议' WHERE id = :i", i=cases["items"]["deliberation"])
    page = web("s1_03").page(f"/cases/{case_id}")
    assert "记录与审计链不一致：事项 #" in page and "审批意见：记录为 “不同意动议”，审计链为 “同意动议”" in page
    text = flat(pdf_text(download(web("s1_03"), f"/cases/{case_id}/documents/approval.pdf")))
    assert flat("记录与审计链不一致：") in text and flat("记录为“不同意动议”，审计链为“同意动议”") in text


def test_a_case_through_every_kind_of_action_matches_its_chain(api: Any, app: Flask, runner: Any) -> None:
    """转办, 前加签 and 签署, 减签, 退回 to the initiator and 重新提交, 拿回, a 后加签 whose 不同意
    voids the held submission, and the case's end: the rows follow the events, nothing is flagged."""
    case = start(api)
    first = item_of(api, "s1_01", case["id"], "deliberation")
    act(api, "s1_01", first, "transfer", {"to": "s1_02", "reason": "书记出差，请部长酝酿"})
    second = item_of(api, "s1_02", case["id"], "deliberation")
    act(api, "s1_02", second, "add-signer", {"user": "s1_07", "position": "before"})
    act(api, "s1_07", item_of(api, "s1_07", case["id"], "deliberation"), "complete",
        {"data": {"decision": "agree"}, "comment": "同意"})
    act(api, "s1_02", second, "return", {"to": "initiator", "reason": "请补充关键事件"})
    resubmit = item_of(api, "s1_03", case["id"], "start")
    data = api("s1_03").get(f"/instances/{case['id']}").get_json()["data"]
    form = {k: data[k] for k in ("candidate", "current_post", "proposed_post", "management_level", "purpose",
                                 "breakthrough_type", "years_in_post", "in_probation", "grades_skipped", "reasons")}
    act(api, "s1_03", resubmit, "complete", {"data": form, "comment": "已补充"})
    done = complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"}, comment="同意")
    act(api, "s1_01", done["item"]["id"], "take-back", {"reason": "补充意见"})
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"}, comment="同意，补充意见")
    complete(api, "s1_03", case["id"], "recommendation",
             {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]})
    complete(api, "s1_03", case["id"], "inspection_targets", {"decision": "proceed"})
    complete(api, "s1_07", case["id"], "inspection", {"report": "德能勤绩廉表现突出", "four_musts": FOUR_MUSTS_DONE})
    complete(api, "s1_04", case["id"], "discipline_opinion", {"decision": "no_objection"})
    review = item_of(api, "s1_02", case["id"], "department_review")
    act(api, "s1_02", review, "add-signer", {"user": "s1_03", "position": "after"})
    act(api, "s1_02", review, "complete", {"data": {"decision": "submit"}, "comment": "同意提交党委会"})
    act(api, "s1_03", item_of(api, "s1_03", case["id"], "department_review"), "complete",
        {"data": {"decision": "disagree"}, "comment": "党费欠缴三个月"})
    act(api, "s1_02", review, "complete", {"data": {"decision": "reject"}, "comment": "待核实后再议"})
    assert api("s1_03").get(f"/instances/{case['id']}").get_json()["status"] == "rejected"

    result = verify(runner, "--case", case["number"])
    assert result.exit_code == 0, result.output
    everything = verify(runner)
    assert everything.exit_code == 0, everything.output


def test_withdrawn_and_terminated_cases_match_and_a_reopened_one_does_not(api: Any, app: Flask, runner: Any) -> None:
    withdrawn = start(api)
    assert api("s1_03").post(f"/instances/{withdrawn['id']}/withdraw", {"reason": "材料有误"}).status_code == 200
    terminated = start(api, proposed_post="轧钢厂厂长")
    assert api("admin").post(f"/instances/{terminated['id']}/terminate", {"reason": "机构调整"}).status_code == 200
    assert verify(runner).exit_code == 0
    sql(app, "UPDATE process_instance SET status = 'completed' WHERE id = :i", i=terminated["id"])
    result = verify(runner)
    assert result.exit_code == 1
    assert f"{terminated['number']} 流程状态：记录为 “completed”，审计链为 “terminated”" in result.output
    assert withdrawn["number"] not in result.output


def test_the_demo_cases_match_their_chain(seeded: dict[str, int], runner: Any) -> None:
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert f"records of {len(seeded)} cases match the chain" in result.output
