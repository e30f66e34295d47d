"""The executable test diagrams in tests/bpmn (会签/或签/票签, a step with a deadline, a bare timer;
drawing-only fixtures live in tests/bpmn/drawing/),
deployed next to the production ones for the tests that need them."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from webapp.extensions import db
from workflows.engine import definitions

TEST_BPMN = Path(__file__).resolve().parents[1] / "bpmn"


@pytest.fixture()
def test_processes(app: Flask, org: None) -> None:
    with app.app_context():
        definitions.deploy_all(db.session, TEST_BPMN)
        db.session.commit()
        db.session.remove()
