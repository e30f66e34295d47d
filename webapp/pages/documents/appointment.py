"""The 干部任免审批表 of a `cadre_promotion` (domain-research §2 A.3), on the 中组部 layout in two
pages. Every box is filled from the cadre's 干部信息 (`workflows.records`) and the case: 现任/拟任
职务, 拟免职务 (the current post, on a promotion), 任免理由, the 年度考核结果 of the three years
before the case, the 呈报单位 and date, and the 审批机关意见 from the 党委会's decision (its
outcome, not its vote counts). What neither holds stays empty; nothing is invented.

`boxes` is the one list of (box, text) both the PDF template and the Word file (`appointment_word`)
are filled from, so the two always say the same."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AnnualRating
from models import CadreRecord
from models import OrgUnit
from models import ProcessInstance
from webapp.pages.documents.common import Printing
from webapp.pages.documents.common import latest
from webapp.pages.documents.common import submissions
from workflows.engine import clock
from workflows.records import cadres
from workflows.records import fields

OUTCOME_TEXT = {"adopted": "通过", "rejected": "未通过", "deferred": "缓议"}
FAMILY_ROWS = 6
# The boxes of the form in its order: key → label (the Word file's and the tests' names for them).
BOX_LABELS = {
    "name": "姓名", "gender": "性别", "birth": "出生年月（岁）", "photo": "照片", "ethnicity": "民族",
    "native_place": "籍贯", "birthplace": "出生地", "party_joined": "入党时间", "work_started": "参加工作时间",
    "health": "健康状况", "professional_title": "专业技术职务", "expertise": "熟悉专业有何专长",
    "full_time_degree": "全日制教育", "full_time_school": "毕业院校系及专业（全日制）",
    "in_service_degree": "在职教育", "in_service_school": "毕业院校系及专业（在职）",
    "current_post": "现任职务", "proposed_post": "拟任职务", "removed_post": "拟免职务", "resume": "简历",
    "awards": "奖惩情况", "ratings": "年度考核结果", "reasons": "任免理由", "reporting_unit": "呈报单位",
    "reporting_date": "呈报日期", "decision": "审批机关意见", "decision_date": "审批日期",
}


def applies(session: Session, instance: ProcessInstance) -> bool:
    """Only a promotion is an appointment (a reserve-pool entry appoints nobody)."""
    return instance.definition.key == "cadre_promotion" and instance.data.get("purpose") == "promotion"


def cn_date(value: str | date | None) -> str:
    """A date as the form writes it: 2026年12月4日 ("" for none)."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def ratings(session: Session, instance: ProcessInstance) -> list[tuple[int, str]]:
    """(year, rating) for the three years before the case started; "" where OrgFlow has none."""
    year = instance.created_at.astimezone(clock.SHANGHAI).year
    years = [year - 3, year - 2, year - 1]
    held: dict[int, str] = {}
    if instance.subject_user_id is not None:
        held = dict(session.execute(select(AnnualRating.year, AnnualRating.rating).where(
            AnnualRating.user_id == instance.subject_user_id, AnnualRating.year.in_(years))).all())
    return [(y, held.get(y, "")) for y in years]


def ratings_text(rows: list[tuple[int, str]]) -> str:
    return "；".join(f"{year}年度：{rating or '　　　　'}" for year, rating in rows)


def decision_text(data: dict[str, Any], appointment: dict[str, Any], name: str, post: str) -> str:
    """The 审批机关意见 as the case recorded it ("" until the 党委会 has decided): the body, the date
    and the outcome, the minutes and the notice; the vote counts stay in the 审批单."""
    meeting, outcome = data.get("meeting") or {}, data.get("meeting_outcome")
    if not meeting or not outcome:
        return ""
    head = f"经{meeting.get('body', '党委会')}（{cn_date(meeting.get('date'))}）讨论决定："
    verdict = f"同意任命{name}为{post}。" if outcome == "adopted" else f"{OUTCOME_TEXT.get(outcome, outcome)}。"
    minutes = f"会议纪要：{meeting['minutes_no']}。" if meeting.get("minutes_no") else ""
    notice = (f"任职通知：{appointment['notice_no']}（任职日期 {cn_date(appointment.get('appointed_on'))}）。"
              if appointment.get("notice_no") else "")
    return head + verdict + minutes + notice


def _age(birth_month: str | None, on: date) -> str:
    if not birth_month:
        return ""
    year, month = int(birth_month[:4]), int(birth_month[5:7])
    age = on.year - year - (on.month < month)
    return f"{fields.month_text(birth_month)}（{age}岁）"


def _record_boxes(session: Session, record: CadreRecord | None, on: date) -> dict[str, Any]:
    if record is None:
        return {"resume_lines": [], "family": []}
    data = cadres.snapshot(session, record)
    basic = data["basic"]
    boxes = {key: basic.get(key) or "" for key in BOX_LABELS if key in basic}
    for key in ("party_joined", "work_started"):
        boxes[key] = fields.month_text(basic.get(key))
    boxes["birth"] = _age(basic.get("birth_month"), on)
    boxes["resume_lines"] = [f"{fields.month_text(e['starts'])}—{fields.month_text(e['ends']) or '　　　　　'}　{e['text']}"
                             for e in data["resume"]]
    boxes["awards"] = "；".join(f"{fields.month_text(a['month'])} {a['text']}" for a in data["awards"]) or "无"
    boxes["family"] = [(m["relation"], m["name"], fields.month_text(m["birth_month"]), m["political_status"] or "",
                        m["work"] or "") for m in data["family"]]
    return boxes


def _photo(record: CadreRecord | None) -> str:
    if record is None or record.photo is None or record.photo_type not in ("image/jpeg", "image/png"):
        return ""
    return f"data:{record.photo_type};base64,{base64.b64encode(record.photo).decode('ascii')}"


def build(session: Session, instance: ProcessInstance, printing: Printing) -> dict[str, Any]:
    data = instance.data
    name = instance.subject_user.name if instance.subject_user else str(data.get("subject_name") or "")
    record = session.scalars(select(CadreRecord).where(CadreRecord.user_id == instance.subject_user_id)).first() \
        if instance.subject_user_id else None
    owner = session.get(OrgUnit, instance.owning_unit_id)
    found = submissions(session, instance, "committee_decision", "appointment")
    proposed = str(data.get("proposed_post") or "")
    current = str(data.get("current_post") or "") or (record.current_post if record and record.current_post else "")
    decided = latest(found, "committee_decision")
    started = instance.created_at.astimezone(clock.SHANGHAI).date()
    boxes = {key: "" for key in BOX_LABELS} | _record_boxes(session, record, started) | {
        "name": name, "current_post": current, "proposed_post": proposed, "removed_post": current,
        "reasons": str(data.get("reasons") or ""), "ratings": ratings_text(ratings(session, instance)),
        "reporting_unit": owner.name if owner else "", "reporting_date": cn_date(started),
        "decision": decision_text(decided, latest(found, "appointment"), name, proposed),
        "decision_date": cn_date((decided.get("meeting") or {}).get("date")) if decided.get("meeting_outcome") else "",
    }
    boxes["resume"] = "\n".join(boxes.get("resume_lines") or [])
    family = list(boxes.pop("family", []))[:FAMILY_ROWS]
    return {"title": "干部任免审批表", "print": printing, "boxes": boxes, "photo": _photo(record),
            "family": family + [("", "", "", "", "")] * (FAMILY_ROWS - len(family)), "name": name}
