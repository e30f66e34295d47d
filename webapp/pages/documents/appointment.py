"""The 干部任免审批表 of a `cadre_promotion` (domain-research §2 A.3), laid out like the 中组部
form. OrgFlow fills what it holds — the name, 现任/拟任职务, 任免理由, the 年度考核结果 of the
last three years from its own `annual_rating`, the 呈报单位 and the 党委会's decision — and
leaves every other box empty to be filled in by hand; nothing is invented."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AnnualRating
from models import OrgUnit
from models import ProcessInstance
from webapp.pages.documents.common import Printing
from webapp.pages.documents.common import day_text
from webapp.pages.documents.common import latest
from webapp.pages.documents.common import submissions
from workflows.engine.clock import SHANGHAI

OUTCOME_TEXT = {"adopted": "通过", "rejected": "未通过", "deferred": "缓议"}
FAMILY_ROWS = 6


def applies(session: Session, instance: ProcessInstance) -> bool:
    """Only a promotion is an appointment (a reserve-pool entry appoints nobody)."""
    return instance.definition.key == "cadre_promotion" and instance.data.get("purpose") == "promotion"


def ratings(session: Session, instance: ProcessInstance) -> list[tuple[int, str]]:
    """(year, rating) for the three years before the case started; "" where OrgFlow has none."""
    year = instance.created_at.astimezone(SHANGHAI).year
    years = [year - 3, year - 2, year - 1]
    held: dict[int, str] = {}
    if instance.subject_user_id is not None:
        held = dict(session.execute(select(AnnualRating.year, AnnualRating.rating).where(
            AnnualRating.user_id == instance.subject_user_id, AnnualRating.year.in_(years))).all())
    return [(y, held.get(y, "")) for y in years]


def _votes(meeting: dict[str, Any]) -> str:
    votes = meeting.get("votes") or {}
    parts = [f"同意 {votes.get('for', 0)} 票", f"不同意 {votes.get('against', 0)} 票"]
    parts += [f"{label} {votes[key]} 票" for key, label in (("abstain", "弃权"), ("defer", "缓议")) if votes.get(key)]
    return "，".join(parts)


def decision_text(data: dict[str, Any], appointment: dict[str, Any], name: str, post: str) -> str:
    """The 审批机关意见 as the case recorded it ("" until the 党委会 has decided)."""
    meeting, outcome = data.get("meeting") or {}, data.get("meeting_outcome")
    if not meeting or not outcome:
        return ""
    head = f"经{meeting.get('body', '党委会')}（{day_text(meeting.get('date'))}）讨论决定："
    verdict = f"同意任命{name}为{post}。" if outcome == "adopted" else f"{OUTCOME_TEXT.get(outcome, outcome)}。"
    recused = "、".join(str(r.get("name", "")) for r in meeting.get("recusals") or [])
    due = f"应到 {meeting.get('members_due')} 人" + (f"（{recused}回避）" if recused else "")
    tally = f"{due}，实到 {meeting.get('present')} 人；{_votes(meeting)}。"
    minutes = f"会议纪要：{meeting['minutes_no']}。" if meeting.get("minutes_no") else ""
    notice = (f"任职通知：{appointment['notice_no']}（任职日期 {day_text(appointment.get('appointed_on'))}）。"
              if appointment.get("notice_no") else "")
    return head + verdict + tally + minutes + notice


def build(session: Session, instance: ProcessInstance, printing: Printing) -> dict[str, Any]:
    data = instance.data
    name = instance.subject_user.name if instance.subject_user else str(data.get("subject_name") or "")
    owner = session.get(OrgUnit, instance.owning_unit_id)
    found = submissions(session, instance, "committee_decision", "appointment")
    proposed = str(data.get("proposed_post") or "")
    return {
        "title": "干部任免审批表", "print": printing, "name": name,
        "current_post": str(data.get("current_post") or ""), "proposed_post": proposed, "removed_post": "",
        "reasons": str(data.get("reasons") or ""), "ratings": ratings(session, instance),
        "family_rows": range(FAMILY_ROWS), "reporting_unit": owner.name if owner else "",
        "decision": decision_text(latest(found, "committee_decision"), latest(found, "appointment"), name, proposed),
    }
