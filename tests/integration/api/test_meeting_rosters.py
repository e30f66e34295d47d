"""Collective bodies from the roster: the 应到 of a 党委会 are the deciding unit's 党委委员 (role
`committee`), minus those who recuse; the record names each of them, and the server computes
`members_due` and `present`. Refused next to accepted, through the API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.drivers import dues
from tests.flows import Flow
from tests.helpers import COMMITTEES
from tests.helpers import complete
from tests.helpers import instance
from tests.helpers import meeting
from tests.helpers import open_item
from tests.helpers import start
from tests.helpers import to_committee

S1 = COMMITTEES["S1"]


def at_committee(api: Any) -> int:
    """A promotion of 张伟 (s1b1_01, a branch secretary: not on S1's 党委会) before S1's 党委会."""
    case = start(api, candidate="s1b1_01", current_post="炼钢厂党支部书记", proposed_post="炼钢厂副厂长")
    to_committee(api, case["id"])
    return int(case["id"])


def test_the_issue_example_cannot_be_recorded_at_s1(api: Any) -> None:
    case_id = at_committee(api)
    typed = {"body": "党委会", "date": "2026-03-02", "members_due": 3, "present": 2,
             "absent": [{"name": "委员甲", "reason": "出差"}], "votes": {"for": 2, "against": 0}}
    body = complete(api, "s1_03", case_id, "committee_decision", {"meeting": typed}, expect=422)
    assert body["fields"]["meeting.members_due"][0].startswith("应到人数由系统根据名册计算")
    assert "meeting.present" in body["fields"] and body["fields"]["meeting.attendance"] == ["必填"]
    away = {"s1_06": "出差", "s1_07": "病假", "s1_08": "学习"}
    body = complete(api, "s1_03", case_id, "committee_decision",
                    {"meeting": meeting(S1, {"for": 2, "against": 0}, absent=away)}, expect=422)
    assert body["rule"] == "A-C1" and "应到 5 人，须至少 4 人到会，实到 2 人，会议无效" in body["message"]
    assert [w["task"] for w in instance(api, "s1_03", case_id)["work_items"]] == ["committee_decision"]
    done = complete(api, "s1_03", case_id, "committee_decision",
                    {"meeting": meeting(S1, {"for": 3, "against": 1}, absent={"s1_08": "学习"})})
    stored = done["instance"]["data"]["meeting"]
    assert (stored["unit"], stored["members_due"], stored["present"], stored["recusals"]) == ("S1", 5, 4, [])
    assert done["instance"]["data"]["meeting_outcome"] == "adopted"  # 3 > ½ × 5


def test_the_roster_follows_the_committee_role(api: Any, runner: Any) -> None:
    case_id = at_committee(api)
    result = runner.invoke(args=["users", "set-role", "s1_04", "committee", "S1"])  # 郭勇 joins S1's 党委
    assert result.exit_code == 0, result.output
    item = open_item(api, "s1_03", case_id, "committee_decision")
    roster = api("s1_03").get(f"/tasks/{item['id']}").get_json()["meeting_roster"]
    assert [m["username"] for m in roster["members"]] == ["s1_01", "s1_02", "s1_04", "s1_06", "s1_07", "s1_08"]
    assert (roster["unit"], roster["vote_options"]) == ("S1", ["for", "against", "defer"])
    five = meeting(S1, {"for": 4, "against": 0}, absent={"s1_08": "学习"})
    body = complete(api, "s1_03", case_id, "committee_decision", {"meeting": five}, expect=422)
    assert body["rule"] == "A-C1" and "共 6 人），未填写郭勇的出席情况" in body["message"]
    six = meeting([*S1, "s1_04"], {"for": 4, "against": 0}, absent={"s1_08": "学习", "s1_04": "出差"})
    stored = complete(api, "s1_03", case_id, "committee_decision", {"meeting": six})["instance"]["data"]["meeting"]
    assert (stored["members_due"], stored["present"]) == (6, 4)


@pytest.mark.parametrize(("rows", "field", "message"), [
    ([{"member": "s2_01", "status": "present"}], "meeting.attendance.5.member", "“s2_01”不在钢铁股份公司党委的党委委员名册上"),
    ([{"member": "s1_01", "status": "present"}], "meeting.attendance.5.member", "同一人只能填写一次"),
])
def test_only_the_roster_is_recorded_once_each(api: Any, rows: list[dict[str, str]], field: str, message: str) -> None:
    case_id = at_committee(api)
    record = meeting(S1, {"for": 4, "against": 0}, absent={"s1_08": "学习"})
    record["attendance"] += rows
    body = complete(api, "s1_03", case_id, "committee_decision", {"meeting": record}, expect=422)
    assert body["fields"] == {field: [message]}


def test_an_absence_or_recusal_states_its_reason(api: Any) -> None:
    case_id = at_committee(api)
    record = meeting(S1, {"for": 3, "against": 0}, absent={"s1_08": " "}, recused={"s1_07": ""})
    body = complete(api, "s1_03", case_id, "committee_decision", {"meeting": record}, expect=422)
    assert body["fields"] == {"meeting.attendance.3.reason": ["回避须写明原因"],
                              "meeting.attendance.4.reason": ["缺席须写明原因"]}
    record = meeting(S1, {"for": 3, "against": 0}, absent={"s1_08": "学习"}, recused={"s1_07": "本人提出回避：曾与人选同一班子共事"})
    stored = complete(api, "s1_03", case_id, "committee_decision", {"meeting": record})["instance"]["data"]["meeting"]
    assert (stored["members_due"], stored["present"]) == (4, 3)  # a recusal is not due: 4 of 5
    assert stored["recusals"] == [{"username": "s1_07", "name": "宋佳", "reason": "本人提出回避：曾与人选同一班子共事"}]


@pytest.mark.clock("2020-02-14 09:00")
@pytest.mark.usefixtures("frozen_clock")
def test_each_dues_committee_counts_its_own_unit(flow: Flow) -> None:
    case = dues.start(flow)
    dues.allocate(flow, case["id"])
    item = flow.item("zhaomin", case["id"], "committee_decision")
    roster = flow.api("zhaomin").get(f"/tasks/{item['id']}").get_json()["meeting_roster"]
    assert [m["username"] for m in roster["members"]] == COMMITTEES["G"]  # the group's 9, its 书记 first
    body = flow.step("zhaomin", case["id"], "committee_decision", {"meeting": dues.GROUP_MEETING})
    group = body["instance"]["data"]["meeting"]
    assert (group["unit"], group["members_due"], group["present"]) == ("G", 9, 7)
    flow.step("wuxia", case["id"], "transfer", {"transfers": [{"unit": "S1", "ref": "党费拨〔2020〕1号"},
                                                              {"unit": "S3", "ref": "党费拨〔2020〕2号"}]})
    flow.step("s3_03", case["id"], "receive_plan", {"received_on": "2020-02-11", "matching_amount": "10000.00",
                                                    "plan": "慰问发热门诊一线人员"})
    wrong = dues.sub_meeting("S1")  # S3's own 党委会 decides, not S1's
    body = flow.step("s3_03", case["id"], "sub_committee_decision", {"meeting": wrong}, expect=422)
    assert body["fields"]["meeting.attendance.0.member"] == ["“s1_01”不在医院党委的党委委员名册上"]
    body = flow.step("s3_03", case["id"], "sub_committee_decision", {"meeting": dues.sub_meeting("S3")})
    own = body["instance"]["data"]["meeting"]
    assert (own["unit"], own["members_due"], own["present"]) == ("S3", 5, 4)


def test_flask_rules_table_prints_the_rules_with_their_sources(runner: Any) -> None:
    from tests.conftest import ROOT

    result = runner.invoke(args=["rules", "table"])
    assert result.exit_code == 0 and result.output == (ROOT / "docs/rules.md").read_text(encoding="utf-8")
