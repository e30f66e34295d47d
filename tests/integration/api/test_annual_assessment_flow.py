"""年度综合考核 (annual_assessment) through the API, to the cadre records: 述职 → 民主测评 (counts per
option, B-A2) → 考核谈话 (职工群众评议 heard, B-A3) → 组织部等次建议 (B-A4, B-C9) → 党委会 (roster
quorum A-C1, 回避 R-C1) → 公示 of an 优秀 (B-A5) → the ratings in `annual_rating`, which A-R1 (the
后备干部库) reads. B-C9: a closed 问责 case (two_ensures_failed) or a 防控不力 forces 不称职; only
the group 党委会 changes it, with its reason."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.drivers import accountability as acc
from tests.drivers import assessment as ka
from tests.drivers import reserve as rsv
from tests.flows import Flow
from tests.web import login

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.clock("2026-03-02 09:00")]


def _to_committee(flow: Flow, case_id: int, proposal: dict[str, Any] | None = None) -> None:
    ka.to_proposal(flow, case_id)
    flow.step(ka.OFFICER, case_id, "proposal", proposal or ka.proposal())


def test_the_group_runs_s1s_assessment_to_the_records(flow: Flow, web: Any) -> None:
    entry = rsv.put_in_pool(flow.app, "s1_06", "S1", "young_outstanding", "炼钢厂厂长", "2025-06-01")
    case = ka.start(flow)
    assert case["number"].startswith("KH-") and case["title"] == "钢铁股份公司党委2025年度综合考核"
    item = flow.item(ka.OFFICER, case["id"], "report")
    assert item["candidates"] == ["zhaomin", "sunli"]  # the group 组织部 (management_level group)
    flow.step(ka.OFFICER, case["id"], "report", {"held_on": "2026-01-12", "reports": "班子和班子成员分别述职"})
    too_many = ka.evaluation(participants=50, evaluated_on="2026-01-13")  # 59 ballots for 50 people
    flow.refused(ka.OFFICER, case["id"], "evaluation", too_many, "B-A2")
    one_missing = ka.evaluation(members=ka.MEMBERS[:-1], evaluated_on="2026-01-13")
    assert "尚未填写唐磊" in flow.refused(ka.OFFICER, case["id"], "evaluation", one_missing, "B-A2")["message"]
    flow.step(ka.OFFICER, case["id"], "evaluation", ka.evaluation(evaluated_on="2026-01-13"))
    data = flow.case(ka.OFFICER, case["id"])["data"]
    assert data["evaluation_summary"]["s1_06"] == {"优秀": 30, "称职": 25, "基本称职": 3, "不称职": 1}
    assert data["team_evaluation"] == {"好": 40, "较好": 15, "一般": 4, "较差": 1}
    flow.refused(ka.OFFICER, case["id"], "talk", ka.talk(talked_on="2026-01-14", masses_heard=False), "B-A3")
    flow.step(ka.OFFICER, case["id"], "talk", ka.talk(talked_on="2026-01-14"))
    no_performance = ka.proposal()
    no_performance["ratings"][0]["performance"] = " "
    flow.refused(ka.OFFICER, case["id"], "proposal", no_performance, "B-A4")
    flow.step(ka.OFFICER, case["id"], "proposal", ka.proposal({"s1_06": "优秀", "s1_07": "基本称职"}))
    # the group 党委会: 4 of 9 present is no quorum (A-C1)
    thin = ka.group_committee(on="2026-01-20", absent=dict.fromkeys(["chenzhi", "liugang", "yangfan", "huangwei",
                                                                      "xuming"], "出差"))
    flow.refused(ka.OFFICER, case["id"], "committee_decision", thin, "A-C1")
    body = flow.step(ka.OFFICER, case["id"], "committee_decision", ka.group_committee(on="2026-01-20"))
    assert body["instance"]["data"]["needs_publicity"] is True  # an 优秀: published first (B-A5)
    assert ka.ratings(flow, "s1_06")[2025] == ("优秀", False, "import")  # nothing written before the end
    # a 公示 still running on 2026-03-02 cannot be closed
    flow.refused(ka.OFFICER, case["id"], "publicity", ka.publicity(start_date="2026-02-26"), "B-A5")
    done = flow.step(ka.OFFICER, case["id"], "publicity", ka.publicity(start_date="2026-01-21"))["instance"]
    assert done["status"] == "completed" and done["data"]["publicity_end"] == "2026-01-27"
    assert done["data"]["team_final_rating"] == "较好"
    assert ka.ratings(flow, "s1_06")[2025] == ("优秀", False, "assessment")
    assert ka.ratings(flow, "s1_07")[2025] == ("基本称职", False, "assessment")
    assert ka.ratings(flow, "s1_01")[2025] == ("称职", False, "assessment")
    assert done["data"]["ratings_before"]["s1_06"] == {"rating": "优秀", "source": "import"}
    # the 后备干部库 entry shows the year's result (API and page)
    detail = flow.api(rsv.OFFICER).get(f"/reserve-pool/{entry}").get_json()
    assert detail["ratings"][0] == {"year": 2025, "rating": "优秀", "locked": False, "source": "assessment"}
    page = web(rsv.OFFICER).get(f"/reserve-pool/{entry}").get_data(as_text=True)
    assert re.search(r'id="entry-ratings">2025：优秀', page)
    # the 后备干部库 reads the result: a last rating of 基本称职 refuses a nomination (A-R1)
    refused = flow.refused_start(rsv.PROCESS, rsv.OFFICER, rsv.nomination(candidate="s1_07"), "A-R1")
    assert "2025 年" in refused["message"] and "基本称职" in refused["message"]
    # one case per unit and year
    assert "KH-" in ka.start(flow, expect=422)["fields"]["year"][0]


def test_who_starts_and_who_decides(flow: Flow) -> None:
    flow.refused_start(ka.PROCESS, ka.OFFICER, ka.plan(management_level="subsidiary"), "B-A1")  # not its own 党委会
    assert flow.start(ka.PROCESS, "s2_03", ka.plan(), expect=403)  # another subsidiary's 组织部
    outsider = ka.start(flow, expect=422, members=[*ka.MEMBERS, "s2_06"])
    assert outsider["fields"]["members.5"] == ["袁媛不是钢铁股份公司党委的人员"]
    case = ka.start(flow, by=ka.S1_OFFICER)  # the unit's own 组织部 may start; the group decides
    assert flow.item(ka.OFFICER, case["id"], "report")["candidates"] == ["zhaomin", "sunli"]


def _closed_two_ensures_case(flow: Flow, subject: str = "s1_06") -> int:
    """A 问责 lead about `subject` for 2025 that failed the “两个确保”, closed without a decision."""
    case = acc.start(flow, subject_user=subject, two_ensures_failed=True, year=2025)
    flow.step("s1_01", case["id"], "start_approval", {"decision": "no_accountability"}, comment="依规处理")
    flow.step(acc.GROUP_OFFICER, case["id"], "rating_override", {"override": False})
    assert flow.case(acc.GROUP_OFFICER, case["id"])["status"] == "rejected"
    return int(case["id"])


def test_b_c9_a_closed_two_ensures_case_forces_unfit_until_the_group_committee_decides_otherwise(flow: Flow) -> None:
    closed = _closed_two_ensures_case(flow)
    number = flow.case(acc.GROUP_OFFICER, closed)["number"]
    case = ka.start(flow)["id"]
    ka.to_proposal(flow, case)
    item = flow.api(ka.OFFICER).get(f"/tasks/{flow.item(ka.OFFICER, case, 'proposal')['id']}").get_json()
    assert number in json.dumps(item, ensure_ascii=False)  # the finding is shown to the 组织部
    refused = flow.refused(ka.OFFICER, case, "proposal", ka.proposal(), "B-C9")
    assert number in refused["message"] and "集团组织〔2020〕2号" in refused["message"]
    # 防控不力 recorded in the proposal forces it too
    weak = ka.proposal({"s1_06": "不称职"}, weak=("s1_08",))
    assert "防控不力" in flow.refused(ka.OFFICER, case, "proposal", weak, "B-C9")["message"]
    failed = ka.proposal({"s1_06": "不称职"}, failed=("s1_08",))
    flow.refused(ka.OFFICER, case, "proposal", failed, "B-C9")
    flow.step(ka.OFFICER, case, "proposal", ka.proposal({"s1_06": "不称职"}))
    no_reason = ka.group_committee(overrides=[{"member": "s1_06", "rating": "称职", "reason": " "}])
    flow.refused(ka.OFFICER, case, "committee_decision", no_reason, "B-C9")
    not_forced = ka.group_committee(overrides=[{"member": "s1_07", "rating": "优秀", "reason": "表现突出"}])
    flow.step(ka.OFFICER, case, "committee_decision", not_forced, expect=422)
    reason = "聚集性病例系外地返岗人员输入，本人组织处置及时，集团党委会研究认定已尽职"
    done = flow.step(ka.OFFICER, case, "committee_decision",
                     ka.group_committee(overrides=[{"member": "s1_06", "rating": "称职", "reason": reason}]))
    assert done["instance"]["status"] == "completed"  # no 优秀: no 公示
    final = {r["member"]: r for r in done["instance"]["data"]["final_ratings"]}
    assert (final["s1_06"]["rating"], final["s1_06"]["override_reason"]) == ("称职", reason)
    assert ka.ratings(flow, "s1_06")[2025] == ("称职", False, "assessment")


def test_b_c9_stands_when_the_group_committee_does_not_change_it(flow: Flow, web: Any) -> None:
    _closed_two_ensures_case(flow)
    case = ka.start(flow)["id"]
    _to_committee(flow, case, ka.proposal({"s1_06": "不称职"}))
    flow.step(ka.OFFICER, case, "committee_decision", ka.group_committee())
    assert ka.ratings(flow, "s1_06")[2025] == ("不称职", True, "assessment")  # locked: B-C9
    # the managing 组织部 cannot edit it away on the 干部信息 page; the refusal cites B-C9's source
    edit = web(rsv.OFFICER).post("/cadres/s1_06/sections/ratings", data={"ratings-0-year": "2025",
                                                                          "ratings-0-rating": "称职"})
    page = edit.get_data(as_text=True)
    assert edit.status_code == 422 and "年度考核结果已锁定" in page and "集团组织〔2020〕2号" in page
    assert ka.ratings(flow, "s1_06")[2025] == ("不称职", True, "assessment")


def test_a_change_the_group_committee_made_in_the_accountability_case_is_respected(flow: Flow) -> None:
    case = acc.start(flow, two_ensures_failed=True, year=2025)["id"]
    flow.step("s1_01", case, "start_approval", {"decision": "no_accountability"}, comment="依规处理")
    acc.override(flow, case, rating="称职", reason="已尽职")
    assessment = ka.start(flow)["id"]
    ka.to_proposal(flow, assessment)
    body = flow.step(ka.OFFICER, assessment, "proposal", ka.proposal())  # 梁晨 称职: not forced
    assert body["instance"]["data"]["forced_ratings"] == {}


def test_b_c9_only_the_group_committee_may_change_it(flow: Flow) -> None:
    """炼钢厂党支部's 班子, managed by S1: S1's 党委会 may not change a forced 不称职."""
    plan = {"unit": "S1B1", "management_level": "subsidiary", "members": ka.BRANCH_MEMBERS}
    case = ka.start(flow, by=ka.S1_OFFICER, **plan)["id"]
    assert flow.item(ka.S1_OFFICER, case, "report")["candidates"] == ["s1_03"]
    ka.to_proposal(flow, case, by=ka.S1_OFFICER, members=ka.BRANCH_MEMBERS)
    forced = ka.proposal({"s1b1_02": "不称职"}, failed=("s1b1_02",), members=ka.BRANCH_MEMBERS)
    flow.step(ka.S1_OFFICER, case, "proposal", forced)
    change = ka.s1_committee(overrides=[{"member": "s1b1_02", "rating": "称职", "reason": "已尽职"}])
    assert "只有集团党委会" in flow.refused(ka.S1_OFFICER, case, "committee_decision", change, "B-C9")["message"]
    flow.step(ka.S1_OFFICER, case, "committee_decision", ka.s1_committee())
    assert ka.ratings(flow, "s1b1_02")[2025] == ("不称职", True, "assessment")
    assert ka.ratings(flow, "s1b1_01")[2025] == ("称职", False, "assessment")


def test_rated_members_relatives_recuse_from_the_committee(flow: Flow, runner: Any, tmp_path: Path) -> None:
    path = tmp_path / "relations.json"
    path.write_text(json.dumps({"relations": [{"users": ["chenzhi", "s1_07"], "kind": "spouse"}]}))
    assert runner.invoke(args=["org", "import", str(path)]).exit_code == 0
    case = ka.start(flow)["id"]
    _to_committee(flow, case)
    roster = flow.api(ka.OFFICER).get(f"/tasks/{flow.item(ka.OFFICER, case, 'committee_decision')['id']}").get_json()
    assert [m["username"] for m in roster["meeting_roster"]["members"]][:2] == ["wangjianguo", "lihua"]
    refused = flow.refused(ka.OFFICER, case, "committee_decision", ka.group_committee(), "R-C1")
    assert "回避" in refused["message"]
    recused = ka.group_committee(recused={"chenzhi": "与考核对象为夫妻关系"})
    assert flow.step(ka.OFFICER, case, "committee_decision", recused)["instance"]["status"] == "completed"


def test_a_newcomer_takes_the_demos_assessment_to_the_records(flow: Flow) -> None:
    """`flask demo load` leaves S1's 年度综合考核 at the 等次建议; the group 组织部 takes it through the
    group 党委会 and the 公示 of an 优秀 to the cadre records."""
    result = flow.runner.invoke(args=["demo", "load", "--password", "demo-pass-123"])
    assert result.exit_code == 0, result.output
    [case] = [i for i in flow.todo(ka.OFFICER) if i["task"] == "proposal"]
    case_id = case["instance_id"]
    assert flow.case(ka.OFFICER, case_id)["title"] == "钢铁股份公司党委2025年度综合考核"
    flow.step(ka.OFFICER, case_id, "proposal", ka.proposal({"s1_07": "优秀"}))
    flow.step(ka.OFFICER, case_id, "committee_decision", ka.group_committee(on="2026-02-16"))
    flow.step(ka.OFFICER, case_id, "publicity", ka.publicity(start_date="2026-02-16"))
    assert flow.case(ka.OFFICER, case_id)["status"] == "completed"
    assert ka.ratings(flow, "s1_07")[2025] == ("优秀", False, "assessment")
    record = flow.api(ka.OFFICER).get("/cadres/s1_01").get_json()  # 马立新's 干部信息 (集团管理)
    assert {"year": 2025, "rating": "称职"} in record["ratings"]


def test_the_tables_open_with_a_row_per_member_chosen_at_the_start(flow: Flow) -> None:
    case = ka.start(flow)["id"]
    flow.step(ka.OFFICER, case, "report", {"held_on": "2026-02-12", "reports": "班子和班子成员分别述职"})
    item = flow.item(ka.OFFICER, case, "evaluation")
    opened = flow.api(ka.OFFICER).get(f"/tasks/{item['id']}").get_json()["prefill"]["data"]
    assert opened["member_votes"] == [{"member": m} for m in ka.MEMBERS]
    html = login(flow.app, ka.OFFICER).page(f"/cases/{case}")
    for row, member in enumerate(ka.MEMBERS):  # the case page's table, one row each, the person chosen
        picker = re.search(rf'<select id="f-member_votes-{row}-member".*?</select>', html, re.S)
        assert picker and re.findall(r'<option value="([^"]+)"[^>]* selected>', picker.group(0)) == [member]
    flow.step(ka.OFFICER, case, "evaluation", ka.evaluation(evaluated_on="2026-02-12"))
    flow.step(ka.OFFICER, case, "talk", ka.talk())
    item = flow.item(ka.OFFICER, case, "proposal")
    opened = flow.api(ka.OFFICER).get(f"/tasks/{item['id']}").get_json()["prefill"]["data"]
    assert opened["ratings"] == [{"member": m} for m in ka.MEMBERS]
