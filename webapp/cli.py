"""`flask org|users|demo|workflows|audit …` — each command calls workflows/ and commits once."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask import current_app
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.transaction import commit
from workflows import accounts
from workflows import audit as audit_mod
from workflows import definitions
from workflows import demo as demo_mod
from workflows import org_import
from workflows import worker as worker_mod
from workflows.errors import WorkflowError
from workflows.locking import begin_write

org = AppGroup("org", help="Organization tree.")
users = AppGroup("users", help="Users, roles and API tokens.")
demo = AppGroup("demo", help="Demo data.")
workflows_group = AppGroup("workflows", help="Process definitions and the timer worker.")
audit = AppGroup("audit", help="The audit chain.")


def fail(message: str) -> None:
    """One line on stderr and a non-zero exit."""
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


def _write(action: Any) -> Any:
    """Run one writing action in its own transaction; turn service errors into a one-line exit."""
    try:
        begin_write(db.session)
        result = action()
        commit()
        return result
    except WorkflowError as exc:
        db.session.rollback()
        fields = getattr(exc, "fields", None)
        fail(exc.message + (f" {json.dumps(fields, ensure_ascii=False)}" if fields else ""))


@org.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def org_import_command(file: Path) -> None:
    """Import units, users, roles and ratings from a JSON FILE (idempotent)."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"{file} 不是有效的 JSON：{exc}")
    result = _write(lambda: org_import.import_org(db.session, data))
    click.echo(f"新增 {result.created}，更新 {result.updated}")


@users.command("create")
@click.argument("username")
@click.option("--name", required=True)
@click.option("--unit", "unit_code", help="Org unit code.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", "roles", multiple=True, help="role@UNIT, e.g. org_officer@S1 (repeatable).")
def users_create(username: str, name: str, unit_code: str | None, password: str, roles: tuple[str, ...]) -> None:
    """Create a user."""

    def create() -> None:
        user = accounts.create_user(db.session, username, name, unit_code, password)
        for grant in roles:
            role, _, unit = grant.partition("@")
            accounts.set_role(db.session, user, role, unit or unit_code or "")

    _write(create)
    click.echo(f"已创建用户 {username}")


@users.command("set-role")
@click.argument("username")
@click.argument("role")
@click.argument("unit_code")
def users_set_role(username: str, role: str, unit_code: str) -> None:
    """Give USERNAME the ROLE at UNIT_CODE."""
    added = _write(lambda: accounts.set_role(db.session, accounts.find_user(db.session, username), role, unit_code))
    click.echo("已授予" if added else "该角色已存在，未改动")


@users.command("token")
@click.argument("username")
@click.option("--name", default="cli", help="A label for the token.")
def users_token(username: str, name: str) -> None:
    """Create an API token for USERNAME and print it (shown only once)."""
    token = _write(lambda: accounts.create_token(db.session, accounts.find_user(db.session, username), name))
    click.echo(token)


@demo.command("load")
@click.option("--once", is_flag=True, help="Do nothing if the demo organization exists.")
@click.option("--password", envvar="ORGFLOW_DEMO_PASSWORD", help="One password for all demo users.")
def demo_load(once: bool, password: str | None) -> None:
    """Load the demo organization and print its logins once."""
    loaded = _write(lambda: demo_mod.load(db.session, password, once))
    if not loaded.loaded:
        click.echo("演示组织已存在，未重复导入（登录信息见 instance/demo-logins.txt）")
        return
    lines = [f"{username}\t{pw}" for username, pw in loaded.passwords.items()]
    path = Path(current_app.instance_path) / "demo-logins.txt"
    path.write_text("用户名\t密码\n" + "\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    click.echo("演示组织已导入。登录信息（仅显示这一次，另存于 instance/demo-logins.txt）：")
    click.echo("\n".join(lines))


@workflows_group.command("deploy")
def workflows_deploy() -> None:
    """Validate bpmn/ and store a new version of every changed process."""
    results = _write(lambda: definitions.deploy_all(db.session))
    for r in results:
        click.echo(f"{r.key}: v{r.version} {'新部署' if r.created else '未变化'}")


@workflows_group.command("validate")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def workflows_validate(directory: Path | None) -> None:
    """Validate every diagram and form without deploying."""
    try:
        checked = definitions.validate_all(directory or definitions.BPMN_DIR)
    except WorkflowError as exc:
        fail(exc.message)
    for item in checked:
        click.echo(f"{item.path.name}: OK ({', '.join(p.key for p in item.processes)})")


@workflows_group.command("worker")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between passes.")
@click.option("--once", is_flag=True, help="Fire what is due now and exit.")
def workflows_worker(interval: float, once: bool) -> None:
    """Fire due timers and deadlines; run as many as you like in parallel."""
    factory = _session_factory()
    if once:
        click.echo(f"fired {worker_mod.run_once(factory)}")
        return
    click.echo("timer worker running (Ctrl-C to stop)")
    worker_mod.loop(factory, interval)


def _session_factory() -> Any:
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(bind=db.engine)


@audit.command("verify")
def audit_verify() -> None:
    """Walk the whole chain; exit 1 at the first broken event."""
    result = audit_mod.verify(db.session)
    if not result.ok:
        fail(f"审计链在第 {result.broken_seq} 号事件处断开：{result.reason}")
    click.echo(f"OK {result.count} events, head {result.head_seq} {result.head_hash}")


@audit.command("checkpoint")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the checkpoint to this file.")
def audit_checkpoint(out: Path | None) -> None:
    """Print the head hash and count, to keep outside the database."""
    result = audit_mod.verify(db.session)
    if not result.ok:
        fail(f"审计链在第 {result.broken_seq} 号事件处断开：{result.reason}")
    checkpoint = {"seq": result.head_seq, "hash": result.head_hash, "count": result.count}
    if out:
        out.write_text(json.dumps(checkpoint) + "\n", encoding="utf-8")
    click.echo(json.dumps(checkpoint))


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000)
def serve(host: str, port: int) -> None:
    """Serve the app with one in-process timer worker (what `make run` uses)."""
    app = current_app._get_current_object()
    factory = _session_factory()
    worker_mod.start_thread(factory)
    app.run(host=host, port=port, use_reloader=False, threaded=True)


def register(app: Flask) -> None:
    for group in (org, users, demo, workflows_group, audit):
        app.cli.add_command(group)
    app.cli.add_command(serve)
