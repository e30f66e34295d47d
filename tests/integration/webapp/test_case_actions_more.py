"""The rest of the action bar through the browser-facing routes: 撤回 and 拿回 (with their
confirmation), 催办, 抄送 (and 抄送我的 read on opening), 评论, 认领/释放, and the administrator's
流程实例 pages with 改派 and 终止 — administrators see a minimal header, never the case itself."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.helpers import complete
from tests.helpers import start
from tests.integration.webapp.pages import audit_actions
from tests.integration.webapp.pages import case_status
from tests.integration.webapp.pages import dialog
from tests.integration.webapp.pages import field_error
from tests.integration.webapp.pages import offered
from tests.integration.webapp.pages import open_steps
from tests.integration.webapp.pages import tags
from tests.web import open_item_id
from tests.web import start_case


def test_withdraw_needs_a_reason_and_the_confirmation(web: Any, app: Flask) -> None:
    case_id = start_case(web("s1_03"))
    officer = web("s1_03")
    html = officer.page(f"/cases/{case_id}")
    assert "撤回后，该流程将结束。确定撤回？" in dialog(html, f"withdraw-c{case_id}")
    unconfirmed = officer.post(f"/cases/{case_id}/withdraw", {"reason": "人选另有安排"})
    page = unconfirmed.get_data(as_text=True)
    assert unconfirmed.status_code == 422 and field_error(page, f"withdraw-c{case_id}", "confirm") == "请勾选确认"
    assert ">人选另有安排</textarea>" in dialog(page, f"withdraw-c{case_id}")
    no_reason = officer.post(f"/cases/{case_id}/withdraw", {"confirm": "yes"})
    assert field_error(no_reason.get_data(as_text=True), f"withdraw-c{case_id}", "reason") == "请填写撤回理由"
    assert case_status(app, case_id) == "running" and audit_actions(app, case_id) == ["instance.start"]
    done = officer.post(f"/cases/{case_id}/withdraw", {"reason": "人选另有安排", "confirm": "yes"})
    assert done.status_code == 302 and done.headers["Location"] == f"/cases/{case_id}"
    after = officer.page(f"/cases/{case_id}")
    assert case_status(app, case_id) == "withdrawn" and "已撤回" in after
    assert '<span class="tl-step">撤回</span>' in after and "人选另有安排" in after
    assert "withdraw" not in offered(after) and "待我办理" not in web("s1_01").page(f"/cases/{case_id}")


def test_take_back_before_the_next_step_is_acted_on(web: Any, app: Flask) -> None:
    case_id = start_case(web("s1_03"))
    secretary = web("s1_01")
    item = open_item_id(secretary, case_id)
    assert secretary.post(f"/items/{item}/complete", {"decision": "agree"}).status_code == 302
    html = secretary.page(f"/cases/{case_id}")
    assert "拿回后，下一步办理人的待办将被撤销。确定拿回？" in dialog(html, f"take-back-i{item}")
    assert secretary.post(f"/items/{item}/take-back", {}).status_code == 422
    assert open_steps(app, case_id) == [("recommendation", "task", False)]
    back = secretary.post(f"/items/{item}/take-back", {"reason": "意见需补充", "confirm": "yes"})
    assert back.status_code == 302 and back.headers["Location"] == f"/cases/{case_id}"
    assert open_steps(app, case_id) == [("deliberation", "task", False)]
    page = secretary.page(f"/cases/{case_id}")
    assert "待我办理：酝酿" in page and '<span class="tl-step">拿回</span>' in page
    assert f'data-instance="{case_id}"' not in web("s1_03").page("/tasks/todo")


def test_remind_once_an_hour_from_the_page(web: Any, app: Flask) -> None:
    case_id = start_case(web("s1_03"))
    officer = web("s1_03")
    item = open_item_id(web("s1_01"), case_id)
    html = officer.page(f"/cases/{case_id}")
    assert dialog(html, f"remind-i{item}").count("酝酿") == 2  # the button and its form name the step
    assert officer.post(f"/items/{item}/remind", {"note": "请本周内酝酿"}).status_code == 302
    after = officer.page(f"/cases/{case_id}")
    assert "remind" not in offered(after)  # reminded within the hour
    assert tags(after)[0] == "提醒：马立新" and "请本周内酝酿" in after
    assert officer.post(f"/items/{item}/remind", {}).status_code == 429
    assert audit_actions(app, case_id) == ["instance.start", "task.remind"]
    assert web("s1_07").post(f"/items/{item}/remind", {}).status_code == 403


def test_cc_then_the_cc_list_marks_the_case_read_when_opened(web: Any, app: Flask) -> None:
    case_id = start_case(web("s1_03"))
    officer = web("s1_03")
    refused = officer.post(f"/cases/{case_id}/cc", {"note": "请知悉"})
    assert refused.status_code == 422 and field_error(refused.get_data(as_text=True), f"cc-c{case_id}", "users") == "请选择抄送人"
    assert web("s2_01").get(f"/cases/{case_id}").status_code == 403
    assert officer.post(f"/cases/{case_id}/cc", [("users", "s2_01"), ("users", "s2_02"), ("note", "请知悉")]).status_code == 302
    assert tags(officer.page(f"/cases/{case_id}"))[0] == "抄送给：韩冬、冯雪"
    receiver = web("s2_01")
    listing = receiver.page("/tasks/cc")
    assert f'<tr class="unread" data-instance="{case_id}"' in listing and "未读" in listing
    assert receiver.page("/").count('id="nav-notifications">') == 1
    assert "comments" in offered(receiver.page(f"/cases/{case_id}")) and "cc" not in offered(receiver.page(f"/cases/{case_id}"))
    assert f'<tr class="" data-instance="{case_id}"' in receiver.page("/tasks/cc")  # opened: read
    assert audit_actions(app, case_id) == ["instance.start", "access.refused", "instance.cc"]  # 韩冬's 403 first


def test_comments_from_the_page(web: Any, app: Flask) -> None:
    case_id = start_case(web("s1_03"))
    auditor = web("zhengyun")
    empty = auditor.post(f"/cases/{case_id}/comments", {"body": "  "})
    assert empty.status_code == 422
    assert field_error(empty.get_data(as_text=True), f"comments-c{case_id}", "body") == "请填写评论内容"
    assert auditor.post(f"/cases/{case_id}/comments", {"body": "请注意材料完整性"}).status_code == 302
    page = web("s1_03").page(f"/cases/{case_id}")
    assert '<span class="tl-step">评论</span>' in page and "请注意材料完整性" in page and "郑云" in page
    assert audit_actions(app, case_id) == ["instance.start", "instance.comment"]


def test_claim_and_release_a_shared_item_from_the_page(web: Any, api: Any) -> None:
    case = start(api, management_level="group")
    complete(api, "wangjianguo", case["id"], "deliberation", {"decision": "agree"})
    zhaomin = web("zhaomin")
    item = open_item_id(zhaomin, case["id"])
    assert "release" not in offered(zhaomin.page(f"/cases/{case['id']}"))
    assert zhaomin.post(f"/items/{item}/claim", {}).status_code == 302
    html = zhaomin.page(f"/cases/{case['id']}")
    assert f'action="/items/{item}/release"' in html
    assert zhaomin.post(f"/items/{item}/release", {}).status_code == 302
    assert f'data-item="{item}"' in web("sunli").page("/tasks/todo")


def test_the_administrator_terminates_and_reassigns_from_a_minimal_page(web: Any, app: Flask) -> None:
    case_id = start_case(web("s1_03"))
    item = open_item_id(web("s1_01"), case_id)
    admin = web("admin")
    assert web("s1_03").get("/admin/cases").status_code == 403
    listing = admin.page("/admin/cases?q=TB")
    assert f'href="/admin/cases/{case_id}"' in listing and "梁晨" not in listing
    html = admin.page(f"/admin/cases/{case_id}")
    header = html[html.index('id="admin-case"'):html.index('id="action-bar"')]
    assert "梁晨" not in header and "炼钢厂厂长" not in header and "马立新" in header  # no title, data or opinions
    assert offered(html) == {"reassign", "terminate"} and admin.get(f"/cases/{case_id}").status_code == 403
    refused = admin.post(f"/items/{item}/reassign", {"to": "s1_02", "view": "admin", "next": f"/admin/cases/{case_id}"})
    assert refused.status_code == 422 and field_error(refused.get_data(as_text=True), f"reassign-i{item}", "reason") == "请填写改派理由"
    moved = admin.post(f"/items/{item}/reassign", {"to": "s1_02", "reason": "书记病休", "view": "admin",
                                                   "next": f"/admin/cases/{case_id}"})
    assert moved.status_code == 302 and moved.headers["Location"] == f"/admin/cases/{case_id}"
    assert "待我办理：酝酿" in web("s1_02").page(f"/cases/{case_id}")
    assert "马立新 → 高峰" in tags(web("s1_03").page(f"/cases/{case_id}"))
    unconfirmed = admin.post(f"/cases/{case_id}/terminate", {"reason": "人选调离", "view": "admin"})
    assert unconfirmed.status_code == 422 and "请勾选确认" in unconfirmed.get_data(as_text=True)
    ended = admin.post(f"/cases/{case_id}/terminate", {"reason": "人选调离", "confirm": "yes", "view": "admin",
                                                       "next": f"/admin/cases/{case_id}"})
    assert ended.status_code == 302 and case_status(app, case_id) == "terminated"
    assert offered(admin.page(f"/admin/cases/{case_id}")) == set()
    assert '<span class="tl-step">终止</span>' in web("s1_03").page(f"/cases/{case_id}")
    assert web("s1_03").post(f"/cases/{case_id}/terminate", {"reason": "x", "confirm": "yes"}).status_code == 403
    assert admin.post(f"/cases/{case_id}/terminate", {"reason": "x", "confirm": "yes"}).status_code == 409
