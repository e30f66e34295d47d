"""SQL statements per `POST /api/v1/tasks/<id>/complete` (issue 7; run by hand:
`.venv/bin/python -m bench.sql_count`).

Pushes cadre_promotion cases through every step up to the 试用期 timer with the API (WSGI in-process, the
test client) and counts the statements each completion sends to the database with a
SQLAlchemy `before_cursor_execute` listener: every SELECT/INSERT/UPDATE and SQLite's BEGIN;
the COMMIT is a DBAPI call, not a statement, and is not counted.
Unlike time, the count is deterministic, so it is the number to watch on a noisy machine.
`--show TASK` prints the statements of that step. Writes the table to docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from datetime import date
from typing import Any

from bench.cadre import APPROVERS
from bench.cadre import STEPS
from bench.cadre import forms
from bench.cadre import seed_cases
from bench.cadre import tokens
from bench.common import machine
from bench.common import scratch_app
from bench.common import write_section

# Measured with this script on main at e5d5dd8, before the issue-7 round-trip work (SQLite).
BEFORE = {"deliberation": 35, "recommendation": 40, "inspection_targets": 46, "inspection": 29,
          "discipline_opinion": 36, "department_review": 40, "committee_decision": 39, "publicity": 36,
          "publicity_review": 34, "appointment": 36, "probation_review": 26}


class Counter:
    """Statements executed on the app's engine while `active` is set."""

    def __init__(self) -> None:
        self.active = False
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.active:
            self.statements.append(statement)


def counted_run(app: Any, cases: int) -> tuple[dict[str, list[int]], dict[str, list[str]]]:
    """Statement counts per step over `cases` cases, and the statements of the last case's steps."""
    from sqlalchemy import event

    from webapp.extensions import db

    ids = seed_cases(app, cases)
    keys = tokens(app, APPROVERS)
    client, data = app.test_client(), forms()
    counter = Counter()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)
    counts: dict[str, list[int]] = defaultdict(list)
    last: dict[str, list[str]] = {}
    for case_id in ids:
        for task, user in STEPS:
            headers = {"Authorization": f"Bearer {keys[user]}"}
            items = client.get("/api/v1/tasks?view=todo&limit=100", headers=headers).get_json()["items"]
            item = next(i for i in items if i["instance_id"] == case_id and i["task"] == task)
            counter.active, counter.statements = True, []
            response = client.post(f"/api/v1/tasks/{item['id']}/complete", json={"data": data[task]}, headers=headers)
            counter.active = False
            assert response.status_code == 200, response.get_json()
            counts[task].append(len(counter.statements))
            last[task] = counter.statements
        assert response.get_json()["instance"]["status"] == "running"  # waiting on the 试用期 timer (bench.cadre)
    return counts, last


def table(counts: dict[str, list[int]]) -> str:
    rows = ["| step | before | after | change |", "|---|---|---|---|"]
    for task, _ in STEPS:
        now = int(statistics.median(counts[task]))
        rows.append(f"| {task} | {BEFORE[task]} | {now} | {now - BEFORE[task]:+d} |")
    before, after = sum(BEFORE[t] for t, _ in STEPS), sum(int(statistics.median(counts[t])) for t, _ in STEPS)
    rows.append(f"| **whole case ({len(STEPS)} completions)** | **{before}** | **{after}** | **{(after - before) / before:+.0%}** |")
    rows.append(f"| **median per completion** | **{statistics.median(BEFORE[t] for t, _ in STEPS):.0f}** | "
                f"**{statistics.median(statistics.median(counts[t]) for t, _ in STEPS):.0f}** | |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=3, help="cases to push through (counts are medians over them)")
    parser.add_argument("--show", help="print the statements of this step")
    parser.add_argument("--database", help="SQLAlchemy URL of an empty database (default: a scratch SQLite file)")
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs/performance.md alone")
    args = parser.parse_args()
    counts, last = counted_run(scratch_app(args.database), args.n)
    if args.show:
        print("\n".join(f"{n:3} {s.split(chr(10))[0][:160]}" for n, s in enumerate(last[args.show], 1)))
    body = f"""## SQL statements per API completion (issue 7)

Measured {date.today().isoformat()} with `.venv/bin/python -m bench.sql_count -n {args.n}` on {machine()}.
Every step of a regular cadre_promotion case completed with `POST /api/v1/tasks/<id>/complete`
(WSGI in-process, SQLite); statements counted with a SQLAlchemy `before_cursor_execute` listener
(SQLite's `BEGIN IMMEDIATE` included, the DBAPI commit not); medians over {args.n} cases (the counts do not vary). "before" is main
at e5d5dd8.

{table(counts)}
"""
    if not args.no_write:
        write_section("sql-per-completion", body)
    print(body)


if __name__ == "__main__":
    main()
