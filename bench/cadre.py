"""A regular cadre_promotion case, step by step, for the benchmarks: who completes each step
and with what form (the demo's sample forms, workflows/demo/samples.py), seeding through the services, and
API tokens for the approvers.

Dates are chosen so that both BPMN timers are already due when the case reaches them (公示
started 25 days ago, appointed two years ago): they fire in the run that reaches them, and a
case runs from 酝酿 to 期满考核 through the API alone, with no timer worker and no time travel.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

from workflows.demo.samples import FOUR_MUSTS_DONE
from workflows.demo.samples import MEETING_OK
from workflows.demo.samples import proposal

PROPOSAL = proposal()
INITIATOR = "s1_03"


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
        # 任职 after the 公示 ended (T-A3), the talk held by then (T-A4): the 试用期 then runs a year.
        "appointment": {"notice_no": "钢股党〔2026〕31号", "appointed_on": day.isoformat(),
                        "talk_date": day.isoformat(), "talk_by": "s1_01"},
        "probation_review": {"result": "competent"},
    }


# The steps in order with who does them (考察 is shared by the two team members; one is enough).
# A case ends its run waiting on the 试用期 timer: since the dates are checked in order (T-A3: 任职
# after the 公示, which starts at most 30 days ago), no 任职 can be back-dated a year to make the
# 期满考核 due at once, as the benchmarks before issue 12 did.
STEPS = [("deliberation", "s1_01"), ("recommendation", "s1_03"), ("inspection_targets", "s1_03"),
         ("inspection", "s1_07"), ("discipline_opinion", "s1_04"), ("department_review", "s1_02"),
         ("committee_decision", "s1_03"), ("publicity", "s1_03"), ("publicity_review", "s1_03"),
         ("appointment", "s1_03")]
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
