"""axe-core inside Chromium on every page kind: no serious or critical violation of WCAG 2.1 A/AA
(colour contrast included) or of axe's best practices, in the states people meet — a start form
refused with its errors, the case page with an action form open, the login page after a wrong
password, the error pages, the case page of every demo step (each process's forms) and the main
pages at 390 px. Radio groups are named by their field's label (issue 13: the 动议's four had no
name)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests import a11y

if not a11y.AXE_JS.is_file():
    pytest.skip(f"axe-core is not installed: {a11y.MISSING}", allow_module_level=True)

AXE = a11y.AXE_JS.read_text(encoding="utf-8")
OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
           "resultTypes": ["violations"]}
GRAVE = ("serious", "critical")
PHONE = {"width": 390, "height": 844}


def grave_violations(page: Page, where: str) -> list[str]:
    """axe's serious and critical findings on the page as it is now, one line per rule."""
    page.evaluate(AXE)  # evaluated over the DevTools protocol: the page's CSP does not apply
    result = page.evaluate("options => axe.run(document, options)", OPTIONS)
    return [f"{where}: {v['id']} ({v['impact']}) {v['help']} — "
            + "; ".join(" ".join(node["target"]) for node in v["nodes"][:6])
            for v in result["violations"] if v["impact"] in GRAVE]


def visit_all(person: Any, paths: list[str]) -> list[str]:
    found: list[str] = []
    for path in paths:
        found += grave_violations(person.go(path), path)
    return found


@pytest.fixture()
def ids(app: Flask, api: Any) -> dict[str, int]:
    return a11y.page_ids(app, api)


def named_groups(officer: Any, committee: int) -> None:
    """The 动议's radio groups and each 党委委员's 出席情况 are named by their labels."""
    form = officer.go("/start/cadre_promotion").locator("#start-form")
    for name in ("干部管理权限", "报集团（上级）党委", "动议事项", "破格情形", "是否处于试用期"):
        expect(form.get_by_role("radiogroup", name=name, exact=True)).to_have_count(1)
    expect(form.get_by_role("radiogroup", name=re.compile(r"\S"))).to_have_count(form.locator("[role=radiogroup]").count())
    meeting = officer.go(f"/cases/{committee}").locator("#task-form")
    expect(meeting.get_by_role("radiogroup", name="梁晨 · 党委委员 出席情况", exact=True)).to_have_count(1)
    expect(meeting.get_by_role("radiogroup", name=re.compile(r"\S"))).to_have_count(5)


def test_the_pages_of_people_who_start_and_decide(people: Any, ids: dict[str, int]) -> None:
    officer = people(a11y.OFFICER)
    named_groups(officer, ids["committee"])
    found = visit_all(officer, a11y.page_paths(a11y.OFFICER, ids))
    page = officer.go("/start/cadre_promotion")
    page.get_by_role("button", name="提交发起").click()
    expect(page.locator(".alert.error")).to_be_visible()
    found += grave_violations(page, "/start/cadre_promotion refused")
    secretary = people(a11y.SECRETARY)
    found += visit_all(secretary, a11y.page_paths(a11y.SECRETARY, ids))
    page = secretary.go(f"/cases/{ids['fresh']}")
    page.locator("details.act-pop > summary").first.click()
    expect(page.locator("details.act-pop[open] form")).to_be_visible()
    found += grave_violations(page, "case page, an action form open")
    found += visit_all(people(a11y.BRANCH_SECRETARY), a11y.page_paths(a11y.BRANCH_SECRETARY, ids))
    for person, who in ((officer, a11y.OFFICER), (secretary, a11y.SECRETARY)):  # and every one on a phone
        person.page.set_viewport_size(PHONE)
        found += [f"390 px {line}" for line in visit_all(person, a11y.page_paths(who, ids))]
    assert found == [], "\n".join(found)


def test_the_admin_and_audit_pages(people: Any, ids: dict[str, int]) -> None:
    found: list[str] = []
    for who in (a11y.ADMIN, a11y.AUDITOR):
        person = people(who)
        found += visit_all(person, a11y.page_paths(who, ids))
        person.page.set_viewport_size(PHONE)
        found += [f"390 px {line}" for line in visit_all(person, a11y.page_paths(who, ids))]
    assert found == [], "\n".join(found)


def test_the_case_page_of_every_demo_step(people: Any, app: Flask) -> None:
    found: list[str] = []
    for who, path in a11y.demo_case_pages(app):
        person = people(who)
        person.page.set_viewport_size({"width": 1400, "height": 900})
        found += grave_violations(person.go(path), f"{who} {path}")
        person.page.set_viewport_size(PHONE)
        found += grave_violations(person.go(path), f"390 px {who} {path}")
    assert found == [], "\n".join(found)


def test_the_login_page_and_a_refused_sign_in(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server + "/auth/login")
    found = grave_violations(page, "/auth/login")
    page.fill("#username", a11y.OFFICER)
    page.fill("#password", "wrong-password")
    page.click("button.btn.primary")
    found += grave_violations(page, "/auth/login refused")
    context.close()
    assert found == [], "\n".join(found)
