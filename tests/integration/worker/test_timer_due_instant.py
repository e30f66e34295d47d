"""A BPMN timer fired at exactly its due time moves its case on (SpiffWorkflow counts a timer as
fired only once its clock is strictly past the due time; the worker takes it at the due time)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from models import ProcessInstance
from models import TimerJob
from models import TimerStatus
from tests.flows import at
from webapp.extensions import db
from workflows import accounts
from workflows import cases
from workflows.engine.clock import SHANGHAI
from workflows.engine.clock import frozen_at


def test_a_timer_fired_at_its_due_instant_ends_its_case(app: Flask, runner: FlaskCliRunner,
                                                        test_processes: None) -> None:
    with app.app_context(), frozen_at(at("2026-03-02 09:00")):
        case = cases.start(db.session, "timer", {"topic": "到点即办", "wake_at": "2026-03-02T10:00:00+08:00"},
                           accounts.find_user(db.session, "s1_07"))
        db.session.commit()
        case_id = case.id
        db.session.remove()
    early = runner.invoke(args=["workflows", "worker", "--once", "--at", "2026-03-02T09:59:59"])
    assert early.exit_code == 0 and early.output.split()[-1] == "0", early.output
    due = runner.invoke(args=["workflows", "worker", "--once", "--at", "2026-03-02T10:00:00"])
    assert due.exit_code == 0 and due.output.split()[-1] == "1", due.output
    with app.app_context():
        instance = db.session.get(ProcessInstance, case_id)
        job = db.session.scalars(select(TimerJob).where(TimerJob.instance_id == case_id)).one()
        assert (instance.status, job.status) == ("completed", TimerStatus.DONE), (instance.status, job.status)
        assert job.fired_at.astimezone(SHANGHAI) == at("2026-03-02 10:00")
        db.session.remove()
