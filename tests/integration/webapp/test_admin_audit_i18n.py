"""管理 (users, roles, org tree, versions, calendar), 审计, attachments and the language switch."""

from __future__ import annotations

import io
import re
from typing import Any

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import select

from models import AuditEvent
from models import CalendarOverride
from models import User
from tests.conftest import ROOT
from tests.web import login
from tests.web import open_item_id
from tests.web import start_case
from webapp.extensions import db


def user_id(app: Flask, username: str) -> int:
    with app.app_context():
        return int(db.session.scalars(select(User.id).where(User.username == username)).one())


def audited(app: Flask, action: str) -> list[dict[str, Any]]:
    with app.app_context():
        return [e.payload for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                                      .order_by(AuditEvent.seq))]


def test_admin_creates_a_user_and_grants_a_role(web: Any, app: Flask) -> None:
    admin = web("admin")
    response = admin.post("/admin/users", {"username": "newbie", "name": "新同志", "unit": "S1B1",
                                           "password": "initial-pass-1"})
    assert response.status_code == 302
    uid = user_id(app, "newbie")
    assert admin.post(f"/admin/users/{uid}/roles", {"role": "secretary", "unit": "S1B1", "grant": "1"}).status_code == 302
    assert "党组织书记" in admin.page(f"/admin/users/{uid}")
    assert audited(app, "user.create") == [{"user": "newbie", "unit": "S1B1"}]
    assert audited(app, "role.grant")[-1] == {"user": "newbie", "role": "secretary", "unit": "S1B1"}
    newbie = login(app, "newbie", "initial-pass-1")
    assert newbie.get("/").status_code == 200
    assert admin.post(f"/admin/users/{uid}/roles", {"role": "secretary", "unit": "S1B1", "grant": "0"}).status_code == 302
    assert audited(app, "role.revoke") == [{"user": "newbie", "role": "secretary", "unit": "S1B1"}]


def test_admin_declares_and_removes_a_relation_for_recusal(web: Any, app: Flask) -> None:
    admin, uid = web("admin"), user_id(app, "s1_01")
    refused = admin.post(f"/admin/users/{uid}/relations", {"other": "s1_01", "kind": "spouse"},
                         headers={"Referer": f"http://localhost/admin/users/{uid}"})
    assert refused.status_code == 302 and "不能与本人建立关系" in admin.page(f"/admin/users/{uid}")
    assert admin.post(f"/admin/users/{uid}/relations", {"other": "s1_06", "kind": "spouse", "note": "夫妻"}).status_code == 302
    page = admin.page(f"/admin/users/{uid}")
    row = page.split('id="relations"')[1].split("</table>")[0]
    assert "梁晨" in row and "夫妻" in row
    assert audited(app, "relation.declare") == [{"users": ["s1_01", "s1_06"], "kind": "spouse", "note": "夫妻",
                                                "created": True}]
    relation = int(re.search(r'/relations/(\d+)/delete', page)[1])
    assert admin.post(f"/admin/users/{uid}/relations/{relation}/delete", {}).status_code == 302
    assert "暂无登记" in admin.page(f"/admin/users/{uid}").split('id="relations"')[1]
    assert web("s1_01").post(f"/admin/users/{uid}/relations", {"other": "s1_06", "kind": "spouse"}).status_code == 403


def test_a_refused_admin_change_is_flashed_not_crashed(web: Any) -> None:
    admin = web("admin")
    response = admin.post("/admin/users", {"username": "s1_03", "name": "重名", "unit": "S1", "password": "whatever-1"},
                          headers={"Referer": "http://localhost/admin/users"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    assert "已存在" in admin.page("/admin/users")
    short = admin.post("/admin/users", {"username": "x1", "name": "短密码", "unit": "S1", "password": "short"})
    assert short.status_code == 302 and "密码至少 8 位" in admin.page("/admin/users")


def test_disabling_a_user_ends_their_session_at_once(web: Any, app: Flask) -> None:
    victim = web("s1_05")
    assert victim.get("/").status_code == 200
    uid = user_id(app, "s1_05")
    assert web("admin").post(f"/admin/users/{uid}/active", {"active": "0"}).status_code == 302
    assert victim.get("/").status_code == 302  # back to the login page
    assert audited(app, "user.disable") == [{"user": "s1_05"}]
    assert web("admin").post(f"/admin/users/{user_id(app, 'admin')}/active", {"active": "0"}).status_code == 302
    assert "不能停用自己的账号" in web("admin").page("/admin/users")


def test_a_password_reset_ends_old_sessions_and_the_new_password_works(web: Any, app: Flask) -> None:
    victim = web("s1_05")
    uid = user_id(app, "s1_05")
    assert web("admin").post(f"/admin/users/{uid}/password", {"password": "brand-new-pass"}).status_code == 302
    assert victim.get("/").status_code == 302
    assert login(app, "s1_05", "brand-new-pass").get("/").status_code == 200
    assert audited(app, "user.password_reset") == [{"user": "s1_05"}]


def test_the_org_tree_and_a_new_unit(web: Any, app: Flask) -> None:
    admin = web("admin")
    assert admin.post("/admin/org", {"code": "S1B3", "name": "冷轧厂党支部", "level": "branch",
                                     "parent": "S1"}).status_code == 302
    html = admin.page("/admin/org").split('id="org-tree"')[1]
    assert html.index("钢铁股份公司党委") < html.index("冷轧厂党支部") < html.index("矿业公司党委")
    assert audited(app, "unit.create")[0]["code"] == "S1B3"


def test_process_versions_show_their_diagram(web: Any) -> None:
    admin = web("admin")
    listing = admin.page("/admin/processes")
    assert "干部提拔任用" in listing
    pages = [admin.page(link) for link in re.findall(r'href="(/admin/processes/\d+)">v1<', listing)]
    page = next(p for p in pages if "cadre_promotion_start.json" in p)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="bpmn-diagram"' in page
    assert "state-plain" in page and "cadre_promotion_start.json" in page


def test_calendar_overrides_are_set_removed_and_audited(web: Any, app: Flask) -> None:
    admin = web("admin")
    assert admin.post("/admin/calendar", {"day": "2027-02-06", "workday": "1", "note": "春节调休"}).status_code == 302
    html = admin.page("/admin/calendar")
    assert "2027-02-06" in html and "春节调休" in html
    with app.app_context():
        assert db.session.get(CalendarOverride, __import__("datetime").date(2027, 2, 6)).is_workday is True
    assert admin.post("/admin/calendar/2027-02-06/delete", {}).status_code == 302
    assert "2027-02-06" not in admin.page("/admin/calendar").split('id="overrides"')[1]
    assert [e["day"] for e in audited(app, "calendar.override")] == ["2027-02-06"]
    assert admin.post("/admin/calendar", {"day": "2027-13-01", "workday": "1"}).status_code == 302


def test_the_auditor_finds_any_case_and_verifies_the_chain(web: Any) -> None:
    case_id = start_case(web("s1_03"))
    auditor = web("zhengyun")
    html = auditor.page("/audit/?q=TB&status=running")
    assert f'href="/cases/{case_id}"' in html
    assert f'href="/cases/{case_id}"' not in auditor.page("/audit/?status=completed")
    assert "审计链完整" in auditor.page("/audit/verify")
    assert auditor.get("/audit/?since=yesterday").status_code == 400


def test_attachments_are_checked_stored_and_served_only_to_viewers(web: Any) -> None:
    case_id = start_case(web("s1_03"))
    secretary = web("s1_01")
    item = open_item_id(secretary, case_id)
    fake = secretary.post(f"/items/{item}/complete", {"decision": "agree", "attachments": (io.BytesIO(b"MZ..."),
                                                                                          "材料.pdf")},
                          content_type="multipart/form-data")
    assert fake.status_code == 422 and "内容与扩展名不符" in fake.get_data(as_text=True)
    exe = secretary.post(f"/items/{item}/complete", {"decision": "agree", "attachments": (io.BytesIO(b"x"), "a.exe")},
                         content_type="multipart/form-data")
    assert exe.status_code == 422 and "类型不允许" in exe.get_data(as_text=True)
    ok = secretary.post(f"/items/{item}/complete", {"decision": "agree", "comment": "同意",
                                                    "attachments": (io.BytesIO(b"%PDF-1.4 test"), "../酝酿意见.pdf")},
                        content_type="multipart/form-data")
    assert ok.status_code == 302
    link = re.search(r'href="(/attachments/\d+)">酝酿意见.pdf<', web("s1_03").page(f"/cases/{case_id}"))
    assert link
    download = web("s1_03").get(link.group(1))
    assert download.status_code == 200 and download.data == b"%PDF-1.4 test"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    download.close()
    assert web("s2_03").get(link.group(1)).status_code == 403


def test_switching_to_english_changes_the_labels_and_is_remembered(web: Any, app: Flask) -> None:
    officer = web("s1_03")
    assert "待办" in officer.page("/tasks/todo")
    response = officer.post("/locale", {"locale": "en", "next": "/tasks/todo"})
    assert response.status_code == 302 and response.headers["Location"] == "/tasks/todo"
    html = officer.page("/tasks/todo")
    assert '<html lang="en">' in html and "To do" in html and "Started by me" in html and "待办" not in html
    with app.app_context():
        assert db.session.scalars(select(User.locale).where(User.username == "s1_03")).one() == "en"
    again = login(app, "s1_03")  # a new session in another browser keeps the choice
    assert "Dashboard" in again.page("/")
    assert officer.post("/locale", {"locale": "fr"}).status_code == 400
    assert officer.post("/locale", {"locale": "zh_CN", "next": "//evil.example/"}).headers["Location"] == "/"


def test_the_login_page_can_switch_language_before_login(client: Any) -> None:
    from tests.web import csrf_of

    token = csrf_of(client.get("/auth/login").get_data(as_text=True))
    client.post("/locale", data={"locale": "en", "csrf_token": token, "next": "/auth/login"})
    assert "Sign in" in client.get("/auth/login").get_data(as_text=True)


def test_every_user_facing_string_has_an_english_translation() -> None:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    found = {msg[2] if isinstance(msg[2], str) else msg[2][0]
             for msg in extract_from_dir(str(ROOT / "webapp"), method_map)}
    with open(ROOT / "webapp/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert sorted(found - translated) == []
