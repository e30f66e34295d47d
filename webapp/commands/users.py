"""`flask users create|set-role|token`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.commands.base import write
from webapp.extensions import db
from workflows import accounts

group = AppGroup("users", help="Users, roles and API tokens.")


@group.command("create")
@click.argument("username")
@click.option("--name", required=True)
@click.option("--unit", "unit_code", help="Org unit code.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", "roles", multiple=True, help="role@UNIT, e.g. org_officer@S1 (repeatable).")
def create(username: str, name: str, unit_code: str | None, password: str, roles: tuple[str, ...]) -> None:
    """Create a user."""

    def action() -> None:
        user = accounts.create_user(db.session, username, name, unit_code, password)
        for grant in roles:
            role, _, unit = grant.partition("@")
            accounts.set_role(db.session, user, role, unit or unit_code or "")

    write(action)
    click.echo(f"已创建用户 {username}")


@group.command("set-role")
@click.argument("username")
@click.argument("role")
@click.argument("unit_code")
def set_role(username: str, role: str, unit_code: str) -> None:
    """Give USERNAME the ROLE at UNIT_CODE."""
    added = write(lambda: accounts.set_role(db.session, accounts.find_user(db.session, username), role, unit_code))
    click.echo("已授予" if added else "该角色已存在，未改动")


@group.command("token")
@click.argument("username")
@click.option("--name", default="cli", help="A label for the token.")
def token(username: str, name: str) -> None:
    """Create an API token for USERNAME and print it (shown only once)."""
    click.echo(write(lambda: accounts.create_token(db.session, accounts.find_user(db.session, username), name)))
