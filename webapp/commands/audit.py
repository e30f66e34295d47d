"""`flask audit verify|checkpoint|export`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.commands.base import fail
from webapp.commands.base import write
from webapp.extensions import db
from workflows import audit as audit_mod
from workflows.audit import record_check
from workflows.errors import NotFound

group = AppGroup("audit", help="The audit chain.")


def _load_checkpoint(path: Path) -> dict[str, object]:
    try:
        data: object = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        fail(f"无法读取检查点 {path}：{exc}")
    if not isinstance(data, dict) or not isinstance(data.get("seq"), int) or not isinstance(data.get("hash"), str):
        fail(f"{path} 不是检查点文件（需要 seq 与 hash）")
    return data


@group.command("verify")
@click.option("--against", "against", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A checkpoint file (from `flask audit checkpoint --out`) the chain must still contain.")
@click.option("--case", "case", metavar="N",
              help="Check one case (its id or number): its events against the chain, its record against its events.")
def verify(against: Path | None, case: str | None) -> None:
    """Walk the whole chain, then check every case's record (decisions, opinions, form data,
    status) against its events; one line per difference, exit 1 if anything differs."""
    if case is not None:
        if against:
            fail("--case 与 --against 不能同时使用")
        try:
            found = record_check.find_case(db.session, case)
        except NotFound as exc:
            fail(exc.message)
        check = record_check.check_case(db.session, found)
        for difference in check.differences:
            click.echo(difference.line())
        if not check.ok:
            fail(f"{check.number}：{len(check.differences)} 处记录与审计链不一致")
        click.echo(f"OK case {check.number}: record matches its {check.events} events")
        return
    checkpoint = _load_checkpoint(against) if against else None
    result = audit_mod.verify(db.session, checkpoint)
    if not result.ok:
        fail(f"审计链在第 {result.broken_seq} 号事件处断开：{result.reason}")
    cases = differences = 0
    for check in record_check.check_all(db.session):
        cases += 1
        differences += len(check.differences)
        for difference in check.differences:
            click.echo(difference.line())
    if differences:
        fail(f"审计链完好，但有 {differences} 处记录与审计链不一致")
    suffix = f"; checkpoint {checkpoint['seq']} matches" if checkpoint else ""
    click.echo(f"OK {result.count} events, head {result.head_seq} {result.head_hash}{suffix}; "
               f"records of {cases} cases match the chain")


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


@group.command("rotate-key")
def rotate_key() -> None:
    """Hand the chain over to ORGFLOW_AUDIT_KEY (the old key must be in ORGFLOW_AUDIT_PREVIOUS_KEYS)."""
    try:
        old, new = write(lambda: audit_mod.rotate(db.session))
    except audit_mod.KeyUnavailable as exc:
        fail(f"{exc}；请把当前使用的密钥放入 ORGFLOW_AUDIT_PREVIOUS_KEYS")
    click.echo(f"audit key rotated: {old} → {new}")


@group.command("export")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSON-lines file; verify it anywhere with `python -m workflows.audit.chain`.")
def export(out: Path) -> None:
    """Write every event, in chain order, for the standalone verifier."""
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for record in audit_mod.export(db.session):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    click.echo(f"exported {count} events to {out}")
