"""发起 that helps (issue 13 item 2): 预览 runs every check 提交 runs and writes nothing, the catalog
explains what a user may not start, and the 问责 preview names its approvers."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from models import AuditEvent
from models import NumberSequence
from models import ProcessInstance
from models import WorkItem
from tests.drivers import admission
from tests.flows import at
from tests.web import start_form
from webapp.extensions import db
from workflows.engine.clock import frozen_at

CLUE = {"subject_user": "s1b1_01", "category": "epidemic_prevention", "source": "supervision",
        "evidence": "防控物资发放不到位", "two_ensures_failed": "false"}


def counts(app: Flask) -> tuple[int, ...]:
    """Rows a start would write: cases, their items, numbers, audit events."""
    with app.app_context():
        found = tuple(db.session.scalar(select(func.count()).select_from(model))
                      for model in (ProcessInstance, WorkItem, NumberSequence, AuditEvent))
        db.session.remove()
        return found


def error_of(html: str, name: str) -> str:
    found = re.search(rf'id="f-{name}-error">([^<]+)<', html)
    return found.group(1) if found else ""


def who(html: str, step: str) -> str:
    found = re.search(rf'data-step="{step}">.*?<span class="route-(?:who|note)">([^<]+)</span>', html, re.S)
    return found.group(1) if found else ""


def test_preview_refuses_what_the_start_refuses_by_its_field_and_writes_nothing(web: Any, app: Flask) -> None:
    officer = web("s1_03")
    before = counts(app)
    broken = start_form(intent="preview", grades_skipped="2", breakthrough_type="skip_grade")
    response = officer.post("/start/cadre_promotion", broken)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "表单校验通过" not in html
    assert error_of(html, "grades_skipped").startswith("A-C10") and "依据" in error_of(html, "grades_skipped")
    submitted = officer.post("/start/cadre_promotion", {**broken, "intent": "submit"}).get_data(as_text=True)
    assert error_of(submitted, "grades_skipped") == error_of(html, "grades_skipped")  # the same check, the same words

    himself = officer.post("/start/cadre_promotion", start_form(intent="preview", candidate="s1_03"))
    assert himself.status_code == 422 and "R-C1" in himself.get_data(as_text=True)  # not about oneself
    passed = officer.post("/start/cadre_promotion", start_form(intent="preview"))
    assert passed.status_code == 200 and "表单校验通过" in passed.get_data(as_text=True)
    assert counts(app) == before


def test_the_catalog_greys_out_what_the_user_may_not_start_and_says_who_may(web: Any) -> None:
    secretary = web("s1_01").page("/start/")
    refused = re.search(r'data-refused="cadre_promotion">.*?<p class="why">([^<]+)</p>', secretary, re.S)
    assert refused and refused.group(1) == "仅限组织部门干部发起"
    assert 'href="/start/cadre_promotion"' not in secretary
    assert 'data-key="dues_topup"' in secretary  # what a 书记 may start stays a link
    auditor = web("zhengyun").page("/start/")
    assert "您的角色暂不能发起任何流程" in auditor and 'data-refused="accountability"' in auditor
    assert re.search(r'data-refused="accountability">.*?仅限组织部门干部或纪委发起', auditor, re.S)


def test_a_start_by_someone_not_allowed_is_refused_with_who_may(web: Any, app: Flask) -> None:
    secretary = web("s1_01")
    before = counts(app)
    page = secretary.get("/start/cadre_promotion")
    assert page.status_code == 403 and "“干部提拔任用”只能由组织部门干部发起" in page.get_data(as_text=True)
    for intent in ("preview", "submit"):
        refused = secretary.post("/start/cadre_promotion", start_form(intent=intent))
        assert refused.status_code == 403 and "只能由组织部门干部发起" in refused.get_data(as_text=True)
    assert counts(app) == before


def test_the_accountability_preview_names_its_approvers_from_the_person_chosen(web: Any) -> None:
    officer = web("s1_03")
    empty = officer.page("/start/accountability")
    assert who(empty, "start_approval") == "取决于办理层级（集团党委：王建国；子分公司党委：马立新）"
    person_only = {**CLUE, "subject_user": "s2_06", "intent": "preview"}  # 办理层级 not chosen yet
    html = officer.post("/start/accountability", person_only).get_data(as_text=True)
    assert error_of(html, "level") == "必填"
    assert who(html, "start_approval") == "取决于办理层级（集团党委：王建国；子分公司党委：韩冬）"  # 矿业公司党委's
    html = officer.post("/start/accountability", {**CLUE, "level": "subsidiary", "intent": "preview"}).get_data(as_text=True)
    assert "表单校验通过" in html
    assert who(html, "start_approval") == "马立新"  # the 书记 of 张伟's 钢铁股份公司党委 (B-C1)
    assert re.search(r'data-step="start_approval">.*?钢铁股份公司党委', html, re.S)
    group = officer.post("/start/accountability", {**CLUE, "level": "group", "intent": "preview"}).get_data(as_text=True)
    assert who(group, "start_approval") == "王建国"
    own = {**CLUE, "subject_user": "s1_01", "level": "subsidiary", "intent": "preview"}  # the 书记 himself
    refused = officer.post("/start/accountability", own)
    assert refused.status_code == 422 and error_of(refused.get_data(as_text=True), "level").startswith("B-C1")


def test_an_admission_is_started_by_a_branch_secretary_not_a_company_secretary(web: Any, app: Flask, api: Any) -> None:
    """`starterRoles="secretary@branch"`: the 书记 of a company holds the role, not at a 党支部."""
    catalog = web("s1_01").page("/start/")
    assert re.search(r'data-refused="party_admission">.*?仅限党支部书记发起', catalog, re.S)
    before = counts(app)
    refused = web("s1_01").get("/start/party_admission")
    assert refused.status_code == 403 and "及入党宣誓”只能由党支部书记发起" in refused.get_data(as_text=True)
    assert counts(app) == before
    assert 'href="/start/party_admission"' in web(admission.SECRETARY).page("/start/")
    by_company = api("s1_01").post("/processes/party_admission/instances", {"data": admission.application()})
    assert by_company.status_code == 403 and "党支部书记" in by_company.get_json()["message"], by_company.get_json()
    assert counts(app)[:3] == before[:3]  # no case, item or number (the API token's issue is audited)
    with frozen_at(at("2020-02-22 09:00")):  # the application's own dates
        started = api(admission.SECRETARY).post("/processes/party_admission/instances",
                                                {"data": admission.application()})
    assert started.status_code == 201, started.get_json()
