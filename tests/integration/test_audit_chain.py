"""The hash chain: every change is an event, and editing rows behind the app's back is detected."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import text

from tests.helpers import complete
from tests.helpers import start
from tests.integration.worker.support import ROOT
from tests.integration.worker.support import worker_env
from webapp.extensions import db


@pytest.fixture()
def chain(app: Any, api: Any) -> int:
    """A few real events: logins' tokens, a start, two completions. Returns the head seq."""
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    with app.app_context():
        return db.session.execute(text("SELECT seq FROM audit_head WHERE id = 1")).scalar_one()


def sql(app: Any, statement: str, **params: Any) -> None:
    """Change the database directly, as someone bypassing the application would.

    On PostgreSQL that takes a superuser switching triggers off, since the append-only trigger
    refuses UPDATE and DELETE; the chain must catch the change all the same.
    """
    with app.app_context():
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
        db.session.execute(text(statement), params)
        db.session.commit()


def verify(runner: Any) -> Any:
    return runner.invoke(args=["audit", "verify"])


def test_an_untouched_chain_verifies(chain: int, runner: Any) -> None:
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert f"OK {chain} events" in result.output


def test_the_api_reports_the_chain_to_auditors_only(chain: int, api: Any) -> None:
    auditor = api("zhengyun")  # creating the auditor's token is one more event
    assert auditor.get("/audit/verify").get_json() | {"head_hash": None} == {
        "ok": True, "count": chain + 1, "head_seq": chain + 1, "head_hash": None, "broken_seq": None, "reason": None}
    assert api("s1_03").get("/audit/verify").status_code == 403


def test_editing_an_event_payload_breaks_the_chain_at_that_event(chain: int, app: Any, runner: Any) -> None:
    sql(app, "UPDATE audit_event SET payload = :p WHERE seq = 3", p='{"forged": true}')
    result = verify(runner)
    assert result.exit_code == 1
    assert "第 3 号事件" in result.output and "被修改" in result.output


def test_changing_who_acted_breaks_the_chain(chain: int, app: Any, runner: Any) -> None:
    sql(app, "UPDATE audit_event SET actor_id = actor_id + 1 WHERE seq = :s", s=chain)
    assert f"第 {chain} 号事件" in verify(runner).output


def test_deleting_an_event_is_detected_where_it_was(chain: int, app: Any, runner: Any) -> None:
    sql(app, "DELETE FROM audit_event WHERE seq = 2")
    result = verify(runner)
    assert result.exit_code == 1 and "第 2 号事件" in result.output


def test_reordering_two_events_is_detected(chain: int, app: Any, runner: Any) -> None:
    sql(app, "UPDATE audit_event SET seq = -1 WHERE seq = 2")
    sql(app, "UPDATE audit_event SET seq = 2 WHERE seq = 3")
    sql(app, "UPDATE audit_event SET seq = 3 WHERE seq = -1")
    result = verify(runner)
    assert result.exit_code == 1 and "第 2 号事件" in result.output


def test_deleting_the_newest_event_is_detected_against_the_head(chain: int, app: Any, runner: Any) -> None:
    sql(app, "DELETE FROM audit_event WHERE seq = :s", s=chain)
    result = verify(runner)
    assert result.exit_code == 1 and f"第 {chain} 号事件" in result.output


def test_events_appended_by_another_process_in_between_chain_onto_its_last_event(
        chain: int, app: Any, api: Any, runner: Any, database_url: str) -> None:
    # This process appends onto the head it last wrote without reading it first (issue 17); here
    # another process appends in between, so the next append here must find the real head.
    case = start(api)
    done = subprocess.run([sys.executable, "-m", "flask", "users", "set-role", "s1_02", "secretary", "S1"],
                          cwd=ROOT, env=worker_env(database_url), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT seq, action, prev_hash, hash FROM audit_event WHERE seq > :s ORDER BY seq"), {"s": chain}).all()
        head = db.session.execute(text("SELECT seq, hash FROM audit_head")).one()
    grant = next(i for i, row in enumerate(rows) if row.action == "role.grant")
    assert [row.action for row in rows[grant:]] == ["role.grant", "task.complete"]
    assert rows[grant + 1].prev_hash == rows[grant].hash and tuple(head) == (rows[-1].seq, rows[-1].hash)
    assert [row.seq for row in rows] == list(range(chain + 1, chain + 1 + len(rows)))
    result = verify(runner)
    assert result.exit_code == 0 and f"OK {chain + len(rows)} events" in result.output, result.output


def test_checkpoint_prints_the_head(chain: int, runner: Any, tmp_path: Any) -> None:
    out = tmp_path / "checkpoint.json"
    result = runner.invoke(args=["audit", "checkpoint", "--out", str(out)])
    assert result.exit_code == 0
    assert f'"seq": {chain}' in out.read_text()


def test_a_refused_action_leaves_no_event(chain: int, api: Any, runner: Any, app: Any) -> None:
    api("s1_03").post("/processes/cadre_promotion/instances", {"data": {"candidate": "nobody"}})
    with app.app_context():
        assert db.session.execute(text("SELECT seq FROM audit_head")).scalar_one() == chain


@pytest.mark.postgres
@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'x' WHERE seq = 1",
                                       "DELETE FROM audit_event WHERE seq = 1", "TRUNCATE audit_event"])
def test_postgresql_refuses_changes_to_the_audit_table(chain: int, app: Any, statement: str) -> None:
    from sqlalchemy.exc import DBAPIError

    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()


def test_verify_against_a_checkpoint_passes_while_the_record_only_grows(chain: int, api: Any, runner: Any,
                                                                      tmp_path: Any) -> None:
    point = tmp_path / "checkpoint.json"
    runner.invoke(args=["audit", "checkpoint", "--out", str(point)])
    start(api)  # the log grows after the checkpoint
    result = runner.invoke(args=["audit", "verify", "--against", str(point)])
    assert result.exit_code == 0, result.output
    assert f"checkpoint {chain} matches" in result.output


def test_a_chain_rebuilt_with_the_key_still_fails_against_an_outside_checkpoint(chain: int, app: Any, runner: Any,
                                                                             tmp_path: Any) -> None:
    """Someone holding the key rewrites event 2 and recomputes every hash after it: the chain
    itself verifies, but the checkpoint kept outside the database does not match any more."""
    from sqlalchemy import select

    from models import AuditEvent
    from models import AuditHead
    from workflows import audit
    from workflows.audit import chain as audit_chain

    point = tmp_path / "checkpoint.json"
    runner.invoke(args=["audit", "checkpoint", "--out", str(point)])
    with app.app_context():
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
        key = app.config["ORGFLOW_AUDIT_KEY"].encode()
        prev = audit_chain.GENESIS
        for evt in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
            if evt.seq == 2:
                evt.payload = {**evt.payload, "rewritten": True}
            evt.prev_hash = prev
            evt.hash = audit_chain.link_hash(key, prev, audit.to_record(evt))
            prev = evt.hash
            db.session.flush()
        db.session.get(AuditHead, 1).hash = prev
        db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify", "--against", str(point)])
    assert result.exit_code == 1 and "检查点" in result.output


def test_the_standalone_verifier_checks_an_export_without_the_database(chain: int, app: Any, runner: Any,
                                                                     tmp_path: Any) -> None:
    import subprocess
    import sys

    export, key_file = tmp_path / "audit.jsonl", tmp_path / "audit.key"
    assert runner.invoke(args=["audit", "export", "--out", str(export)]).exit_code == 0
    key_file.write_text(app.config["ORGFLOW_AUDIT_KEY"], encoding="utf-8")
    from workflows.audit import chain as audit_chain

    script = audit_chain.__file__  # run the module file alone, outside the application
    ok = subprocess.run([sys.executable, script, str(export), "--key-file", str(key_file)],
                        capture_output=True, text=True, cwd=tmp_path, check=False)
    assert ok.returncode == 0 and f"OK {chain} events" in ok.stdout
    lines = export.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"action": "', '"action": "x', 1)
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = subprocess.run([sys.executable, script, str(export), "--key-file", str(key_file)],
                         capture_output=True, text=True, cwd=tmp_path, check=False)
    assert bad.returncode == 1 and "BROKEN at event 2" in bad.stdout
