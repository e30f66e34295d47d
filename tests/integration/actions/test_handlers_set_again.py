"""An item that a completion routes and that is then given other handlers in the same
transaction (`actions.common.set_handlers`, as 退回 and 拿回 do) is written with those handlers,
and they are the ones told of it: the routed candidates (`projection._write_routed`) and the
notification's known candidates give way."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from models import Notification
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemStatus
from tests.helpers import open_item
from tests.helpers import start
from webapp.extensions import db
from workflows import accounts
from workflows.actions import common
from workflows.cases import tasks


def test_handlers_set_again_after_routing_are_written_and_told(app: Flask, api: Any) -> None:
    case_id = start(api)["id"]
    item_id = open_item(api, "s1_01", case_id, "deliberation")["id"]
    with app.app_context():
        users = {name: accounts.find_user(db.session, name) for name in ("s1_01", "s1_07", "s1_08")}
        tasks.complete(db.session, users["s1_01"], item_id, {"decision": "agree"})
        with db.session.no_autoflush:  # as an action does it: before the projection's flush
            (routed,) = [obj for obj in db.session.new if isinstance(obj, WorkItem)]
            assert routed.task_name == "recommendation"
            common.set_handlers(routed, [users["s1_07"], users["s1_08"]])
        db.session.commit()
        new_id = db.session.scalar(select(WorkItem.id).where(
            WorkItem.instance_id == case_id, WorkItem.status == WorkItemStatus.OPEN))
        written = set(db.session.scalars(select(WorkItemCandidate.user_id).where(WorkItemCandidate.work_item_id == new_id)))
        told = set(db.session.scalars(select(Notification.user_id).where(Notification.work_item_id == new_id)))
    expected = {users["s1_07"].id, users["s1_08"].id}
    assert written == expected
    assert told == expected
