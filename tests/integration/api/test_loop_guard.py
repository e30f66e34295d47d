"""Back-edge loops are bounded: the 20th pass round the same loop is refused (SpiffWorkflow G1)."""

from __future__ import annotations

from sqlalchemy import select

from models import WorkItem
from tests.drivers import dues
from tests.flows import Flow
from tests.flows import at
from workflows.engine.clock import frozen_at


def test_the_twentieth_rejection_in_a_row_is_refused(flow: Flow) -> None:
    from webapp.extensions import db

    with frozen_at(at("2020-02-14 09:00")):
        case = dues.start(flow)
        dues.allocate(flow, case["id"])
        with flow.app.app_context():  # 18 earlier rounds on record
            item = db.session.scalars(select(WorkItem).where(WorkItem.instance_id == case["id"],
                                                             WorkItem.task_name == "committee_decision")).one()
            for _ in range(18):
                db.session.add(WorkItem(instance_id=case["id"], task_id=item.task_id, task_name=item.task_name,
                                        title=item.title, status="completed", created_at=item.created_at,
                                        completed_at=item.created_at))
            db.session.commit()
        rejected = {**dues.GROUP_MEETING, "votes": {"for": 3, "against": 4}}
        body = flow.step("zhaomin", case["id"], "committee_decision", {"meeting": rejected})  # the 19th
        assert [w["task"] for w in body["instance"]["work_items"]] == ["allocation_plan"]
        dues.allocate(flow, case["id"])
        body = flow.step("zhaomin", case["id"], "committee_decision", {"meeting": rejected}, expect=422)
        assert body["message"] == "办理轮次已达上限"
        flow.step("zhaomin", case["id"], "committee_decision", {"meeting": dues.GROUP_MEETING})  # a final decision
