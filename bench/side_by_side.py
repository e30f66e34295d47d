"""OrgFlow and SpiffArena side by side, in one interleaved run (issue 17, item 6; run by hand:
`.venv/bin/python -m bench.side_by_side`, after `bench/peer/setup_spiffarena.sh`; see bench/README.md).

The same 5-step sequential approval on both (bench/side_by_side_bpmn, bench/peer/process_models),
SQLite, the same client (threads; `--client`, bench/sbs_client.py): in each round, for each server in turn — SpiffArena's
backend (one uvicorn worker, its dev OpenID provider), OrgFlow's default server (`flask serve`, as
`make run`) and OrgFlow under gunicorn with the shipped gunicorn.conf.py — a fresh copy of a
prepared database, the server started on a free port, two warm-up cases, then `--cases` cases
started (not timed) and every step completed by one client, and `--cases` more by four
concurrent clients; one completion = one HTTP request, and the answer names the next step. The
report gives medians over rounds of tasks/s, p50 and p95 of a completion as the client saw it,
and the server's CPU per completion; then "my tasks" (one page of 20) at 1k and 10k open items.
Load averages are recorded at the start and end of every phase. Writes docs/performance.md
(`<!-- bench:side_by_side -->`) and bench/results/side_by_side-<time>.json (+ server logs).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench import sbs_client
from bench import sbs_fill
from bench import sbs_profile
from bench import sbs_report
from bench import sbs_servers
from bench.common import ROOT
from bench.common import isolated
from bench.common import write_section
from bench.sbs_systems import INITIATOR
from bench.sbs_systems import STEP_IDS
from bench.sbs_systems import STEP_USERS
from bench.sbs_systems import NotSetUp
from bench.sbs_systems import OrgFlow
from bench.sbs_systems import Peer
from bench.sbs_systems import Ref
from bench.sbs_systems import StepFailed

BENCH_BPMN = ROOT / "bench" / "side_by_side_bpmn"
RESULTS = ROOT / "bench" / "results"
WARMUP_CASES = 2
ARG_NAMES = ("rounds", "cases", "clients", "list_sizes", "list_samples", "systems", "profile_peer", "client")


def pct(samples: list[float], p: float) -> float:
    """Nearest-rank percentile, in ms."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)] * 1000 if ordered else float("nan")


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU of every live process in a process group (the server and its workers)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # after the name: state, ppid, pgrp, …, utime (12), stime (13)
            total += int(fields[11]) + int(fields[12])
    return total / tick


# ---------------------------------------------------------------- one phase: N cases, C clients

class Sink:
    """What the clients of one phase saw, shared under a lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.last = 0.0

    def ok(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.last = time.perf_counter()

    def failed(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


def client_loop(system: Any, base: str, auth: dict[str, dict[str, str]], cases: queue.Queue[Ref], sink: Sink,
                kind: str) -> None:
    """One client: take a case, complete its five steps in order (each answer names the next)."""
    import httpx

    with sbs_client.make_client(kind, base) as client:
        while True:
            try:
                ref: Ref | None = cases.get_nowait()
            except queue.Empty:
                return
            for step in range(len(STEP_IDS)):
                started = time.perf_counter()
                try:
                    ref = system.complete(client, auth, ref, step)
                except (StepFailed, httpx.HTTPError, sbs_client.ClientError, KeyError, ValueError) as exc:
                    sink.failed(f"{STEP_IDS[step]}: {exc}"[:300])
                    break
                sink.ok(time.perf_counter() - started)


def phase(system: Any, base: str, auth: dict[str, dict[str, str]], refs: list[Ref], clients: int,
          pgid: int, kind: str) -> dict[str, Any]:
    cases: queue.Queue[Ref] = queue.Queue()
    for ref in refs:
        cases.put(ref)
    sink = Sink()
    threads = [threading.Thread(target=client_loop, args=(system, base, auth, cases, sink, kind)) for _ in range(clients)]
    load_start, cpu_start = sbs_servers.loadavg(), group_cpu_seconds(pgid)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = (sink.last or time.perf_counter()) - started
    done = len(sink.latencies)
    cpu = group_cpu_seconds(pgid) - cpu_start
    return {"clients": clients, "cases": len(refs), "completions": done, "errors": len(sink.errors),
            "error_samples": sink.errors[:5], "seconds": seconds, "tasks_per_s": done / seconds if seconds else 0.0,
            "p50_ms": pct(sink.latencies, 0.50), "p95_ms": pct(sink.latencies, 0.95), "p99_ms": pct(sink.latencies, 0.99),
            "max_ms": max(sink.latencies, default=0.0) * 1000, "server_cpu_ms_per_completion": cpu * 1000 / done if done else 0.0,
            "load_start": load_start, "load_end": sbs_servers.loadavg()}


# ---------------------------------------------------------------- a server session

class Session:
    """A server of `system` on a fresh database copy: started, signed in, stopped on exit."""

    def __init__(self, system: Any, workdir: Path, logs: Path, name: str) -> None:
        self.system, self.name, self.log = system, name, logs / f"{name}.log"
        self.db = system.fresh_db(workdir, name)
        self.port = sbs_servers.free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Session:
        import httpx

        command, cwd, env, ready = self.system.server(self.db, self.port)
        self.process = sbs_servers.launch(command, cwd, env, self.log)
        try:
            sbs_servers.wait_ready(ready, self.process, self.log)
            with httpx.Client(base_url=self.base, timeout=60) as client:
                self.auth = self.system.sign_in(client)
        except BaseException:
            sbs_servers.stop(self.process)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        sbs_servers.stop(self.process)

    def start_cases(self, count: int) -> tuple[list[Ref], float]:
        import httpx

        started = time.perf_counter()
        with httpx.Client(base_url=self.base, timeout=120) as client:
            refs = self.system.start_cases(client, self.auth, count)
        return refs, time.perf_counter() - started


def one_round(system: Any, number: int, args: argparse.Namespace, workdir: Path, logs: Path) -> list[dict[str, Any]]:
    results = []
    with Session(system, workdir, logs, f"round{number}-{system.key}") as server:
        warm, _ = server.start_cases(WARMUP_CASES)
        phase(system, server.base, server.auth, warm, 1, server.process.pid, args.client)
        for clients in args.clients:
            refs, created = server.start_cases(args.cases)
            found = phase(system, server.base, server.auth, refs, clients, server.process.pid, args.client)
            results.append({"round": number, "system": system.key, "create_seconds": created, **found})
            print(sbs_report.phase_line(system.label, results[-1]), flush=True)
    counts = sbs_fill.statuses(server.db)
    expected = WARMUP_CASES + args.cases * len(args.clients)
    for row in results:
        row["statuses"] = counts
        row["verified"] = counts.get(system.done_status, 0) == expected and sum(counts.values()) == expected
    return results


# ---------------------------------------------------------------- "my tasks" at N open items

def list_latency(system: Any, size: int, args: argparse.Namespace, workdir: Path, logs: Path) -> dict[str, Any]:
    import httpx

    with Session(system, workdir, logs, f"list{size}-{system.key}") as server:
        (genuine,), _ = server.start_cases(1)
        (sbs_fill.fill_spiffarena if isinstance(system, Peer) else sbs_fill.fill_orgflow)(server.db, genuine.case, size - 1)
        load_start = sbs_servers.loadavg()
        with sbs_client.make_client(args.client, server.base) as lean:
            total = system.my_tasks(lean, server.auth)
            api = _samples(lambda: system.my_tasks(lean, server.auth), args.list_samples)
        with httpx.Client(base_url=server.base, timeout=120) as client:  # the HTML page: a signed-in cookie jar
            page: list[float] = []
            if isinstance(system, OrgFlow):
                system.page_client(client)
                page = _samples(lambda: system.todo_page(client), args.list_samples)
    if total != size:
        raise StepFailed(f"{system.label}: my tasks counts {total} open items, not {size}")
    row = {"system": system.key, "open_items": size, "inbox_total": total, "samples": args.list_samples,
           "api_p50_ms": pct(api, 0.5), "api_p95_ms": pct(api, 0.95), "load_start": load_start,
           "load_end": sbs_servers.loadavg()}
    if page:
        row.update(page_p50_ms=pct(page, 0.5), page_p95_ms=pct(page, 0.95))
    print(sbs_report.list_line(system.label, row), flush=True)
    return row


def _samples(call: Any, count: int, warmup: int = 10) -> list[float]:
    for _ in range(warmup):
        call()
    found = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        found.append(time.perf_counter() - started)
    return found


def profile_peer(args: argparse.Namespace, workdir: Path, logs: Path) -> dict[str, Any]:
    """Where the peer's time goes: `--profile-peer` cases by 1 client under cProfile (not timed)."""
    out = logs / "spiffarena-profile.json"
    system = sbs_profile.ProfiledPeer(out)
    with Session(system, workdir, logs, "profile-spiffarena") as server:
        warm, _ = server.start_cases(WARMUP_CASES)
        phase(system, server.base, server.auth, warm, 1, server.process.pid, args.client)
        refs, _ = server.start_cases(args.profile_peer)
        sbs_profile.bracket(server.process.pid, start=True)
        found = phase(system, server.base, server.auth, refs, 1, server.process.pid, args.client)
        sbs_profile.bracket(server.process.pid, start=False)
    if found["errors"]:
        raise StepFailed(f"profiled run: {found['error_samples']}")
    result = sbs_profile.summary(out)
    template = workdir / "orgflow-template.sqlite3"
    if template.exists():
        result["orgflow_statements"] = isolated("bench.side_by_side", "--count-orgflow", str(template))
    return result


# ---------------------------------------------------------------- preparation and main

def prepare_orgflow(path: Path) -> dict[str, str]:
    """(In a process of its own) a migrated scratch database with the demo organization, the shipped
    diagrams and bench_approval deployed, and an API token per person of the approval."""
    from bench.cadre import tokens
    from bench.common import scratch_app
    from webapp.extensions import db
    from workflows.engine import definitions

    app = scratch_app(f"sqlite:///{path}")
    with app.app_context():
        definitions.deploy_all(db.session, BENCH_BPMN)
        db.session.commit()
    found = tokens(app, [INITIATOR, *STEP_USERS])
    with app.app_context():
        db.engine.dispose()
    sbs_fill.checkpoint(path)
    return found


def preflight(args: argparse.Namespace) -> None:
    """Fail before anything starts when a system is not installed (NotSetUp says what to run)."""
    if not (ROOT / ".venv/bin/gunicorn").exists():
        raise NotSetUp("OrgFlow's .venv is missing: run `make setup` first")
    if "spiffarena" in args.systems or args.profile_peer:
        Peer()


def systems(args: argparse.Namespace, workdir: Path) -> list[Any]:
    wanted = args.systems
    found: list[Any] = [Peer()] if "spiffarena" in wanted else []
    if any(s.startswith("orgflow") for s in wanted):
        template = workdir / "orgflow-template.sqlite3"
        tokens = isolated("bench.side_by_side", "--prepare-orgflow", str(template))
        found += [OrgFlow(kind, template, tokens) for kind in ("serve", "gunicorn") if f"orgflow-{kind}" in wanted]
    return found


def run(args: argparse.Namespace) -> dict[str, Any]:
    preflight(args)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    logs = RESULTS / f"side_by_side-{stamp}"
    logs.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="orgflow-sbs-"))
    try:
        chosen = systems(args, workdir)
        meta = sbs_report.meta(chosen, args)
        rounds = [row for number in range(1, args.rounds + 1) for system in chosen
                  for row in one_round(system, number, args, workdir, logs)]
        lists = [list_latency(system, size, args, workdir, logs) for size in args.list_sizes for system in chosen]
        profile = profile_peer(args, workdir, logs) if args.profile_peer else {}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    meta["load_end"] = sbs_servers.loadavg()
    found = {"meta": meta, "args": {k: v for k, v in vars(args).items() if k in ARG_NAMES}, "rounds": rounds,
             "lists": lists, "profile": profile, "logs": str(logs.relative_to(ROOT))}
    (RESULTS / f"side_by_side-{stamp}.json").write_text(json.dumps(found, indent=1, ensure_ascii=False))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cases", type=int, default=200, help="cases per phase (5 completions each)")
    parser.add_argument("--clients", default="1,4", help="concurrent clients per phase, comma separated")
    parser.add_argument("--list-sizes", default="1000,10000", help="open items in my tasks, comma separated")
    parser.add_argument("--list-samples", type=int, default=200)
    parser.add_argument("--systems", default="spiffarena,orgflow-serve,orgflow-gunicorn")
    parser.add_argument("--client", choices=sbs_client.CLIENTS, default="lean",
                        help="the timed requests' client: http.client keep-alive (lean) or httpx; see bench/sbs_client.py")
    parser.add_argument("--profile-peer", type=int, default=0, metavar="CASES",
                        help="afterwards, run CASES cases against the peer under cProfile (not timed)")
    parser.add_argument("--section", default="side_by_side", help="the docs/performance.md section to (re)write")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/performance.md")
    parser.add_argument("--report", metavar="JSON", help="only rewrite the section from a results file of an earlier run")
    parser.add_argument("--prepare-orgflow", help=argparse.SUPPRESS)
    parser.add_argument("--count-orgflow", help=argparse.SUPPRESS)
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare_orgflow:
        Path(args.json_out).write_text(json.dumps(prepare_orgflow(Path(args.prepare_orgflow))))
        return
    if args.count_orgflow:
        Path(args.json_out).write_text(json.dumps(sbs_profile.orgflow_statements(Path(args.count_orgflow))))
        return
    args.clients = [int(c) for c in args.clients.split(",")]
    args.list_sizes = [int(s) for s in args.list_sizes.split(",") if s]
    args.systems = args.systems.split(",")
    if args.report:
        found = json.loads(Path(args.report).read_text())
        args = argparse.Namespace(**{**vars(args), "client": "httpx", **found["args"]})  # before --client: httpx
    else:
        sbs_servers.install_cleanup()
        try:
            found = run(args)
        except NotSetUp as exc:
            sys.exit(f"side_by_side: {exc}")
    body = sbs_report.markdown(found, args)
    if not args.no_write:
        write_section(args.section, body)
    print(body)


if __name__ == "__main__":
    main()
