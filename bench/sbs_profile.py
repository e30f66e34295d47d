"""Where SpiffArena spends a completion: `python -m bench.side_by_side --profile-peer N` runs N
cases (1 client, not timed) against the peer served by bench/peer/profile_server.py, which
profiles the completions' Flask dispatch with cProfile, and summarises what it wrote."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

from bench.common import ROOT
from bench.sbs_systems import Peer

PROFILER = ROOT / "bench" / "peer" / "profile_server.py"

# Functions of the peer worth naming (file, function) and what they do, cumulative time each.
STEPS = [
    ("authentication_controller.py", "verify_token", "authentication: decode the bearer JWT, find the user"),
    ("authorization_service.py", "check_for_permission", "authorization: the request's URL permission check"),
    ("process_api_blueprint.py", "_task_submit_shared", "the task-submit controller, in all:"),
    ("process_instance_queue_service.py", "_dequeue", "… take the instance lock (UPDATE, commit, re-read)"),
    ("process_instance_queue_service.py", "_enqueue", "… release the instance lock (UPDATE, commit)"),
    ("process_instance_runtime.py", "__init__", "… load the workflow from its task tables"),
    ("process_instance_service.py", "complete_form_task", "… complete the task, run the engine, save"),
    ("workflow_execution_service.py", "run_and_save", "… … run the engine to the next user task and save"),
    ("process_instance_runtime.py", "save", "… … save the instance and its human tasks"),
    ("task_service.py", "next_human_task_for_user", "… the answer: the next task for the user"),
]


class ProfiledPeer(Peer):
    """The peer served by our profiling wrapper instead of the uvicorn command line (same app, one worker)."""

    key, label = "spiffarena", "SpiffArena under cProfile"

    def __init__(self, out: Path) -> None:
        super().__init__()
        self.out = out

    def server(self, db: Path, port: int) -> tuple[list[str], Path, dict[str, str], str]:
        _, cwd, env, ready = super().server(db, port)
        return [str(self.home / "venv/bin/python"), str(PROFILER), "--out", str(self.out), "--port", str(port)], \
            cwd, env, ready


def bracket(pid: int, start: bool) -> None:
    """Start (SIGUSR1) or stop (SIGUSR2) profiling the peer's requests."""
    os.kill(pid, signal.SIGUSR1 if start else signal.SIGUSR2)


class SqlCounter:
    """SQL statements by verb, and transactions begun and committed, on an engine while `active` is set
    (SQLAlchemy listeners: a BEGIN is counted at the transaction's start, whether or not a statement
    goes to the driver for it — pysqlite begins by itself, OrgFlow sends it to the driver)."""

    def __init__(self) -> None:
        self.active = False
        self.counts: dict[str, float] = {}

    def listen(self, engine: Any) -> None:
        from sqlalchemy import event

        event.listen(engine, "before_cursor_execute", self.statement)
        event.listen(engine, "begin", self.begin)
        event.listen(engine, "commit", self.commit)

    def statement(self, conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        verb = sql.lstrip().split(None, 1)[0].upper()
        if self.active and verb != "BEGIN":  # counted by `begin`, however the driver is told
            self.counts[verb] = self.counts.get(verb, 0) + 1

    def begin(self, conn: Any) -> None:
        if self.active:
            self.counts["BEGIN"] = self.counts.get("BEGIN", 0) + 1

    def commit(self, conn: Any) -> None:
        if self.active:
            self.counts["COMMIT"] = self.counts.get("COMMIT", 0) + 1


def orgflow_statements(template: Path) -> dict[str, float]:
    """(In a process of its own) SQL statements and commits per completion of bench_approval in
    OrgFlow, counted the same way as the peer's (a SQLAlchemy listener) over one case, WSGI in-process."""
    import shutil
    import tempfile

    from bench.cadre import tokens
    from bench.sbs_systems import AUDIT_KEY
    from bench.sbs_systems import INITIATOR
    from bench.sbs_systems import SECRET
    from bench.sbs_systems import STEP_USERS
    from webapp import create_app
    from webapp.extensions import db

    copy = Path(tempfile.mkdtemp(prefix="orgflow-sbs-count-")) / "count.sqlite3"
    shutil.copyfile(template, copy)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{copy}", "SECRET_KEY": SECRET, "ORGFLOW_AUDIT_KEY": AUDIT_KEY})
    keys = {user: {"Authorization": f"Bearer {key}"} for user, key in tokens(app, [INITIATOR, *STEP_USERS]).items()}
    counter, client = SqlCounter(), app.test_client()
    with app.app_context():
        counter.listen(db.engine)
    body = client.post("/api/v1/processes/bench_approval/instances", headers=keys[INITIATOR],
                       json={"data": {"title": "计数"}}).get_json()
    for user in STEP_USERS:
        item = body["instance"]["work_items"][0]["id"] if "instance" in body else body["work_items"][0]["id"]
        counter.active = True
        body = client.post(f"/api/v1/tasks/{item}/complete", headers=keys[user],
                           json={"data": {"decision": "agree"}, "comment": "同意"}).get_json()
        counter.active = False
    shutil.rmtree(copy.parent, ignore_errors=True)
    if body["instance"]["status"] != "completed":
        raise RuntimeError(f"the counted case ended {body['instance']['status']}")
    return {verb: n / len(STEP_USERS) for verb, n in counter.counts.items()}


def summary(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    if not data.get("requests"):
        return {}
    per = 1000.0 / data["requests"]
    total = data["total_s"]
    steps = []
    for filename, function, label in STEPS:
        times = [row[3] for row in data["top_cumulative"] if filename in row[0] and row[0].endswith(f":{function}")]
        if times:
            steps.append((label, max(times) * per, 100.0 * max(times) / total))
    statements = {verb: n / data["requests"] for verb, n in data.get("statements", {}).items()}
    return {"requests": data["requests"], "ms_per_request": total * per, "statements": statements, "wall_ms_per_request": data["wall_s"] * per,
            "by_package": [(name, own * per, 100.0 * own / total) for name, own in data["by_package"][:10]],
            "steps": steps}


def _sql(counts: dict[str, float]) -> str:
    if not counts:
        return "not counted"
    verbs = {v: n for v, n in counts.items() if v not in ("BEGIN", "COMMIT")}
    detail = ", ".join(f"{n:.1f} {v}" for v, n in sorted(verbs.items(), key=lambda kv: -kv[1]))
    return (f"**{sum(verbs.values()):.0f} statements** ({detail}), {counts.get('BEGIN', 0):.0f} BEGIN, "
            f"**{counts.get('COMMIT', 0):.0f} commit(s)**")


def markdown(found: dict[str, Any]) -> str:
    if not found:
        return ""
    packages = "\n".join(f"| {name} | {ms:.1f} | {share:.0f}% |" for name, ms, share in found["by_package"])
    steps = "\n".join(f"| {label} | {ms:.1f} | {share:.0f}% |" for label, ms, share in found["steps"])
    peer, ours = _sql(found["statements"]), _sql(found.get("orgflow_statements") or {})
    return f"""
Where SpiffArena spends a completion: {found['requests']} completions (1 client, not timed) against
the peer served by `bench/peer/profile_server.py`, which runs each request's Flask dispatch under
cProfile ({found['ms_per_request']:.1f} ms of profiled time per completion; cProfile inflates
Python-heavy code, so read the shares). SQL per completion of this approval, counted by a
SQLAlchemy event listener (exact; BEGIN and COMMIT apart from the statements): SpiffArena {peer};
OrgFlow (same listener, same approval, in-process) {ours}.
By package, time spent in the package's own functions:

| package | ms / completion | share |
|---|---|---|
{packages}

Its steps (cumulative, nested rows overlap):

| step | ms / completion | share |
|---|---|---|
{steps}
"""
