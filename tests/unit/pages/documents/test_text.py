"""How printed documents word what the case recorded: 代 marks, money, dates and the
审批机关意见 of a 干部任免审批表 (only from the 党委会's own record)."""

from __future__ import annotations

from webapp.pages.documents.appointment import decision_text
from webapp.pages.documents.approval import who_text
from webapp.pages.documents.common import day_text
from webapp.pages.documents.common import qr_svg
from webapp.pages.documents.common import yuan

MEETING = {"body": "党委会", "date": "2026-03-02", "members_due": 9, "present": 7,
           "votes": {"for": 6, "against": 1, "abstain": 0, "defer": 0}, "minutes_no": "纪要〔2026〕7号"}


def test_a_deputy_signs_for_the_principal() -> None:
    assert who_text("高峰", "马立新") == "高峰（代马立新）"
    assert who_text("马立新", "") == "马立新"


def test_money_and_dates_as_printed() -> None:
    assert yuan("1234567.80") == "1,234,567.80" and yuan("0.00") == "0.00" and yuan(None) == "0.00"
    assert day_text("2020-02-14") == "2020年02月14日" and day_text(None) == ""


def test_the_decision_text_comes_from_the_meeting_record_only() -> None:
    assert decision_text({}, {}, "梁晨", "炼钢厂厂长") == ""  # not decided yet: the box stays empty
    adopted = decision_text({"meeting": MEETING, "meeting_outcome": "adopted"},
                            {"notice_no": "钢股党〔2026〕31号", "appointed_on": "2026-10-12"}, "梁晨", "炼钢厂厂长")
    # the 任免表's dates as the form writes them; the vote counts stay in the 审批单
    assert adopted == ("经党委会（2026年3月2日）讨论决定：同意任命梁晨为炼钢厂厂长。"
                       "会议纪要：纪要〔2026〕7号。任职通知：钢股党〔2026〕31号（任职日期 2026年10月12日）。")
    deferred = decision_text({"meeting": {**MEETING, "votes": {"for": 3, "against": 1, "defer": 3}},
                              "meeting_outcome": "deferred"}, {}, "梁晨", "炼钢厂厂长")
    assert "缓议。" in deferred and "票" not in deferred and "同意任命" not in deferred


def test_the_qr_code_is_inline_svg_without_style_or_script() -> None:
    svg = qr_svg("OrgFlow TB-2026-0001 #12 " + "a" * 64)
    assert svg.startswith("<svg") and "<path" in svg and "<style" not in svg and "<script" not in svg
