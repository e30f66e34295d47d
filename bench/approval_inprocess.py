"""One completion of the side-by-side's 5-step approval, in-process, against its ceiling (issue 17;
run by hand: `.venv/bin/python -m bench.approval_inprocess [-n 200] [--rounds 3] [--database URL]`).

The issue measured its in-process figure and its ceiling on this approval (bench/side_by_side_bpmn,
one person per step, a one-field form; "median 9.3 ms", "the ceiling on this machine is therefore
about 1.1 ms"), so this bench uses the same one; `bench.profile_completion` breaks down a heavier
step (the cadre `deliberation`, with rules and a meeting roster).

Each timed round starts `-n` cases through the API (not timed), then completes their five steps
one case at a time with `POST /api/v1/tasks/<id>/complete` (Flask's test client, WSGI in-process,
one thread), timing each. Then as many rounds with instruments on the engine, which time every
SQL statement (cursor time) and every COMMIT, and, apart, SpiffWorkflow's own load + complete +
dump of the steps of `-n` new cases on the deployed spec, without a database. The ceiling is their
sum: what a completion would cost with nothing around the engine and the database.
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
    """Cursor time of each statement and time of each COMMIT, while `active`."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.active, self.sql, self.commits, self._started = False, 0.0, 0.0, 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        dialect, commit = engine.dialect, engine.dialect.do_commit

        def timed_commit(connection: Any) -> None:
            started = time.perf_counter()
            commit(connection)
            if self.active:
                self.commits += time.perf_counter() - started

        dialect.do_commit = timed_commit

    def _before(self, *args: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, *args: Any) -> None:
        if self.active:
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
    # Timed first, with no listener of ours on the engine; then the instrumented rounds.
    medians = [statistics.median(_walk(client, keys, _cases(client, keys, n))) for _ in range(rounds)]
    with app.app_context():
        instruments = Instruments(db.engine)
    sql, commits = [], []
    for _ in range(rounds):
        first = _cases(client, keys, n)
        instruments.sql = instruments.commits = 0.0
        instruments.active = True
        _walk(client, keys, first)
        instruments.active = False
        sql.append(instruments.sql / (n * len(STEP_USERS)))
        commits.append(instruments.commits / (n * len(STEP_USERS)))
    fresh: list[int] = []
    _cases(client, keys, n, fresh)
    with app.app_context():
        engine = _engine_only(fresh)
    return {"medians": medians, "sql": statistics.median(sql), "commit": statistics.median(commits), "engine": engine}


def report(result: dict[str, Any], n: int, database: str, load: tuple[float, float]) -> str:
    ms = [f"{m * 1000:.2f}" for m in result["medians"]]
    ceiling = result["sql"] + result["commit"] + result["engine"]
    median = statistics.median(result["medians"])
    return f"""## One completion of the 5-step approval, in-process, against its ceiling (issue 17)

Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `.venv/bin/python -m bench.approval_inprocess -n {n}
--rounds {len(ms)}` on {os.cpu_count()} vCPU, Python {platform.python_version()}, {database}, load average
{load[0]:.1f} → {load[1]:.1f} (1 min). `POST /api/v1/tasks/<id>/complete` of the side-by-side's approval
(bench/side_by_side_bpmn), Flask's test client, {n} cases × 5 steps per round.

- **Median of a completion: {median * 1000:.2f} ms** (per round: {' / '.join(ms)} ms).
- Its ceiling, **{ceiling * 1000:.2f} ms**: the statements' cursor time {result['sql'] * 1000:.2f} ms + the COMMIT
  {result['commit'] * 1000:.2f} ms + SpiffWorkflow's load, complete and dump of the step without a database
  {result['engine'] * 1000:.2f} ms. The completion costs **{median / ceiling:.1f}×** its ceiling.
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
