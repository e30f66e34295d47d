"""回避 (R-C1) and who may take over a step (R-C2), through the API: each refusal next to the
accepted case. The cadre cases are about 梁晨 (s1_06), a 党委委员 of S1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.drivers import accountability as acc
from tests.drivers import admission as adm
from tests.flows import Flow
from tests.flows import at
from tests.helpers import COMMITTEES
from tests.helpers import FOUR_MUSTS_DONE
from tests.helpers import MEETING_OK
from tests.helpers import complete
from tests.helpers import meeting
from tests.helpers import open_item
from tests.helpers import proposal
from tests.helpers import start
from tests.integration.actions.support import act
from tests.integration.actions.support import events
from tests.integration.actions.support import todo
from webapp.extensions import db
from workflows import accounts
from workflows.engine.clock import frozen_at


def refused(body: dict[str, Any], rule: str, field: str) -> str:
    """A 422 naming `rule`, its source and the field; returns the message."""
    assert body["rule"] == rule and body["message"].startswith(f"{rule}：") and "依据" in body["message"], body
    assert field in body["fields"], body
    return str(body["message"])


def declare(runner: Any, tmp_path: Path, *relations: tuple[str, str, str]) -> str:
    """Declare relations through `flask org import`, as the organization department would."""
    path = tmp_path / "relations.json"
    path.write_text(json.dumps({"relations": [{"users": [a, b], "kind": kind} for a, b, kind in relations]}))
    result = runner.invoke(args=["org", "import", str(path)])
    assert result.exit_code == 0, result.output
    return str(result.output)


def deliberation(api: Any) -> tuple[int, int]:
    case = start(api)
    return case["id"], int(open_item(api, "s1_01", case["id"], "deliberation")["id"])


@pytest.mark.parametrize(("target", "rule", "why"), [
    ("s1_06", "R-C1", "梁晨是本案当事人，须回避"),                    # the candidate himself
    ("s1_05", "R-C2", "罗兰不在钢铁股份公司党委担任党组织书记或党委委员"),  # 党费管理员: cannot hold a 书记 step
    ("s1b1_04", "R-C2", "刘洋不在钢铁股份公司党委担任"),              # an 入党积极分子
])
def test_a_transfer_goes_only_to_someone_who_could_hold_the_step(api: Any, target: str, rule: str, why: str) -> None:
    case_id, item = deliberation(api)
    body = act(api, "s1_01", item, "transfer", {"to": target, "reason": "出差"}, expect=422)
    assert why in refused(body, rule, "to")
    assert open_item(api, "s1_01", case_id, "deliberation")["id"] == item  # nothing changed
    moved = act(api, "s1_01", item, "transfer", {"to": "s1_02", "reason": "出差，请副书记酝酿"})  # a 党委委员 of S1
    assert moved["item"]["candidates"] == ["s1_02"]


def test_add_signer_and_reassign_check_their_target_like_a_candidate(api: Any) -> None:
    _, item = deliberation(api)
    refused(act(api, "s1_01", item, "add-signer", {"user": "s1_06", "position": "before"}, expect=422), "R-C1", "user")
    refused(act(api, "s1_01", item, "add-signer", {"user": "s1_04", "position": "before"}, expect=422), "R-C2", "user")
    act(api, "s1_01", item, "add-signer", {"user": "s1_07", "position": "after", "reason": "请委员把关"})
    _, other = deliberation(api)
    refused(act(api, "admin", other, "reassign", {"to": "s1_06", "reason": "书记病休"}, expect=422), "R-C1", "to")
    refused(act(api, "admin", other, "reassign", {"to": "s1_05", "reason": "书记病休"}, expect=422), "R-C2", "to")
    assert act(api, "admin", other, "reassign", {"to": "s1_02", "reason": "书记病休"})["item"]["candidates"] == ["s1_02"]


@pytest.mark.usefixtures("frozen_clock")
def test_the_group_secretary_cannot_delegate_cadre_work_to_an_activist(api: Any) -> None:
    window = {"starts_at": "2026-03-02", "ends_at": "2026-03-20"}
    for deputy, keys in (("s1b1_04", ["cadre_promotion"]), ("zhaomin", None)):
        response = api("wangjianguo").post("/delegations", {"deputy": deputy, "process_keys": keys, **window})
        assert response.status_code == 422, response.get_json()
        assert "王建国作为党组织书记" in refused(response.get_json(), "R-C2", "deputy")
    ok = api("wangjianguo").post("/delegations", {"deputy": "chenzhi", "process_keys": ["cadre_promotion"], **window})
    assert ok.status_code == 201 and ok.get_json()["deputy"] == "chenzhi"  # 集团党委副书记


@pytest.mark.clock("2026-03-02 09:00")
@pytest.mark.usefixtures("frozen_clock")
def test_a_deputy_keeps_out_of_a_case_about_himself(api: Any) -> None:
    about_him = start(api, candidate="s1_02", current_post="组织部部长", proposed_post="党委副书记")["id"]
    other = start(api)["id"]
    grant = api("s1_01").post("/delegations", {"deputy": "s1_02", "ends_at": "2026-03-20"})
    assert grant.status_code == 201, grant.get_json()
    assert (other, "deliberation") in todo(api, "s1_02") and (about_him, "deliberation") not in todo(api, "s1_02")
    item = open_item(api, "s1_01", about_him, "deliberation")["id"]
    body = act(api, "s1_02", item, "complete", {"data": {"decision": "agree"}}, expect=422)
    assert body["rule"] == "R-C1" and "高峰是本案当事人" in body["message"]
    done = act(api, "s1_02", open_item(api, "s1_02", other, "deliberation")["id"], "complete",
               {"data": {"decision": "agree"}})
    assert (done["item"]["completed_by"], done["item"]["acted_for"]) == ("s1_02", "s1_01")


def test_a_deputy_who_no_longer_holds_a_stand_in_role_may_not_act(api: Any, app: Any) -> None:
    case_id, item = deliberation(api)
    assert api("s1_01").post("/delegations", {"deputy": "s1_07", "ends_at": "2099-01-01"}).status_code == 201
    with app.app_context():
        accounts.revoke_role(db.session, accounts.find_user(db.session, "s1_07"), "committee", "S1")
        db.session.commit()
    body = act(api, "s1_07", item, "complete", {"data": {"decision": "agree"}}, expect=422)
    assert body["rule"] == "R-C2" and "宋佳不在钢铁股份公司党委担任党组织书记或党委委员" in body["message"]
    assert act(api, "s1_01", item, "complete", {"data": {"decision": "agree"}})["instance"]["id"] == case_id


def test_nobody_starts_a_case_about_himself(flow: Flow) -> None:
    body = flow.refused_start("cadre_promotion", "s1_03", proposal(candidate="s1_03"), "R-C1")
    assert "林涛是本案当事人，须回避，不能发起本案" in body["message"]
    flow.start("cadre_promotion", "s1_03", proposal())


def test_a_case_whose_only_decider_must_recuse_fails_loudly(flow: Flow) -> None:
    """A promotion of S1's 书记 proposed as subsidiary-managed: the only one who could hold its
    酝酿 is the candidate himself. Nobody is routed silently; managed by the group, it goes on."""
    about_him = proposal(candidate="s1_01", current_post="党委书记", proposed_post="董事长")
    body = flow.refused_start("cadre_promotion", "s1_03", about_him, "R-C1")
    assert "马立新（本案当事人）均须回避，无人可办理" in body["message"]
    case = flow.start("cadre_promotion", "s1_03", {**about_him, "management_level": "group"})
    assert [(w["task"], w["candidates"]) for w in case["work_items"]] == [("deliberation", ["wangjianguo"])]


def test_the_candidate_is_never_on_his_own_inspection_team_or_talk(api: Any, runner: Any) -> None:
    with frozen_at(at("2026-09-21 09:00")):
        case = start(api)
        complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
        team = {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_06"]}
        refused(complete(api, "s1_03", case["id"], "recommendation", team, expect=422), "R-C1", "inspection_team.1")
        complete(api, "s1_03", case["id"], "recommendation", {**team, "inspection_team": ["s1_07", "s1_08"]})
        complete(api, "s1_03", case["id"], "inspection_targets", {"decision": "proceed"})
        complete(api, "s1_07", case["id"], "inspection", {"report": "表现突出", "four_musts": FOUR_MUSTS_DONE})
        complete(api, "s1_04", case["id"], "discipline_opinion", {"decision": "no_objection"})
        complete(api, "s1_02", case["id"], "department_review", {"decision": "submit"})
        complete(api, "s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})
        complete(api, "s1_03", case["id"], "publicity", {"start_date": "2026-09-22"})
    with frozen_at(at("2026-10-12 09:00")):  # the talk is recorded once held (T-A1)
        assert runner.invoke(args=["workflows", "worker", "--once"]).exit_code == 0
        complete(api, "s1_03", case["id"], "publicity_review", {"objections": False, "finding": "none",
                                                                "decision": "continue"})
        talk = {"notice_no": "钢股党〔2026〕31号", "appointed_on": "2026-10-12", "talk_date": "2026-10-12",
                "talk_by": "s1_06"}
        refused(complete(api, "s1_03", case["id"], "appointment", talk, expect=422), "R-C1", "talk_by")
        complete(api, "s1_03", case["id"], "appointment", {**talk, "talk_by": "s1_01"})


def test_a_relation_declared_later_takes_the_relative_off_the_case(api: Any, runner: Any, tmp_path: Path) -> None:
    case_id, item = deliberation(api)
    declare(runner, tmp_path, ("s1_01", "s1_06", "in_law"))
    body = act(api, "s1_01", item, "complete", {"data": {"decision": "agree"}}, expect=422)
    assert body["rule"] == "R-C1" and "马立新是本案当事人梁晨的近姻亲" in body["message"]
    assert act(api, "admin", item, "reassign", {"to": "s1_02", "reason": "书记须回避"})["item"]["candidates"] == ["s1_02"]
    complete(api, "s1_02", case_id, "deliberation", {"decision": "agree"})


def test_routing_leaves_out_a_relative_and_the_record_says_why(api: Any, web: Any, runner: Any, tmp_path: Path) -> None:
    declare(runner, tmp_path, ("sunli", "s1_06", "spouse"))
    case = start(api, management_level="group")
    complete(api, "wangjianguo", case["id"], "deliberation", {"decision": "agree"})
    assert open_item(api, "zhaomin", case["id"], "recommendation")["candidates"] == ["zhaomin"]
    recusal = next(e for e in events(api, case["id"]) if e["action"] == "task.recusal")
    assert recusal["data"]["recused"] == [{"username": "sunli", "name": "孙丽", "reason": "本案当事人梁晨的夫妻",
                                           "rule": "R-C1"}]
    assert recusal["data"]["rule"] == "R-C1" and "选拔任用工作条例" in recusal["data"]["source"]
    log = web("zhaomin").page(f"/cases/{case['id']}/log")  # 流转记录
    assert "孙丽（本案当事人梁晨的夫妻）回避，依据 R-C1" in log and "task.recusal" not in log


@pytest.mark.usefixtures("frozen_clock")
def test_a_relative_stays_off_the_investigation_and_recuses_at_the_committee(flow: Flow, runner: Any,
                                                                            tmp_path: Path) -> None:
    declare(runner, tmp_path, ("s1_07", "s1_06", "lineal"))
    case = acc.start(flow)["id"]
    team = {"decision": "investigate", "investigation_team": ["s1_04", "s1_07"]}
    body = flow.refused("s1_01", case, "start_approval", team, "R-C1")
    assert "宋佳是本案当事人梁晨的直系血亲，须回避，不能担任本案的问责调查组成员" in body["message"]
    flow.step("s1_01", case, "start_approval", {**team, "investigation_team": ["s1_04", "s1_08"]})
    flow.step("s1_04", case, "investigation", {"facts": "经查属实", "facts_shown_on": "2026-03-02"})
    flow.step("s1_06", case, "defence", {"statement": "无异议", "signed": True})
    acc.sign_report(flow, case, ["s1_04", "s1_08"])
    flow.step("s1_03", case, "decision_proposal", {"decision": "propose", "forms": ["dismiss"]})
    present = meeting(COMMITTEES["S1"], {"for": 3, "against": 0}, recused={"s1_06": "本人为被问责人"})
    body = flow.refused("s1_03", case, "committee_decision", {"meeting": present}, "R-C1")
    assert body["fields"] == {"meeting.attendance.3.status": [body["message"]]}
    both = meeting(COMMITTEES["S1"], {"for": 3, "against": 0}, recused={"s1_06": "本人为被问责人", "s1_07": "亲属回避"})
    with frozen_at(at("2026-03-02 18:00")):
        stored = flow.step("s1_03", case, "committee_decision", {"meeting": both})["instance"]["data"]["meeting"]
    assert (stored["members_total"], stored["members_due"], stored["present"]) == (5, 3, 3)


@pytest.mark.usefixtures("org")
def test_org_import_declares_relations_once(runner: Any, tmp_path: Path) -> None:
    assert "'relations': 1" in declare(runner, tmp_path, ("s1_01", "s1_06", "spouse"))
    again = declare(runner, tmp_path, ("s1_06", "s1_01", "spouse"))  # the same pair, either way round
    assert "'relations': 0" in again.split("更新")[0] and "'relations': 0" in again.split("更新")[1]
    (tmp_path / "bad.json").write_text(json.dumps({"relations": [{"users": ["s1_01", "s1_06"], "kind": "friend"}]}))
    bad = runner.invoke(args=["org", "import", str(tmp_path / "bad.json")])
    assert bad.exit_code != 0 and "relations/0/kind" in bad.output


def test_the_admission_applicants_relatives_neither_introduce_nor_vote(flow: Flow, runner: Any,
                                                                      tmp_path: Path) -> None:
    declare(runner, tmp_path, ("s3b1_05", "s3b1_15", "collateral"), ("s3_06", "s3b1_15", "in_law"))
    with frozen_at(at("2020-02-21 20:00")):
        case = adm.start(flow)["id"]
        flow.step(adm.SECRETARY, case, "branch_review", {"decision": "agree"})
        vetting = {"introducers": ["s3b1_02", "s3b1_05"], "political_review": "pass"}
        flow.refused(adm.SECRETARY, case, "vetting", vetting, "R-C1")
        flow.step(adm.SECRETARY, case, "vetting", {**vetting, "introducers": ["s3b1_02", "s3b1_06"]})
        flow.step(adm.OFFICER, case, "training", {"completed": True, "hours": 24, "special_case": False})
        flow.step(adm.OFFICER, case, "pre_review", {"decision": "agree"})
        flow.step("s3b1_15", case, "volunteer_form", {"form_text": "我志愿加入中国共产党……", "filled_on": "2020-02-20"})
        for introducer in ("s3b1_02", "s3b1_06"):
            flow.step(introducer, case, "introducer_opinion", {"opinion": "同意介绍"})
        flow.refused(adm.SECRETARY, case, "branch_meeting", {"meeting": adm.BRANCH_MEETING}, "R-C1")
        away = {"s3b1_07": "一线值班", "s3b1_08": "一线值班", "s3b1_09": "一线值班"}
        vote = meeting(adm.FULL_MEMBERS, {"for": 5, "against": 1}, absent=away, recused={"s3b1_05": "亲属回避"},
                       body="支部大会", date="2020-02-21")
        data = flow.step(adm.SECRETARY, case, "branch_meeting", {"meeting": vote})["instance"]["data"]
        assert (data["meeting"]["members_due"], data["meeting_outcome"]) == (9, "adopted")
    with frozen_at(at("2020-02-22 10:00")):
        flow.refused(adm.OFFICER, case, "approval_talk", {"talk_by": "s3_06", "talk_date": "2020-02-22"}, "R-C1")
        flow.step(adm.OFFICER, case, "approval_talk", {"talk_by": "s3_07", "talk_date": "2020-02-22"})
    with frozen_at(at("2020-02-24 10:00")):
        flow.refused("s3_01", case, "committee_approval", {"meeting": adm.COMMITTEE}, "R-C1")  # s3_06 sits on it
        recused = meeting(COMMITTEES["S3"], {"for": 3, "against": 0}, absent={"s3_08": "援鄂"},
                          recused={"s3_06": "亲属回避"}, body="医院党委会", date="2020-02-24")
        body = flow.step("s3_01", case, "committee_approval", {"meeting": recused})
        assert body["instance"]["data"]["meeting_outcome"] == "adopted"
        flow.step("sunli", case, "filing", {"filed_on": "2020-02-24"})
        oath = {"oath_date": "2020-02-24", "mode": "onsite", "led_by": "s3b1_15", "participants": ["s3b1_15"]}
        flow.refused(adm.SECRETARY, case, "oath", oath, "R-C1")  # he takes the oath; he does not lead it
        flow.step(adm.SECRETARY, case, "oath", {**oath, "led_by": "s3b1_01"})
