"""周报 opening with real `flask workflows worker` processes: two workers passing at the same moment
and a restarted one open exactly one report (and one case) per subsidiary and week — the unique
(unit, week) row is written before the case is started, in the same transaction. On PostgreSQL
a worker killed mid-transaction leaves nothing behind, and the next one opens the report once."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from models import AuditEvent
from models import ProcessDefinition
from models import ProcessInstance
from models import User
from models import WeeklyReport
from tests.integration.worker.support import kill
from tests.integration.worker.support import scalar
from tests.integration.worker.support import spawn
from tests.integration.worker.support import wait_for
from tests.integration.worker.support import workers_waiting_on_a_lock
from tests.integration.worker.test_worker_processes import AuditHeadLock
from webapp.extensions import db
from workflows.weekly import schedule

MONDAY = "2026-11-30T09:00"  # the week's reports are due Friday 2026-12-04 18:00


@pytest.fixture()
def weekly_schedule(app: Flask, org: None) -> None:
    with app.app_context():
        head = db.session.scalars(select(User).where(User.username == "lihua")).one()
        schedule.update(db.session, head, {"active": True, "open_weekday": 0, "due_weekday": 4, "due_hour": 18})
        db.session.commit()
        db.session.remove()


def reports(app: Flask) -> int:
    return scalar(app, select(func.count()).select_from(WeeklyReport))


def weekly_cases(app: Flask) -> int:
    return scalar(app, select(func.count()).select_from(ProcessInstance).join(
        ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessDefinition.key == "weekly_report"))


def per_unit_and_week(app: Flask) -> list[tuple[int, int]]:
    with app.app_context():
        rows = db.session.execute(select(WeeklyReport.unit_id, func.count()).group_by(
            WeeklyReport.unit_id, WeeklyReport.week_start)).all()
        db.session.remove()
        return [(int(unit), int(count)) for unit, count in rows]


def starts(app: Flask) -> int:
    return scalar(app, select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "instance.start"))


def run_once(database_url: str, log: Path, moment: str = MONDAY) -> int:
    process = spawn(database_url, log, "--once", "--at", moment)
    assert process.wait(timeout=120) == 0, log.read_text()
    return process.returncode


@pytest.mark.usefixtures("weekly_schedule")
def test_two_workers_and_a_restart_open_one_report_per_unit_and_week(app: Flask, database_url: str,
                                                                    tmp_path: Path) -> None:
    first = spawn(database_url, tmp_path / "a.log", "--once", "--at", MONDAY)
    second = spawn(database_url, tmp_path / "b.log", "--once", "--at", MONDAY)
    for process, name in ((first, "a.log"), (second, "b.log")):
        assert process.wait(timeout=120) == 0, (tmp_path / name).read_text()
    assert reports(app) == 3 and weekly_cases(app) == 3 and starts(app) == 3
    run_once(database_url, tmp_path / "restart.log", "2026-12-02T09:00")  # restarted later the same week
    assert reports(app) == 3 and weekly_cases(app) == 3 and starts(app) == 3
    assert sorted(count for _, count in per_unit_and_week(app)) == [1, 1, 1]
    run_once(database_url, tmp_path / "next.log", "2026-12-07T09:00")  # the next week opens its own
    assert reports(app) == 6 and weekly_cases(app) == 6


@pytest.mark.postgres
@pytest.mark.usefixtures("weekly_schedule")
def test_a_worker_killed_while_opening_leaves_nothing_and_the_next_opens_once(app: Flask, database_url: str,
                                                                              tmp_path: Path) -> None:
    lock = AuditHeadLock(database_url)  # the worker blocks where its audit events are sealed, before commit
    try:
        worker = spawn(database_url, tmp_path / "killed.log", "--once", "--at", MONDAY)
        wait_for(lambda: workers_waiting_on_a_lock(app) == 1, 60, "the worker to block before its commit")
        kill(worker, signal.SIGKILL)
    finally:
        lock.release()
    assert reports(app) == 0 and weekly_cases(app) == 0
    first = spawn(database_url, tmp_path / "a.log", "--once", "--at", MONDAY)
    second = spawn(database_url, tmp_path / "b.log", "--once", "--at", MONDAY)
    for process in (first, second):
        assert process.wait(timeout=120) == 0
    assert reports(app) == 3 and weekly_cases(app) == 3 and starts(app) == 3
