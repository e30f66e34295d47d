"""表彰 (commendation) through the API: the group 组织部 sets quotas → each 子分公司 nominates persons
or 党组织 with their 事迹 (H-C5 quota, H-C6 its own, H-C10 the kind's conditions) → 资格审核 against
the negative list (H-C1 … H-C4, each refusal citing its rule and source) → 公示 of working days
(H-C7) → 党委会 with the roster's quorum, nominees recused (H-C8, R-C1) → 表彰决定 (PDF) → 奖惩
entries on the cadre records and 先进 events in the 现实表现纪实."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from tests.drivers import commendation as hon
from tests.flows import Flow
from tests.helpers import COMMITTEES
from tests.helpers import proposal

pytestmark = pytest.mark.usefixtures("frozen_clock")
HONOURED = ["罗兰", "张伟", "何医生", "炼钢厂党支部"]


def _data(flow: Flow, case_id: int) -> dict[str, Any]:
    data: dict[str, Any] = flow.case(hon.OFFICER, case_id)["data"]
    return data


def _nominated(flow: Flow) -> int:
    case_id: int = hon.start(flow)["id"]
    hon.nominate_all(flow, case_id)
    return case_id


def test_a_qiyi_commendation_runs_from_quotas_to_the_records(flow: Flow) -> None:
    case = hon.start(flow)
    assert case["number"].startswith("BZ-") and case["title"] == "2026年“七一”表彰"
    assert _data(flow, case["id"])["nominating_units"] == ["S1", "S3"]
    assert [i["task"] for i in flow.todo(hon.S1_OFFICER) if i["instance_id"] == case["id"]] == ["nomination"]
    assert [i["task"] for i in flow.todo(hon.S3_OFFICER) if i["instance_id"] == case["id"]] == ["nomination"]
    hon.nominate_all(flow, case["id"])
    item = flow.item(hon.OFFICER, case["id"], "review")
    shown = flow.api(hon.OFFICER).get(f"/tasks/{item['id']}").get_json()["data"]["eligibility"]
    assert [(r["name"], r["findings"]) for r in shown] == [(n, []) for n in ("罗兰", "张伟", "炼钢厂党支部", "何医生")]
    flow.step(hon.OFFICER, case["id"], "review", {"decision": "proceed"})
    body = flow.step(hon.OFFICER, case["id"], "publicity", {"start_date": "2026-03-02"})
    assert body["instance"]["data"]["publicity_end"] == "2026-03-06"  # 5 working days (H-C7, 七一 pack)
    assert body["instance"]["timers"] == [{"task": "publicity_timer", "due_at": "2026-03-07T00:00:00+08:00"}]
    hon.publicity_timer(flow)
    with hon.later():
        flow.step(hon.OFFICER, case["id"], "publicity_review", {"objections": False, "decision": "continue"})
    hon.decide(flow, case["id"])
    done = flow.case(hon.OFFICER, case["id"])
    assert done["status"] == "completed" and done["data"]["meeting_outcome"] == "adopted"
    assert sorted(done["data"]["awards_written"]) == ["s1_05", "s1b1_01", "s3b1_01"]
    for username, officer in (("s1_05", "s1_03"), ("s1b1_01", "s1_03"), ("s3b1_01", "s3_03")):
        record = flow.api(officer).get(f"/cadres/{username}").get_json()
        texts = [a["text"] for a in record["awards"]]
        honour = "优秀党务工作者" if username == "s3b1_01" else "优秀共产党员"
        assert f"2026年3月被集团党委授予“{honour}”称号（{hon.DECISION_NO}）" in texts, texts
        events = flow.api(officer).get(f"/cadres/{username}/events").get_json()["items"]
        mine = [e for e in events if e.get("instance_id") == case["id"]]
        assert [(e["source"], e["mark"]) for e in mine] == [("commendation", "merit")], events


def _pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_the_decision_pdf_names_every_honoured_person_and_organization(flow: Flow, web: Any) -> None:
    case_id = _nominated(flow)
    hon.to_committee(flow, case_id)
    assert web(hon.OFFICER).get(f"/cases/{case_id}/documents/commendation_decision.pdf").status_code == 404
    hon.decide(flow, case_id)
    response = web(hon.OFFICER).get(f"/cases/{case_id}/documents/commendation_decision.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(bytes(response.data))
    for expected in ("表彰决定", hon.DECISION_NO, "先进基层党组织", "优秀共产党员", "优秀党务工作者", *HONOURED):
        assert expected in text, expected
    # the 奖惩 entry is what the 干部任免审批表 prints for 罗兰 in a later promotion
    promotion = flow.start("cadre_promotion", "s1_03", proposal(candidate="s1_05", current_post="党费管理员",
                                                                proposed_post="组织部副部长"))
    form = _pdf_text(bytes(web("s1_03").get(f"/cases/{promotion['id']}/documents/appointment.pdf").data))
    assert f"2026年3月被集团党委授予“优秀共产党员”称号（{hon.DECISION_NO}）" in form


# Each negative-list rule: a record that refuses the nominee, and a near one that does not.
Setup = Callable[[Flow], None]
NEGATIVE: dict[str, tuple[Setup, Setup]] = {
    "H-C1": (lambda f: hon.influence_period(f.app, "s1_05", "admonish", "2026-01-10", "2026-07-09"),
             lambda f: hon.influence_period(f.app, "s1_05", "admonish", "2025-08-01", "2026-01-31")),
    "H-C2": (lambda f: hon.rate(f.app, "s1_05", 2025, "基本称职"),
             lambda f: hon.rate(f.app, "s1_05", 2023, "基本称职")),
    "H-C3": (lambda f: hon.influence_period(f.app, "s1_05", "discipline", "2025-12-01", "2026-11-30"),
             lambda f: hon.influence_period(f.app, "s1_05", "discipline", "2024-06-01", "2025-05-31")),
    "H-C4": (lambda f: hon.open_lead(f, subject_user="s1_05") and None,
             lambda f: hon.open_lead(f, subject_user="s1_06") and None),
}


@pytest.mark.parametrize("rule", sorted(NEGATIVE))
def test_a_nominee_on_the_negative_list_is_refused_citing_the_rule(flow: Flow, rule: str) -> None:
    refused, accepted = NEGATIVE[rule]
    accepted(flow)
    case_id = _nominated(flow)
    refused(flow)
    item = flow.item(hon.OFFICER, case_id, "review")
    body = flow.refused(hon.OFFICER, case_id, "review", {"decision": "proceed"}, rule)
    assert "罗兰" in body["message"] and "不得作为表彰对象" in body["message"]
    reason = "负面清单：" + rule
    flow.step(hon.OFFICER, case_id, "review", {"decision": "proceed",
                                               "excluded": [{"nominee": "person:s1_05", "reason": reason}]})
    data = _data(flow, case_id)
    assert [r["name"] for r in data["honourees"]] == ["张伟", "炼钢厂党支部", "何医生"]
    [excluded] = data["exclusions"]
    assert (excluded["name"], excluded["rule"], excluded["reason"]) == ("罗兰", rule, reason)
    assert excluded["source"] and item["task"] == "review"


@pytest.mark.parametrize("rule", sorted(NEGATIVE))
def test_a_record_outside_the_negative_list_lets_the_nominee_pass(flow: Flow, rule: str) -> None:
    NEGATIVE[rule][1](flow)
    case_id = _nominated(flow)
    flow.step(hon.OFFICER, case_id, "review", {"decision": "proceed"})
    assert "罗兰" in [r["name"] for r in _data(flow, case_id)["honourees"]]


def test_an_organization_with_an_open_case_is_refused(flow: Flow) -> None:
    case_id = _nominated(flow)
    hon.open_lead(flow, subject_unit="S1B1")
    body = flow.refused(hon.OFFICER, case_id, "review", {"decision": "proceed"}, "H-C4")
    assert "炼钢厂党支部" in body["message"]
    unknown = [{"nominee": "热轧厂党支部", "reason": "问责案件未办结"}]  # not nominated
    assert "excluded.0.nominee" in flow.step(hon.OFFICER, case_id, "review", {"decision": "proceed", "excluded": unknown},
                                             expect=422)["fields"]
    flow.step(hon.OFFICER, case_id, "review", {"decision": "proceed",
                                               "excluded": [{"nominee": "炼钢厂党支部", "reason": "问责案件未办结"}]})
    assert [e["key"] for e in _data(flow, case_id)["exclusions"]] == ["org:S1B1"]


def test_nominations_keep_to_the_quota_the_unit_and_the_kind(flow: Flow) -> None:
    case_id: int = hon.start(flow)["id"]
    three = {"nominees": [hon.person(u) for u in ("s1_05", "s1b1_01", "s1_07")]}
    body = hon.nominate(flow, case_id, "S1", three, expect=422)
    assert body["rule"] == "H-C5" and "名额为 2 名" in body["message"]
    outsider = {"nominees": [hon.person("s2_05")]}
    assert hon.nominate(flow, case_id, "S1", outsider, expect=422)["rule"] == "H-C6"
    activist = {"nominees": [hon.person("s1b1_04")]}  # 入党积极分子: not a full member
    assert hon.nominate(flow, case_id, "S1", activist, expect=422)["rule"] == "H-C10"
    twice = {"nominees": [hon.person("s1_05"), hon.person("s1_05")]}
    assert hon.nominate(flow, case_id, "S1", twice, expect=422)["rule"] == "H-C6"
    no_quota = {"nominees": [hon.person("s1_05", "party_worker")]}  # S1 has no 优秀党务工作者 quota
    assert hon.nominate(flow, case_id, "S1", no_quota, expect=422)["rule"] == "H-C5"
    hon.nominate(flow, case_id, "S1", hon.s1_nominees())


def test_quotas_go_to_subsidiaries_and_honours_of_the_kind(flow: Flow) -> None:
    branch = [{"unit": "S1B1", "honour": "advanced_org", "quota": 1}]
    assert "quotas.0.unit" in hon.start(flow, quotas=branch, expect=422)["fields"]
    other_kind = [{"unit": "S1", "honour": "advanced_team", "quota": 1}]
    assert "quotas.0.honour" in hon.start(flow, quotas=other_kind, expect=422)["fields"]
    twice = [{"unit": "S1", "honour": "excellent_member", "quota": 1}] * 2
    assert "quotas.1.honour" in hon.start(flow, quotas=twice, expect=422)["fields"]
    assert flow.api("s1_03").post("/processes/commendation/instances", {"data": hon.launch()}).status_code == 403


def test_the_committee_needs_its_quorum_from_the_roster(flow: Flow) -> None:
    case_id = _nominated(flow)
    hon.to_committee(flow, case_id)
    away = {m: "出差" for m in COMMITTEES["G"][4:]}  # 4 of 9 present: not more than half (H-C8)
    with hon.later():
        item = flow.item(hon.OFFICER, case_id, "committee_decision")
        roster = flow.api(hon.OFFICER).get(f"/tasks/{item['id']}").get_json()["meeting_roster"]
        assert [m["username"] for m in roster["members"]] == COMMITTEES["G"]
        flow.refused(hon.OFFICER, case_id, "committee_decision", hon.committee(absent=away), "H-C8")
        quorate = {m: "出差" for m in COMMITTEES["G"][5:]}
        flow.step(hon.OFFICER, case_id, "committee_decision", hon.committee(absent=quorate))
    assert _data(flow, case_id)["meeting"]["present"] == 5


def test_a_nominee_on_the_committee_is_recorded_as_recused(flow: Flow) -> None:
    hon.seat_on_group_committee(flow.app, "s1_05")
    case_id = _nominated(flow)
    hon.to_committee(flow, case_id)
    members = [*COMMITTEES["G"], "s1_05"]
    with hon.later():
        flow.refused(hon.OFFICER, case_id, "committee_decision", hon.committee(members=members), "R-C1")
        flow.step(hon.OFFICER, case_id, "committee_decision",
                  hon.committee(members=members, recused={"s1_05": "本人为拟表彰对象"}))
    meeting = _data(flow, case_id)["meeting"]
    assert (meeting["members_due"], meeting["recusals"][0]["username"]) == (9, "s1_05")


def test_a_record_written_after_the_review_stops_the_adoption(flow: Flow) -> None:
    case_id = _nominated(flow)
    hon.to_committee(flow, case_id)
    hon.influence_period(flow.app, "s1b1_01", "admonish", "2026-03-08", "2026-09-07")
    with hon.later():
        body = flow.refused(hon.OFFICER, case_id, "committee_decision", hon.committee(), "H-C1")
    assert "张伟" in body["message"]


def test_the_publicity_may_take_a_nominee_off_after_objections(flow: Flow, app: Flask) -> None:
    case_id = _nominated(flow)
    flow.step(hon.OFFICER, case_id, "review", {"decision": "proceed"})
    hon.publicity(flow, case_id)
    withdrawn = [{"nominee": "张伟", "reason": "经核查反映属实"}]
    with hon.later():
        flow.step(hon.OFFICER, case_id, "publicity_review", {"objections": False, "withdrawn": withdrawn,
                                                              "decision": "continue"}, expect=422)
        flow.step(hon.OFFICER, case_id, "publicity_review", {"objections": True, "withdrawn": withdrawn,
                                                              "decision": "continue"})
    hon.decide(flow, case_id)
    data = _data(flow, case_id)
    assert [r["name"] for r in data["honourees"]] == ["罗兰", "炼钢厂党支部", "何医生"]
    assert "s1b1_01" not in data["awards_written"]


def test_a_review_may_stop_the_commendation(flow: Flow) -> None:
    case_id = _nominated(flow)
    flow.step(hon.OFFICER, case_id, "review", {"decision": "stop"}, comment="疫情反复，延期表彰")
    assert flow.case(hon.OFFICER, case_id)["status"] == "rejected"


def test_the_group_org_department_sees_commendations_in_progress_on_the_dashboard(flow: Flow, web: Any) -> None:
    case = hon.start(flow)
    hon.nominate(flow, case["id"], "S1", hon.s1_nominees())
    page = web(hon.OFFICER).get("/").get_data(as_text=True)
    section = page.split('id="commendations"')[1].split("</section>")[0]
    assert case["number"] in section and "“七一”表彰" in section and "推荐" in section
    assert "已推荐 1/2 个单位" in section and "2026-03-20" in section
    assert 'id="commendations"' not in web(hon.S1_OFFICER).get("/").get_data(as_text=True)
    hon.nominate(flow, case["id"], "S3", hon.s3_nominees())
    hon.to_committee(flow, case["id"])
    hon.decide(flow, case["id"])
    assert 'id="commendations"' not in web(hon.OFFICER).get("/").get_data(as_text=True)  # ended


def test_the_demo_commendation_can_be_taken_to_its_end(flow: Flow, app: Flask) -> None:
    from webapp.extensions import db
    from workflows.demo import cases as demo_cases
    from workflows.demo.commendation import commendation

    with app.app_context():
        [case] = demo_cases.seed(db.session, (commendation,))
        case_id = case.id
        db.session.commit()
        db.session.remove()
    assert flow.tasks(hon.OFFICER, case_id) == ["nomination"]
    hon.nominate(flow, case_id, "S3", {"nominees": [
        hon.person("s3b1_01", "party_worker", "统筹发热门诊党员先锋岗"), hon.organization("S3B1", "发热门诊零感染")]})
    body = flow.refused(hon.OFFICER, case_id, "review", {"decision": "proceed"}, "H-C2")
    assert "邓超" in body["message"] and "基本称职" in body["message"]
    hon.to_committee(flow, case_id, {"decision": "proceed", "excluded": [
        {"nominee": "person:s2_07", "reason": "2025 年度考核基本称职（H-C2）"}]})
    hon.decide(flow, case_id)
    data = flow.case(hon.OFFICER, case_id)
    assert data["status"] == "completed"
    assert [r["name"] for r in data["data"]["honourees"]] == ["罗兰", "张伟", "炼钢厂党支部", "何医生", "发热门诊党支部"]


def test_the_start_form_and_the_case_page_render_each_step(flow: Flow, web: Any) -> None:
    start = web(hon.OFFICER).get("/start/commendation")
    assert start.status_code == 200 and "名额分配" in start.get_data(as_text=True)
    case = hon.start(flow)
    page = web(hon.S1_OFFICER).get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "推荐对象" in page and "主要事迹" in page
    hon.rate(flow.app, "s1_05", 2025, "不称职")
    hon.nominate_all(flow, case["id"])
    page = web(hon.OFFICER).get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "资格审核" in page and "H-C2 2025 年度考核等次为“不称职”" in page


def test_a_circular_honours_a_team_and_a_person_who_need_not_be_a_member(flow: Flow) -> None:
    quotas = [{"unit": "S1", "honour": "advanced_team", "quota": 1}, {"unit": "S1", "honour": "advanced_person", "quota": 1}]
    case = hon.start(flow, kind="circular", title="疫情防控通报表彰", quotas=quotas)
    assert _data(flow, case["id"])["kind_title"] == "通报表彰"
    team = {"honour": "advanced_team", "organization": "S2", "deeds": "措施得力"}  # not S1's own
    assert hon.nominate(flow, case["id"], "S1", {"nominees": [team]}, expect=422)["rule"] == "H-C6"
    nominees = [{"honour": "advanced_team", "organization": "S1", "deeds": "科学防控，生产经营稳定顺行"},
                {"honour": "advanced_person", "person": "s1b1_04", "deeds": "志愿值守卡口"}]  # 入党积极分子
    hon.nominate(flow, case["id"], "S1", {"nominees": nominees})
    flow.step(hon.OFFICER, case["id"], "review", {"decision": "proceed"})
    assert [r["name"] for r in _data(flow, case["id"])["honourees"]] == ["钢铁股份公司党委", "刘洋"]


def test_the_campaign_honours_members_only_after_three_working_days(flow: Flow) -> None:
    quotas = [{"unit": "S1", "honour": "vanguard_member", "quota": 2}]
    case = hon.start(flow, kind="campaign", title="“我是党员我带头”集中表彰", quotas=quotas)
    outsider = {"nominees": [hon.person("s1b1_04", "vanguard_member")]}  # not a member
    body = hon.nominate(flow, case["id"], "S1", outsider, expect=422)
    assert body["rule"] == "H-C12" and "党员" in body["message"]
    probationary = {"nominees": [hon.person("s1b1_03", "vanguard_member")]}  # 预备党员 may be honoured
    hon.nominate(flow, case["id"], "S1", probationary)
    flow.step(hon.OFFICER, case["id"], "review", {"decision": "proceed"})
    body = flow.step(hon.OFFICER, case["id"], "publicity", {"start_date": "2026-03-02"})
    assert (body["instance"]["data"]["publicity_end"], body["instance"]["data"]["publicity_days"]) == ("2026-03-04", 3)
