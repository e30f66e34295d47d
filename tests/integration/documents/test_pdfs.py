"""Each PDF rendered through its download route: the text read back with pypdf holds the Chinese
labels and the case's values, the fonts embedded include a CJK font, and nothing is invented."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from models import AuditEvent
from tests.integration.documents.conftest import download
from tests.integration.documents.conftest import flat
from tests.integration.documents.conftest import has_cjk_font
from tests.integration.documents.conftest import page_count
from tests.integration.documents.conftest import pdf_fonts
from tests.integration.documents.conftest import pdf_text
from webapp.extensions import db
from workflows.audit.reads import READS


def head_event(app: Flask, case_id: int) -> AuditEvent:
    with app.app_context():
        row = db.session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case_id,
                                                          AuditEvent.action.not_in(sorted(READS)))
                                 .order_by(AuditEvent.seq.desc()).limit(1)).one()
        db.session.expunge(row)
        return row


def test_the_approval_sheet_has_every_field_the_opinions_with_dai_the_diagram_and_the_seal(
        web: Any, app: Flask, promotion: dict[str, Any]) -> None:
    case_id = promotion["id"]
    head = head_event(app, case_id)
    pdf = download(web("s1_03"), f"/cases/{case_id}/documents/approval.pdf")
    text = flat(pdf_text(pdf))
    for label in ("审批单", "流程编号", "打印人员", "打印时间", "发起人", "流程状态", "表单内容", "拟提拔人选", "现任职务",
                  "拟任职务", "干部管理权限", "动议理由", "流程节点", "节点", "处理人", "审批意见", "签名", "时间", "流程图"):
        assert label in text, label
    for value in (promotion["number"], "梁晨", "炼钢厂副厂长", "炼钢厂厂长", "子分公司管理干部", "疫情防控期间坚守一线",
                  "高峰（代马立新）", "同意提名，代书记签", "党委会讨论决定", "钢股党委纪要〔2026〕7号", "德能勤绩廉表现突出",
                  "打印人员：林涛（s1_03）"):
        assert flat(value) in text, value
    assert head.hash in text and f"第{head.seq}号事件" in text
    assert has_cjk_font(pdf), pdf_fonts(pdf)



def test_the_appointment_form_fills_every_box_from_the_record_and_the_case_in_two_pages(
        web: Any, app: Flask, promotion: dict[str, Any]) -> None:

    pdf = download(web("s1_03"), f"/cases/{promotion['id']}/documents/appointment.pdf")
    text = flat(pdf_text(pdf))
    for label in ("干部任免审批表", "姓名", "性别", "出生年月", "民族", "籍贯", "出生地", "入党时间", "参加工作时间", "健康状况",
                  "专业技术职务", "学历学位", "全日制教育", "在职教育", "现任职务", "拟任职务", "拟免职务", "简历", "奖惩情况",
                  "年度考核结果", "任免理由", "家庭主要成员及重要社会关系", "称谓", "政治面貌", "呈报单位", "审批机关意见",
                  "行政机关任免意见", "填表人"):
        assert label in text, label
    for value in ("梁晨", "炼钢厂副厂长", "炼钢厂厂长", "疫情防控期间坚守一线，表现突出", "钢铁股份公司党委",
                  "2023年度：称职", "2024年度：称职", "2025年度：优秀", "同意任命梁晨为炼钢厂厂长", "钢股党委纪要〔2026〕7号",
                  "2026年3月2日", "汉族", "健康", "妻子"):
        assert value in text, value
    # 拟免职务 is the current post: it appears in both boxes
    assert text.count("炼钢厂副厂长") >= 2
    assert "票" not in text.split("审批机关意见")[1]  # the vote counts stay in the 审批单
    assert page_count(pdf) == 2 and has_cjk_font(pdf)
    head = head_event(app, promotion["id"])
    assert head.hash in text and "审计链头第" in text  # the audit head: a footer line after the form


def test_the_dues_notice_and_ledger_carry_the_plan_transfers_and_every_expenditure(
        web: Any, fund: dict[str, Any]) -> None:
    officer = web("zhaomin")
    notice = download(officer, f"/cases/{fund['id']}/documents/dues_notice.pdf")
    text = flat(pdf_text(notice))
    for label in ("专项党费下拨通知", "分配明细", "接收党组织", "用途", "金额（元）", "拨付", "拨款凭证号", "专款专用"):
        assert label in text, label
    for value in ("钢铁股份公司党委、医院党委：", "中组部下拨代中央管理党费（疫情防控）", "冀组通〔2020〕8号", "300,000.00",
                  "本级配套20,000.00元", "集团党委会纪要〔2020〕3号", "慰问一线医务人员和基层党员干部", "100,000.00",
                  "320,000.00", "党费拨〔2020〕1号", "党费拨〔2020〕2号", "2020年06月30日前报告使用情况", "2020年02月14日"):
        assert value in text, value
    ledger = download(officer, f"/cases/{fund['id']}/documents/dues_ledger.pdf")
    text = flat(pdf_text(ledger))
    for label in ("专项党费使用台账", "收到额", "本级配套", "支出", "结余", "受益人/单位（签收）", "发票或收据号", "批准支出的会议"):
        assert label in text, label
    for value in ("发热门诊医护人员30人", "SJ-0001", "炼钢厂党支部（口罩2000只）", "FP-2020-77", "19,999.99", "49,999.99",
                  "80,000.01", "党委会纪要〔2020〕5号", "尚未登记支出", "280,000.01"):
        assert value in text, value
    assert has_cjk_font(notice) and has_cjk_font(ledger)


def test_downloads_are_recorded_with_who_and_what(web: Any, app: Flask, promotion: dict[str, Any]) -> None:
    download(web("s1_03"), f"/cases/{promotion['id']}/documents/approval.pdf")
    download(web("zhengyun"), f"/cases/{promotion['id']}/documents/appointment.pdf")
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.action, AuditEvent.instance_id, AuditEvent.payload,
                                         AuditEvent.actor_id).where(AuditEvent.action == "document.download")
                                  .order_by(AuditEvent.seq)).all()
        from workflows import accounts

        ids = [accounts.find_user(db.session, u).id for u in ("s1_03", "zhengyun")]
    assert [(r[1], r[2]["document"], r[2]["number"], r[3]) for r in rows] == [
        (promotion["id"], "approval", promotion["number"], ids[0]),
        (promotion["id"], "appointment", promotion["number"], ids[1])]
    assert rows[0][2]["head_seq"] == rows[1][2]["head_seq"]  # a read does not move the printed head
    log = web("zhengyun").page(f"/audit/events?instance={promotion['number']}&action=document.download")
    assert log.count("下载文档") >= 2 and "林涛" in log
