"""A case of 1,000 steps still moves in bounded time (issue 7, T9; run by hand:
`.venv/bin/python -m bench.long_case`).

One cadre_promotion case, driven through the API (WSGI in-process, SQLite by default): 酝酿
is agreed, then 民主推荐 returns it (退回) to 酝酿 and 酝酿 agrees again, over and over; every
50th round returns to the initiator instead, who resubmits (重新提交). Every API action is
one step. Records each step's latency and, at steps 5, 100, 500 and 1,000, the stored state's
size and its task count. Pass (T9): latency flat within ±20% from step 5 to step 1,000 and the
state not growing with the history (no O(n²)). Writes the table to docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
from datetime import date
from typing import Any

from bench.cadre import INITIATOR
from bench.cadre import PROPOSAL
from bench.cadre import seed_cases
from bench.cadre import tokens
from bench.common import machine
from bench.common import scratch_app
from bench.common import timed
from bench.common import write_section

CHECKPOINTS = (5, 100, 500, 1000)
WINDOW = 20  # steps around each checkpoint whose latencies are summarised


class Driver:
    """Acts on the one case through the API and remembers every step's latency."""

    def __init__(self, app: Any, case_id: int) -> None:
        self.app, self.case_id = app, case_id
        self.client = app.test_client()
        self.keys = tokens(app, ["s1_01", "s1_03"])
        self.latencies: list[float] = []
        self.actions: list[str] = []
        self.loaded: list[int] = []  # work-item rows the ORM built during each step (deterministic)
        self._rows = 0
        self.body: dict[str, Any] = {}
        from sqlalchemy import event

        from models import WorkItem

        event.listen(WorkItem, "load", self._count)

    def _count(self, *_: Any) -> None:
        self._rows += 1

    def act(self, user: str, task: str, action: str, payload: dict[str, Any]) -> None:
        items = self.body["instance"]["work_items"] if self.body else self._todo(user)
        item = next(w for w in items if w["task"] == task)
        headers = {"Authorization": f"Bearer {self.keys[user]}"}
        answer: dict[str, Any] = {}

        def post() -> None:
            response = self.client.post(f"/api/v1/tasks/{item['id']}/{action}", json=payload, headers=headers)
            assert response.status_code == 200, response.get_json()
            answer.update(response.get_json())

        self._rows = 0
        self.latencies.append(timed(post))
        self.actions.append(action)
        self.loaded.append(self._rows)
        self.body = answer

    def _todo(self, user: str) -> list[dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.keys[user]}"}
        return list(self.client.get("/api/v1/tasks?view=todo&limit=100", headers=headers).get_json()["items"])

    def state(self) -> dict[str, int]:
        from models import ProcessInstance
        from webapp.extensions import db
        from workflows.engine import definitions
        from workflows.engine.runtime import engine

        with self.app.app_context():
            instance = db.session.get(ProcessInstance, self.case_id)
            assert instance is not None
            workflow = engine().load(definitions.runtime(instance.definition), instance.state)
            found = {"bytes": len(instance.state.encode("utf-8")), "tasks": len(workflow.tasks)}
            db.session.remove()
        return found


def one_round(driver: Driver, n: int) -> None:
    to = "initiator" if n % 50 == 49 else "deliberation"
    driver.act(INITIATOR, "recommendation", "return", {"to": to, "reason": f"第{n + 1}次退回"})
    if to == "initiator":
        driver.act(INITIATOR, "start", "complete", {"data": dict(PROPOSAL)})
    driver.act("s1_01", "deliberation", "complete", {"data": {"decision": "agree"}})


def run(app: Any, steps: int) -> tuple[Driver, dict[int, dict[str, int]]]:
    warm_up, case_id = seed_cases(app, 2)
    warm = Driver(app, warm_up)  # the first requests of a process fill caches: not step 1's cost
    warm.act("s1_01", "deliberation", "complete", {"data": {"decision": "agree"}})
    for n in range(5):
        one_round(warm, n)
    driver = Driver(app, case_id)
    driver.act("s1_01", "deliberation", "complete", {"data": {"decision": "agree"}})
    sizes: dict[int, dict[str, int]] = {}
    n = 0
    while len(driver.latencies) < steps:
        one_round(driver, n)
        n += 1
        for checkpoint in CHECKPOINTS:
            if checkpoint not in sizes and len(driver.latencies) >= checkpoint:
                sizes[checkpoint] = driver.state()
    return driver, sizes


def rows_at(driver: Driver, step: int, action: str) -> int:
    """Work-item rows loaded by the last step of `action` up to `step`."""
    steps = [n for n in range(min(step, len(driver.actions))) if driver.actions[n] == action]
    return driver.loaded[steps[-1]] if steps else 0


def window(driver: Driver, step: int, action: str | None = None) -> float:
    """Median latency (ms) of the steps up to `step` (of one action, or all)."""
    end = min(step, len(driver.latencies))
    pairs = list(zip(driver.latencies, driver.actions, strict=True))[max(0, end - WINDOW):end]
    return statistics.median(t for t, a in pairs if action in (None, a)) * 1000


def verdict(driver: Driver, sizes: dict[int, dict[str, int]]) -> str:
    """The T9 verdict read off this run's numbers (nothing assumed)."""
    last = max(sizes)
    slowest = max(window(driver, s) for s in sizes) / window(driver, CHECKPOINTS[0])
    flat_rows = all(rows_at(driver, s, a) <= rows_at(driver, CHECKPOINTS[0], a) + 2
                    for s in sizes for a in ("return", "complete"))
    flat_state = sizes[last] == sizes[CHECKPOINTS[0]]
    parts = [f"No window is slower than {slowest:.2f}× step 5 ({'pass' if slowest <= 1.2 else 'FAIL'}; a "
             "faster later window is the caches warming).",
             f"Rows read per 退回 and 提交 {'stay constant' if flat_rows else 'GROW with the history (FAIL)'}.",
             f"The stored state {'does not grow' if flat_state else 'GROWS (FAIL)'} with the history."]
    return " ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--database", help="SQLAlchemy URL of an empty database (default: a scratch SQLite file)")
    args = parser.parse_args()
    driver, sizes = run(scratch_app(args.database), args.steps)
    first = window(driver, CHECKPOINTS[0])
    rows = [f"| {s:,} | {window(driver, s):.2f} ms | {window(driver, s) / first:.2f}× | "
            f"{window(driver, s, 'return'):.2f} / {window(driver, s, 'complete'):.2f} ms | "
            f"{rows_at(driver, s, 'return')} / {rows_at(driver, s, 'complete')} | "
            f"{sizes[s]['bytes']:,} B | {sizes[s]['tasks']} |" for s in CHECKPOINTS if s in sizes]
    backend = "PostgreSQL" if args.database and args.database.startswith("postgresql") else "SQLite"
    body = f"""## A case of 1,000 steps (issue 7, T9)

Measured {date.today().isoformat()} with `.venv/bin/python -m bench.long_case --steps {args.steps}` on {machine()}, {backend}.
One cadre_promotion case driven through the API in-process: 民主推荐 returns it (退回) to 酝酿,
酝酿 agrees again, and so on (every 50th return goes to the initiator, who resubmits); every
API action is one step (after a warm-up on another case). Latency: median of the {WINDOW} steps up to the checkpoint (the same mix
of 退回 and 提交 in each window; at step 5, the five steps so far); state: the stored
SpiffWorkflow JSON and its task count at the checkpoint. Rows read: `WorkItem` objects the ORM
built during the last 退回 and 提交 before the checkpoint (a `load` event count: exact, unlike time).

| step | latency (median) | vs step 5 | 退回 / 提交 (medians) | work-item rows read by a 退回 / 提交 | stored state | tasks in the tree |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Pass criterion T9: flat within ±20% from step 5 to step 1,000 and no growth of the state with
the history. {verdict(driver, sizes)}
"""
    write_section("long-case", body)
    print(body)


if __name__ == "__main__":
    main()
