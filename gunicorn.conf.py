"""gunicorn settings for OrgFlow: `gunicorn -c gunicorn.conf.py` (see docs/deploy.md).

Web workers only serve requests. Timers and deadlines are fired by separate
`flask workflows worker` processes: the app factory starts no timer thread (only `flask serve`,
the single-process `make run`, does), so any number of web workers can run beside any number
of timer workers, all coordinated in the database.

Every setting can be changed from the environment:

| variable | default | |
|---|---|---|
| `ORGFLOW_BIND` | `127.0.0.1:5000` | address (or `unix:/run/orgflow.sock`); several separated by commas |
| `ORGFLOW_WEB_WORKERS` | `WEB_CONCURRENCY`, else 2 × cores + 1 (at most 8) | processes |
| `ORGFLOW_WEB_THREADS` | `4` | threads per process (gthread) |
| `ORGFLOW_WEB_TIMEOUT` | `60` | seconds a request may take before its worker is restarted |
| `ORGFLOW_FORWARDED_ALLOW_IPS` | `127.0.0.1` | proxies whose X-Forwarded-* headers are trusted |
| `ORGFLOW_ACCESS_LOG` | `-` (stdout) | file, or empty for none |
| `ORGFLOW_PIDFILE` | none | where the master writes its pid (for `kill -TERM`/`-HUP` without systemd) |
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _default_workers() -> int:
    return _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))


wsgi_app = "webapp:create_app()"
bind = [address.strip() for address in os.environ.get("ORGFLOW_BIND", "127.0.0.1:5000").split(",") if address.strip()]

# gthread: a few threads per process keep slow clients and keep-alive connections from
# tying up a whole process; the engine step itself is short and runs under the GIL.
worker_class = "gthread"
workers = _int("ORGFLOW_WEB_WORKERS", _default_workers())
threads = _int("ORGFLOW_WEB_THREADS", 4)

# Not preloaded: each worker builds the app (and its SQLAlchemy pool) after the fork, so no
# database connection is ever shared between processes.
preload_app = False

# A PDF takes about a second and a write waits at most the SQLite busy timeout (15 s); a
# request still running after `timeout` seconds is stuck, and its worker is replaced.
timeout = _int("ORGFLOW_WEB_TIMEOUT", 60)
# On SIGTERM (systemd stop, Ctrl-C in scripts/run-pg.sh) finish the requests in flight first.
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak can never grow without bound.
max_requests = 5000
max_requests_jitter = 500

# Behind a reverse proxy: trust its X-Forwarded-For/-Proto only from these addresses.
forwarded_allow_ips = os.environ.get("ORGFLOW_FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = os.environ.get("ORGFLOW_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("ORGFLOW_LOG_LEVEL", "info")
# Remote address (and the client's, behind a proxy), request line, status, bytes, duration (µs), pid of the worker.
access_log_format = '%(h)s %({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(D)sus %(p)s "%(a)s"'
pidfile = os.environ.get("ORGFLOW_PIDFILE") or None
proc_name = "orgflow-web"
# No gunicorn control socket: its default path is shared by every gunicorn of the user.
control_socket_disable = True
