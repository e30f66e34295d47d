"""The machine and versions line and the markdown of `bench.side_by_side`."""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from bench import sbs_profile
from bench.common import ROOT
from bench.sbs_servers import loadavg

VERSIONS = "import importlib.metadata as m, sys, sqlite3; print(sys.version.split()[0], sqlite3.sqlite_version, " \
           "*(m.version(p) for p in sys.argv[1:]))"


def _versions(python: Path, packages: list[str]) -> dict[str, str]:
    result = subprocess.run([str(python), "-c", VERSIONS, *packages], capture_output=True, text=True, check=False)
    values = result.stdout.split()
    if result.returncode or len(values) != len(packages) + 2:
        return {"error": (result.stderr or result.stdout).strip()[-200:]}
    return dict(zip(["python", "sqlite", *packages], values, strict=True))


def _cpu() -> str:
    try:
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        return found.group(1).strip() if found else "unknown CPU"
    except OSError:
        return "unknown CPU"


def _git(*args: str) -> str:
    result = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)
    return result.stdout.strip()


def meta(systems: list[Any], args: argparse.Namespace) -> dict[str, Any]:
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    found: dict[str, Any] = {
        "started_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load_start": loadavg(),
        "nproc": nproc, "cpu": _cpu(), "kernel": f"{platform.system()} {platform.release()}",
        "orgflow_commit": _git("rev-parse", "--short", "HEAD") + (" (modified)" if _git("status", "--porcelain", "--untracked-files=no") else ""),
        "orgflow": _versions(ROOT / ".venv/bin/python", ["SpiffWorkflow", "Flask", "SQLAlchemy", "Werkzeug", "gunicorn", "waitress"]),
        "gunicorn_workers": os.environ.get("ORGFLOW_WEB_WORKERS") or os.environ.get("WEB_CONCURRENCY")
        or str(min(2 * (os.cpu_count() or 1) + 1, 8)),
        "command": "python -m bench.side_by_side " + " ".join(_cli(args)),
    }
    for system in systems:
        if hasattr(system, "home"):
            found["spiffarena"] = system.versions()
            found["spiffarena_packages"] = _versions(system.home / "venv/bin/python",
                                                     ["SpiffWorkflow", "Flask", "SQLAlchemy", "connexion", "uvicorn"])
    return found


def _cli(args: argparse.Namespace) -> list[str]:
    return [f"--rounds {args.rounds}", f"--cases {args.cases}", "--clients " + ",".join(map(str, args.clients)),
            "--list-sizes " + ",".join(map(str, args.list_sizes)), f"--list-samples {args.list_samples}",
            "--systems " + ",".join(args.systems)] + ([f"--profile-peer {args.profile_peer}"] if args.profile_peer else []) \
        + ([f"--client {args.client}"] if getattr(args, "client", None) else [])


def phase_line(label: str, row: dict[str, Any]) -> str:
    return (f"round {row['round']} {label}, {row['clients']} client(s): {row['completions']} completions, "
            f"{row['tasks_per_s']:.1f}/s, p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms, "
            f"max {row['max_ms']:.0f} ms, server CPU {row['server_cpu_ms_per_completion']:.1f} ms/completion, "
            f"{row['errors']} errors, load {row['load_start']} → {row['load_end']}")


def list_line(label: str, row: dict[str, Any]) -> str:
    page = f", HTML page p95 {row['page_p95_ms']:.1f} ms" if "page_p95_ms" in row else ""
    return (f"{label}: my tasks with {row['open_items']:,} open items (inbox total {row['inbox_total']:,}): "
            f"p50 {row['api_p50_ms']:.1f} ms, p95 {row['api_p95_ms']:.1f} ms{page}")


# ---------------------------------------------------------------- markdown

LABELS = {"spiffarena": "SpiffArena (uvicorn, 1 worker)", "orgflow-serve": "OrgFlow `flask serve` (`make run`)",
          "orgflow-gunicorn": "OrgFlow gunicorn (shipped conf)"}


def _median(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def _throughput_table(rounds: list[dict[str, Any]]) -> tuple[list[str], dict[tuple[str, int], float]]:
    lines = ["| system | clients | tasks/s: median (min–max) | p50 ms | p95 ms | max ms | server CPU ms / completion "
             "| completions | errors | cases verified |", "|" + "---|" * 10]
    medians: dict[tuple[str, int], float] = {}
    for key, label in LABELS.items():
        for clients in sorted({r["clients"] for r in rounds}):
            rows = [r for r in rounds if r["system"] == key and r["clients"] == clients]
            if not rows:
                continue
            rates = [r["tasks_per_s"] for r in rows]
            medians[(key, clients)] = statistics.median(rates)
            lines.append(
                f"| {label} | {clients} | **{statistics.median(rates):.1f}** ({min(rates):.1f}–{max(rates):.1f}) | "
                f"{_median(rows, 'p50_ms'):.1f} | {_median(rows, 'p95_ms'):.1f} | {_median(rows, 'max_ms'):.0f} | "
                f"{_median(rows, 'server_cpu_ms_per_completion'):.1f} | {sum(r['completions'] for r in rows):,} | "
                f"{sum(r['errors'] for r in rows)} | {sum(r['verified'] for r in rows)}/{len(rows)} runs |")
    return lines, medians


def _ratios(rounds: list[dict[str, Any]], medians: dict[tuple[str, int], float]) -> list[str]:
    """OrgFlow's tasks/s over SpiffArena's: of the medians, and per round (the same round's runs sat
    next to each other in time, so their ratio suffers least from the machine's changing load)."""
    rate = {(r["system"], r["clients"], r["round"]): r["tasks_per_s"] for r in rounds}
    lines = []
    for clients in sorted({c for _, c in medians}):
        peer = medians.get(("spiffarena", clients))
        parts = []
        for key in ("orgflow-serve", "orgflow-gunicorn"):
            if not peer or (key, clients) not in medians:
                continue
            per_round = [rate[(key, clients, n)] / rate[("spiffarena", clients, n)] for (s, c, n) in rate
                         if s == key and c == clients and ("spiffarena", clients, n) in rate]
            parts.append(f"{LABELS[key].split(' (')[0]} **{medians[(key, clients)] / peer:.1f}×** (per round: median "
                         f"{statistics.median(per_round):.1f}×, {min(per_round):.1f}–{max(per_round):.1f}×)")
        if parts:
            lines.append(f"- {clients} client(s), tasks/s relative to SpiffArena: " + "; ".join(parts))
    return lines


def _list_table(lists: list[dict[str, Any]]) -> list[str]:
    sizes = sorted({r["open_items"] for r in lists})
    if not sizes:
        return ["(not measured)"]
    head = "| system | " + " | ".join(f"{s:,} open: p50 / p95 ms" for s in sizes) + " |"
    lines = [head, "|---|" + "---|" * len(sizes)]
    for key, label in LABELS.items():
        rows = {r["open_items"]: r for r in lists if r["system"] == key}
        if rows:
            cells = " | ".join(f"{rows[s]['api_p50_ms']:.1f} / **{rows[s]['api_p95_ms']:.1f}**" if s in rows else "—"
                               for s in sizes)
            lines.append(f"| {label}: API | {cells} |")
        if any("page_p95_ms" in r for r in rows.values()):
            cells = " | ".join(f"{rows[s]['page_p50_ms']:.1f} / {rows[s]['page_p95_ms']:.1f}" if s in rows else "—"
                               for s in sizes)
            lines.append(f"| {label}: HTML 待办 page | {cells} |")
    return lines


def _loads(found: dict[str, Any]) -> str:
    runs = [f"r{r['round']} {r['system'].replace('orgflow-', '')} {r['clients']}c {r['load_start'].split()[0]}→"
            f"{r['load_end'].split()[0]}" for r in found["rounds"]]
    runs += [f"list {r['open_items'] // 1000}k {r['system'].replace('orgflow-', '')} {r['load_start'].split()[0]}→"
             f"{r['load_end'].split()[0]}" for r in found["lists"]]
    return "; ".join(runs)


METHOD = """Method: the same 5-step sequential approval on both (one person per step, a one-field form
plus a comment; `bench/side_by_side_bpmn/`, `bench/peer/process_models/`), SQLite, the same
client for both: {client}. Each round runs SpiffArena, OrgFlow `flask serve` and OrgFlow gunicorn in turn, each on
a fresh copy of its prepared database: server started on a free port, two warm-up cases, then
the phases — cases started through the API (not timed), every step completed by 1 client, then
as many new cases by 4 concurrent clients. One completion = one HTTP request (OrgFlow `POST
/api/v1/tasks/<id>/complete`, SpiffArena `PUT /v1.0/tasks/<case>/<guid>`), and its answer names
the next step. tasks/s = completions / phase time; p50/p95/max = latency of a completion as the
client saw it, medians over {rounds} rounds; server CPU = user+system CPU of the server's
process group per completion. Every case is checked to have reached its end (counted in the
database after the run). The client (Python threads) runs on the same {nproc} CPUs as the
servers. SpiffArena: its backend's locked dependencies in its own venv, one uvicorn worker,
signed in through its dev OpenID provider, default configuration otherwise (SQLite in its default
rollback-journal mode, no Celery, no background scheduler); see `bench/peer/README.md`."""


CLIENT_WORDS = {
    "httpx": "httpx, one keep-alive client per thread",
    "lean": ("the standard library's http.client, one keep-alive connection per thread, for the timed "
             "completions and \"my tasks\" (`bench/sbs_client.py`; httpx, 0.2–0.4 ms slower per request here, signs "
             "in, starts the cases and reads the HTML page)"),
}


def _pkgs(found: dict[str, str], names: list[str]) -> str:
    return ", ".join(f"{'Python' if n == 'python' else n} {found.get(n, '?')}" for n in names)


def markdown(found: dict[str, Any], args: argparse.Namespace) -> str:
    m = found["meta"]
    table, medians = _throughput_table(found["rounds"])
    peer = m.get("spiffarena", "not run")
    reduced = (f" ({args.cases} cases = {args.cases * 5:,} completions per phase, fewer than the issue's 1,000, "
               "to keep the run short on the shared machine)" if args.cases < 200 else "")
    return f"""## Side by side: SpiffArena and OrgFlow in one interleaved run (issue 17, item 6)

Measured {m['started_utc']} with `.venv/bin/python -m bench.side_by_side {' '.join(_cli(args))}`{reduced}.
Machine: nproc {m['nproc']} ({m['cpu']}), {m['kernel']}, SQLite {m['orgflow'].get('sqlite', '?')}.
The client and the servers share the machine's CPUs, and the host may run other tenants: load average (1/5/15 min)
{m['load_start']} at the start, {m['load_end']} at the end; per run (1-minute load, start→end):
{_loads(found)}.
Versions: OrgFlow {m['orgflow_commit']} ({_pkgs(m['orgflow'], ['python', 'SpiffWorkflow', 'Flask', 'SQLAlchemy', 'gunicorn'])};
{m['gunicorn_workers']} gthread workers × 4 threads under gunicorn); SpiffArena {peer}
({_pkgs(m.get('spiffarena_packages', {}), ['Flask', 'SQLAlchemy', 'connexion', 'uvicorn'])}).

{METHOD.format(rounds=args.rounds, nproc=m['nproc'], client=CLIENT_WORDS[getattr(args, 'client', None) or 'httpx'])}

{chr(10).join(table)}

{chr(10).join(_ratios(found['rounds'], medians))}

"My tasks" with N open items, all in one approver's inbox (one case started through the API,
its open step copied N−1 times in the database, `bench/sbs_fill.py`), one page of 20 rows,
{args.list_samples} requests after 10 warm-up ones (OrgFlow `GET /api/v1/tasks?view=todo&limit=20`
and the HTML `/tasks/todo`; SpiffArena `GET /v1.0/tasks?per_page=20`, what its "my tasks" calls):

{chr(10).join(_list_table(found['lists']))}

{sbs_profile.markdown(found.get('profile') or dict())}
Raw results: `{found['logs']}.json` (not committed; server logs beside it).
"""

