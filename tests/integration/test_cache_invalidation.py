"""Per-process caches are invalidated across processes (issue 17, `workflows.caching`).

This process serves routing, 回避 relations and deputies from its caches; another process — a
`flask` command or a script on the same database — changes roles, relations, accounts and
delegations. The next request here must see each change: the writer set a new cache version in
the same transaction, and every transaction here reads the version before serving from a cache.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from tests.helpers import complete
from tests.helpers import open_item
from tests.helpers import proposal
from tests.helpers import start
from tests.integration.worker.support import ROOT
from tests.integration.worker.support import worker_env

# Runs in a fresh interpreter: an app on the test database, one service call, committed.
SCRIPT = """
import sys
from webapp import create_app
from webapp.extensions import db
from workflows import accounts
from workflows.routing import relations
from datetime import timedelta
from workflows.engine import clock
from models import ApiToken
from models import Delegation
from sqlalchemy import select

app = create_app()
with app.app_context():
    session, user = db.session, accounts.find_user(db.session, sys.argv[2])
    if sys.argv[1] == "revoke":
        accounts.revoke_role(session, user, sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "relate":
        relations.declare(session, user, accounts.find_user(session, sys.argv[3]), "spouse")
    elif sys.argv[1] == "disable":
        accounts.set_active(session, user, False, None)
    elif sys.argv[1] == "revoke-tokens":
        for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
            token.revoked_at = clock.now()
    elif sys.argv[1] == "end-delegations":
        for delegation in session.scalars(select(Delegation).where(Delegation.principal_id == user.id)):
            delegation.revoked_at = clock.now()
    elif sys.argv[1] == "delegate":
        now = clock.now()
        session.add(Delegation(principal_id=user.id, deputy_id=accounts.find_user(session, sys.argv[3]).id,
                               starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=7)))
    session.commit()
"""


def _other_process(database_url: str, *args: str) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, *args], cwd=ROOT, env=worker_env(database_url),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _flask(database_url: str, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=worker_env(database_url),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _todo(api: Any, username: str) -> set[tuple[int, str]]:
    return {(i["instance_id"], i["task"]) for i in api(username).get("/tasks?view=todo&limit=100").get_json()["items"]}


def test_a_role_granted_and_revoked_elsewhere_routes_the_next_case(api: Any, database_url: str) -> None:
    first = start(api)["id"]  # routed here: the 书记 of S1 (s1_01) is cached as the holder
    open_item(api, "s1_01", first, "deliberation")
    assert (first, "deliberation") not in _todo(api, "s1_02")

    _flask(database_url, "users", "set-role", "s1_02", "secretary", "S1")
    second = start(api)["id"]
    assert (second, "deliberation") in _todo(api, "s1_02")
    assert (second, "deliberation") in _todo(api, "s1_01")

    _other_process(database_url, "revoke", "s1_02", "secretary", "S1")
    third = start(api)["id"]
    assert (third, "deliberation") not in _todo(api, "s1_02")
    assert (third, "deliberation") in _todo(api, "s1_01")


def test_a_relation_declared_elsewhere_makes_the_next_request_recuse(api: Any, database_url: str) -> None:
    case_id = start(api)["id"]  # about s1_06; its (empty) relations are now cached here
    item = open_item(api, "s1_01", case_id, "deliberation")
    assert api("s1_01").get(f"/tasks/{item['id']}").status_code == 200

    _other_process(database_url, "relate", "s1_01", "s1_06")
    response = api("s1_01").post(f"/tasks/{item['id']}/complete", {"data": {"decision": "agree"}})
    assert response.status_code in (403, 409, 422), response.get_json()
    assert "回避" in response.get_json()["message"]


def test_an_account_disabled_elsewhere_is_refused_at_once(api: Any, database_url: str) -> None:
    case_id = start(api)["id"]
    open_item(api, "s1_01", case_id, "deliberation")
    _other_process(database_url, "disable", "s1_01")
    assert api("s1_01").get("/tasks?view=todo").status_code == 401
    # Nobody else holds the 书记's role at S1: the next case cannot be routed to the disabled one.
    response = api("s1_03").post("/processes/cadre_promotion/instances", {"data": proposal()})
    assert response.status_code == 422, response.get_json()


def test_a_token_revoked_elsewhere_is_refused_at_once(api: Any, database_url: str) -> None:
    assert api("s1_01").get("/tasks?view=todo").status_code == 200  # its user is now cached here
    _other_process(database_url, "revoke-tokens", "s1_01")
    assert api("s1_01").get("/tasks?view=todo").status_code == 401
    assert api("s1_02").get("/tasks?view=todo").status_code == 200


def test_a_delegation_made_elsewhere_notifies_the_deputy(api: Any, database_url: str) -> None:
    start(api)  # the deputies of the candidates (none) are cached here
    _other_process(database_url, "delegate", "s1_01", "s1_02")
    case_id = start(api)["id"]
    notes = api("s1_02").get("/notifications").get_json()
    assert any(n.get("instance_id") == case_id for n in notes["items"]), notes




def test_a_delegation_made_and_ended_elsewhere_shows_in_the_deputys_todo_at_once(api: Any, database_url: str) -> None:
    case_id = start(api)["id"]
    assert (case_id, "deliberation") not in _todo(api, "s1_02")  # s1_02 deputizes for nobody: cached here
    _other_process(database_url, "delegate", "s1_01", "s1_02")
    assert (case_id, "deliberation") in _todo(api, "s1_02")
    _other_process(database_url, "end-delegations", "s1_01")
    assert (case_id, "deliberation") not in _todo(api, "s1_02")


def test_a_user_created_elsewhere_can_be_named_in_the_next_form(api: Any, database_url: str) -> None:
    case_id = start(api)["id"]
    complete(api, "s1_01", case_id, "deliberation", {"decision": "agree"})
    form = {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "newcomer"]}
    item = open_item(api, "s1_03", case_id, "recommendation")
    refused = api("s1_03").post(f"/tasks/{item['id']}/complete", {"data": form})
    assert refused.status_code == 422, refused.get_json()  # nobody is called so: remembered here

    _flask(database_url, "users", "create", "newcomer", "--name", "新人", "--unit", "S1", "--password", "newcomer-pass-1")
    complete(api, "s1_03", case_id, "recommendation", form)
