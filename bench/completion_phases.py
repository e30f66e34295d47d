"""Where one completion of the 5-step approval spends its time, phase by phase, and how much of
each phase is SQLite's (issue 17; run by hand: `.venv/bin/python -m bench.completion_phases
[-n 200] [--rounds 3] [--write]`).

`bench.approval_inprocess` gives the completion's median against its ceiling, and py-spy the
shares of the libraries. This bench answers the question the two leave: which phases of the
request hold the time that is neither the engine nor the database. It wraps the service
functions a completion passes through (in this process only; the code under test is unchanged)
and times each call, and, on the engine, the cursor time of every statement and every COMMIT,
given to the phase that runs it:

| phase | what runs |
|---|---|
| auth | the bearer token's user (`accounts.user_for_token`): BEGIN and the cache version's read |
| locked read | the item, its case, candidates and timers in one statement (`tasks._locked`, `locked_read`) |
| engine load | the case's workflow restored from its state (`tasks.ready_task`) |
| form and rules | the form's schema and the step's rules (`tasks.validate_submission`) |
| engine step and projection | complete, project the next items and timers, dump (`tasks.advance`) |
| flush | the ORM's unit of work and the Core writes it triggers (`transaction.flush`) |
| answer | the JSON answer from the objects in the session (`serializers.completion_json`) |
| commit | the audit append, the notices, COMMIT (`transaction.commit`) |
| rest | Flask and its test client, the route, the JSON body: the request's time less the above |

It then times the locked read two ways on the same items inside a transaction: as the completion
reads it (`locked_read.rows`, the objects built) and as its compiled SQL on the DB-API cursor
(rows fetched, nothing built).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from bench.approval_inprocess import _cases
from bench.approval_inprocess import _walk
from bench.cadre import tokens
from bench.common import scratch_app
from bench.common import write_section
from bench.sbs_systems import INITIATOR
from bench.sbs_systems import STEP_USERS
from bench.side_by_side import BENCH_BPMN

PHASES = ("auth", "locked read", "engine load", "form and rules", "engine step and projection", "flush", "answer",
          "commit")


class Phases:
    """Wall and cursor time per phase of the completion under way (`request` set by the caller)."""

    def __init__(self) -> None:
        self.current: str | None = None
        self.wall: dict[str, float] = defaultdict(float)
        self.sql: dict[str, float] = defaultdict(float)
        self.samples: list[dict[str, tuple[float, float]]] = []
        self._cursor_started = 0.0

    def wrap(self, owner: Any, name: str, phase: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            outer, self.current = self.current, phase
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.wall[phase] += time.perf_counter() - started
                self.current = outer

        setattr(owner, name, timed)

    def watch(self, engine: Any) -> None:
        from sqlalchemy import event

        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        dialect, commit = engine.dialect, engine.dialect.do_commit

        def timed_commit(connection: Any) -> None:
            started = time.perf_counter()
            commit(connection)
            if self.current is not None:
                self.sql[self.current] += time.perf_counter() - started

        dialect.do_commit = timed_commit

    def _before(self, *args: Any) -> None:
        self._cursor_started = time.perf_counter()

    def _after(self, *args: Any) -> None:
        if self.current is not None:
            self.sql[self.current] += time.perf_counter() - self._cursor_started

    def close(self, total: float) -> None:
        """End one completion that took `total` seconds: keep its phases, start afresh."""
        sample = {phase: (self.wall[phase], self.sql[phase]) for phase in PHASES}
        sample["rest"] = (total - sum(wall for wall, _ in sample.values()), 0.0)
        sample["total"] = (total, sum(sql for _, sql in sample.values()))
        self.samples.append(sample)
        self.wall.clear()
        self.sql.clear()


def _instrument(phases: Phases) -> None:
    from webapp.api import routes
    from workflows import accounts
    from workflows.cases import tasks

    phases.wrap(accounts, "user_for_token", "auth")
    phases.wrap(tasks, "_locked", "locked read")
    phases.wrap(tasks, "ready_task", "engine load")
    phases.wrap(tasks, "validate_submission", "form and rules")
    phases.wrap(tasks, "advance", "engine step and projection")
    phases.wrap(routes, "flush", "flush")
    phases.wrap(routes, "completion_json", "answer")
    phases.wrap(routes, "commit", "commit")


def _locked_read_two_ways(app: Any, items: list[int], repeat: int) -> tuple[float, float]:
    """Median seconds of the locked read per item: as the completion reads (`locked_read.rows`:
    the Core statement, its rows made into the session's objects), and its compiled SQL on the
    DB-API cursor (fetchall), both inside one open transaction."""
    from webapp.extensions import db
    from workflows.cases import locked_read

    statement: Any = locked_read._statement()[0].statement
    orm, raw = [], []
    with app.app_context():
        session = db.session
        connection = session.connection()
        compiled = statement.compile(dialect=connection.dialect)
        dbapi: Any = connection.connection.dbapi_connection
        cursor = dbapi.cursor()
        for _ in range(repeat):
            for item in items:
                started = time.perf_counter()
                locked_read.rows(session, item)
                orm.append(time.perf_counter() - started)
                params = compiled.construct_params({"item_id": item})
                positional = tuple(params[name] for name in (compiled.positiontup or ()))
                started = time.perf_counter()
                cursor.execute(compiled.string, positional).fetchall()
                raw.append(time.perf_counter() - started)
                session.expunge_all()
        session.rollback()
    return statistics.median(orm), statistics.median(raw)


def run(n: int, rounds: int) -> dict[str, Any]:
    from webapp.extensions import db
    from workflows.engine import definitions

    app = scratch_app(None)
    with app.app_context():
        definitions.deploy_all(db.session, BENCH_BPMN)
        db.session.commit()
    keys = {user: {"Authorization": f"Bearer {key}"} for user, key in tokens(app, [INITIATOR, *STEP_USERS]).items()}
    client = app.test_client()
    _walk(client, keys, _cases(client, keys, 2))  # warm-up: specs parsed, validators compiled, caches filled
    # The completion's own median first, with nothing of ours wrapped; then the instrumented rounds.
    plain = [statistics.median(_walk(client, keys, _cases(client, keys, n))) for _ in range(rounds)]
    phases = Phases()
    _instrument(phases)
    with app.app_context():
        phases.watch(db.engine)
    for _ in range(rounds):
        _walk_phases(client, keys, _cases(client, keys, n), phases)
    orm, raw = _locked_read_two_ways(app, _cases(client, keys, 50), 10)
    return {"plain": plain, "samples": phases.samples, "orm_read": orm, "raw_read": raw}


def _walk_phases(client: Any, keys: dict[str, dict[str, str]], first_items: list[int], phases: Phases) -> None:
    """`approval_inprocess._walk`, closing the phases of each completion."""
    from bench.approval_inprocess import ANSWER

    for item in first_items:
        for user in STEP_USERS:
            phases.wall.clear()
            phases.sql.clear()
            started = time.perf_counter()
            response = client.post(f"/api/v1/tasks/{item}/complete", headers=keys[user], json=ANSWER)
            phases.close(time.perf_counter() - started)
            body = response.get_json()
            assert response.status_code == 200, body
            nxt = [i for i in body["instance"]["work_items"] if i["status"] == "open"]
            item = nxt[0]["id"] if nxt else 0


def report(result: dict[str, Any], n: int, rounds: int, load: tuple[float, float]) -> str:
    samples: list[dict[str, tuple[float, float]]] = result["samples"]
    mean_total = statistics.fmean(s["total"][0] for s in samples)
    rows = []
    for phase in (*PHASES, "rest", "total"):
        walls = [s[phase][0] for s in samples]
        sqls = [s[phase][1] for s in samples]
        mean_wall, mean_sql = statistics.fmean(walls), statistics.fmean(sqls)
        label = f"**{phase}**" if phase == "total" else phase
        rows.append(f"| {label} | {statistics.median(walls) * 1000:.3f} | {mean_wall * 1000:.3f} | "
                    f"{mean_wall / mean_total:.0%} | {mean_sql * 1000:.3f} | {(mean_wall - mean_sql) * 1000:.3f} |")
    plain = statistics.median(result["plain"])
    instrumented = statistics.median(s["total"][0] for s in samples)
    table = "\n".join(rows)
    return f"""## One completion, phase by phase: what is SQLite's and what is around it (issue 17)

Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `.venv/bin/python -m bench.completion_phases -n {n}
--rounds {rounds}` on {os.cpu_count()} vCPU, Python {platform.python_version()}, SQLite, load average
{load[0]:.1f} → {load[1]:.1f} (1 min). `POST /api/v1/tasks/<id>/complete` of the side-by-side's approval,
Flask's test client, {n} cases × 5 steps per round, {len(samples)} completions timed by phase.

The completion's median without the instruments: **{plain * 1000:.2f} ms**; with them
{instrumented * 1000:.2f} ms. In ms per completion; "in SQLite" is the cursor time of the phase's
statements and, in `commit`, the COMMIT; "around it" is the mean less that.

| phase | median | mean | share | in SQLite | around it |
|---|---|---|---|---|---|
{table}

The locked read's statement (the item, its case with definition, subject, initiator and unit,
candidates, timers; one row here), {result['orm_read'] * 1e6:.0f} µs with its objects built and
**{result['raw_read'] * 1e6:.0f} µs** as its compiled SQL on the DB-API cursor (medians of 500, inside one
transaction): {result['orm_read'] / result['raw_read']:.0f}× for the same row.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=200, help="cases per round (5 completions each)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="also write the section of docs/performance.md")
    args = parser.parse_args()
    before = os.getloadavg()[0]
    result = run(args.n, args.rounds)
    body = report(result, args.n, args.rounds, (before, os.getloadavg()[0]))
    if args.write:
        write_section("completion-phases", body)
    print(body)


if __name__ == "__main__":
    main()
