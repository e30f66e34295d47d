"""`flask cadres import FILE` and `flask cadres export FILE`: the 干部信息采集表 (.xlsx)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.commands.base import fail
from webapp.commands.base import write
from webapp.extensions import db
from webapp.transaction import commit
from workflows.engine import locking
from workflows.records import cadre_export
from workflows.records import cadre_import
from workflows.records import workbook

group = AppGroup("cadres", help="干部信息 (cadre records).")


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Import a 干部信息采集表 (.xlsx); every error is listed with its sheet, row and column, and
    nothing is written if there is any."""
    if file.stat().st_size > workbook.MAX_BYTES:
        fail(f"{file} 超过 5 MB")
    data = file.read_bytes()
    locking.begin_write(db.session)
    try:
        result = cadre_import.import_cadres(db.session, data)
    except cadre_import.ImportRefused as exc:
        db.session.rollback()
        click.echo("\n".join(str(error) for error in exc.errors), err=True)
        fail(exc.message)
    commit()
    click.echo(f"干部信息：新建 {result.created}，更新 {result.updated}（共 {len(result.usernames)} 人）")


@group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(file: Path) -> None:
    """Write every cadre record to a 干部信息采集表 (.xlsx); the export is audited."""
    data = write(lambda: cadre_export.export_cadres(db.session, None, via="cli"))
    file.write_bytes(data)
    click.echo(f"已导出到 {file}")
