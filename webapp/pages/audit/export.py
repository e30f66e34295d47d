"""CSV exports of the 审计 search results and of the event log: Chinese headers, UTF-8 with a
BOM (spreadsheet tools then read the Chinese right), produced row batch by row batch so a large
export never sits in memory.

`cases` / `events` check the auditor, count the rows and record the export (who, which filters,
how many rows) in the caller's transaction; the caller commits that record before the first
byte is sent, then streams `Export.lines()`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from models import User
from webapp.pages.audit import search as audit_search
from webapp.pages.audit.search import CaseSearch
from webapp.pages.audit.search import EventSearch
from workflows.audit import reads
from workflows.engine import clock
from workflows.labels import status_title

BOM = "\ufeff"
CASE_HEADER = ["编号", "标题", "流程", "状态", "发起人", "所属组织", "当事人", "发起时间", "结束时间"]
EVENT_HEADER = ["序号", "时间（北京时间）", "操作人", "代理对象", "操作", "流程编号", "步骤", "内容", "技术详情", "哈希"]
ROWS_PER_CHUNK = 200


@dataclass
class Export:
    filename: str
    rows: int
    lines: Callable[[], Iterator[str]]


def _time(moment: datetime | None) -> str:
    return moment.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def csv_chunks(header: list[str], rows: Iterable[list[str]], per_chunk: int = ROWS_PER_CHUNK) -> Iterator[str]:
    """The BOM and header, then the rows as CSV text, `per_chunk` rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield BOM + buffer.getvalue()
    buffer.seek(0), buffer.truncate()
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0), buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _stamp() -> str:
    return clock.now().astimezone(clock.SHANGHAI).strftime("%Y%m%d-%H%M%S")


def cases(session: Session, auditor: User, search: CaseSearch) -> Export:
    audit_search.require_auditor(session, auditor)
    upto = audit_search.last_case_id(session)
    total = audit_search.count_cases(session, search, upto)
    reads.record(session, auditor, reads.EXPORT, {"export": "cases", "filters": search.filters(), "rows": total})

    def lines() -> Iterator[str]:
        rows = ([c.number, c.title, c.process, status_title(c.status), c.initiator, c.unit, c.subject,
                 _time(c.created_at), _time(c.completed_at)] for c in audit_search.all_cases(session, search, upto))
        return csv_chunks(CASE_HEADER, rows)

    return Export(f"orgflow-cases-{_stamp()}.csv", total, lines)


def events(session: Session, auditor: User, search: EventSearch) -> Export:
    audit_search.require_auditor(session, auditor)
    upto = audit_search.last_seq(session)
    total = audit_search.count_events(session, search, upto)
    reads.record(session, auditor, reads.EXPORT, {"export": "events", "filters": search.filters(), "rows": total,
                                                  "up_to_seq": upto})

    def lines() -> Iterator[str]:
        rows = ([str(e.seq), _time(e.at), e.actor, e.acted_for, e.title, e.number, e.step, e.summary, e.detail, e.hash]
                for e in audit_search.all_events(session, search, upto))
        return csv_chunks(EVENT_HEADER, rows)

    return Export(f"orgflow-events-{_stamp()}.csv", total, lines)
