"""A reading request's transaction ends so that psycopg keeps what it prepared (issue 17): on
PostgreSQL a GET that wrote nothing ends with COMMIT, not the ROLLBACK that deallocates every
prepared statement of the connection; one that wrote, or left changes unwritten, is rolled back
as before (`webapp.transaction.keep_prepared_statements`)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text

from models import Notification
from models import OrgUnit
from tests.conftest import app_config
from tests.helpers import start
from tests.web import login
from webapp import create_app
from webapp.extensions import db
from workflows import accounts


@pytest.mark.postgres
def test_on_postgresql_the_todo_page_is_prepared_once_for_the_pages_after_it(app: Flask, api: Any) -> None:
    for _ in range(3):
        start(api)
    secretary = login(app, "s1_01")
    for _ in range(30):  # the pool's connections take turns: each sees its sixth run
        secretary.page("/tasks/todo")
    with app.app_context():
        pool = db.engine.pool
        connections = [db.engine.connect() for _ in range(pool.checkedin())]  # type: ignore[attr-defined]
        try:
            prepared = [row for connection in connections for row in connection.execute(text(
                "SELECT statement, generic_plans + custom_plans AS runs FROM pg_prepared_statements"))
                if "earlier_by.name" in row.statement]
        finally:
            for connection in connections:
                connection.close()
    assert prepared and max(row.runs for row in prepared) >= 2, prepared


def _probing_app(database_url: str) -> Flask:
    probe = create_app(app_config(database_url))

    @probe.get("/probe/<how>")
    def write_in_a_get(how: str) -> str:
        user = accounts.find_user(db.session, "s1_01")
        if how == "written":
            db.session.execute(insert(Notification).values(user_id=user.id, kind="probe", title="探针"))
        else:  # changed, not written yet
            unit = db.session.scalars(select(OrgUnit).where(OrgUnit.code == user.unit.code)).one()
            unit.name = "探针"
        return "ok"

    return probe


@pytest.mark.parametrize("how", ["written", "unwritten"])
def test_a_get_that_wrote_is_rolled_back_as_before(app: Flask, org: None, database_url: str, how: str) -> None:
    probe = _probing_app(database_url)
    assert probe.test_client().get(f"/probe/{how}").get_data(as_text=True) == "ok"
    with probe.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "probe")) == 0
        assert db.session.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.name == "探针")) == 0
        db.session.remove()
        db.engine.dispose()
