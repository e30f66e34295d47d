"""`flask workflows deploy|validate|worker` and `flask serve`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.commands.base import fail
from webapp.commands.base import session_factory
from webapp.commands.base import write
from webapp.extensions import db
from workflows import definitions
from workflows import worker as worker_mod
from workflows.errors import WorkflowError

group = AppGroup("workflows", help="Process definitions and the timer worker.")


@group.command("deploy")
def deploy() -> None:
    """Validate bpmn/ and store a new version of every changed process."""
    for r in write(lambda: definitions.deploy_all(db.session)):
        click.echo(f"{r.key}: v{r.version} {'新部署' if r.created else '未变化'}")


@group.command("validate")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def validate(directory: Path | None) -> None:
    """Validate every diagram and form without deploying."""
    try:
        checked = definitions.validate_all(directory or definitions.BPMN_DIR)
    except WorkflowError as exc:
        fail(exc.message)
    for item in checked:
        click.echo(f"{item.path.name}: OK ({', '.join(p.key for p in item.processes)})")


@group.command("worker")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between passes.")
@click.option("--once", is_flag=True, help="Fire what is due now and exit.")
def worker(interval: float, once: bool) -> None:
    """Fire due timers and deadlines; run as many as you like in parallel."""
    factory = session_factory()
    if once:
        click.echo(f"fired {worker_mod.run_once(factory)}")
        return
    click.echo("timer worker running (Ctrl-C to stop)")
    worker_mod.loop(factory, interval)


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000)
def serve(host: str, port: int) -> None:
    """Serve the app with one in-process timer worker (what `make run` uses)."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    worker_mod.start_thread(session_factory())
    # run_simple, not app.run(): Flask ignores app.run() inside its own CLI commands.
    run_simple(host, port, app, threaded=True, use_reloader=False)
