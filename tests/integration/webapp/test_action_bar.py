"""The action bar through the browser-facing routes: 退回 (to a step and to the initiator, then
重新提交), 转办, 加签 (向后 and 向前) with 减签 and the signer's 签署 — each with its refusal shown
next to the field (input kept, nothing changed) and a 403 for people who may not."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.helpers import complete
from tests.integration.webapp.pages import audit_actions
from tests.integration.webapp.pages import dialog
from tests.integration.webapp.pages import field_error
from tests.integration.webapp.pages import offered
from tests.integration.webapp.pages import open_steps
from tests.integration.webapp.pages import tags
from tests.web import open_item_id
from tests.web import start_case
from tests.web import start_form


def at_recommendation(web: Any, api: Any) -> tuple[int, int]:
    """A case 酝酿'd by 马立新 (s1_01), now at 民主推荐 for 林涛 (s1_03)."""
    case_id = start_case(web("s1_03"))
    complete(api, "s1_01", case_id, "deliberation", {"decision": "agree"}, "同意酝酿")
    return case_id, open_item_id(web("s1_03"), case_id)


def test_the_bar_offers_what_the_service_allows_each_viewer(web: Any, api: Any) -> None:
    case_id, item = at_recommendation(web, api)
    officer = web("s1_03").page(f"/cases/{case_id}")
    assert {"return", "transfer", "add-signer", "cc", "comments"} <= offered(officer)
    assert "withdraw" not in offered(officer)  # 马立新 has acted: too late to 撤回
    steps = dialog(officer, f"return-i{item}")
    assert '<option value="initiator">发起人（动议） · 林涛</option>' in steps
    assert '<option value="deliberation">酝酿 · 马立新</option>' in steps
    picker = dialog(officer, f"transfer-i{item}")
    assert 'value="s1_02"' in picker and 'value="s1_03"' not in picker  # not to oneself
    secretary = web("s1_01").page(f"/cases/{case_id}")
    assert "待我办理" not in secretary  # 拿回 her step, 催办 as the 书记 overseeing S1
    assert offered(secretary) == {"take-back", "remind", "cc", "comments"}
    assert offered(web("zhengyun").page(f"/cases/{case_id}")) == {"comments"}  # the auditor only reads and comments


def test_return_to_an_earlier_step_refused_then_done(web: Any, api: Any, app: Flask) -> None:
    case_id, item = at_recommendation(web, api)
    officer = web("s1_03")
    before = audit_actions(app, case_id)
    refused = officer.post(f"/items/{item}/return", {"to": "deliberation", "reason": "  "})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert f'<details class="act-pop" id="act-return-i{item}" data-action="return" open>' in html
    assert field_error(html, f"return-i{item}", "reason") == "请填写退回理由"
    assert '<option value="deliberation" selected>' in dialog(html, f"return-i{item}")
    assert audit_actions(app, case_id) == before and open_steps(app, case_id) == [("recommendation", "task", False)]

    done = officer.post(f"/items/{item}/return", {"to": "deliberation", "reason": "酝酿意见不完整，请补充"})
    assert done.status_code == 302 and done.headers["Location"] == "/tasks/todo"
    assert f'data-instance="{case_id}"' in web("s1_01").page("/tasks/todo")
    record = tags(web("s1_03").page(f"/cases/{case_id}"))
    assert record[-3:] == ["退回", "退回至：酝酿", "审批中"]
    assert "酝酿意见不完整，请补充" in web("s1_03").page(f"/cases/{case_id}")
    assert audit_actions(app, case_id)[-1] == "task.return"


def test_return_to_the_initiator_and_resubmit_from_the_page(web: Any, app: Flask) -> None:
    case_id = start_case(web("s1_03"))
    secretary = web("s1_01")
    item = open_item_id(secretary, case_id)
    assert secretary.post(f"/items/{item}/return", {"to": "initiator", "reason": "请完善推荐理由"}).status_code == 302
    officer = web("s1_03")
    html = officer.page(f"/cases/{case_id}")
    assert "待我办理：动议（退回修改）" in html
    assert 'name="proposed_post" value="炼钢厂厂长"' in html  # the start form, filled in as sent
    assert re.search(r'data-action="complete"[^>]*>重新提交</button>', html)
    again = open_item_id(officer, case_id)
    changed = officer.post(f"/items/{again}/complete", start_form(candidate="s1_07"))
    assert changed.status_code == 422
    assert "重新提交时不能更换人选" in re.search(r'id="f-candidate-error">([^<]+)<', changed.get_data(as_text=True))[1]
    ok = officer.post(f"/items/{again}/complete", start_form(reasons="疫情防控期间坚守一线，连续奋战 60 天"))
    assert ok.status_code == 302
    assert open_steps(app, case_id) == [("deliberation", "task", False)]
    assert tags(officer.page(f"/cases/{case_id}"))[:3] == ["退回", "退回至：动议（退回修改）", "重新提交"]


def test_transfer_keeps_the_input_on_refusal_and_reads_from_to(web: Any, app: Flask) -> None:
    case_id = start_case(web("s1_03"))
    secretary = web("s1_01")
    item = open_item_id(secretary, case_id)
    refused = secretary.post(f"/items/{item}/transfer", {"to": "", "reason": "本人出差，请部长办理"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and field_error(html, f"transfer-i{item}", "to") == "请选择人员"
    assert ">本人出差，请部长办理</textarea>" in dialog(html, f"transfer-i{item}")
    assert open_steps(app, case_id) == [("deliberation", "task", False)]
    done = secretary.post(f"/items/{item}/transfer", {"to": "s1_02", "reason": "本人出差，请部长办理"})
    assert done.status_code == 302 and done.headers["Location"] == "/tasks/todo"
    page = web("s1_02").page(f"/cases/{case_id}")
    assert "待我办理：酝酿" in page
    assert tags(page)[:2] == ["转办", "马立新 → 高峰"]


def test_add_signer_after_then_the_signer_agrees(web: Any, app: Flask) -> None:
    case_id = start_case(web("s1_03"))
    secretary = web("s1_01")
    item = open_item_id(secretary, case_id)
    missing = secretary.post(f"/items/{item}/add-signer", {"user": "s1_07"})
    assert missing.status_code == 422
    assert field_error(missing.get_data(as_text=True), f"add-signer-i{item}", "position") == "须为 before（向前）或 after（向后）"
    added = secretary.post(f"/items/{item}/add-signer", {"user": "s1_07", "position": "after", "reason": "请党委委员把关"})
    assert added.status_code == 302 and added.headers["Location"] == f"/cases/{case_id}"
    assert "向后加签：宋佳" in tags(secretary.page(f"/cases/{case_id}"))
    assert secretary.post(f"/items/{item}/complete", {"decision": "agree", "comment": "同意"}).status_code == 302
    assert open_steps(app, case_id) == [("deliberation", "task", True), ("deliberation", "signer", False)]
    signer = web("s1_07")
    html = signer.page(f"/cases/{case_id}")
    assert "待我办理：酝酿（加签）" in html and "add-signer" not in offered(html)
    sign_item = open_item_id(signer, case_id)
    unexplained = signer.post(f"/items/{sign_item}/complete", {"decision": "disagree"})
    assert unexplained.status_code == 422 and 'id="comment-error"' in unexplained.get_data(as_text=True)
    assert signer.post(f"/items/{sign_item}/complete", {"decision": "agree", "comment": "无意见"}).status_code == 302
    assert open_steps(app, case_id) == [("recommendation", "task", False)]
    record = tags(web("s1_03").page(f"/cases/{case_id}"))
    assert record[:4] == ["向后加签：宋佳", "同意", "同意", "审批中"]  # 加签, 马立新's 同意, 宋佳's 同意


def test_a_signer_before_holds_the_item_and_remove_signer_gives_it_back(web: Any, app: Flask) -> None:
    case_id = start_case(web("s1_03"))
    secretary = web("s1_01")
    item = open_item_id(secretary, case_id)
    assert secretary.post(f"/items/{item}/add-signer", {"user": "s1_02", "position": "before"}).status_code == 302
    html = secretary.page(f"/cases/{case_id}")
    assert 'id="hold"' in html and "高峰" in html and 'id="task-form"' not in html
    assert offered(html) >= {"remove-signer"} and "return" not in offered(html)
    assert 'name="user" value="s1_02"> 高峰' in dialog(html, f"remove-signer-i{item}")
    assert secretary.post(f"/items/{item}/remove-signer", {"user": "s1_02"}).status_code == 302
    assert open_steps(app, case_id) == [("deliberation", "task", False)]
    page = secretary.page(f"/cases/{case_id}")
    assert 'id="task-form"' in page and '<span class="tl-step">减签</span>' in page
    assert tags(page)[:3] == ["向前加签：高峰", "已减签", "高峰"]  # added, their item closed, removed


def test_people_who_may_not_get_403_and_nothing_changes(web: Any, app: Flask) -> None:
    case_id = start_case(web("s1_03"))
    item = open_item_id(web("s1_01"), case_id)
    before = audit_actions(app, case_id)
    stranger, initiator = web("s2_03"), web("s1_03")
    assert stranger.post(f"/items/{item}/return", {"to": "initiator", "reason": "x"}).status_code == 403
    assert initiator.post(f"/items/{item}/transfer", {"to": "s1_02", "reason": "x"}).status_code == 403
    assert initiator.post(f"/items/{item}/add-signer", {"user": "s1_02", "position": "after"}).status_code == 403
    assert stranger.post(f"/cases/{case_id}/withdraw", {"reason": "x", "confirm": "yes"}).status_code == 403
    assert stranger.post(f"/cases/{case_id}/comments", {"body": "x"}).status_code == 403
    assert web("s1_02").post(f"/items/{item}/take-back", {"confirm": "yes"}).status_code == 403
    assert initiator.post(f"/cases/{case_id}/return", {"reason": "x"}).status_code == 404  # an item action
    assert initiator.post(f"/items/{item}/withdraw", {"reason": "x"}).status_code == 404  # a case action
    # Only the stranger's refused reads of the case are on record: once, however often refused.
    assert audit_actions(app, case_id) == [*before, "access.refused"]
    assert open_steps(app, case_id) == [("deliberation", "task", False)]
