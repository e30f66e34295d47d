"""A regular cadre_promotion case, step by step, for the benchmarks: who completes each step
and with what form (the same data as tests/helpers.py), seeding through the services, and
API tokens for the approvers.

Dates are chosen so that both BPMN timers are already due when the case reaches them (公示
started 25 days ago, appointed two years ago): they fire in the run that reaches them, and a
case runs from 酝酿 to 期满考核 through the API alone, with no timer worker and no time travel.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

PROPOSAL = {"candidate": "s1_06", "current_post": "炼钢厂副厂长", "proposed_post": "炼钢厂厂长",
            "management_level": "subsidiary", "purpose": "promotion", "breakthrough_type": "none",
            "years_in_post": 3, "in_probation": False, "grades_skipped": 0, "reasons": "疫情防控表现突出"}
INITIATOR = "s1_03"
MEETING_OK = {
    "body": "党委会", "date": "2026-03-02", "members_due": 9, "present": 7,
    "absent": [{"name": "委员甲", "reason": "出差"}, {"name": "委员乙", "reason": "病假"}],
    "votes": {"for": 6, "against": 1, "abstain": 0, "defer": 0},
}
FOUR_MUSTS_DONE = {"file_reviewed": True, "personal_matters_checked": True, "discipline_opinion_heard": True,
                   "petitions_checked": True}


def forms(today: date | None = None) -> dict[str, dict[str, Any]]:
    """Step name → a valid form for it (an approval that moves the case on)."""
    day = today or date.today()
    return {
        "deliberation": {"decision": "agree"},
        "recommendation": {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]},
        "inspection_targets": {"decision": "proceed"},
        "inspection": {"report": "德能勤绩廉表现突出", "four_musts": FOUR_MUSTS_DONE},
        "discipline_opinion": {"decision": "no_objection"},
        "department_review": {"decision": "submit"},
        "committee_decision": {"meeting": MEETING_OK},
        "publicity": {"start_date": (day - timedelta(days=25)).isoformat()},
        "publicity_review": {"objections": False, "finding": "none", "decision": "continue"},
        "appointment": {"notice_no": "钢股党〔2026〕31号", "appointed_on": (day - timedelta(days=730)).isoformat(),
                        "talk_date": (day - timedelta(days=730)).isoformat(), "talk_by": "s1_01"},
        "probation_review": {"result": "competent"},
    }


# The steps in order with who does them (考察 is shared by the two team members; one is enough).
STEPS = [("deliberation", "s1_01"), ("recommendation", "s1_03"), ("inspection_targets", "s1_03"),
         ("inspection", "s1_07"), ("discipline_opinion", "s1_04"), ("department_review", "s1_02"),
         ("committee_decision", "s1_03"), ("publicity", "s1_03"), ("publicity_review", "s1_03"),
         ("appointment", "s1_03"), ("probation_review", "s1_03")]
APPROVERS = sorted({user for _, user in STEPS} | {"s1_08"})


def seed_cases(app: Any, count: int, batch: int = 100) -> list[int]:
    """`count` cases started by the initiator through `cases.start`, waiting at 酝酿."""
    from webapp.extensions import db
    from workflows import accounts
    from workflows import cases

    ids: list[int] = []
    with app.app_context():
        initiator = accounts.find_user(db.session, INITIATOR)
        for n in range(count):
            case = cases.start(db.session, "cadre_promotion", dict(PROPOSAL), initiator)
            db.session.flush()
            ids.append(case.id)
            if n % batch == batch - 1:
                db.session.commit()
        db.session.commit()
    return ids


def tokens(app: Any, usernames: list[str]) -> dict[str, str]:
    """A fresh API token per user."""
    from webapp.extensions import db
    from workflows import accounts

    with app.app_context():
        found = {name: accounts.create_token(db.session, accounts.find_user(db.session, name), name="bench")
                 for name in usernames}
        db.session.commit()
    return found
