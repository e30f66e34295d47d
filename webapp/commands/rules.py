"""`flask rules list|window|table`: the rule packs, their validity windows, and the rules with their sources."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.commands.base import write
from webapp.extensions import db
from workflows.rules import load_packs
from workflows.rules import overlays
from workflows.rules import table

group = AppGroup("rules", help="Rule packs and their validity windows.")


@group.command("list")
def list_packs() -> None:
    """Every rule pack with its effective window."""
    for pack in load_packs().values():
        window = overlays.window(db.session, pack.id)
        click.echo(f"{pack.id}\t{window.valid_from or '—'} … {window.valid_to or '—'}\t({window.source})\t{pack.title}")


@group.command("window")
@click.argument("pack_id")
@click.option("--from", "valid_from", required=True, help="First valid day, YYYY-MM-DD.")
@click.option("--to", "valid_to", default=None, help="Last valid day, YYYY-MM-DD (omit: open-ended).")
@click.option("--note", default=None, help="Why (kept in the audit trail).")
def set_window(pack_id: str, valid_from: str, valid_to: str | None, note: str | None) -> None:
    """Set the validity window of PACK_ID (e.g. the covid-2020 overlay)."""
    body = {"valid_from": valid_from, "valid_to": valid_to, "note": note}
    window = write(lambda: overlays.update_window(db.session, pack_id, body, None))
    click.echo(f"{window.pack_id}: {window.valid_from} … {window.valid_to or '—'}")


@group.command("table")
def rules_table() -> None:
    """Every rule with its source, and how each body is counted, as Markdown (docs/rules.md)."""
    click.echo(table.markdown(), nl=False)
