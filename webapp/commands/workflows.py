"""`flask workflows deploy|validate|worker|check|repair` and `flask serve`."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Mapping
from contextlib import nullcontext
from datetime import datetime
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from waitress.server import create_server

from webapp import access_log
from webapp.commands.base import fail
from webapp.commands.base import session_factory
from webapp.commands.base import write
from webapp.extensions import db
from workflows.cases import stalled as stalled_mod
from workflows.engine import clock
from workflows.engine import definitions
from workflows.errors import WorkflowError
from workflows.notify import mailer
from workflows.records import probation as probation_mod
from workflows.timers import worker as worker_mod

group = AppGroup("workflows", help="Process definitions and the timer worker.")


def mailer_from(config: Mapping[str, Any]) -> mailer.Mailer | None:
    """The SMTP settings of the app config, or None when e-mail is off (no ORGFLOW_SMTP_HOST)."""
    if not config.get("ORGFLOW_SMTP_HOST"):
        return None
    return mailer.Mailer(host=config["ORGFLOW_SMTP_HOST"], port=config["ORGFLOW_SMTP_PORT"],
                  sender=config["ORGFLOW_SMTP_FROM"], username=config.get("ORGFLOW_SMTP_USER"),
                  password=config.get("ORGFLOW_SMTP_PASSWORD"), starttls=config["ORGFLOW_SMTP_STARTTLS"],
                  use_ssl=config["ORGFLOW_SMTP_SSL"], base_url=config.get("ORGFLOW_BASE_URL"))


def worker_config(batch: int = 20, lease: float = 60.0) -> worker_mod.WorkerConfig:
    return worker_mod.WorkerConfig(batch=batch, lease=timedelta(seconds=lease), mailer=mailer_from(current_app.config))


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"无法识别的时间：{text}")
        raise
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.SHANGHAI)


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


@group.command("check")
@click.option("--limit", default=1000, show_default=True, help="List at most this many stalled cases.")
def check(limit: int) -> None:
    """List running cases nobody can move (no open item, timer or deadline); exit 1 if any."""
    found = stalled_mod.stalled(db.session, limit)
    for case in found:
        click.echo(f"{case.number}\t{case.process}\t停在：{'、'.join(case.waiting_in) or '（未知步骤）'}")
    click.echo(f"停滞的流程：{len(found)} 个")
    if found:
        click.echo("可运行 flask workflows repair 查看能否修复", err=True)
        raise SystemExit(1)


@group.command("repair")
@click.option("--apply", "apply_", is_flag=True, help="Repair (default: only list what would be repaired).")
def repair(apply_: bool) -> None:
    """Merge 会签 signatures left unmerged (G18) and move those cases on; a dry run by default."""
    plan = stalled_mod.repair_plan(db.session)
    db.session.rollback()
    for case in plan:
        merges = "、".join(f"{step}（{n} 份签署）" for step, n in case.merges)
        if not apply_:
            click.echo(f"{case.number}\t将合并：{merges}")
            continue
        done = write(partial(stalled_mod.repair, db.session, case.id))
        click.echo(f"{case.number}\t已合并：{merges}" if done else f"{case.number}\t已无需修复")
    verb = "已修复" if apply_ else "可修复（加 --apply 执行）"
    click.echo(f"{verb}：{len(plan)} 个流程")


@group.command("worker")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between passes.")
@click.option("--once", is_flag=True, help="Fire what is due now and exit.")
@click.option("--batch", default=20, show_default=True, help="Jobs leased per claim.")
@click.option("--lease", default=60.0, show_default=True, help="Seconds a claimed job stays this worker's.")
@click.option("--at", "at", help="With --once: act as if it were this time (Asia/Shanghai), e.g. 2026-10-11T00:00.")
def worker(interval: float, once: bool, batch: int, lease: float, at: str | None) -> None:
    """Fire due timers and deadlines; run as many as you like in parallel."""
    config = worker_config(batch, lease)
    if at and not once:
        fail("--at 只能与 --once 一起使用")
    if once:
        with clock.frozen_at(_moment(at)) if at else nullcontext():
            click.echo(f"fired {worker_mod.run_once(session_factory(), config)}")
        return
    click.echo(f"timer worker {config.owner} running (Ctrl-C to stop)")
    worker_mod.loop(session_factory(), interval, stop=_stop_on_sigterm(), config=config)


@group.command("probation-due")
@click.option("--at", "at", help="Act as if it were this time (Asia/Shanghai), e.g. 2027-03-01T09:00.")
def probation_due(at: str | None) -> None:
    """Start the 转正 case of every 预备党员 whose 预备期 has ended (the worker does it on every pass)."""
    with clock.frozen_at(_moment(at)) if at else nullcontext():
        started = write(lambda: probation_mod.start_due(db.session))
    for case in started:
        click.echo(f"{case.number}\t{case.title}")
    click.echo(f"已发起转正：{len(started)} 件")


def _stop_on_sigterm() -> threading.Event:
    """SIGTERM (systemd, scripts/run-pg.sh) ends the worker after its current pass.

    A worker killed outright is safe too (its transaction dies, its leases expire); stopping
    between passes only spares the retry.
    """
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    return stop


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000)
@click.option("--threads", default=4, type=click.IntRange(1, 32), envvar="ORGFLOW_SERVE_THREADS",
              help="request threads (ORGFLOW_SERVE_THREADS)")
def serve(host: str, port: int, threads: int) -> None:
    """Serve the app with one in-process timer worker (what `make run` uses).

    waitress, a production WSGI server in this one process: a fixed pool of request threads
    (a burst of connections queues instead of starting a thread each), request bodies bounded
    by the app's own limit before they reach it, idle connections closed. Its own part of a
    request is less than half what werkzeug's development server's was (docs/performance.md).
    SIGTERM and Ctrl-C stop it after the requests under way (at most five seconds). Each request
    is logged in gunicorn's shape (`ORGFLOW_ACCESS_LOG`: `-` by default, a file, or empty)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    worker_mod.start_thread(session_factory(), config=worker_config())
    server = create_server(
        access_log.wrap(app, os.environ.get("ORGFLOW_ACCESS_LOG")), host=host, port=port, threads=threads,
        ident="OrgFlow",
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"], channel_timeout=60, connection_limit=200)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))  # ends server.run's loop
    for listen_host, listen_port in getattr(server, "effective_listen", None) or [
            (server.effective_host, server.effective_port)]:  # type: ignore[union-attr]
        click.echo(f" * Running on http://{listen_host}:{listen_port} ({threads} threads)", err=True)
    server.run()
