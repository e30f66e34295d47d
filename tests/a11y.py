"""The accessibility checks' tools and the pages both of them look at (issue 13, item 5).

axe-core (MPL-2.0) and the Nu HTML checker's vnu.jar (MIT) are npm packages that `make setup`
installs into the git-ignored .venv/a11y (Makefile target `a11y-tools`); nothing is fetched while
the tests run. The browser suite runs axe-core inside Chromium on every page kind
(tests/browser/test_accessibility_ui.py); tests/integration/webapp/test_html_validity.py runs
vnu.jar on the HTML the same pages serve.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from models import ProcessDefinition
from models import User
from models import WeeklyReport
from models import WorkItem
from models import WorkItemStatus
from tests.flows import at
from tests.helpers import start
from tests.helpers import to_committee
from webapp.extensions import db
from workflows.demo import cases as demo_cases
from workflows.engine.clock import frozen_at

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / ".venv" / "a11y" / "node_modules"
AXE_JS = TOOLS / "axe-core" / "axe.min.js"
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
MISSING = "run `make setup` (target a11y-tools installs axe-core and vnu-jar from npm into .venv/a11y)"

OFFICER, SECRETARY, BRANCH_SECRETARY, ADMIN, AUDITOR = "s1_03", "s1_01", "s1b1_01", "admin", "zhengyun"
STARTS = ["cadre_promotion", "accountability", "dues_allocation", "dues_topup", "party_probation",
          "annual_assessment", "special_report"]

# Who looks at which page: every page kind of the app, with the cases made by `cases()` below.
PAGES: dict[str, list[str]] = {
    OFFICER: ["/", "/tasks/todo", "/tasks/done", "/tasks/started", "/tasks/cc", "/notifications",
              "/notifications?unread=1", "/delegations", "/auth/password", "/start/",
              *[f"/start/{key}" for key in STARTS],
              "/cases/{committee}", "/cases/{committee}/diagram", "/cases/{committee}/log",
              "/tasks/todo?due=overdue&q=TB", "/admin/users", "/cases/999999",
              "/special-reports", "/special-reports?kind=major&since=2026-01-01", "/special-reports/{report}"],
    SECRETARY: ["/tasks/todo", "/cases/{fresh}"],
    BRANCH_SECRETARY: ["/start/party_admission"],
    ADMIN: ["/admin/users", "/admin/users/{user}", "/admin/org", "/admin/processes", "/admin/processes/{definition}",
            "/admin/calendar", "/admin/probation", "/admin/cases", "/admin/cases/{committee}", "/weekly/schedule"],
    AUDITOR: ["/audit/", "/audit/events", "/audit/verify", "/cases/{committee}", "/weekly", "/weekly/reports/{report}"],
}


def page_ids(app: Flask, api: Any) -> dict[str, int]:
    """Two cadre cases: one at its 党委会 step (s1_03 records the meeting: radio groups in a
    table), one fresh at 酝酿 (s1_01's action bar); a user and a process definition to show."""
    committee = start(api)["id"]
    to_committee(api, committee)
    fresh = start(api, candidate="s1_07")["id"]
    report = api(OFFICER).post("/processes/special_report/instances", {"data": {
        "kind": "case_positive", "headline": "一线卡口连续值守", "occurred_on": "2026-03-01", "content": "连续值守十四天",
        "persons": ["s1_05"], "related_cases": ""}}).get_json()["id"]
    with app.app_context():
        user = db.session.scalars(select(User.id).where(User.username == "s1_06")).one()
        definition = db.session.scalars(select(ProcessDefinition.id).order_by(ProcessDefinition.id)).first()
        report = _weekly_report()
        db.session.commit()
        db.session.remove()
    assert definition is not None
    return {"committee": committee, "fresh": fresh, "user": user, "definition": definition, "report": report}


def _weekly_report() -> int:
    """S1's 周报 of this week, opened as the timer worker does once the group set the schedule."""
    from workflows import accounts
    from workflows.weekly import opening
    from workflows.weekly import schedule

    schedule.update(db.session, accounts.find_user(db.session, "lihua"),
                    {"active": True, "open_weekday": 0, "due_weekday": 6, "due_hour": 23, "units": ["S1"]})
    [case] = opening.open_due(db.session)
    return int(db.session.scalars(select(WeeklyReport.id).where(WeeklyReport.instance_id == case.id)).one())


def page_paths(who: str, ids: dict[str, int]) -> list[str]:
    return [path.format(**ids) for path in PAGES[who]]


def demo_case_pages(app: Flask) -> list[tuple[str, str]]:
    """The demo cases (every process, each taken to a different step; the org must be loaded):
    each open step's case page as someone who may handle it, so every process's forms are seen."""
    with frozen_at(at("2026-03-02 09:00")), app.app_context():
        demo_cases.seed(db.session, demo_cases.DEMO_SCENES)
        db.session.commit()
        items = db.session.scalars(select(WorkItem).where(WorkItem.status == WorkItemStatus.OPEN)
                                   .order_by(WorkItem.id)).all()
        pages: dict[tuple[str, str], None] = {}
        for item in items:
            handler = item.assignee or (item.candidates[0].user if item.candidates else None)
            if handler is not None:
                pages.setdefault((handler.username, f"/cases/{item.instance_id}"))
        db.session.remove()
    return list(pages)
