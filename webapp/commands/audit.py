"""`flask audit verify|checkpoint`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.commands.base import fail
from webapp.extensions import db
from workflows import audit as audit_mod

group = AppGroup("audit", help="The audit chain.")


@group.command("verify")
def verify() -> None:
    """Walk the whole chain; exit 1 at the first broken event."""
    result = audit_mod.verify(db.session)
    if not result.ok:
        fail(f"审计链在第 {result.broken_seq} 号事件处断开：{result.reason}")
    click.echo(f"OK {result.count} events, head {result.head_seq} {result.head_hash}")


@group.command("checkpoint")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the checkpoint to this file.")
def checkpoint(out: Path | None) -> None:
    """Print the head hash and count, to keep outside the database."""
    result = audit_mod.verify(db.session)
    if not result.ok:
        fail(f"审计链在第 {result.broken_seq} 号事件处断开：{result.reason}")
    body = {"seq": result.head_seq, "hash": result.head_hash, "count": result.count}
    if out:
        out.write_text(json.dumps(body) + "\n", encoding="utf-8")
    click.echo(json.dumps(body))
