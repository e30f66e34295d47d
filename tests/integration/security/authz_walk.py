"""The authorization walk: every rule of app.url_map × every method × every kind of user,
with the ids of one S1 case (its task, attachment, PDFs) filled into the URL."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from models import Attachment
from models import CadreEvent
from models import Delegation
from models import Notification
from models import OrgUnit
from models import ProcessDefinition
from models import ReserveMeasure
from models import ReservePoolEntry
from models import WeeklyReport
from tests.integration.security.conftest import csrf_of
from tests.integration.security.conftest import form_login
from tests.web import open_item_id
from tests.web import start_form
from webapp.extensions import db
from workflows import accounts
from workflows.engine import clock

# The kinds of user, by a demo user of each (the case below is started by s1_03 in S1).
ROLES = {
    "anonymous": None,
    "outsider": "s2_03",      # 组织部干部 of another unit (S2): must not reach any S1 case id
    "member": "s1b1_02",      # an ordinary party member of S1 with no role
    "approver": "s1_01",      # S1 党委书记, holds the case's open 酝酿 step
    "secretary": "s1b1_01",   # a branch secretary in S1, not involved in the case
    "officer": "s1_03",       # S1 组织部干部, started the case
    "auditor": "zhengyun",
    "admin": "admin",
}
SAFE = {"GET"}


@dataclass
class Caller:
    """One kind of user, with a browser session (cookies + CSRF) and an API token."""

    client: FlaskClient
    csrf: str
    token: str | None

    def call(self, method: str, path: str) -> Any:
        if path.startswith("/api/"):
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            return self.client.open(path, method=method, json={} if method not in SAFE else None, headers=headers)
        data = {"csrf_token": self.csrf} if method not in SAFE else None
        return self.client.open(path, method=method, data=data)


def callers(app: Flask) -> dict[str, Caller]:
    made = {}
    for role, username in ROLES.items():
        client = app.test_client()
        token = None
        if username:
            assert form_login(client, username).status_code == 302
            with app.app_context():
                token = accounts.create_token(db.session, accounts.find_user(db.session, username))
                db.session.commit()
        made[role] = Caller(client, csrf_of(client.get("/auth/login").get_data(as_text=True)), token)
    return made


def case_ids(app: Flask, web: Any) -> dict[str, Any]:
    """One S1 case with an attachment, the approver's open item, a notification, a delegation."""
    officer = web("s1_03")
    form = {**start_form(), "attachments": (io.BytesIO(b"%PDF-1.4 x"), "材料.pdf")}
    response = officer.post("/start/cadre_promotion", form, content_type="multipart/form-data")
    assert response.status_code == 302
    case = int(response.headers["Location"].rsplit("/", 1)[1])
    item = open_item_id(web("s1_01"), case)
    special = officer.post("/start/special_report", {"kind": "major", "headline": "炼钢厂停产", "content": "设备故障",
                                                     "occurred_on": clock.today_local().date().isoformat()})
    assert special.status_code == 302
    now = clock.now()
    with app.app_context():
        officer_id = accounts.find_user(db.session, "s1_03").id
        delegation = Delegation(principal_id=officer_id, deputy_id=accounts.find_user(db.session, "s1_05").id,
                                starts_at=now, ends_at=now + timedelta(days=3), created_at=now)
        db.session.add(delegation)
        entry = _reserve_entry()
        report = _weekly_report()
        db.session.commit()
        return {
            "instance_id": case, "item_id": item, "target_id": None, "delegation_id": delegation.id,
            "attachment_id": db.session.scalars(select(Attachment.id)).one(),
            "notification_id": db.session.scalars(select(Notification.id).where(
                Notification.user_id == accounts.find_user(db.session, "s1_01").id)).first(),
            "definition_id": db.session.scalars(select(ProcessDefinition.id)).first(),
            "user_id": accounts.find_user(db.session, "s1_06").id, "relation_id": 1,
            "key": "cadre_promotion", "pack_id": "cadre-2019", "kind": "approval", "day": "2027-02-06",
            "view": "todo", "tab": "diagram", "filename": "css/app.css", "username": "s1_07", "section": "resume",
            "entry_id": entry.id, "measure_id": entry_measure(entry), "event_id": _event_of("s1_07"),
            "special_id": int(special.headers["Location"].rsplit("/", 1)[1]),  # S1's 重要情况专报 (重大事项)
            "report_id": report,
        }


def _reserve_entry() -> ReservePoolEntry:
    """梁晨 (s1_06) in S1's reserve pool, managed by S1's 组织部, with one 培养措施."""
    s1 = db.session.scalars(select(OrgUnit).where(OrgUnit.code == "S1")).one()
    entry = ReservePoolEntry(user_id=accounts.find_user(db.session, "s1_06").id, level="subsidiary",
                             category="young_outstanding", target_post="炼钢厂厂长", unit_id=s1.id,
                             entered_on=clock.today_local().date())
    db.session.add(entry)
    db.session.flush()
    db.session.add(ReserveMeasure(entry_id=entry.id, kind="frontline", title="选派到疫情防控一线吃劲岗位",
                                  starts_on=entry.entered_on))
    db.session.flush()
    return entry


def _weekly_report() -> int:
    """S1's 周报 of this week, opened as the timer worker opens it (the schedule set by the group)."""
    from workflows.weekly import opening
    from workflows.weekly import schedule

    schedule.update(db.session, accounts.find_user(db.session, "lihua"),
                    {"active": True, "open_weekday": 0, "due_weekday": 6, "due_hour": 23, "units": ["S1"]})
    opening.open_due(db.session)
    return db.session.scalars(select(WeeklyReport.id)).one()


def _event_of(username: str) -> int:
    """A 现实表现纪实 entry of the demo cadre (宋佳 has some), kept by S1's 组织部."""
    user_id = accounts.find_user(db.session, username).id
    return db.session.scalars(select(CadreEvent.id).where(CadreEvent.user_id == user_id)).first()


def entry_measure(entry: ReservePoolEntry) -> int:
    return db.session.scalars(select(ReserveMeasure.id).where(ReserveMeasure.entry_id == entry.id)).one()


def url_for_rule(rule: Rule, ids: dict[str, Any]) -> str:
    """The rule's path with the case's ids; `target_id` is the item or the case by the path."""
    values = {}
    for name in rule.arguments:
        if name == "target_id":
            values[name] = ids["item_id"] if "/tasks/" in rule.rule else ids["instance_id"]
        elif name == "action":
            values[name] = "complete" if rule.rule.startswith("/items/") else "comments"
        else:
            values[name] = ids[name]
    _, path = rule.build(values)
    return path


def outcome(response: Any) -> str:
    """'ok' if the caller got past authorization: any answer but 401/403/404 or flask-login's
    redirect to the login page (which carries `next=`; logging out redirects there without it)."""
    status, location = response.status_code, response.headers.get("Location", "")
    if status in (401, 403, 404) or (status == 302 and "/auth/login" in location and "next=" in location):
        return "denied"
    assert status < 500, (status, response.get_data(as_text=True)[:300])
    return "ok"


# 表彰 (commendation): a decided 七一 表彰 of the group (quotas for S1 and S3; S1's 组织部, the walk's
# "officer", nominated). Only the group 组织部 starts one (no kind of user above); the case, its
# 表彰决定 PDF and its documents are for its participants and the auditor — not S1's 书记, not a
# nominee (the "secretary" 张伟 is one), not another unit, not an administrator.
COMMENDATION_READERS = frozenset({"officer", "auditor"})


def commendation_walk(case_id: int) -> dict[tuple[str, str], frozenset[str]]:
    """(method, path) → the kinds of user that may get past authorization on the commendation case."""
    return {
        ("GET", "/start/commendation"): frozenset(),
        ("POST", "/start/commendation"): frozenset(),
        ("POST", "/api/v1/processes/commendation/instances"): frozenset(),
        ("GET", f"/cases/{case_id}"): COMMENDATION_READERS,
        ("GET", f"/cases/{case_id}/documents/commendation_decision.pdf"): COMMENDATION_READERS,
        ("GET", f"/api/v1/instances/{case_id}"): COMMENDATION_READERS,
        ("GET", f"/api/v1/instances/{case_id}/pdf?doc=commendation_decision"): COMMENDATION_READERS,
        ("GET", f"/api/v1/instances/{case_id}/documents"): COMMENDATION_READERS,
    }
