"""The 待办 list with 1,000, 10,000 and 100,000 open items (issues 3 and 7, T4; run by hand:
`.venv/bin/python -m bench.inbox`).

For each size, fills a fresh database with one case per four open work items, each item shared
by two of the 80 demo users (items/40 in every inbox: 25, 250, 2,500), then times for one
approver: the badge count, one page of the queue with its rows (sender, step, due), and the
whole `GET /tasks/todo` page through Flask; and the 100k/1k ratio of each p95.
`--database postgresql://…/orgflow_bench` measures PostgreSQL (that database is dropped and
created again for each size). Writes medians and p95 to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from bench.common import isolated
from bench.common import machine
from bench.common import scratch_app
from bench.common import signed_in_client
from bench.common import summary
from bench.common import timed
from bench.common import write_section

SIZES = (1_000, 10_000, 100_000)  # open items; four per case, as in a case waiting at parallel steps
WHAT = {"count": "待办 badge count, capped at 99+ (`inbox.todo_count(cap=100)`)",
        "rows": "one page of 20 rows with sender and due (`inbox.queue_rows`)",
        "page": "the whole `GET /tasks/todo` page (Flask, template, nav badge)"}
COPY_CASES = """INSERT INTO process_instance (definition_id, number, title, status, initiator_id, subject_user_id,
      owning_unit_id, data, state, serializer_version, revision, created_at, updated_at)
    SELECT definition_id, 'BK-' || n.i, title, status, initiator_id, subject_user_id, owning_unit_id, data, state,
      serializer_version, 1, created_at, updated_at FROM process_instance p, {series} WHERE p.id = :case"""
ITEMS_SQL = """INSERT INTO work_item (instance_id, task_id, task_name, title, status, created_at)
    SELECT p.id, {task_id}, 'bulk', '批量审批', 'open', {created} FROM process_instance p, {four}
    WHERE p.number LIKE 'BK-%'"""
CANDIDATES = """INSERT INTO work_item_candidate (work_item_id, user_id, is_open, created_at)
    SELECT w.id, u.id, {true}, w.created_at FROM work_item w
    JOIN user_account u ON u.id % 40 = w.id % 40 WHERE w.task_name = 'bulk'"""
FILL = {
    "postgresql": [
        COPY_CASES.format(series="generate_series(1, :cases) AS n(i)"),
        ITEMS_SQL.format(task_id="md5(p.id::text || k.j::text)", created="now() - (p.id * 4 + k.j) * interval '1 second'",
                         four="generate_series(1, 4) AS k(j)"),
        CANDIDATES.format(true="true"),
    ],
    "sqlite": [
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :cases) "
        + COPY_CASES.format(series="n"),
        "WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < 4) "
        + ITEMS_SQL.format(task_id="printf('%032d%04d', p.id, k.j)",
                           created="datetime('now', '-' || (p.id * 4 + k.j) || ' seconds')", four="k"),
        CANDIDATES.format(true="1"),
        "ANALYZE",
    ],
}


def fill(app, items: int) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from bench.cadre import PROPOSAL
    from webapp.extensions import db
    from workflows import accounts
    from workflows import cases

    with app.app_context():
        case = cases.start(db.session, "cadre_promotion", dict(PROPOSAL), accounts.find_user(db.session, "s1_03"))
        db.session.flush()
        for statement in FILL[db.engine.dialect.name]:
            db.session.execute(text(statement), {"case": case.id, "cases": items // 4})
        db.session.commit()
        _settle(db.engine)


def _settle(engine) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL, VACUUM ANALYZE the bulk-loaded tables, as autovacuum does within a minute of
    such a load: without the visibility map an index-only scan reads every row's heap page too
    (the 待办 count of 1,001 entries took 2.5 ms instead of 0.4), which no settled database does."""
    if engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def fill_one_inbox(app, items: int, username: str = "s1_01") -> None:  # type: ignore[no-untyped-def]
    """`items` open items, four to a case, all in `username`'s 待办 alone (as the side-by-side's
    "my tasks" at 10k: bench/sbs_fill.py)."""
    from sqlalchemy import text

    from bench.cadre import PROPOSAL
    from webapp.extensions import db
    from workflows import accounts
    from workflows import cases

    with app.app_context():
        case = cases.start(db.session, "cadre_promotion", dict(PROPOSAL), accounts.find_user(db.session, "s1_03"))
        db.session.flush()
        owner = accounts.find_user(db.session, username).id
        dialect = db.engine.dialect.name
        for statement in FILL[dialect][:2]:
            db.session.execute(text(statement), {"case": case.id, "cases": items // 4})
        db.session.execute(text(f"""INSERT INTO work_item_candidate (work_item_id, user_id, is_open, created_at)
            SELECT w.id, :owner, {'true' if dialect == 'postgresql' else '1'}, w.created_at FROM work_item w
            WHERE w.task_name = 'bulk'"""), {"owner": owner})
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        _settle(db.engine)


def samples(app, n: int) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    from webapp.extensions import db
    from webapp.pages import inbox
    from webapp.pages.dashboard import BADGE_CAP
    from workflows import accounts

    results: dict[str, list[float]] = {"count": [], "rows": [], "page": []}
    with app.app_context():
        user = accounts.find_user(db.session, "s1_01")
        total = inbox.todo_count(db.session, user)
        for _ in range(n):
            results["count"].append(timed(lambda: inbox.todo_count(db.session, user, cap=BADGE_CAP)))
            results["rows"].append(timed(lambda: inbox.queue_rows(db.session, user, "todo", 20, 0)))
        db.session.remove()
    web = signed_in_client(app, "s1_01", "bench-password-1")
    if web.get("/tasks/todo").status_code != 200:
        raise SystemExit("the 待办 page did not answer 200")
    for _ in range(n):
        results["page"].append(timed(lambda: web.get("/tasks/todo").get_data()))
    print(f"s1_01 has {total} open items")
    with app.app_context():
        db.engine.dispose()
    return results


def table(found: dict[int, dict[str, dict[str, float]]]) -> str:
    sizes = sorted(found)
    head = "| what | " + " | ".join(f"{s:,} items: median / p95" for s in sizes) + " | p95 100k / 1k |"
    rows = [head, "|---|" + "---|" * (len(sizes) + 1)]
    for key, label in WHAT.items():
        cells = " | ".join(f"{found[s][key]['median_ms']:.2f} / {found[s][key]['p95_ms']:.2f} ms" for s in sizes)
        ratio = found[sizes[-1]][key]["p95_ms"] / found[sizes[0]][key]["p95_ms"]
        rows.append(f"| {label} | {cells} | **{ratio:.2f}×** |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50, help="samples of each measurement")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="open items, comma separated")
    parser.add_argument("--database", help="SQLAlchemy URL of a database to drop and fill (default: scratch SQLite)")
    parser.add_argument("--json-out", help=argparse.SUPPRESS)  # one size, in a process of its own
    args = parser.parse_args()
    if args.json_out:
        app = scratch_app(args.database)
        fill(app, int(args.sizes))
        found = {name: summary(values) for name, values in samples(app, args.n).items()}
        Path(args.json_out).write_text(json.dumps(found))
        return
    database = ["--database", args.database] if args.database else []
    found = {int(size): isolated("bench.inbox", "-n", str(args.n), "--sizes", size, *database)
             for size in args.sizes.split(",")}
    backend = "PostgreSQL" if args.database and args.database.startswith("postgresql") else "SQLite"
    body = f"""## 待办 with 1k, 10k and 100k open items — {backend} (issues 3 and 7, T4)

Measured {date.today().isoformat()} with `.venv/bin/python -m bench.inbox -n {args.n}` on {machine()}.
Open work items four to a case, each shared by two of 80 users (items/40 per inbox: 25, 250,
2,500); one approver (s1_01); {args.n} samples each, one process, medians and p95. The last
column is what T4 asks for: the 100k p95 over the 1k p95 (pass ≤ 1.5×).

{table(found)}
"""
    write_section(f"inbox-{backend.lower()}", body)
    print(body)


if __name__ == "__main__":
    main()
