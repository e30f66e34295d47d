"""Where one API completion spends its time (issue 17; run by hand:
`.venv/bin/python -m bench.profile_completion [-n 30] [--task deliberation] [--database URL]`).

Completes one step of N cadre_promotion cases with `POST /api/v1/tasks/<id>/complete` (WSGI
in-process, the test client), twice over:
1. **timed**, without instruments: the median wall time of a completion;
2. **profiled**, under cProfile, with every SQL statement timed (`before/after_cursor_execute`)
   and every ORM flush counted (`Session` `after_flush`), on fresh cases of the same step.

It then breaks the profiled completion into the parts the request runs through — Flask and
token auth, lock + re-read + permission, the engine (load / complete / dump), form and rule
validation, 回避, effects, projection, audit append, notifications, the 加签 hold check, the
JSON answer, ORM flushes, commit — each as its median cumulative time (parts nest: the flushes
happen inside the others, the SQL inside the flushes), and lists the slowest statements.
cProfile inflates Python time by ~1.5–2×; compare parts with each other and the timed median
with the un-profiled ceiling, not profiled milliseconds with other sections.
Writes the `profile-completion` section of docs/performance.md (`--no-write` to only print).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time
from collections import defaultdict
from datetime import date
from typing import Any

from bench.cadre import STEPS
from bench.cadre import forms
from bench.cadre import seed_cases
from bench.cadre import tokens
from bench.common import machine
from bench.common import scratch_app
from bench.common import write_section

# (file suffix, function name) of each part, in the order the request meets them.
PARTS = [
    ("whole request (Flask test client → WSGI → view → answer)", "flask/app.py", "wsgi_app"),
    ("token → user (accounts.user_for_token)", "workflows/accounts/__init__.py", "user_for_token"),
    ("lock, re-read, permission, 回避 of the actor (tasks.item_for_action)", "workflows/cases/tasks.py", "item_for_action"),
    ("… the same, as `tasks.complete` calls it since issue 17 (tasks._acting)", "workflows/cases/tasks.py", "_acting"),
    ("engine: load the state (WorkflowEngine.load)", "workflows/engine/__init__.py", "load"),
    ("form + rule validation (tasks.validate_submission)", "workflows/cases/tasks.py", "validate_submission"),
    ("… JSON-schema validation (forms.validate)", "workflows/cases/forms.py", "validate"),
    ("… rule pack checks (rules.validate_all)", "workflows/rules/__init__.py", "validate_all"),
    ("… 回避 of teams and talks (recusal.check_fields)", "workflows/rules/recusal.py", "check_fields"),
    ("加签 hold check (signing.hold_for_after_signers)", "workflows/actions/signing.py", "hold_for_after_signers"),
    ("engine: complete + run (WorkflowEngine.complete)", "workflows/engine/__init__.py", "complete"),
    ("effects (run_effects)", "workflows/effects/__init__.py", "run_effects"),
    ("projection of items, timers, end (projection.sync)", "workflows/engine/projection.py", "sync"),
    ("engine: dump the state (WorkflowEngine.dump)", "workflows/engine/__init__.py", "dump"),
    ("audit append (audit.record)", "workflows/audit/__init__.py", "record"),
    ("notifications queued and written", "workflows/notify/notifications.py", "_flush_queue"),
    ("the JSON answer (serializers.completion_json)", "webapp/api/serializers.py", "completion_json"),
    ("ORM flushes, all (Session.flush)", "sqlalchemy/orm/session.py", "flush"),
    ("commit (transaction.commit)", "webapp/transaction.py", "commit"),
]


class LockClock:
    """How long each completion holds SQLite's write lock: from the moment its writers' queue is
    its own (`WriteQueue.acquire` returned) to the end of its transaction (`release`)."""

    def __init__(self) -> None:
        self.held: list[float] = []
        self._since = 0.0

    def install(self) -> None:
        from workflows.engine.locking import WriteQueue

        acquire, release = WriteQueue.acquire, WriteQueue.release

        def timed_acquire(queue: Any) -> None:
            acquire(queue)
            self._since = time.perf_counter()

        def timed_release(queue: Any) -> None:
            self.held.append(time.perf_counter() - self._since)
            release(queue)

        WriteQueue.acquire, WriteQueue.release = timed_acquire, timed_release  # type: ignore[method-assign,assignment]


class SqlClock:
    """Each statement's execution time while `active`, and the ORM flushes."""

    def __init__(self) -> None:
        self.active = False
        self.started = 0.0
        self.statements: list[tuple[str, float]] = []
        self.flushes = 0

    def before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.started = time.perf_counter()

    def after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.active:
            self.statements.append((statement, time.perf_counter() - self.started))

    def flushed(self, session: Any, context: Any) -> None:
        if self.active:
            self.flushes += 1


def _open_items(client: Any, headers: dict[str, str], task: str) -> dict[int, int]:
    """Case id → the caller's open item of step `task`, over every page of the 待办."""
    found: dict[int, int] = {}
    offset = 0
    while True:
        page = client.get(f"/api/v1/tasks?view=todo&limit=100&offset={offset}", headers=headers).get_json()
        found.update({i["instance_id"]: i["id"] for i in page["items"] if i["task"] == task})
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return found


def _advance_to(client: Any, keys: dict[str, str], case_ids: list[int], task: str) -> None:
    """Complete the steps before `task` in every case."""
    data = forms()
    for step, user in STEPS:
        if step == task:
            return
        headers = {"Authorization": f"Bearer {keys[user]}"}
        open_items = _open_items(client, headers, step)
        for case_id in case_ids:
            item_id = open_items[case_id]
            response = client.post(f"/api/v1/tasks/{item_id}/complete", json={"data": data[step]}, headers=headers)
            assert response.status_code == 200, response.get_json()


def _part_times(profile: cProfile.Profile) -> dict[str, float]:
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    found: dict[str, float] = defaultdict(float)
    for (filename, _, name), (_, _, _, cumulative, _) in stats.items():
        for label, suffix, function in PARTS:
            if name == function and filename.replace("\\", "/").endswith(suffix):
                found[label] += cumulative
    return found


def run(app: Any, n: int, task: str, dump: str | None = None) -> dict[str, Any]:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from webapp.extensions import db

    user = dict(STEPS)[task]
    keys = tokens(app, sorted({u for _, u in STEPS} | {"s1_08"}))
    headers = {"Authorization": f"Bearer {keys[user]}"}
    client, data = app.test_client(), forms()
    case_ids = seed_cases(app, 2 * n + 2)
    _advance_to(client, keys, case_ids, task)
    clock = SqlClock()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", clock.before)
        event.listen(db.engine, "after_cursor_execute", clock.after)
    event.listen(Session, "after_flush", clock.flushed)

    def complete(item_id: int) -> float:
        started = time.perf_counter()
        response = client.post(f"/api/v1/tasks/{item_id}/complete", json={"data": data[task]}, headers=headers)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.get_json()
        return elapsed

    open_items = _open_items(client, headers, task)
    item_ids = [open_items[case_id] for case_id in case_ids]
    for item_id in item_ids[:2]:  # warm-up: specs parsed, validators compiled, caches filled
        complete(item_id)
    lock = LockClock()
    lock.install()
    timed = [complete(item_id) for item_id in item_ids[2:n + 2]]
    lock_held = list(lock.held)  # one per completion on SQLite (its write transaction), none on PostgreSQL
    parts: dict[str, list[float]] = defaultdict(list)
    sql_totals, sql_counts, flushes = [], [], []
    by_statement: dict[str, list[float]] = defaultdict(list)
    combined: pstats.Stats | None = None
    for item_id in item_ids[n + 2:]:
        clock.statements, clock.flushes = [], 0
        profile = cProfile.Profile()
        clock.active = True
        profile.enable()
        complete(item_id)
        profile.disable()
        clock.active = False
        for label, seconds in _part_times(profile).items():
            parts[label].append(seconds)
        if dump:
            combined = pstats.Stats(profile) if combined is None else combined.add(profile)
        sql_totals.append(sum(t for _, t in clock.statements))
        sql_counts.append(len(clock.statements))
        flushes.append(clock.flushes)
        for statement, seconds in clock.statements:
            by_statement[" ".join(statement.split())[:110]].append(seconds)
    if combined is not None and dump:
        combined.dump_stats(dump)
    return {"timed": timed, "parts": parts, "sql_totals": sql_totals, "sql_counts": sql_counts,
            "flushes": flushes, "by_statement": by_statement, "n": n, "lock_held": lock_held}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def _lock_line(result: dict[str, Any]) -> str:
    held, timed = result["lock_held"], result["timed"]
    if len(held) != len(timed):  # PostgreSQL: no database-wide lock (or a write outside the requests)
        return ""
    return (f"\nSQLite's write lock is held for a median **{ms(statistics.median(held))} ms** of each completion "
            f"(p95 {ms(sorted(held)[int(0.95 * (len(held) - 1))])} ms): from its first write to its commit "
            f"(`engine.locking.defer_write`), not from the request's start.")


def report(result: dict[str, Any], task: str, database: str) -> str:
    n = result["n"]
    rows = ["| part | median ms (profiled) | share of the request |", "|---|---:|---:|"]
    whole = statistics.median(result["parts"][PARTS[0][0]])
    for label, _, _ in PARTS:
        samples = result["parts"].get(label)
        if samples:
            value = statistics.median(samples + [0.0] * (n - len(samples)))
            rows.append(f"| {label} | {ms(value)} | {value / whole:.0%} |")
    sql = statistics.median(result["sql_totals"])
    rows.append(f"| SQL statements executing (cursor time, {statistics.median(result['sql_counts']):.0f} statements) "
                f"| {ms(sql)} | {sql / whole:.0%} |")
    slow = sorted(result["by_statement"].items(), key=lambda kv: -sum(kv[1]))[:8]
    top = ["| statement (first 110 characters) | times per completion | ms per completion |", "|---|---:|---:|"]
    for statement, samples in slow:
        top.append(f"| `{statement.replace('|', '/')}` | {len(samples) / n:.1f} | {ms(sum(samples) / n)} |")
    return f"""## Where a completion spends its time (issue 17)

Measured {date.today().isoformat()} with `.venv/bin/python -m bench.profile_completion -n {n} --task {task}`
on {machine()}, {database}. One `POST /api/v1/tasks/<id>/complete` of the step `{task}` of a
cadre_promotion case, in-process (Flask test client, no network), after two warm-up completions.

**Un-profiled median: {ms(statistics.median(result['timed']))} ms** (p95 {ms(sorted(result['timed'])[int(0.95 * (n - 1))])} ms) over {n}
completions. ORM flushes per completion: {statistics.median(result['flushes']):.0f}; SQL statements:
{statistics.median(result['sql_counts']):.0f}, executing {ms(sql)} ms in all.{_lock_line(result)}

Profiled (cProfile inflates Python time; parts nest — the flushes and SQL happen inside the others):

{chr(10).join(rows)}

Slowest statements (summed over the profiled completions):

{chr(10).join(top)}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=30, help="completions timed, and as many profiled")
    parser.add_argument("--task", default="deliberation", choices=[t for t, _ in STEPS])
    parser.add_argument("--database", help="SQLAlchemy URL of an empty database (default: a scratch SQLite file)")
    parser.add_argument("--pstats", metavar="FILE", help="also save the profiled completions' cProfile stats")
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs/performance.md alone")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    result = run(scratch_app(args.database), args.n, args.task, args.pstats)
    database = "PostgreSQL" if args.database else "SQLite"
    body = report(result, args.task, f"{database}, load average {load_before:.1f} → {os.getloadavg()[0]:.1f} (1 min)")
    if not args.no_write:
        write_section("profile-completion", body)
    print(body)


if __name__ == "__main__":
    main()
