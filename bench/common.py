"""Shared helpers for the hand-run benchmarks: a scratch app, timing, and docs/performance.md."""

from __future__ import annotations

import os
import platform
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PERFORMANCE_MD = ROOT / "docs" / "performance.md"


def reset_postgres(url: str) -> None:
    """Drop the PostgreSQL database `url` names (if it exists) and create it empty."""
    from sqlalchemy import create_engine
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def scratch_app(database_url: str | None = None) -> Any:
    """A migrated, deployed app with the demo organization, on a throwaway database: a new SQLite
    file, or the PostgreSQL database `database_url` names, dropped and created again."""
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.extensions import db
    from workflows import demo
    from workflows.engine import definitions

    url = database_url or f"sqlite:///{tempfile.mkdtemp(prefix='orgflow-bench-')}/bench.sqlite3"
    if url.startswith("postgresql"):
        reset_postgres(url)
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret-key-0123456789",
        "ORGFLOW_AUDIT_KEY": "bench-audit-key-0123456789", "ORGFLOW_ARGON2": (1, 8, 1),
    })
    with app.app_context():
        upgrade()
        definitions.deploy_all(db.session)
        demo.load(db.session, "bench-password-1")
        db.session.commit()
    return app


def isolated(module: str, *args: str) -> Any:
    """Run `python -m module *args --json-out FILE` in a fresh interpreter and return the JSON it
    wrote: one app per process (a second `create_app` in a process is not supported)."""
    import json
    import subprocess
    import sys

    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, "-m", module, *args, "--json-out", out.name], cwd=ROOT, check=True)
        return json.loads(Path(out.name).read_text() or "null")


def timed(func: Callable[[], Any]) -> float:
    """Seconds one call takes (perf_counter)."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def summary(samples: list[float]) -> dict[str, float]:
    """Median and p95 in milliseconds."""
    ordered = sorted(samples)
    return {"median_ms": statistics.median(ordered) * 1000,
            "p95_ms": ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, "n": len(ordered)}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        text = Path("/proc/cpuinfo").read_text()
        found = re.search(r"model name\s*:\s*(.+)", text)
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    import SpiffWorkflow

    spiff = getattr(SpiffWorkflow, "__version__", "3.2.0")
    return (f"{os.cpu_count()} vCPU ({cpu}), Python {platform.python_version()}, SpiffWorkflow {spiff}, "
            f"{platform.system()} {platform.release()}")


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section between `<!-- bench:name -->` markers in docs/performance.md."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    text = PERFORMANCE_MD.read_text(encoding="utf-8") if PERFORMANCE_MD.exists() else "# Performance\n"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    PERFORMANCE_MD.write_text(text, encoding="utf-8")


def signed_in_client(app: Any, username: str, password: str) -> Any:
    """A Flask test client signed in as `username` through the login form, as a browser is."""
    client = app.test_client()
    form = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    if token is None:
        raise SystemExit("the login page has no CSRF token")
    answer = client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token.group(1)})
    if answer.status_code != 302:
        raise SystemExit(f"login of {username} failed ({answer.status_code})")
    return client
