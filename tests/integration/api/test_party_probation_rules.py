"""The rules of 预备党员转正, each refused next to the submission that passes: dates in order
(T-C4) and not ahead of today (T-C1), discussed once the 预备期 is over and in time (C-C14),
approved within three months (C-C16), and 回避 (R-C1) at the 支部大会."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.drivers import probation as pro
from tests.flows import Flow

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.clock("2026-03-02 09:00")]


def test_the_dates_of_a_confirmation_follow_each_other(flow: Flow) -> None:
    flow.refused_start(pro.PROCESS, pro.SECRETARY, {"member": pro.MEMBER, "admitted_on": "2026-03-03"}, "T-C1")
    case = pro.start(flow, admitted_on="2025-02-28")["id"]  # the 预备期 ends on 2026-02-28
    body = flow.refused(pro.MEMBER, case, "application",
                        {"applied_on": "2025-02-27", "application_text": "申请转正"}, "T-C4")
    assert "提出转正申请日期（2025-02-27）不能早于支部大会通过为预备党员日期（2025-02-28）" in body["message"]
    flow.refused(pro.MEMBER, case, "application", {"applied_on": "2026-03-03", "application_text": "申请转正"}, "T-C1")
    pro.apply(flow, case, "2026-02-26")
    body = flow.refused(pro.SECRETARY, case, "branch_meeting", pro.branch_meeting("2026-02-25"), "T-C4")
    assert "支部大会讨论转正日期（2026-02-25）不能早于提出转正申请日期（2026-02-26）" in body["message"]
    body = flow.refused(pro.SECRETARY, case, "branch_meeting", pro.branch_meeting("2026-02-27"), "C-C14")
    assert "预备期至 2026-02-28 届满" in body["message"] and "《中国共产党章程》第七条" in body["message"]
    flow.step(pro.SECRETARY, case, "branch_meeting", pro.branch_meeting("2026-02-28"))
    body = flow.refused(pro.UPPER, case, "committee_approval", pro.committee("2026-02-27"), "T-C4")
    assert "上级党委审批转正日期（2026-02-27）不能早于支部大会讨论转正日期（2026-02-28）" in body["message"]
    flow.refused(pro.UPPER, case, "committee_approval", pro.committee("2026-03-03"), "T-C1")
    done = pro.approve(flow, case, "2026-03-02")["instance"]
    assert (done["data"]["outcome_text"], done["data"]["confirmed_on"]) == ("按期转正", "2026-02-28")


def test_a_late_discussion_and_a_late_approval_need_their_reasons(flow: Flow) -> None:
    case = pro.start(flow, admitted_on="2024-10-01")["id"]  # 预备期 over on 2025-10-01
    pro.apply(flow, case, "2025-09-30")
    body = flow.refused(pro.SECRETARY, case, "branch_meeting", pro.branch_meeting("2026-01-05"), "C-C14")
    assert body["fields"] == {"delay_reason": [body["message"]]}
    flow.step(pro.SECRETARY, case, "branch_meeting", pro.branch_meeting("2025-11-20"))  # due: 2026-02-20
    body = flow.refused(pro.UPPER, case, "committee_approval", pro.committee("2026-03-02"), "C-C16")
    assert "应于 2026-02-20 前审批" in body["message"]
    done = pro.approve(flow, case, "2026-03-02", delay_reason="党委会因疫情延期")["instance"]
    assert done["status"] == "completed"


def test_a_failed_quorum_at_the_branch_meeting_cites_c_c6(flow: Flow) -> None:
    case = pro.start(flow, admitted_on="2025-02-20")["id"]
    pro.apply(flow, case, "2026-02-25")
    sparse = pro.branch_meeting("2026-03-02")
    sparse["meeting"]["attendance"] = [{**row, "status": "absent", "reason": "一线值班"} if i < 6 else row
                                       for i, row in enumerate(sparse["meeting"]["attendance"])]
    sparse["meeting"]["votes"] = {"for": 3, "against": 0, "abstain": 0}  # 3 of 10 present
    flow.refused(pro.SECRETARY, case, "branch_meeting", sparse, "C-C6")


def test_the_members_relatives_recuse_from_the_vote(flow: Flow, runner: Any, tmp_path: Path) -> None:
    path = tmp_path / "relations.json"
    path.write_text(json.dumps({"relations": [{"users": ["s3b1_05", pro.MEMBER], "kind": "spouse"}]}))
    assert runner.invoke(args=["org", "import", str(path)]).exit_code == 0
    case = pro.start(flow, admitted_on="2025-02-20")["id"]
    pro.apply(flow, case, "2026-02-25")
    body = flow.refused(pro.SECRETARY, case, "branch_meeting", pro.branch_meeting("2026-03-02"), "R-C1")
    assert "常青" in body["message"]
    vote = pro.branch_meeting("2026-03-02", against=1)
    vote["meeting"]["attendance"] = [{"member": r["member"], "status": "recused", "reason": "配偶回避"}
                                     if r["member"] == "s3b1_05" else r for r in vote["meeting"]["attendance"]]
    vote["meeting"]["votes"] = {"for": 6, "against": 1, "abstain": 0}
    data = flow.step(pro.SECRETARY, case, "branch_meeting", vote)["instance"]["data"]
    assert (data["meeting"]["members_due"], data["meeting_outcome"]) == (9, "adopted")


def test_nobody_starts_the_confirmation_of_a_relative(flow: Flow, runner: Any, tmp_path: Path) -> None:
    path = tmp_path / "relations.json"
    path.write_text(json.dumps({"relations": [{"users": [pro.SECRETARY, pro.MEMBER], "kind": "lineal"}]}))
    assert runner.invoke(args=["org", "import", str(path)]).exit_code == 0
    body = flow.refused_start(pro.PROCESS, pro.SECRETARY, {"member": pro.MEMBER, "admitted_on": "2025-02-20"}, "R-C1")
    assert "常青" in body["message"]
    pro.start(flow, by="s3_03", admitted_on="2025-02-20")  # the 医院党委 组织员 starts it instead
