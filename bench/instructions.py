"""Instructions per completion of the 5-step approval, counted by valgrind's callgrind (issue 17;
run by hand: `.venv/bin/python -m bench.instructions [-n 20] [--write]`; needs valgrind).

The times of `bench.approval_inprocess` move with the host: on the 2-vCPU machines here the same
code measured 3.5 ms one day and 5.0 ms another, and one run's rounds differ by a fifth, so a
change worth a few percent cannot be told from the noise. Instructions can: callgrind counts
what the CPU executes, whatever else the host does (it has no hardware counter to borrow here:
`perf stat` finds none in this VM), so two runs of the same code agree to a fraction of a percent.
They are not time — a cache miss costs many instructions' worth — so compare counts of two
versions with each other, and times with times.

How: the bench starts itself under `valgrind --tool=callgrind --instr-atstart=no` with
`PYTHONHASHSEED=0`. That child builds the scratch app, deploys the approval, signs the approvers
in, completes two warm-up cases and starts `-n` more, all uncounted; then it waits. The parent
turns counting on (`callgrind_control -i on`), lets the child complete the cases' five steps
each through `POST /api/v1/tasks/<id>/complete` (Flask's test client, as the in-process bench),
turns counting off when the child says it is done, and reads callgrind's file: the total, and
each shared object's own instructions (the interpreter, SQLite, the C parts of SQLAlchemy …).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import IO
from typing import Any

from bench.common import ROOT
from bench.common import write_section

_COST = re.compile(r"^[+\-*]?\d*\s+(\d+)")


def child(n: int) -> None:
    """The counted process: prepare, say "ready", wait; complete, say "done", wait."""
    from bench.approval_inprocess import _cases
    from bench.approval_inprocess import _walk
    from bench.cadre import tokens
    from bench.common import scratch_app
    from bench.sbs_systems import INITIATOR
    from bench.sbs_systems import STEP_USERS
    from bench.side_by_side import BENCH_BPMN
    from webapp.extensions import db
    from workflows.engine import definitions

    app = scratch_app(None)
    with app.app_context():
        definitions.deploy_all(db.session, BENCH_BPMN)
        db.session.commit()
    keys = {user: {"Authorization": f"Bearer {key}"} for user, key in tokens(app, [INITIATOR, *STEP_USERS]).items()}
    client = app.test_client()
    _walk(client, keys, _cases(client, keys, 2))  # warm-up: specs parsed, validators compiled, caches filled
    first = _cases(client, keys, n)
    print("ready", flush=True)
    sys.stdin.readline()
    _walk(client, keys, first)
    print("done", flush=True)
    sys.stdin.readline()


PAGE_ITEMS = 10_000


def child_page(n: int) -> None:
    """The same for `GET /tasks/todo` of an approver with PAGE_ITEMS open items (the side-by-side's
    "my tasks" at 10k), signed in through the login form."""
    from bench.common import scratch_app
    from bench.common import signed_in_client
    from bench.inbox import fill_one_inbox

    app = scratch_app(None)
    fill_one_inbox(app, PAGE_ITEMS)
    web = signed_in_client(app, "s1_01", "bench-password-1")
    for _ in range(20):  # warm-up: templates compiled, statements prepared, caches filled
        if web.get("/tasks/todo").status_code != 200:
            raise SystemExit("the 待办 page did not answer 200")
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(n):
        web.get("/tasks/todo").get_data()
    print("done", flush=True)
    sys.stdin.readline()


def _until(stream: IO[str], word: str) -> None:
    for line in stream:
        if line.strip() == word:
            return
    raise SystemExit(f"the counted process ended before saying {word!r} (its log: stderr.log beside callgrind's file)")


def _control(pid: int, switch: str) -> None:
    subprocess.run(["callgrind_control", "-i", switch, str(pid)], check=True, capture_output=True, timeout=60)


def count(n: int, page: bool = False) -> dict[str, Any]:
    """Run the child under callgrind; its counted instructions, in all and per shared object."""
    python = sys.executable  # the venv's link to the interpreter (valgrind runs binaries, not a shim script)
    out = Path(tempfile.mkdtemp(prefix="orgflow-callgrind-")) / "callgrind.out"
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
               python, "-m", "bench.instructions", "--child", "-n", str(n), *(["--page"] if page else [])]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    started = time.monotonic()
    errors = out.with_name("stderr.log")  # valgrind's own lines and the app's log
    with errors.open("w") as stderr, subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                                       stdout=subprocess.PIPE, stderr=stderr, text=True) as process:
        assert process.stdin is not None and process.stdout is not None
        _until(process.stdout, "ready")
        _control(process.pid, "on")
        process.stdin.write("go\n")
        process.stdin.flush()
        _until(process.stdout, "done")
        _control(process.pid, "off")
        process.stdin.write("end\n")
        process.stdin.flush()
        if process.wait(timeout=600) != 0:
            raise SystemExit(f"the counted process failed ({process.returncode}); see {errors}")
    total, objects = parse(out.read_text(encoding="utf-8", errors="replace"))
    return {"n": n, "completions": n if page else n * 5, "total": total, "objects": objects, "seconds": time.monotonic() - started}


def parse(text: str) -> tuple[int, Counter[str]]:
    """callgrind's file (one event, Ir): the total, and each object's own (self) instructions —
    a cost line after `calls=` is the call's inclusive cost and belongs to the callee's own.
    Only object names matter here; `ob=` and `cob=` share their compressed ids (`(3) name`
    defines id 3, `(3)` refers to it), which files and functions number apart."""
    objects_by_id: dict[str, str] = {}
    objects: Counter[str] = Counter()
    current, after_call, total = "?", False, 0
    for line in text.splitlines():
        if line.startswith(("ob=", "cob=")):
            name = _name(objects_by_id, line.partition("=")[2])
            if line.startswith("ob="):
                current = name
        elif line.startswith("calls="):
            after_call = True
        elif line.startswith("totals:"):
            total = int(line.split()[1])
        elif _COST.match(line):
            if not after_call:
                objects[current] += int(_COST.match(line).group(1))  # type: ignore[union-attr]
            after_call = False
    return total or sum(objects.values()), objects


def _name(names: dict[str, str], value: str) -> str:
    """A compressed name: `(id) name` defines it, `(id)` refers to it."""
    found = re.match(r"\((\d+)\)\s*(.*)", value)
    if found is None:
        return value
    if found.group(2):
        names[found.group(1)] = found.group(2)
    return names.get(found.group(1), value)


def report(result: dict[str, Any], load: tuple[float, float]) -> str:
    per = result["total"] / result["completions"]
    rows = []
    for name, own in result["objects"].most_common(10):
        rows.append(f"| `{Path(name).name}` | {own / result['completions'] / 1e6:.2f} | {own / result['total']:.0%} |")
    table = "\n".join(rows)
    return f"""## Instructions per completion, counted by callgrind (issue 17)

Counted {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `.venv/bin/python -m bench.instructions -n {result['n']}`
({result['completions']} completions of the side-by-side's approval through `POST
/api/v1/tasks/<id>/complete`, Flask's test client, SQLite, `PYTHONHASHSEED=0`; {result['seconds']:.0f} s under
valgrind; load average {load[0]:.1f} → {load[1]:.1f}). A count, not a time: it does not move with the host,
so it tells two versions of the code apart where the timed benches cannot (module docstring).

**{per / 1e6:.2f} million instructions per completion.** The objects that execute them (own
instructions, in millions per completion):

| object | M instructions | share |
|---|---|---|
{table}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=20, help="cases counted (5 completions each)")
    parser.add_argument("--write", action="store_true", help="also write the section of docs/performance.md")
    parser.add_argument("--page", action="store_true",
                        help=f"count -n requests of the 待办 page at {PAGE_ITEMS:,} open items instead (printed only)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        (child_page if args.page else child)(args.n)
        return
    before = os.getloadavg()[0]
    result = count(args.n, args.page)
    if args.page:
        print(f"{result['total'] / args.n / 1e6:.2f} M instructions per 待办 page ({PAGE_ITEMS:,} open items, "
              f"{args.n} pages)")
        for name, own in result["objects"].most_common(8):
            print(f"  {Path(name).name}: {own / args.n / 1e6:.2f} M")
        return
    body = report(result, (before, os.getloadavg()[0]))
    if args.write:
        write_section("instructions", body)
    print(body)


if __name__ == "__main__":
    main()
