"""A claimed item leaves the other candidates' 待办, list and count alike, and comes back on 释放;
held for 加签 it is in nobody's. `work_item_candidate.is_open` carries this (the 待办 reads the
candidate index alone, issue 17 item 5), and migration c1a10e0e0001 brought older data in line."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_migrate import downgrade
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy import update

from models import User
from models import WorkItemCandidate
from tests.helpers import start
from tests.integration.actions.support import act
from tests.integration.actions.support import item_of
from webapp.extensions import db


def _todo(api: Any, username: str) -> tuple[list[int], int]:
    body = api(username).get("/tasks?view=todo&limit=100").get_json()
    return [i["id"] for i in body["items"]], body["total"]


def _shared_item(api: Any) -> int:
    case = start(api, management_level="group")["id"]
    api("wangjianguo").post(f"/tasks/{item_of(api, 'wangjianguo', case, 'deliberation')}/complete",
                            {"data": {"decision": "agree"}})
    return item_of(api, "zhaomin", case, "recommendation")  # offered to zhaomin and sunli


def _open_rows(app: Flask, item: int) -> dict[str, bool]:
    with app.app_context():
        rows = db.session.execute(select(User.username, WorkItemCandidate.is_open)
                                  .join(User, User.id == WorkItemCandidate.user_id)
                                  .where(WorkItemCandidate.work_item_id == item)).all()
        db.session.remove()
    return dict(rows)


def test_a_claim_takes_the_item_out_of_the_other_candidates_list_and_count(api: Any, app: Flask) -> None:
    item = _shared_item(api)
    before, total = _todo(api, "sunli")
    assert item in before
    act(api, "zhaomin", item, "claim")
    after, total_after = _todo(api, "sunli")
    assert item not in after and total_after == total - 1
    assert item in _todo(api, "zhaomin")[0]
    assert _open_rows(app, item) == {"zhaomin": True, "sunli": False}
    act(api, "zhaomin", item, "release")
    assert item in _todo(api, "sunli")[0] and _todo(api, "sunli")[1] == total
    assert _open_rows(app, item) == {"zhaomin": True, "sunli": True}


def test_a_hold_hides_the_item_from_everyone_and_its_end_gives_it_back_to_the_claimant(api: Any, app: Flask) -> None:
    item = _shared_item(api)
    act(api, "zhaomin", item, "claim")
    body = act(api, "zhaomin", item, "add-signer", {"user": "lihua", "position": "before", "reason": "请先把关"})
    assert _open_rows(app, item) == {"zhaomin": False, "sunli": False}
    assert item not in _todo(api, "zhaomin")[0] and item not in _todo(api, "sunli")[0]
    act(api, "lihua", body["item"]["id"], "complete", {"data": {"decision": "agree"}, "comment": "同意"})
    assert _open_rows(app, item) == {"zhaomin": True, "sunli": False}  # claimed: back to the claimant only
    assert item in _todo(api, "zhaomin")[0] and item not in _todo(api, "sunli")[0]


def test_the_migration_closes_the_other_candidates_rows_of_claimed_items(api: Any, app: Flask) -> None:
    item = _shared_item(api)
    act(api, "zhaomin", item, "claim")
    with app.app_context():  # as the code before c1a10e0e0001 left it: every candidate's row open
        db.session.execute(update(WorkItemCandidate).where(WorkItemCandidate.work_item_id == item).values(is_open=True))
        db.session.commit()
        downgrade(revision="ca7e5e0f0001")  # through c1a10e0e0002 and c1a10e0e0001
        upgrade()
        db.session.remove()
    assert _open_rows(app, item) == {"zhaomin": True, "sunli": False}
    assert item not in _todo(api, "sunli")[0]
