"""A cadre_promotion case from 动议 to 期满考核 through the API, as the right users each step.

The workflow is saved and restored from the database between every step (each step is its
own request). Time travels with the injectable clock; the timer worker fires the 公示 and
试用期 timers through the CLI.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.helpers import MEETING_OK
from tests.helpers import complete
from tests.helpers import instance
from tests.helpers import proposal
from tests.helpers import start
from tests.helpers import to_committee
from workflows.engine.clock import SHANGHAI
from workflows.engine.clock import frozen_at


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def run_worker(runner: Any) -> str:
    result = runner.invoke(args=["workflows", "worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def test_promotion_runs_from_proposal_to_probation_review(api: Any, runner: Any) -> None:
    with frozen_at(at("2026-09-21 09:00")):
        case = start(api)
        assert case["number"].startswith("TB-2026-")
        assert case["status"] == "running"
        assert [w["task"] for w in case["work_items"]] == ["deliberation"]
        assert case["work_items"][0]["candidates"] == ["s1_01"]  # S1 党委书记 decides a subsidiary cadre
        to_committee(api, case["id"])
        done = complete(api, "s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})
        assert done["instance"]["data"]["meeting_outcome"] == "adopted"

    with frozen_at(at("2026-09-28 10:00")):
        # 公示 from Tue 29 Sep spans the National Day holiday and ends on Sat 10 Oct, a 调休 working day.
        body = complete(api, "s1_03", case["id"], "publicity", {"start_date": "2026-09-29"})
        data = body["instance"]["data"]
        assert data["publicity_end"] == "2026-10-10"
        assert body["instance"]["timers"] == [{"task": "publicity_timer", "due_at": "2026-10-11T00:00:00+08:00"}]
        assert body["instance"]["work_items"] == []

    with frozen_at(at("2026-10-10 23:59")):
        assert "fired 0" in run_worker(runner)
        assert instance(api, "s1_03", case["id"])["timers"][0]["task"] == "publicity_timer"

    with frozen_at(at("2026-10-11 00:00:01")):
        assert "fired 1" in run_worker(runner)
        after = instance(api, "s1_03", case["id"])
        assert after["timers"] == []
        assert [w["task"] for w in after["work_items"]] == ["publicity_review"]
        complete(api, "s1_03", case["id"], "publicity_review",
                 {"objections": False, "finding": "none", "decision": "continue"})

    with frozen_at(at("2026-10-12 09:00")):  # the talk is recorded once held, on the day of the 任职 (T-A1, T-A4)
        body = complete(api, "s1_03", case["id"], "appointment",
                        {"notice_no": "钢股党〔2026〕31号", "appointed_on": "2026-10-12", "talk_date": "2026-10-12",
                         "talk_by": "s1_01"})
        assert body["instance"]["data"]["probation_ends_on"] == "2027-10-11"
        assert body["instance"]["timers"] == [{"task": "probation_timer", "due_at": "2027-10-12T00:00:00+08:00"}]

    with frozen_at(at("2027-10-12 08:00")):
        assert "fired 1" in run_worker(runner)
        body = complete(api, "s1_03", case["id"], "probation_review", {"result": "competent"})
        assert body["instance"]["status"] == "completed"
        assert body["instance"]["work_items"] == []

    events = api("s1_03").get(f"/instances/{case['id']}/events").get_json()["items"]
    actions = [(e["action"], e["task"]) for e in events]
    assert actions[0] == ("instance.start", None)
    assert ("timer.fire", "publicity_timer") in actions and ("timer.fire", "probation_timer") in actions
    assert actions[-1] == ("task.complete", "probation_review")
    assert [e["actor"] for e in events if e["task"] == "deliberation"] == ["s1_01"]


def test_a_group_managed_cadre_is_decided_at_group_level(api: Any) -> None:
    case = start(api, management_level="group")
    assert case["work_items"][0]["candidates"] == ["wangjianguo"]  # 集团党委书记
    complete(api, "wangjianguo", case["id"], "deliberation", {"decision": "agree"})
    after = instance(api, "zhaomin", case["id"])
    assert [w["task"] for w in after["work_items"]] == ["recommendation"]
    assert set(after["work_items"][0]["candidates"]) == {"zhaomin", "sunli"}  # shared by both group officers
    assert after["work_items"][0]["assignee"] is None


def test_revise_sends_the_proposal_back_to_the_initiator_and_round_trips(api: Any) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "revise"}, comment="请补充关键事件")
    changed = {k: v for k, v in proposal(proposed_post="炼钢厂厂长（试用）").items() if k != "candidate"}
    revised = complete(api, "s1_03", case["id"], "proposal_revision", changed)
    assert revised["instance"]["data"]["proposed_post"] == "炼钢厂厂长（试用）"
    assert [w["task"] for w in revised["instance"]["work_items"]] == ["deliberation"]


def test_reserve_pool_case_ends_in_the_reserve_pool(api: Any, app: Any) -> None:
    from sqlalchemy import select

    from models import ReservePoolEntry
    from webapp.extensions import db

    case = start(api, purpose="reserve_pool")
    to_committee(api, case["id"])
    body = complete(api, "s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})
    assert body["instance"]["status"] == "completed"
    with app.app_context():
        entry = db.session.scalars(select(ReservePoolEntry)).one()
        assert (entry.user_id, entry.level, entry.source_instance_id) == (
            db.session.get(ReservePoolEntry, entry.id).user_id, "subsidiary", case["id"])
        assert entry.target_post == "炼钢厂厂长"


def test_an_admin_calendar_override_moves_the_end_of_the_publicity(api: Any, app: Any) -> None:
    from datetime import date

    from models import CalendarOverride
    from webapp.extensions import db

    with app.app_context():
        db.session.add(CalendarOverride(day=date(2026, 10, 10), is_workday=False, note="调休取消（测试）"))
        db.session.commit()
    with frozen_at(at("2026-09-28 10:00")):
        case = start(api)
        to_committee(api, case["id"])
        complete(api, "s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})
        body = complete(api, "s1_03", case["id"], "publicity", {"start_date": "2026-09-29"})
    assert body["instance"]["data"]["publicity_end"] == "2026-10-12"
    assert body["instance"]["timers"][0]["due_at"] == "2026-10-13T00:00:00+08:00"
