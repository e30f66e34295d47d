"""End-to-end: one real server per module on the per-worker test database (SQLite, or PostgreSQL
when ORGFLOW_TEST_DATABASE_URL is set), the demo organization loaded once per module.

The in-process suite empties the database before every test; here the cases of a module live
across its server restarts, so the module empties it once, at its start, and nothing runs in
between (pytest-randomly and xdist keep a module's tests together in one worker).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.conftest import PASSWORD
from tests.conftest import _clean
from tests.e2e.support import Live
from tests.e2e.support import LiveFlow
from tests.e2e.support import live_flow
from webapp.extensions import db
from workflows import demo


@pytest.fixture(autouse=True)
def _fresh_database() -> Iterator[None]:
    """Overrides tests/conftest.py's: the module's `live` fixture starts from an empty database."""
    yield


def start_live(request: pytest.FixtureRequest, app: Flask, database_url: str,
               tmp_path_factory: pytest.TempPathFactory, kind: str) -> Iterator[Live]:
    with app.app_context():
        _clean()
        demo.load(db.session, PASSWORD)
        db.session.commit()
        db.session.remove()
    live = Live(app, database_url, tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]), kind)
    try:
        live.start()
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def live(request: pytest.FixtureRequest, app: Flask, database_url: str,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The module's server, first of the kind its `FIRST_SERVER` names."""
    yield from start_live(request, app, database_url, tmp_path_factory, request.module.FIRST_SERVER)


@pytest.fixture(scope="module")
def flow(live: Live) -> LiveFlow:
    return live_flow(live)
