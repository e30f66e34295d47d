"""Closed-model load on loopback against a real gunicorn (issue 7, T2; run by hand:
`.venv/bin/python -m bench.load`).

For each run: a fresh database (a scratch SQLite file, or `--database postgresql://…`, dropped
and created again), the demo organization, `--cases` cadre_promotion cases seeded through the
services at 酝酿, an API token per approver; then `gunicorn -c gunicorn.conf.py -w W
'webapp:create_app()'` (the shipped configuration) on 127.0.0.1 and C simulated approvers (threads with httpx). Each approver loops over the six
approvers' tokens in turn: GET that user's 待办 (`/api/v1/tasks?view=todo&limit=20`, one page), pick an
item (approvers on the same 待办 take different rows), POST /complete with a valid form for its step. Two approvers may pick the
same item: the loser's 409 is counted as contention, not as an error. The run ends when every
case has run through its ten steps to 任职 (the 公示 timer is already due when reached; the case then waits on the 试用期),
then `flask audit verify` checks the audit chain. The client shares the machine's CPUs with
gunicorn (and the database); `--server-cpus`/`--client-cpus` pin them with taskset.

`--runs sqlite:4:8,sqlite:4:32,…` lists backend:workers:clients; writes one table to
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from pathlib import Path
from typing import Any

from bench.cadre import APPROVERS
from bench.cadre import STEPS
from bench.cadre import forms
from bench.cadre import seed_cases
from bench.cadre import tokens
from bench.common import ROOT
from bench.common import isolated
from bench.common import machine
from bench.common import scratch_app
from bench.common import write_section

PG_DEFAULT = "postgresql://postgres@127.0.0.1/orgflow_bench"
SECRET = "bench-secret-key-0123456789"
AUDIT_KEY = "bench-audit-key-0123456789"
LEGS = len(STEPS)


@dataclass
class Stats:
    """What the approvers saw; shared by the threads under a lock."""

    expected: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"GET 待办": [], "POST complete": []})
    completed: int = 0
    cases_done: int = 0
    conflicts: int = 0
    empty_polls: int = 0
    errors: list[str] = field(default_factory=list)
    conflict_messages: dict[str, int] = field(default_factory=dict)
    last_done: float = 0.0

    def record(self, endpoint: str, seconds: float) -> None:
        with self.lock:
            self.latencies[endpoint].append(seconds)

    def finished(self) -> bool:
        return self.completed >= self.expected or len(self.errors) > 20


# ---------------------------------------------------------------- the simulated approvers

def _complete(client: Any, stats: Stats, headers: dict[str, str], item: dict[str, Any],
              data: dict[str, dict[str, Any]]) -> None:
    started = time.perf_counter()
    response = client.post(f"/api/v1/tasks/{item['id']}/complete", json={"data": data[item["task"]]},
                           headers=headers)
    stats.record("POST complete", time.perf_counter() - started)
    with stats.lock:
        if response.status_code == 200:
            stats.completed += 1
            stats.last_done = time.perf_counter()
            stats.cases_done += response.json()["instance"]["status"] == "completed"
        elif response.status_code == 409:
            stats.conflicts += 1
            message = response.json().get("message", "")[:12]
            stats.conflict_messages[message] = stats.conflict_messages.get(message, 0) + 1
        else:
            stats.errors.append(f"{response.status_code} {item['task']}: {response.text[:200]}")


def approver(base_url: str, keys: dict[str, str], stats: Stats, seed: int) -> None:
    """One simulated approver: the six approvers' 待办 in turn, one completion per non-empty one."""
    import httpx

    rng, data = random.Random(seed), forms()
    users = APPROVERS[seed % len(APPROVERS):] + APPROVERS[:seed % len(APPROVERS)]
    idle = 0
    with httpx.Client(base_url=base_url, timeout=60) as client:
        while not stats.finished():
            user = users[0]
            users = users[1:] + users[:1]
            headers = {"Authorization": f"Bearer {keys[user]}"}
            started = time.perf_counter()
            response = client.get("/api/v1/tasks", params={"view": "todo", "limit": 20}, headers=headers)
            stats.record("GET 待办", time.perf_counter() - started)
            items = response.json()["items"] if response.status_code == 200 else []
            if response.status_code != 200:
                with stats.lock:
                    stats.errors.append(f"{response.status_code} GET 待办: {response.text[:200]}")
            if not items:
                idle += 1
                with stats.lock:
                    stats.empty_polls += 1
                if idle >= len(users):
                    time.sleep(0.01)  # nobody has work for this approver right now
                continue
            idle = 0
            # Approvers on the same 待办 take different rows of the page, as people at their own desks
            # would, rather than racing for one (races still happen, and are counted).
            _complete(client, stats, headers, items[(seed + rng.randrange(3)) % len(items)], data)


# ---------------------------------------------------------------- the server and its database

def fresh_database(backend: str, pg_url: str) -> str:
    """A new empty database URL: a scratch SQLite file, or the PostgreSQL database (scratch_app resets it)."""
    if backend == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='orgflow-load-')}/load.sqlite3"
    return pg_url


def server_env(url: str) -> dict[str, str]:
    return {**os.environ, "ORGFLOW_DATABASE_URL": url, "ORGFLOW_SECRET_KEY": SECRET, "ORGFLOW_AUDIT_KEY": AUDIT_KEY,
            "FLASK_APP": "webapp:create_app"}


def start_gunicorn(url: str, workers: int, port: int, cpus: str | None) -> subprocess.Popen[bytes]:
    # The shipped gunicorn.conf.py (gthread workers, 4 threads each, access log), as deployed.
    command = [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(workers),
               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "webapp:create_app()"]
    if cpus and shutil.which("taskset"):
        command = ["taskset", "-c", cpus, *command]
    process = subprocess.Popen(command, cwd=ROOT, env=server_env(url), start_new_session=True)
    wait_ready(f"http://127.0.0.1:{port}/api/v1/openapi.json")
    return process


def wait_ready(url: str, seconds: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url}")


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def audit_verify(url: str) -> str:
    result = subprocess.run([str(ROOT / ".venv/bin/flask"), "audit", "verify"], cwd=ROOT, env=server_env(url),
                            capture_output=True, text=True, check=False)
    return (result.stdout + result.stderr).strip().splitlines()[-1].split(", head")[0] if result.returncode == 0 else \
        f"FAILED: {(result.stdout + result.stderr).strip()[-300:]}"


# ---------------------------------------------------------------- one run

@dataclass
class Run:
    backend: str
    workers: int
    clients: int
    cases: int
    seconds: float = 0.0
    stats: Stats | None = None
    audit: str = ""
    load: str = ""


def one_run(run: Run, args: argparse.Namespace) -> Run:
    url = fresh_database(run.backend, args.database)
    keys = isolated("bench.load", "--seed", url, "--cases", str(run.cases))
    server = start_gunicorn(url, run.workers, args.port, args.server_cpus)
    if args.client_cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {int(c) for c in args.client_cpus.split(",")})
    run.load = f"{os.getloadavg()[0]:.2f}"
    stats = Stats(expected=run.cases * LEGS)
    threads = [threading.Thread(target=approver, args=(f"http://127.0.0.1:{args.port}", keys, stats, n))
               for n in range(run.clients)]
    started = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        stop(server)
    run.seconds, run.stats = (stats.last_done or time.perf_counter()) - started, stats
    run.audit = audit_verify(url)
    print(row(run), flush=True)
    for error in stats.errors[:5]:
        print("  error:", error)
    print("  409 messages:", stats.conflict_messages)
    return run


# ---------------------------------------------------------------- report

def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000 if ordered else 0.0


def row(run: Run) -> str:
    stats = run.stats
    assert stats is not None
    get, post = stats.latencies["GET 待办"], stats.latencies["POST complete"]
    backend = "PostgreSQL" if run.backend == "postgresql" else "SQLite"
    return (f"| {backend} | {run.workers} | {run.clients} | {run.load} | {stats.completed:,}/{stats.expected:,} | "
            f"**{stats.completed / run.seconds:.1f}** | {stats.cases_done / run.seconds:.2f} | "
            f"{statistics.median(get) * 1000:.0f} / {pct(get, .95):.0f} / {pct(get, .99):.0f} | "
            f"{statistics.median(post) * 1000:.0f} / {pct(post, .95):.0f} / {pct(post, .99):.0f} | "
            f"{len(stats.errors)} | {stats.conflicts} | {stats.empty_polls} | {run.audit} |")


def report(runs: list[Run], args: argparse.Namespace) -> str:
    header = ("| database | gunicorn workers | approvers | load avg at start | completions | **tasks/s** | "
              "cases/s | GET 待办 ms p50 / p95 / p99 | POST complete ms p50 / p95 / p99 | errors | "
              "409 (contention) | empty 待办 polls | `flask audit verify` |")
    lines = [header, "|" + "---|" * 13, *(row(r) for r in runs)]
    ratio = ""
    pg = {(r.workers, r.clients): r for r in runs if r.backend == "postgresql" and r.stats}
    pairs = [(c, pg[(1, c)], pg[(4, c)]) for (w, c) in pg if w == 1 and (4, c) in pg]
    for clients, one, four in pairs:
        assert one.stats and four.stats
        gain = (four.stats.completed / four.seconds) / (one.stats.completed / one.seconds)
        ratio += f"\nScale-out on PostgreSQL, {clients} approvers: 4 web workers / 1 web worker = **{gain:.2f}×** tasks/s.\n"
    reduced = (" (fewer than the 1,000 of design T2, to keep each run within a few minutes on the shared "
               "machine)" if args.cases < 1000 else "")
    pinned = (f"gunicorn pinned to CPUs {args.server_cpus}, client to {args.client_cpus}" if args.server_cpus
              else "client and server unpinned, sharing both vCPUs")
    return f"""## Load on loopback: {args.cases:,} cases, gunicorn, simulated approvers (issue 7)

Measured {date.today().isoformat()} with `.venv/bin/python -m bench.load --cases {args.cases} --runs {args.runs}`
on {machine()}.
Each run: a fresh database, {args.cases} cadre_promotion cases seeded at 酝酿{reduced}, `gunicorn -w W
'webapp:create_app()'` on 127.0.0.1 with the shipped `gunicorn.conf.py` (gthread, 4 threads per
worker, access log on), and C approver threads (httpx, one process,
{pinned}). Each approver loops over the six approvers' API tokens: GET their 待办
(one page, `limit=20`), pick an item (several approvers on one 待办 take different rows), POST /complete with a valid form; every case runs
through its 10 steps to 任职 (the 公示 timer is already due when reached). tasks/s and
cases/s are over the whole run (first request to last completion); latencies are per request
as the client saw them, queueing included. A 409 is two approvers picking the same item
(contention, expected); errors are anything else. The load generator competes with gunicorn
and the database for the same 2 vCPUs, so these are lower bounds for the server; the machine
is shared with other jobs (load average at the start of each run shown).

{chr(10).join(lines)}
{ratio}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--runs", default="sqlite:4:8,sqlite:4:32,postgresql:4:8,postgresql:4:32,postgresql:1:32",
                        help="backend:workers:clients, comma separated")
    parser.add_argument("--database", default=PG_DEFAULT, help="the PostgreSQL database to drop and fill")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--server-cpus", help="taskset CPU list for gunicorn, e.g. 0")
    parser.add_argument("--client-cpus", help="CPU list for the approvers, e.g. 1")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--section", default="load", help="the docs/performance.md section to (re)write")
    parser.add_argument("--seed", help=argparse.SUPPRESS)  # with --json-out: seed this database, write tokens
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop gunicorn (finally) when stopped
    if args.seed:
        app = scratch_app(args.seed)
        seed_cases(app, args.cases)
        Path(args.json_out).write_text(json.dumps(tokens(app, APPROVERS)))
        return
    runs = []
    for spec in args.runs.split(","):
        backend, workers, clients = spec.split(":")
        runs.append(one_run(Run(backend, int(workers), int(clients), args.cases), args))
    body = report(runs, args)
    if not args.no_write:
        write_section(args.section, body)
    print(body)


if __name__ == "__main__":
    main()
