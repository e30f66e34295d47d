"""What every printed document carries: the printer and print time, the case's audit head (the
hash of its latest audit event, reads excluded) and a QR code of it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent
from models import OrgUnit
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemKind
from models import WorkItemStatus
from workflows import money
from workflows.audit import reads
from workflows.audit import record_check
from workflows.engine import clock
from workflows.labels import status_title


def status_text(instance: ProcessInstance) -> str:
    """The case's status in words: for a case that ended, its real outcome (the end event's name,
    e.g. 试用期不胜任·免去试任职务, 转纪律审查), never a bare 已通过."""
    outcome = (instance.data or {}).get("outcome_text") if instance.status in ("completed", "rejected") else None
    base = status_title(instance.status)
    return f"{base}：{outcome}" if outcome else base


@dataclass(frozen=True)
class Seal:
    """The case's audit head: seq and hash of its latest event that is not a read, and a QR of it.

    Reads (downloads, exports, refused reads) are left out, so every print of an unchanged case carries the same
    head; the standalone verifier proves the chain up to and past this event.
    """

    seq: int | None
    hash: str
    qr_text: str
    qr_svg: str


@dataclass(frozen=True)
class Printing:
    number: str
    printer: str
    printed_at: str
    seal: Seal
    record: str = ""  # 记录与审计链一致 / 记录与审计链不一致：…
    record_ok: bool = True


# A run of characters with no line-break opportunity (letters, digits, marks; not spaces and not
# CJK, which breaks between any two characters).
_UNBROKEN = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]{40,}")
ZWSP = "\u200b"


def breakable(text: Any, every: int = 20) -> str:
    """`text` with a zero-width space every `every` characters inside a run of 40 or more that has
    no break opportunity: weasyprint lays out an unbroken run again for every line it splits off
    (quadratic in its length), and would let it run off the page."""
    value = "" if text is None else str(text)
    return _UNBROKEN.sub(lambda m: ZWSP.join(m.group(0)[i:i + every] for i in range(0, len(m.group(0)), every)),
                         value)


def when(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time as Shanghai wall-clock text ("" for none)."""
    return moment.astimezone(clock.SHANGHAI).strftime(fmt) if moment else ""


def day_text(value: str | date | None) -> str:
    """An ISO date as 2026年03月02日 ("" for none)."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def yuan(text: str | None) -> str:
    """A money string with thousands separators: "120000.00" → "120,000.00"."""
    return f"{money.parse(text):,.2f}"


def qr_svg(text: str) -> str:
    """An inline SVG QR code (error correction M) of `text`, drawn with presentation attributes only."""
    return str(segno.make(text, error="m", micro=False).svg_inline(scale=2, border=2, svgclass="qr"))


def seal_of(session: Session, instance: ProcessInstance) -> Seal:
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.instance_id == instance.id, AuditEvent.action.not_in(sorted(reads.TRACES)))
        .order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    if row is None:
        return Seal(None, "", "", "")
    text = f"OrgFlow {instance.number} #{row.seq} {row.hash}"
    return Seal(row.seq, row.hash, text, qr_svg(text))


def printing(session: Session, instance: ProcessInstance, printer: User) -> Printing:
    check = record_check.check_case(session, instance)
    return Printing(number=instance.number, printer=f"{printer.name}（{printer.username}）",
                    printed_at=when(clock.now()), seal=seal_of(session, instance), record=check.summary,
                    record_ok=check.ok)


def unit_names(session: Session, codes: list[str]) -> dict[str, str]:
    """Unit code → name, in one query."""
    if not codes:
        return {}
    return dict(session.execute(select(OrgUnit.code, OrgUnit.name).where(OrgUnit.code.in_(codes))).all())


def submissions(session: Session, instance: ProcessInstance, *tasks: str) -> dict[str, list[WorkItem]]:
    """The completed items of these steps (signer opinions aside), oldest first, in one query."""
    rows = session.scalars(
        select(WorkItem).where(WorkItem.instance_id == instance.id, WorkItem.task_name.in_(tasks),
                               WorkItem.status == WorkItemStatus.COMPLETED, WorkItem.kind == WorkItemKind.TASK)
        .order_by(WorkItem.completed_at, WorkItem.id)
    )
    found: dict[str, list[WorkItem]] = {task: [] for task in tasks}
    for row in rows:
        found[row.task_name].append(row)
    return found


def latest(found: dict[str, list[WorkItem]], task: str) -> dict[str, Any]:
    """The data of the last completed item of `task` ({} when there is none)."""
    items = found.get(task) or []
    return dict(items[-1].data or {}) if items else {}
