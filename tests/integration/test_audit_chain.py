"""The hash chain: every change is an event, and editing rows behind the app's back is detected."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.helpers import complete
from tests.helpers import start
from webapp.extensions import db


@pytest.fixture()
def chain(app: Any, api: Any) -> int:
    """A few real events: logins' tokens, a start, two completions. Returns the head seq."""
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    with app.app_context():
        return db.session.execute(text("SELECT seq FROM audit_head WHERE id = 1")).scalar_one()


def sql(app: Any, statement: str, **params: Any) -> None:
    """Change the database directly, as someone bypassing the application would."""
    with app.app_context():
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


def test_checkpoint_prints_the_head(chain: int, runner: Any, tmp_path: Any) -> None:
    out = tmp_path / "checkpoint.json"
    result = runner.invoke(args=["audit", "checkpoint", "--out", str(out)])
    assert result.exit_code == 0
    assert f'"seq": {chain}' in out.read_text()


def test_a_refused_action_leaves_no_event(chain: int, api: Any, runner: Any, app: Any) -> None:
    api("s1_03").post("/processes/cadre_promotion/instances", {"data": {"candidate": "nobody"}})
    with app.app_context():
        assert db.session.execute(text("SELECT seq FROM audit_head")).scalar_one() == chain
