"""The 干部信息 pages: the managing 组织部 lists, reads (recorded), edits (errors next to their
fields, changes audited with before and after) and imports; anybody else is refused, and the
refusal is recorded."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from models import AuditEvent
from tests.integration.records.helpers import basic_row
from tests.integration.records.helpers import workbook
from webapp.extensions import db
from workflows.errors import ValidationFailed
from workflows.records import cadre_edit


def events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))
        db.session.expunge_all()
        return rows


def test_the_managing_department_lists_and_searches_its_cadres(web: Any) -> None:
    page = web("s1_03").page("/cadres/")
    assert "宋佳" in page and "梁晨" in page and "炼钢厂党支部" in page
    assert "韩冬" not in page  # S2's cadres are S2's
    assert "马立新" not in page and "高峰" not in page  # S1's 书记 and 组织部长: managed by the 集团
    found = web("s1_03").page("/cadres/?q=宋佳")
    assert "宋佳" in found and "梁晨" not in found
    assert "马立新" in web("lihua").page("/cadres/?q=马立新")  # the 集团 组织部 keeps the 子分公司 leaders'


def test_reading_a_whole_record_is_recorded(web: Any, app: Flask) -> None:
    page = web("s1_03").page("/cadres/s1_07")
    for value in ("宋佳", "热轧厂副厂长", "高级工程师", "简历", "家庭主要成员及重要社会关系", "2025", "称职"):
        assert value in page, value
    [event] = events(app, "cadre.read")
    assert event.payload == {"user": "s1_07", "via": "web"}


def test_who_does_not_manage_the_cadre_is_refused_and_the_refusal_recorded(web: Any, app: Flask) -> None:
    for username in ("s2_03", "s1_01", "s1_07", "zhengyun"):  # another 组织部, the 书记, the cadre, an auditor
        assert web(username).get("/cadres/s1_07").status_code == 403, username
    assert web("s2_03").post("/cadres/s1_07/edit", data={"management_level": "subsidiary"}).status_code == 403
    refused = events(app, "access.refused")
    assert {e.payload["target"] for e in refused} == {"cadre"}
    assert len(refused) == 4 and all(e.payload["user"] == "s1_07" for e in refused)  # one per reader in the window
    assert events(app, "cadre.read") == []


def test_an_edit_with_bad_values_shows_each_error_next_to_its_field_and_changes_nothing(web: Any, app: Flask) -> None:
    response = web("s1_03").post("/cadres/s1_07/edit", data={
        "management_level": "subsidiary", "birth_month": "1978.13", "gender": "不详", "health": "健" * 30})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="birth_month-error">年月超出范围' in html and 'id="gender-error">应为男、女之一' in html
    assert 'id="health-error">不超过 20 个字' in html
    assert events(app, "cadre.update") == []


def test_an_edit_is_audited_with_before_and_after(web: Any, app: Flask) -> None:
    response = web("s1_03").post("/cadres/s1_07/edit", data={
        "management_level": "subsidiary", "gender": "女", "birth_month": "1976年5月", "health": "良好",
        "current_post": "热轧厂副厂长"})
    assert response.status_code == 302
    [event] = events(app, "cadre.update")
    assert event.payload["part"] == "basic" and event.payload["user"] == "s1_07"
    assert event.payload["before"]["health"] == "健康" and event.payload["after"]["health"] == "良好"
    assert event.payload["after"]["birth_month"] == "1976-05"
    log = web("zhengyun").page("/audit/events?action=cadre.update")
    assert "修改干部信息" in log and "宋佳" in log


def test_a_section_is_replaced_and_a_bad_row_is_pointed_at(web: Any, app: Flask) -> None:
    officer = web("s1_03")
    bad = officer.post("/cadres/s1_07/sections/family", data={
        "family-0-relation": "妻子", "family-0-name": "", "family-1-relation": "儿子", "family-1-name": "宋晨"})
    assert bad.status_code == 422 and 'id="family-0-name-error">必填' in bad.get_data(as_text=True)
    good = officer.post("/cadres/s1_07/sections/family", data={
        "family-0-relation": "丈夫", "family-0-name": "李明", "family-0-birth_month": "1975.02",
        "family-0-political_status": "中共党员", "family-0-work": "唐钢公司工程师"})
    assert good.status_code == 302
    [event] = events(app, "cadre.update")
    assert event.payload["part"] == "family" and len(event.payload["before"]) == 2
    assert event.payload["after"] == [{"relation": "丈夫", "name": "李明", "birth_month": "1975-02",
                                       "political_status": "中共党员", "work": "唐钢公司工程师"}]


def test_a_photo_is_bounded_in_size_and_type(web: Any, app: Flask) -> None:
    officer = web("s1_03")
    text = officer.post("/cadres/s1_07/photo", data={"photo": (io.BytesIO(b"GIF89a..."), "a.gif")})
    assert text.status_code == 302 and events(app, "cadre.update") == []
    # a photo over 512 KB is refused by the service (the test client would spool such a body to a
    # temporary file it never closes)
    with pytest.raises(ValidationFailed, match="512 KB"):
        cadre_edit.photo_type(b"\xff\xd8\xff" + b"0" * cadre_edit.MAX_PHOTO)
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    assert officer.post("/cadres/s1_07/photo", data={"photo": (io.BytesIO(png), "a.png")}).status_code == 302
    shown = officer.get("/cadres/s1_07/photo")
    assert shown.status_code == 200 and shown.mimetype == "image/png" and shown.data == png
    shown.close()
    assert web("s2_03").get("/cadres/s1_07/photo").status_code == 403


def test_the_upload_page_lists_every_error_and_imports_nothing(web: Any, app: Flask) -> None:
    data = workbook({"基本信息": [basic_row("s1_07", "宋佳", birth_month="1978.13"), basic_row("s2_07", "邓超")]})
    response = web("s1_03").post("/cadres/import", data={"file": (io.BytesIO(data), "a.xlsx")})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<td>基本信息</td><td>2</td><td>E（出生年月）</td>" in html
    assert "<td>基本信息</td><td>3</td><td>A（用户名）</td><td>不是本组织部管理的干部</td>" in html
    assert events(app, "cadre.import") == []
    ok = workbook({"基本信息": [basic_row("s1_07", "宋佳", gender="女", health="良好")]})
    assert web("s1_03").post("/cadres/import", data={"file": (io.BytesIO(ok), "a.xlsx")}).status_code == 302
    [event] = events(app, "cadre.import")
    assert event.payload["before"]["basic"]["health"] == "健康" and event.payload["after"]["basic"]["health"] == "良好"


def test_the_export_is_an_xlsx_of_the_managed_cadres_and_is_recorded(web: Any, app: Flask) -> None:
    from openpyxl import load_workbook

    response = web("s1_03").get("/cadres/export.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    data = bytes(response.data)
    response.close()
    book = load_workbook(io.BytesIO(data))
    names = [row[1] for row in book["基本信息"].iter_rows(min_row=2, values_only=True)]
    book.close()
    assert "宋佳" in names and "韩冬" not in names
    [event] = events(app, "cadre.export")
    assert "s1_07" in event.payload["users"]
