"""`flask calendar import`: a year's official schedule beyond the calendar library's data (it ends
with 2026), the calendar each computation used, and the warnings while a year has none.

The 2027 file is a test fixture, not the State Council's schedule (not published when this was
written): its days are marked 测试数据.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy import select

from models import AuditEvent
from models import CalendarDay
from tests.flows import at
from webapp.commands.base import session_factory
from webapp.extensions import db
from workflows.engine.clock import frozen_at
from workflows.timers import worker

FIXTURE = Path(__file__).parents[2] / "fixtures" / "calendar-2027-not-official.csv"
SOURCE = "测试用 2027 年安排（非官方）"


def import_fixture(runner: Any, path: Path = FIXTURE, source: str = SOURCE) -> Any:
    """`flask calendar import FILE --source …` (the 2027 test fixture by default)."""
    return runner.invoke(args=["calendar", "import", str(path), "--source", source])


def test_import_stores_the_year_and_replaces_it_on_a_secondimport_fixture(runner: Any, app: Any) -> None:
    result = import_fixture(runner)
    assert result.exit_code == 0, result.output
    assert "2027 年：已导入 9 天" in result.output
    assert import_fixture(runner).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CalendarDay)) == 9
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "calendar.import")).all()
        assert [e.payload["days"] for e in events] == [9, 9]
    with frozen_at(at("2026-12-04 09:00")):
        status = runner.invoke(args=["calendar", "status"])
    assert "2026\t国务院办公厅 2026 年部分节假日安排（chinesecalendar" in status.output
    assert f"2027\t导入的 2027 年节假日安排（{SOURCE}）" in status.output


@pytest.mark.parametrize(("content", "message"), [
    ("day,kind,name\n2027-01-01,holiday,元旦\n", "第 1 行：首行须为 date,kind,name"),
    ("date,kind,name\n2027-13-01,holiday,元旦\n", "第 2 行：日期“2027-13-01”格式应为 YYYY-MM-DD"),
    ("date,kind,name\n2027-01-01,off,元旦\n", "第 2 行：类别“off”应为 holiday（放假）或 workday（调休上班）"),
    ("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-08,workday,调休\n", "第 3 行：2027-02-08 是周一至周五"),
    ("date,kind,name\n2027-01-01,holiday,元旦\n2028-01-01,holiday,元旦\n", "一个文件只能是一年的安排"),
    ("date,kind,name\n2027-01-01,holiday,元旦\n2027-01-01,holiday,元旦\n", "第 3 行：2027-01-01 重复"),
])
def test_a_bad_file_is_refused_with_one_line_and_nothing_stored(runner: Any, app: Any, tmp_path: Path, content: str,
                                                                 message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = import_fixture(runner, path)
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CalendarDay)) == 0


def test_the_admin_pages_and_the_worker_warn_from_december_until_next_year_is_imported(
        web: Any, app: Any, runner: Any, caplog: pytest.LogCaptureFixture) -> None:
    admin = web("admin")
    with frozen_at(at("2026-11-30 09:00")):
        assert 'id="calendar-warning"' not in admin.page("/admin/users")
        assert _worker_warning(app) is None
    with frozen_at(at("2026-12-01 09:00")):
        page = admin.page("/admin/calendar")
        assert 'id="calendar-warning"' in page and "2027 年尚无官方节假日安排" in page
        caplog.set_level(logging.WARNING, logger="workflows.timers.worker")
        assert "2027 年尚无官方节假日安排" in (_worker_warning(app) or "")
        assert "2027 年尚无官方节假日安排" in caplog.text
        assert import_fixture(runner).exit_code == 0
        page = admin.page("/admin/calendar")
        assert 'id="calendar-warning"' not in page and f"导入的 2027 年节假日安排（{SOURCE}）" in page
        assert _worker_warning(app) is None


def _worker_warning(app: Any) -> str | None:
    with app.app_context():
        session = session_factory()()
        try:
            return worker.check_calendar(session, worker.WorkerConfig())
        finally:
            session.close()
