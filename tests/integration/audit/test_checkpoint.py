"""The 审计链 page: the chain's state and a checkpoint file to keep outside the database, which
`flask audit verify --against` accepts; taking it is recorded, a broken chain gives none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import text

from tests.integration.audit.conftest import events_of
from tests.web import start_case
from webapp.extensions import db


def test_the_checkpoint_download_matches_the_chain_and_verifies(web: Any, app: Flask, runner: Any,
                                                                 tmp_path: Path) -> None:
    start_case(web("s1_03"))
    auditor = web("zhengyun")
    page = auditor.page("/audit/verify")
    assert "审计链完整" in page and 'id="checkpoint"' in page
    response = auditor.get("/audit/checkpoint.json")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment;")
    body = json.loads(response.get_data(as_text=True))
    result = runner.invoke(args=["audit", "checkpoint"])
    assert json.loads(result.output)["seq"] == body["seq"] + 1  # the download itself is the next event
    [event] = events_of(app, "audit.checkpoint")
    assert event.payload == body and event.seq == body["seq"] + 1
    saved = tmp_path / "checkpoint.json"
    saved.write_text(response.get_data(as_text=True), encoding="utf-8")
    verified = runner.invoke(args=["audit", "verify", "--against", str(saved)])
    assert verified.exit_code == 0 and f"checkpoint {body['seq']} matches" in verified.output


def test_a_broken_chain_gives_no_checkpoint(web: Any, app: Flask) -> None:
    start_case(web("s1_03"))
    with app.app_context():
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL session_replication_role = replica"))  # past the append-only trigger
        db.session.execute(text("UPDATE audit_event SET payload = '{}' WHERE seq = 2"))
        db.session.commit()
    auditor = web("zhengyun")
    page = auditor.page("/audit/verify")
    assert "第 2 号事件处断开" in page and 'id="checkpoint"' not in page
    assert auditor.get("/audit/checkpoint.json").status_code == 400
    assert events_of(app, "audit.checkpoint") == []
