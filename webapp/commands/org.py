"""`flask org import FILE`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.commands.base import fail
from webapp.commands.base import write
from webapp.extensions import db
from workflows.admin import org_import

group = AppGroup("org", help="Organization tree.")


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Import units, users, roles and ratings from a JSON FILE (idempotent)."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"{file} 不是有效的 JSON：{exc}")
    result = write(lambda: org_import.import_org(db.session, data))
    click.echo(f"新增 {result.created}，更新 {result.updated}")
