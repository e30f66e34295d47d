"""`flask demo load`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.commands.base import write
from webapp.extensions import db
from workflows import demo as demo_mod
from workflows.demo import cases as demo_cases

group = AppGroup("demo", help="Demo data.")


@group.command("load")
@click.option("--once", is_flag=True, help="Do nothing if the demo organization exists.")
@click.option("--password", envvar="ORGFLOW_DEMO_PASSWORD", help="One password for all demo users.")
@click.option("--no-cases", is_flag=True, help="Only the organization, no demo cases.")
@click.option("--logins", "logins", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to keep the printed logins [default: instance/demo-logins.txt].")
def load(once: bool, password: str | None, no_cases: bool, logins: Path | None) -> None:
    """Load the demo organization (and a few cases in different steps) and print its logins once."""
    path = logins or Path(current_app.instance_path) / "demo-logins.txt"
    loaded = write(lambda: demo_mod.load(db.session, password, once))
    if not loaded.loaded:
        click.echo(f"演示组织已存在，未重复导入（登录信息见 {path}）")
        return
    if not no_cases:
        created = write(lambda: demo_cases.seed(db.session, demo_cases.DEMO_SCENES))
        click.echo(f"演示案件 {len(created)} 件：" + "、".join(f"{c.number} {c.title}" for c in created))
    lines = [f"{username}\t{pw}" for username, pw in loaded.passwords.items()]
    path.write_text("用户名\t密码\n" + "\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    click.echo(f"演示组织已导入。登录信息（仅显示这一次，另存于 {path}）：")
    click.echo("\n".join(lines))
