"""Eight clients complete the same work item at once, through a real gunicorn with several
worker processes (T5), and through `flask serve`'s pool of request threads in one process (what
`make run` runs): exactly one 200, seven 409, no 500, one audit event, revision + 1.

The eight client threads meet at a barrier before every trial, so their requests really
overlap and are spread over the gunicorn workers. 1,000 trials on PostgreSQL; a shorter run
on SQLite, where BEGIN IMMEDIATE serializes the writers across processes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from models import AuditEvent
from models import ProcessInstance
from tests.e2e.support import FlaskServe
from tests.integration.production.support import Gunicorn
from tests.integration.production.support import deadline_cases
from tests.integration.production.support import events_per_instance
from tests.integration.production.support import instances_of
from tests.integration.production.support import revisions
from tests.integration.production.support import token
from tests.integration.production.support import uncontested
from tests.integration.worker.support import due_timers
from tests.integration.worker.support import fire_counts
from webapp.extensions import db
from workflows import audit

CLIENTS = 8


@pytest.fixture()
def server(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Gunicorn]:
    started = Gunicorn(database_url, tmp_path / "gunicorn.log", workers=3, threads=4)
    yield started
    started.stop()


def race(url: str, bearer: str, items: list[int]) -> list[list[int]]:
    """For each item in turn, CLIENTS simultaneous completions; the status codes of each trial."""
    barrier = threading.Barrier(CLIENTS, timeout=120)
    results = [[0] * CLIENTS for _ in items]
    errors: list[BaseException] = []

    def client(slot: int) -> None:
        try:
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {bearer}"}, timeout=60) as http:
                for trial, item in enumerate(items):
                    barrier.wait()
                    response = http.post(f"/api/v1/tasks/{item}/complete", json={"data": {"decision": "agree"}})
                    results[trial][slot] = response.status_code
        except BaseException as exc:  # reported below; a broken barrier releases the others
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=client, args=(slot,)) for slot in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    assert not errors, errors
    return results


def assert_each_item_completed_once(app: Flask, items: list[int], before: dict[int, int],
                                    events_before: dict[int, int], once: tuple[int, int]) -> None:
    with app.app_context():
        completions = dict(db.session.execute(select(AuditEvent.work_item_id, func.count()).where(
            AuditEvent.action == "task.complete", AuditEvent.work_item_id.in_(items))
            .group_by(AuditEvent.work_item_id)).all())
        statuses = set(db.session.scalars(select(ProcessInstance.status).where(ProcessInstance.id.in_(before))))
        assert audit.verify(db.session).ok
        db.session.remove()
    assert completions == dict.fromkeys(items, 1)
    assert statuses == {"completed"}
    # Exactly one winning transaction per case: revision + 1 (DESIGN §3), and as many audit
    # events as one completion alone writes, never more.
    revision_step, events_step = once
    assert revision_step == 1
    assert revisions(app, list(before)) == {case: revision + 1 for case, revision in before.items()}
    written = events_per_instance(app, list(before))
    assert {case: written[case] - count for case, count in events_before.items()} == dict.fromkeys(before, events_step)


def run_trials(app: Flask, server: Gunicorn | FlaskServe, trials: int) -> None:
    bearer = token(app, "s1_02")
    once = uncontested(app, server.url, bearer)
    items = deadline_cases(app, trials)
    cases = instances_of(app, items)
    before, events_before = revisions(app, cases), events_per_instance(app, cases)
    results = race(server.url, bearer, items)
    outcomes = {tuple(sorted(codes)) for codes in results}
    assert outcomes == {(200,) + (409,) * (CLIENTS - 1)}, outcomes
    assert_each_item_completed_once(app, items, before, events_before, once)


@pytest.mark.usefixtures("test_processes")
def test_eight_clients_over_gunicorn_workers_complete_an_item_exactly_once(app: Flask, server: Gunicorn) -> None:
    [waiting] = due_timers(app, 1)
    untouched = revisions(app, [waiting])
    run_trials(app, server, 25)
    # Web workers fire no timers (only `flask workflows worker` and `flask serve` do): a timer
    # due before the race is still waiting after it.
    assert fire_counts(app) == {}
    assert revisions(app, [waiting]) == untouched


@pytest.mark.usefixtures("test_processes")
def test_eight_clients_over_flask_serve_threads_complete_an_item_exactly_once(app: Flask, database_url: str,
                                                                               tmp_path: Path) -> None:
    served = FlaskServe(database_url, tmp_path / "serve.log")
    try:
        run_trials(app, served, 25)
    finally:
        served.stop()


@pytest.mark.postgres
@pytest.mark.usefixtures("test_processes")
def test_a_thousand_races_of_eight_clients_on_postgresql_each_succeed_exactly_once(app: Flask,
                                                                                  server: Gunicorn) -> None:
    run_trials(app, server, 1000)
