"""The 表彰决定 of a `commendation`: the decision the 党委会 adopted, printed with the list of the
honoured 党组织 and persons by honour, from the steps' own submissions (资格审核, 公示结果,
党委会, 表彰决定)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models import ProcessInstance
from webapp.pages.documents.common import Printing
from webapp.pages.documents.common import day_text
from webapp.pages.documents.common import latest
from webapp.pages.documents.common import submissions

STEPS = ("committee_decision", "decision")


def applies(session: Session, instance: ProcessInstance) -> bool:
    """The 表彰决定 exists once it was issued (the `decision` step done)."""
    return instance.definition.key == "commendation" and bool(
        latest(submissions(session, instance, "decision"), "decision").get("decision_no"))


def _groups(honourees: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The honourees by honour, in the order the honours first appear: 党组织 first, then persons."""
    groups: dict[str, dict[str, Any]] = {}
    for row in sorted(honourees, key=lambda r: r.get("nominee") != "organization"):
        group = groups.setdefault(row["honour"], {"title": row["honour_title"], "rows": []})
        group["rows"].append({"name": row["name"], "unit": row.get("unit_name", ""), "post": row.get("post", ""),
                              "organization": row.get("nominee") == "organization", "deeds": row.get("deeds", "")})
    return list(groups.values())


def build(session: Session, instance: ProcessInstance, printing: Printing) -> dict[str, Any]:
    found = submissions(session, instance, *STEPS)
    committee, decision = (latest(found, s) for s in STEPS)
    meeting = committee.get("meeting") or {}
    votes = meeting.get("votes") or {}
    honourees = decision.get("honourees") or []
    data = instance.data
    return {
        "title": "表彰决定", "print": printing, "issuer": data.get("issuer") or "集团党委",
        "name": data.get("title", ""), "kind": data.get("kind_title", ""), "basis": data.get("basis") or "",
        "decision_no": decision.get("decision_no", ""), "issued_on": day_text(decision.get("issued_on")),
        "meeting": f"{meeting.get('body', '党委会')}{day_text(meeting.get('date'))}讨论决定：应到 {meeting.get('members_due')} 人，"
                   f"实到 {meeting.get('present')} 人，同意 {votes.get('for', 0)} 票",
        "publicity": f"{day_text(data.get('publicity_end'))}公示期满（{data.get('publicity_days', '')} 个工作日）"
        if data.get("publicity_end") else "",
        "groups": _groups(honourees), "count": len(honourees),
    }
