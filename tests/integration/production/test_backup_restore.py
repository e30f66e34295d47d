"""The backup → restore → `flask audit verify` round trip of docs/deploy.md, on the database the
suite runs on: SQLite's online backup (what `sqlite3 DB ".backup FILE"` does), or PostgreSQL's
`pg_dump -Fc` restored with `pg_restore` into a fresh database.

The checkpoint is exported before the backup, so the restored chain must contain it; a
checkpoint taken after the backup names events the backup lacks, and verify says so.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.engine import make_url

from tests.helpers import complete
from tests.helpers import start
from tests.integration.production.support import server_env
from tests.integration.worker.support import ROOT


def flask(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=server_env(database_url),
                          capture_output=True, text=True, timeout=300, check=False)


def pg_args(url: URL) -> list[str]:
    return ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]


@pytest.fixture()
def restored(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """`restored()` backs up the test database and restores it into a fresh one; returns its URL."""
    url = make_url(database_url)
    scratch = f"{url.database}_restored"

    def backup_and_restore() -> str:
        if url.get_backend_name() == "sqlite":
            target = tmp_path / "restored.sqlite3"
            with sqlite3.connect(url.database or "") as source, sqlite3.connect(target) as copy:
                source.backup(copy)
            return f"sqlite:///{target}"
        dump = tmp_path / "orgflow.dump"
        subprocess.run(["pg_dump", *pg_args(url), "-Fc", "-f", str(dump), url.database or ""], check=True, timeout=300)
        subprocess.run(["createdb", *pg_args(url), scratch], check=True, timeout=60)
        subprocess.run(["pg_restore", *pg_args(url), "-d", scratch, "--no-owner", "--exit-on-error", str(dump)],
                       check=True, timeout=300)
        return url.set(database=scratch).render_as_string(hide_password=False)

    yield backup_and_restore
    if url.get_backend_name() == "postgresql":
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()


def test_a_restored_backup_verifies_against_the_checkpoint_taken_before_it(
        api: Any, runner: Any, restored: Any, tmp_path: Path) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    checkpoint = tmp_path / "checkpoint.json"
    assert runner.invoke(args=["audit", "checkpoint", "--out", str(checkpoint)]).exit_code == 0
    restored_url = restored()

    verified = flask(restored_url, "audit", "verify", "--against", str(checkpoint))
    head = json.loads(checkpoint.read_text())
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith(f"OK {head['count']} events") and f"checkpoint {head['seq']} matches" in (
        verified.stdout)
    assert flask(restored_url, "db", "current").stdout.strip().endswith("(head)")

    start(api)  # the live database moves on; a checkpoint of it names events the backup lacks
    later = tmp_path / "later.json"
    assert runner.invoke(args=["audit", "checkpoint", "--out", str(later)]).exit_code == 0
    behind = flask(restored_url, "audit", "verify", "--against", str(later))
    assert behind.returncode == 1 and "短于检查点" in behind.stderr
