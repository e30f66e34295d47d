"""CLI groups under `flask`; one module per group. Commands call workflows/ and commit once."""

from __future__ import annotations

from flask import Flask

from webapp.commands import audit
from webapp.commands import cadres
from webapp.commands import calendar
from webapp.commands import demo
from webapp.commands import org
from webapp.commands import rules
from webapp.commands import users
from webapp.commands import workflows

GROUPS = (org.group, users.group, demo.group, workflows.group, audit.group, rules.group, calendar.group,
          cadres.group)


def register(app: Flask) -> None:
    for group in GROUPS:
        app.cli.add_command(group)
    app.cli.add_command(workflows.serve)
