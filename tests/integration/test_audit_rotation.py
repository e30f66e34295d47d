"""Rotating the audit key: a rolling restart with both keys, then one rotation event signed by
the old key; verifiers need every key; a process left behind cannot sign with a stale key."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from models import AuditEvent
from models import ProcessInstance
from tests.conftest import AUDIT_KEY
from tests.conftest import ApiClient
from tests.conftest import app_config
from tests.helpers import proposal
from tests.helpers import start
from webapp import create_app
from webapp.extensions import db
from workflows.audit import chain as audit_chain

OLD, NEW = AUDIT_KEY.encode(), b"the-next-audit-key-0123456789abcdef"


@pytest.fixture()
def restarted(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """`restarted(key, *previous)` → the app as a process started with these audit keys
    (ORGFLOW_AUDIT_KEY, ORGFLOW_AUDIT_PREVIOUS_KEYS) on the same database, next to `app`."""
    made: list[Flask] = []

    def make(key: bytes, *previous: bytes) -> Flask:
        made.append(create_app(app_config(database_url, ORGFLOW_AUDIT_KEY=key.decode(),
                                          ORGFLOW_AUDIT_PREVIOUS_KEYS=[k.decode() for k in previous],
                                          ORGFLOW_ATTACHMENT_DIR=str(tmp_path / "attachments"))))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def on(app: Flask, api: Any) -> Callable[[str], ApiClient]:
    """`api`, its users' tokens sent to another app (process) instead."""
    client = app.test_client()
    return lambda username: ApiClient(client, api(username).token, username)


def rotation_seq(app: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(AuditEvent.seq).where(AuditEvent.action == audit_chain.ROTATION))


def standalone(tmp_path: Path, export: Path, *keys: bytes) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, audit_chain.__file__, str(export)]
    for index, key in enumerate(keys):
        path = tmp_path / f"key{index}"
        path.write_bytes(key)
        args += ["--key-file", str(path)]
    return subprocess.run(args, capture_output=True, text=True, check=False)


def test_a_rolling_rotation_keeps_the_chain_verifiable(api: Any, app: Any, restarted: Any, tmp_path: Path) -> None:
    start(api)
    new = restarted(NEW, OLD)  # every process restarted with the new key, the old one kept
    api, runner = on(new, api), new.test_cli_runner()
    start(api)  # still signed with the old key: the chain has not been handed over yet
    rotated = runner.invoke(args=["audit", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    assert f"{audit_chain.fingerprint(OLD)} → {audit_chain.fingerprint(NEW)}" in rotated.output
    start(api)  # signed with the new key
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0

    export = tmp_path / "audit.jsonl"
    runner.invoke(args=["audit", "export", "--out", str(export)])
    assert standalone(tmp_path, export, OLD, NEW).returncode == 0
    old_only = standalone(tmp_path, export, OLD)
    assert f"BROKEN at event {rotation_seq(app) + 1}" in old_only.stdout
    assert "BROKEN at event 1" in standalone(tmp_path, export, NEW).stdout


def test_a_process_with_a_stale_key_cannot_sign_after_a_rotation(api: Any, app: Any, restarted: Any) -> None:
    starter = api("s1_03")  # its token (an audited event) exists before the switch; `app` keeps OLD only
    assert restarted(NEW, OLD).test_cli_runner().invoke(args=["audit", "rotate-key"]).exit_code == 0
    response = starter.post("/processes/cadre_promotion/instances", {"data": proposal()})
    assert response.status_code == 500
    with app.app_context():
        assert db.session.scalar(select(func.count(ProcessInstance.id))) == 0  # nothing half-written


def test_rotating_to_the_key_already_in_use_is_refused(org: None, runner: Any) -> None:
    result = runner.invoke(args=["audit", "rotate-key"])
    assert result.exit_code == 1 and "无需轮换" in result.output


def test_a_rotation_without_the_old_key_is_refused(org: None, restarted: Any) -> None:
    runner = restarted(NEW).test_cli_runner()  # restarted with the new key but without the old one
    result = runner.invoke(args=["audit", "rotate-key"])
    assert result.exit_code == 1 and "ORGFLOW_AUDIT_PREVIOUS_KEYS" in result.output
