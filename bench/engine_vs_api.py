"""Engine step vs API completion, in one run (issues 2 and 7; run by hand:
`.venv/bin/python -m bench.engine_vs_api [--database postgresql://…]`).

- engine: deserialize a cadre_promotion case waiting at 酝酿, complete it, run to the next
  wait, serialize — SpiffWorkflow only, no database.
- api: POST /api/v1/tasks/<id>/complete for the same step through the whole Flask stack on
  SQLite, or on PostgreSQL with `--database postgresql://…` (WSGI in-process, no network):
  token auth, BEGIN IMMEDIATE or FOR UPDATE, row lock, form + rule checks, engine step, projection of the next work item, audit chain, revision-checked commit,
  and the JSON answer.

Writes medians, p95 and their ratio to docs/performance.md.
"""

from __future__ import annotations

import argparse
from datetime import date

from bench.cadre import PROPOSAL
from bench.common import machine
from bench.common import scratch_app
from bench.common import summary
from bench.common import timed
from bench.common import write_section


def engine_samples(app, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    from webapp.extensions import db
    from workflows.engine import definitions
    from workflows.engine.runtime import engine

    with app.app_context():
        process = definitions.runtime(definitions.latest(db.session, "cadre_promotion"))
    state = engine().dump(engine().start(process, dict(PROPOSAL)))

    def step() -> None:
        workflow = engine().load(process, state)
        task = engine().ready_user_tasks(workflow)[0]
        engine().complete(workflow, task, {"decision": "agree"})
        engine().dump(workflow)

    for _ in range(20):
        step()  # warm caches
    return [timed(step) for _ in range(n)]


def api_samples(app, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    from webapp.extensions import db
    from workflows import accounts
    from workflows import cases

    with app.app_context():
        initiator = accounts.find_user(db.session, "s1_03")
        ids = []
        for _ in range(n + 20):
            case = cases.start(db.session, "cadre_promotion", dict(PROPOSAL), initiator)
            db.session.flush()
            ids.append(case.id)
        db.session.commit()
        token = accounts.create_token(db.session, accounts.find_user(db.session, "s1_01"))
        db.session.commit()
        from sqlalchemy import select

        from models import WorkItem

        items = list(db.session.scalars(select(WorkItem.id).where(WorkItem.instance_id.in_(ids)).order_by(WorkItem.id)))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def complete(item_id: int) -> None:
        response = client.post(f"/api/v1/tasks/{item_id}/complete", json={"data": {"decision": "agree"}},
                               headers=headers)
        assert response.status_code == 200, response.get_json()

    for item_id in items[:20]:
        complete(item_id)
    return [timed(lambda i=item_id: complete(i)) for item_id in items[20:]]


def backend_name(url: str | None) -> str:
    return "PostgreSQL" if url and url.startswith("postgresql") else "SQLite"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=300, help="samples per side")
    parser.add_argument("--database", help="SQLAlchemy URL of a database to drop and fill (default: scratch SQLite)")
    args = parser.parse_args()
    name = backend_name(args.database)
    app = scratch_app(args.database)
    engine = summary(engine_samples(app, args.n))
    api = summary(api_samples(app, args.n))
    ratio = api["median_ms"] / engine["median_ms"]
    option = f" --database {args.database}" if args.database else ""
    body = f"""## Engine step vs API completion — {name} (issues 2 and 7)

Measured {date.today().isoformat()} with `.venv/bin/python -m bench.engine_vs_api -n {args.n}{option}` on {machine()}.
One process, one run; {args.n} samples per side after 20 warm-up steps; medians and p95.
{"PostgreSQL 15, the local server over TCP on 127.0.0.1 (psycopg)." if name == "PostgreSQL" else "SQLite WAL, synchronous=NORMAL."}

| path | median | p95 |
|---|---|---|
| engine: deserialize → complete 酝酿 → run to next wait → serialize (no DB) | {engine['median_ms']:.2f} ms | {engine['p95_ms']:.2f} ms |
| API: `POST /api/v1/tasks/<id>/complete` on {name}, WSGI in-process | {api['median_ms']:.2f} ms | {api['p95_ms']:.2f} ms |
| **ratio API / engine (medians)** | **{ratio:.1f}×** | |

The API path adds token auth, the write transaction (`BEGIN IMMEDIATE` on SQLite, `SELECT … FOR
UPDATE` on PostgreSQL), JSON-schema and rule checks, projection of the next work item (routing
queries), the audit chain append and the commit, and the JSON answer (the case's open items and
timers). No network: loopback HTTP and several workers are measured by `bench.load`.
"""
    write_section("engine-vs-api" if name == "SQLite" else "engine-vs-api-postgresql", body)
    print(body)


if __name__ == "__main__":
    main()
