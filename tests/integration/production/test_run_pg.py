"""`make run-pg`'s script on a scratch database and a free port: it creates and migrates the
database, loads the demo, serves pages and the API from gunicorn with two timer workers beside
it, and Ctrl-C (SIGINT to its process group, as a terminal sends it) leaves no process behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.integration.production.support import live_processes
from tests.integration.production.support import server_env
from tests.integration.worker.support import ROOT
from tests.integration.worker.support import wait_for


def session_members(sid: int) -> list[int]:
    """Live processes of session `sid` (the script started a session of its own)."""
    return live_processes(3, sid)


@pytest.fixture()
def scratch(database_url: str) -> Iterator[str]:
    url = make_url(database_url)
    name = f"{url.database}_runpg"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_run_pg_serves_with_timer_workers_and_ctrl_c_stops_every_process(scratch: str, tmp_path: Path) -> None:
    log = tmp_path / "run-pg.log"
    env = {**server_env(""), "ORGFLOW_PG_DATABASE": scratch, "ORGFLOW_BIND": "127.0.0.1:0",
           "ORGFLOW_WEB_WORKERS": "2", "ORGFLOW_DEMO_LOGINS": str(tmp_path / "logins.txt")}
    del env["ORGFLOW_DATABASE_URL"]
    with log.open("ab") as sink:
        script = subprocess.Popen(["./scripts/run-pg.sh"], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        wait_for(lambda: "Ctrl-C stops them all" in log.read_text() or script.poll() is not None, 300,
                 "the database to be set up")
        wait_for(lambda: len(re.findall(r"^timer worker \S+ running", log.read_text(), re.M)) == 2
                 and "Booting worker" in log.read_text(), 120, "gunicorn and both timer workers")
        output = log.read_text()
        assert f"created database {scratch}" in output and "演示组织已导入" in output, output
        url = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", output)
        assert url, output
        assert httpx.get(f"{url.group(1)}/auth/login", timeout=30).status_code == 200
        database = f"postgresql+psycopg://postgres@127.0.0.1:5432/{scratch}"
        issued = subprocess.run([sys.executable, "-m", "flask", "users", "token", "s1_01"],
                                cwd=ROOT, env=server_env(database), capture_output=True, text=True, timeout=120)
        bearer = issued.stdout.strip().splitlines()[-1]
        todo = httpx.get(f"{url.group(1)}/api/v1/tasks?view=todo", headers={"Authorization": f"Bearer {bearer}"},
                         timeout=30)
        assert todo.status_code == 200 and todo.json()["items"], todo.text
        assert len(session_members(script.pid)) >= 6  # the script, gunicorn and 2 workers, 2 timer workers
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGINT)  # Ctrl-C
        script.wait(timeout=90)
    wait_for(lambda: not session_members(script.pid), 30, "every process of run-pg to end")
    assert "stopped" in log.read_text().splitlines()[-1]
