"""One completion of the side-by-side's 5-step approval, in-process, against its ceiling (issue 17;
run by hand: `.venv/bin/python -m bench.approval_inprocess [-n 200] [--rounds 3] [--database URL]`).

The issue measured its in-process figure and its ceiling on this approval (bench/side_by_side_bpmn,
one person per step, a one-field form; "median 9.3 ms", "the ceiling on this machine is therefore
about 1.1 ms"), so this bench uses the same one; `bench.profile_completion` breaks down a heavier
step (the cadre `deliberation`, with rules and a meeting roster).

Each timed round starts `-n` cases through the API (not timed), then completes their five steps
one case at a time with `POST /api/v1/tasks/<id>/complete` (Flask's test client, WSGI in-process,
one thread), timing each; then the same on new cases with instruments on the engine, which time
every SQL statement (cursor time) and every COMMIT; then SpiffWorkflow's own load + complete + dump
of the steps of `-n` new cases on the deployed spec, without a database. The ceiling is their sum:
what a completion would cost with nothing around the engine and the database. Each round does all
three, and the ratio is taken per round.
Prints medians; `--write` puts them in docs/performance.md (`<!-- bench:approval-inprocess -->`).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from typing import Any

from bench.cadre import tokens
from bench.common import scratch_app
from bench.common import write_section
from bench.sbs_systems import INITIATOR
from bench.sbs_systems import STEP_USERS
from bench.side_by_side import BENCH_BPMN

DATA = {"decision": "agree"}
ANSWER = {"data": DATA, "comment": "同意"}


class Instruments:
    """Cursor time of each statement and time of each COMMIT, between `install` and `remove` (so
    the timed walks of later rounds run without them)."""

    def __init__(self, engine: Any) -> None:
        self.engine, self.sql, self.commits, self._started = engine, 0.0, 0.0, 0.0
        self._commit = engine.dialect.do_commit

    def install(self) -> None:
        from sqlalchemy import event

        self.sql = self.commits = 0.0
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        commit = self._commit

        def timed_commit(connection: Any) -> None:
            started = time.perf_counter()
            commit(connection)
            self.commits += time.perf_counter() - started

        self.engine.dialect.do_commit = timed_commit

    def remove(self) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)
        self.engine.dialect.do_commit = self._commit

    def _before(self, *args: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, *args: Any) -> None:
        self.sql += time.perf_counter() - self._started


def _cases(client: Any, keys: dict[str, dict[str, str]], n: int, ids: list[int] | None = None) -> list[int]:
    """Start `n` cases; their first items (and the cases' ids into `ids`)."""
    first = []
    for number in range(n):
        body = client.post("/api/v1/processes/bench_approval/instances", headers=keys[INITIATOR],
                           json={"data": {"title": f"审批 {number}"}}).get_json()
        first.append(body["work_items"][0]["id"])
        if ids is not None:
            ids.append(body["id"])
    return first


def _walk(client: Any, keys: dict[str, dict[str, str]], first_items: list[int]) -> list[float]:
    """Complete every case's five steps, case by case; the wall time of each completion."""
    times = []
    for item in first_items:
        for user in STEP_USERS:
            started = time.perf_counter()
            response = client.post(f"/api/v1/tasks/{item}/complete", headers=keys[user], json=ANSWER)
            times.append(time.perf_counter() - started)
            body = response.get_json()
            assert response.status_code == 200, body
            nxt = [i for i in body["instance"]["work_items"] if i["status"] == "open"]
            item = nxt[0]["id"] if nxt else 0
        assert body["instance"]["status"] == "completed", body["instance"]["status"]
    return times


def _engine_only(cases: list[int]) -> float:
    """Median seconds of SpiffWorkflow's load + complete + dump per step of these new cases of the
    approval, from their stored state, on the deployed spec, with no database."""
    from models import ProcessInstance
    from webapp.extensions import db
    from workflows.engine import definitions
    from workflows.engine import runtime

    engine = runtime.engine()
    samples = []
    for case in cases:
        instance = db.session.get(ProcessInstance, case)
        assert instance is not None
        process, state = definitions.runtime(instance.definition), instance.state
        while True:
            started = time.perf_counter()
            workflow = engine.load(process, state)
            ready = engine.ready_user_tasks(workflow)
            if not ready:
                break
            engine.complete(workflow, ready[0], dict(DATA))
            state = engine.dump(workflow)
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def run(n: int, rounds: int, database: str | None) -> dict[str, Any]:
    from webapp.extensions import db
    from workflows.engine import definitions

    app = scratch_app(database)
    with app.app_context():
        definitions.deploy_all(db.session, BENCH_BPMN)
        db.session.commit()
    keys = {user: {"Authorization": f"Bearer {key}"} for user, key in tokens(app, [INITIATOR, *STEP_USERS]).items()}
    client = app.test_client()
    _walk(client, keys, _cases(client, keys, 2))  # warm-up: specs parsed, validators compiled, caches filled
    with app.app_context():
        instruments = Instruments(db.engine)
    # Each round measures the completion and its ceiling one after the other, so that a round's
    # ratio compares times taken within a minute of each other (this kind of host's speed moves
    # by a third within minutes): the timed walk, with no listener of ours on the engine; the
    # instrumented walk; SpiffWorkflow alone on new cases.
    medians, sql, commits, engines = [], [], [], []
    for _ in range(rounds):
        medians.append(statistics.median(_walk(client, keys, _cases(client, keys, n))))
        first = _cases(client, keys, n)
        instruments.install()
        try:
            _walk(client, keys, first)
        finally:
            instruments.remove()
        sql.append(instruments.sql / (n * len(STEP_USERS)))
        commits.append(instruments.commits / (n * len(STEP_USERS)))
        fresh: list[int] = []
        _cases(client, keys, n, fresh)
        with app.app_context():
            engines.append(_engine_only(fresh))
    return {"medians": medians, "sql": sql, "commit": commits, "engine": engines}


def report(result: dict[str, Any], n: int, database: str, load: tuple[float, float]) -> str:
    ms = [f"{m * 1000:.2f}" for m in result["medians"]]
    ceilings = [sum(parts) for parts in zip(result["sql"], result["commit"], result["engine"], strict=True)]
    ratios = [m / c for m, c in zip(result["medians"], ceilings, strict=True)]
    median, ceiling = statistics.median(result["medians"]), statistics.median(ceilings)
    sql, commit, engine = (statistics.median(result[key]) for key in ("sql", "commit", "engine"))
    return f"""## One completion of the 5-step approval, in-process, against its ceiling (issue 17)

Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `.venv/bin/python -m bench.approval_inprocess -n {n}
--rounds {len(ms)}` on {os.cpu_count()} vCPU, Python {platform.python_version()}, {database}, load average
{load[0]:.1f} → {load[1]:.1f} (1 min). `POST /api/v1/tasks/<id>/complete` of the side-by-side's approval
(bench/side_by_side_bpmn), Flask's test client, {n} cases × 5 steps per round; each round times the
completion and then its ceiling, so a round's ratio compares times taken minutes apart at most.

- **Median of a completion: {median * 1000:.2f} ms** (per round: {' / '.join(ms)} ms).
- Its ceiling, **{ceiling * 1000:.2f} ms** (median of the rounds): the statements' cursor time {sql * 1000:.2f} ms +
  the COMMIT {commit * 1000:.2f} ms + SpiffWorkflow's load, complete and dump of the step without a
  database {engine * 1000:.2f} ms.
- The completion costs **{statistics.median(ratios):.1f}×** its ceiling (median of the rounds' ratios:
  {' / '.join(f"{r:.2f}" for r in ratios)}).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=200, help="cases per round (5 completions each)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", help="SQLAlchemy URL of an empty database (default: a scratch SQLite file)")
    parser.add_argument("--write", action="store_true", help="also write the section of docs/performance.md")
    args = parser.parse_args()
    before = os.getloadavg()[0]
    result = run(args.n, args.rounds, args.database)
    body = report(result, args.n, "PostgreSQL" if args.database else "SQLite", (before, os.getloadavg()[0]))
    if args.write:
        write_section("approval-inprocess", body)
    print(body)


if __name__ == "__main__":
    main()
