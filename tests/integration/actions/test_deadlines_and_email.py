"""Deadlines from the diagram (`dueInWorkingDays`, `escalateTo`) fired by the worker CLI on the
working-day calendar, and notification e-mail through a real SMTP sink (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes
from email.header import decode_header
from email.header import make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import update

from models import User
from tests.helpers import start
from tests.integration.actions.support import act
from tests.integration.actions.support import act_on_case
from tests.integration.actions.support import events
from tests.integration.actions.support import item_of
from webapp.extensions import db
from workflows.engine.clock import SHANGHAI
from workflows.engine.clock import frozen_at


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def worker(runner: Any, moment: str) -> str:
    result = runner.invoke(args=["workflows", "worker", "--once", "--at", moment])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def kinds(api: Any, username: str) -> list[str]:
    return [n["kind"] for n in api(username).get("/notifications").get_json()["items"]]


def start_deadline_case(api: Any, topic: str) -> int:
    response = api("s1_07").post("/processes/deadline/instances", {"data": {"topic": topic, "mode": "all",
                                                                            "members": ["s1_02"]}})
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


@pytest.mark.usefixtures("test_processes")
def test_an_overdue_item_is_reminded_then_escalated_on_working_days(api: Any, runner: Any) -> None:
    with frozen_at(at("2026-11-20 16:00")):  # a Friday: two working days are Mon 23 and Tue 24
        case = start_deadline_case(api, "支部换届请示")
        item = api("s1_02").get(f"/tasks/{item_of(api, 's1_02', case, 'approve')}").get_json()
        assert item["due_at"] == "2026-11-25T00:00:00+08:00"
        done = start_deadline_case(api, "按期办结的请示")
        act(api, "s1_02", item_of(api, "s1_02", done, "approve"), "complete", {"data": {"decision": "agree"}})
    assert worker(runner, "2026-11-24T08:59") == "fired 0"
    assert worker(runner, "2026-11-24T09:00") == "fired 1"  # 09:00 on the last day: 今天到期
    assert kinds(api, "s1_02")[0] == "due_soon"
    assert worker(runner, "2026-11-25T00:00") == "fired 1"  # overdue; the finished case's jobs were cancelled
    assert kinds(api, "s1_02")[0] == "overdue"
    for officer in ("zhaomin", "sunli"):  # org_officer@parent: the group's 组织员 get a 督办, 抄送'd
        assert kinds(api, officer)[0] == "escalation"
        assert [c["id"] for c in api(officer).get("/tasks?view=cc").get_json()["items"]] == [case]
    overdue = events(api, case)[-1]
    assert (overdue["action"], overdue["data"]["escalated_to"]) == ("task.overdue", ["zhaomin", "sunli"])
    assert worker(runner, "2026-12-31T00:00") == "fired 0"


@pytest.mark.usefixtures("test_processes")
def test_a_transfer_keeps_the_deadline(api: Any, runner: Any) -> None:
    with frozen_at(at("2026-11-20 16:00")):
        case = start_deadline_case(api, "请示")
        item = item_of(api, "s1_02", case, "approve")
        moved = act(api, "s1_02", item, "transfer", {"to": "s1_01", "reason": "出差"})["item"]
        assert moved["due_at"] == "2026-11-25T00:00:00+08:00"
    assert worker(runner, "2026-11-25T00:00") == "fired 2"  # the reminder and the overdue notice
    assert kinds(api, "s1_01")[:2] == ["overdue", "due_soon"]


class Sink:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture()
def smtp_sink(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    sink = Sink()
    with socket.socket() as probe:  # a free port for the sink
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "ORGFLOW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "ORGFLOW_SMTP_PORT", port)
    monkeypatch.setitem(app.config, "ORGFLOW_SMTP_FROM", "orgflow@example.cn")
    yield sink
    controller.stop()


def test_notifications_are_emailed_once_when_smtp_is_configured(api: Any, app: Flask, runner: Any,
                                                                smtp_sink: Sink) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.username == "s2_01").values(email="handdong@example.cn"))
        db.session.commit()
    case = start(api)["id"]
    act_on_case(api, "s1_03", case, "cc", {"users": ["s2_01"], "note": "请知悉人选情况"})
    assert worker(runner, "2026-11-30T09:00") == "fired 0"
    assert len(smtp_sink.messages) == 1  # s1_01 (new item) has no address; s2_01 has
    recipients, message = smtp_sink.messages[0]
    assert recipients == ["handdong@example.cn"]
    assert str(make_header(decode_header(message["Subject"]))) == "抄送：梁晨：炼钢厂厂长"
    assert "林涛抄送：请知悉人选情况" in message.get_payload(decode=True).decode("utf-8")
    worker(runner, "2026-11-30T09:01")
    assert len(smtp_sink.messages) == 1  # sent once
