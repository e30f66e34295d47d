"""Helpers of the page tests for the approval actions: read what a page offers and what the
audit log recorded, through the same HTML the browser gets."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from models import AuditEvent
from models import ProcessInstance
from models import WorkItem
from webapp.extensions import db

DIALOG = re.compile(r'<details class="act-pop" id="act-([a-z-]+)-([ic])(\d+)"')


def dialogs(html: str) -> list[tuple[str, str, int]]:
    """The action dialogs a page offers: (action, "i" item / "c" case, target id)."""
    return [(name, scope, int(target)) for name, scope, target in DIALOG.findall(html)]


def offered(html: str) -> set[str]:
    return {name for name, _, _ in dialogs(html)}


def dialog(html: str, key: str) -> str:
    """The HTML of one action dialog, e.g. dialog(html, "return-i3")."""
    start = html.index(f'id="act-{key}"')
    return html[start:html.index("</details>", start)]


def field_error(html: str, key: str, name: str) -> str:
    """The error shown next to field `name` of dialog `key` ('' when none)."""
    found = re.search(rf'<p class="field-error" id="f-{key}-{name}-error">([^<]+)</p>', html)
    return found.group(1) if found else ""


def audit_actions(app: Flask, case_id: int) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == case_id)
                                  .order_by(AuditEvent.seq)).all()
        db.session.remove()
        return list(rows)


def case_status(app: Flask, case_id: int) -> str:
    with app.app_context():
        instance = db.session.get(ProcessInstance, case_id)
        assert instance is not None
        status = instance.status
        db.session.remove()
        return status


def open_steps(app: Flask, case_id: int) -> list[tuple[str, str, bool]]:
    """The case's open items: (task, kind, on hold)."""
    with app.app_context():
        rows = db.session.scalars(select(WorkItem).where(WorkItem.instance_id == case_id, WorkItem.status == "open")
                                  .order_by(WorkItem.id)).all()
        found = [(r.task_name, r.kind, r.on_hold) for r in rows]
        db.session.remove()
        return found


def timeline(html: str) -> str:
    """The opinion timeline (审批记录) part of a case page."""
    return html[html.index('<ol class="timeline">'):html.index("</ol>", html.index('<ol class="timeline">'))]


def tags(html: str) -> list[str]:
    """Every text in the page's timeline tags and move lines, in order (the record read back)."""
    return re.findall(r'<(?:span class="tag[^"]*"|div class="tl-move")>([^<]+)<', timeline(html))


def item_ids(html: str, action: str) -> list[int]:
    return [int(i) for i in re.findall(rf'action="/items/(\d+)/{action}"', html)]
