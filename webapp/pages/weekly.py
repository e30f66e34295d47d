"""周报 pages and JSON: the unit × week matrix, one report with its lines, the schedule form and
the 工作台's part (Flask-free; the routes render and serialize these)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from models import User
from workflows.weekly import matrix as matrix_mod
from workflows.weekly import schedule as schedule_mod

WEEKDAY_CHOICES = list(enumerate(schedule_mod.WEEKDAYS))
Board = matrix_mod.Board


def lead_link(username: str) -> str:
    """The query of the 问责 start form for a line: the person and the source (周报) prefilled. Not
    the unit too: a lead is about a person or a 党组织, never both (the start refuses both)."""
    return urlencode({"subject_user": username, "source": "weekly_report"})


def matrix_json(found: matrix_mod.Matrix) -> dict[str, Any]:
    return {"weeks": [schedule_mod.iso_week(w) for w in found.weeks], "total": len(found.rows),
            "counts": found.counts,
            "items": [{"unit": row.unit.code, "unit_name": row.unit.name,
                       "cells": [{"week": schedule_mod.iso_week(c.week), "week_start": c.week.isoformat(),
                                  "status": c.status, "status_text": c.status_text, "report_id": c.report_id,
                                  "instance_id": c.instance_id, "number": c.number or None} for c in row.cells]}
                      for row in found.rows]}


def report_json(view: matrix_mod.ReportView) -> dict[str, Any]:
    report = view.report
    return {"id": report.id, "unit": view.unit.code, "unit_name": view.unit.name,
            "week": schedule_mod.iso_week(report.week_start), "week_start": report.week_start.isoformat(),
            "status": view.status, "status_text": view.status_text, "due_at": report.due_at.isoformat(),
            "submitted_at": report.submitted_at.isoformat() if report.submitted_at else None,
            "accepted_at": report.accepted_at.isoformat() if report.accepted_at else None,
            "instance_id": report.instance_id, "lines": view.lines,
            "supervisions": [supervision_json(s) for s in view.supervisions]}


def supervision_json(record: Any) -> dict[str, Any]:
    return {"id": record.id, "report_id": record.report_id, "reason": record.reason,
            "created_at": record.created_at.isoformat()}


@dataclass
class SchedulePage:
    schedule: schedule_mod.Schedule
    units: str
    weekdays: list[tuple[int, str]]
    errors: dict[str, list[str]]


def schedule_page(session: Session, viewer: User, errors: dict[str, list[str]] | None = None) -> SchedulePage:
    """The schedule form (the group's 组织部 and admins: NotAllowed otherwise)."""
    schedule_mod.require_edit(session, viewer)
    current = schedule_mod.current(session)
    return SchedulePage(current, ",".join(current.unit_codes), WEEKDAY_CHOICES, errors or {})


def board(session: Session, user: User) -> matrix_mod.Board:
    """The 工作台's 周报 part (see `workflows.weekly.matrix.board`)."""
    return matrix_mod.board(session, user)
