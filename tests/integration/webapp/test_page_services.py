"""The services the new pages added in workflows/: reading a 抄送 and the messages of a case on
opening it (only the viewer's, only that case, idempotent), and the 委托 form's whole days."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from models import CaseCC
from models import Delegation
from models import Notification
from models import User
from tests.helpers import start
from webapp.extensions import db
from webapp.pages import delegations as delegation_view
from workflows.actions import cc
from workflows.engine import clock
from workflows.notify import notifications


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def test_opening_a_case_reads_only_that_case_for_only_that_viewer(app: Flask, api: Any) -> None:
    first, second = start(api)["id"], start(api)["id"]
    for case in (first, second):
        assert api("s1_03").post(f"/instances/{case}/cc", {"users": ["s2_01", "s2_02"]}).status_code == 200
    with app.app_context():
        reader, other = user("s2_01"), user("s2_02")
        assert cc.unread(db.session, reader, first) and notifications.unread_about(db.session, reader, first)
        assert cc.mark_read(db.session, reader, first) == 1 and cc.mark_read(db.session, reader, first) == 0
        assert notifications.mark_case_read(db.session, reader, first) == 1
        db.session.commit()
        assert not cc.unread(db.session, reader, first) and not notifications.unread_about(db.session, reader, first)
        assert cc.unread(db.session, reader, second) and notifications.unread_about(db.session, reader, second)
        assert cc.unread(db.session, other, first) and notifications.unread_count(db.session, other) == 2
        unread = db.session.scalars(select(CaseCC.user_id).where(CaseCC.read_at.is_(None))).all()
        assert sorted(unread) == sorted([reader.id, other.id, other.id])
        assert db.session.scalar(select(Notification.read_at).where(Notification.user_id == reader.id,
                                                                    Notification.instance_id == first)) is not None


def test_a_delegation_to_a_day_covers_that_whole_day(app: Flask, org: None) -> None:
    with app.app_context(), clock.frozen_at(datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)):
        row = delegation_view.create(db.session, user("s1_01"), {"deputy": ["s1_02"], "starts_at": ["2026-03-02"],
                                                                 "ends_at": ["2026-03-10"], "process_keys": [""]})
        db.session.commit()
        stored = db.session.get(Delegation, row.id)
        assert stored is not None and stored.process_keys is None  # none chosen: every process
        assert stored.starts_at == datetime(2026, 3, 2, tzinfo=clock.SHANGHAI)
        assert stored.ends_at == datetime(2026, 3, 11, tzinfo=clock.SHANGHAI)
        page = delegation_view.page(db.session, user("s1_01"))
        assert [(r.deputy, r.state, r.can_end) for r in page.given] == [("高峰", "active", True)]
        assert [(r.principal, r.can_end) for r in delegation_view.page(db.session, user("s1_02")).received] == [
            ("马立新", False)]
