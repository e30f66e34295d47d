"""`flask calendar import|status`: official holiday schedules for the working-day calendar."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.commands.base import fail
from webapp.commands.base import write
from webapp.extensions import db
from workflows.admin import calendar_import
from workflows.calendar import load_calendar
from workflows.calendar import missing_years_warning
from workflows.engine import clock

group = AppGroup("calendar", help="Working-day calendar: official holiday schedules.")


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", default=None, help="Where the schedule comes from, e.g. the notice's number "
                                             "(default: the file name).")
def import_file(file: Path, source: str | None) -> None:
    """Import a year's schedule from FILE (CSV: date,kind,name; kind holiday or workday)."""
    if file.stat().st_size > calendar_import.MAX_BYTES:
        fail(f"节假日安排文件不能超过 {calendar_import.MAX_BYTES // 1024} KB")
    content = file.read_bytes()
    entry = write(lambda: calendar_import.import_schedule(db.session, content, source or file.name))
    click.echo(f"{entry.year} 年：已导入 {entry.days} 天（{entry.source}）")


@group.command("status")
def status() -> None:
    """Which calendar each year from last year to next year uses, and any warning."""
    calendar = load_calendar(db.session)
    today = clock.today_local().date()
    for year in range(today.year - 1, today.year + 2):
        click.echo(f"{year}\t{calendar.year_label(year)}")
    warning = missing_years_warning(calendar, today)
    if warning:
        click.echo(f"警告：{warning}", err=True)
