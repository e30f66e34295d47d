"""Servers for `bench.side_by_side`: free ports, start in a process group of their own, wait until
they answer, stop the whole group (also when the benchmark itself is interrupted)."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

_RUNNING: list[subprocess.Popen[bytes]] = []


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel picks it; never 5000)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def launch(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start `command` in a new session (its own process group), output appended to `log`."""
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    _RUNNING.append(process)
    return process


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 120) -> None:
    """Poll `url` until it answers 200; fail with the end of the server's log if it dies or hangs."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {tail(log)}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.25)
    raise RuntimeError(f"server did not answer {url} within {seconds:.0f} s: {tail(log)}")


def tail(log: Path, lines: int = 8) -> str:
    try:
        return " | ".join(log.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (gunicorn's master and workers, uvicorn, werkzeug), then
    SIGKILL whatever is left after 20 s."""
    if process in _RUNNING:
        _RUNNING.remove(process)
    for sig, wait in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):  # workers that outlived their master
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def running(command: list[str], cwd: Path, env: dict[str, str], log: Path, ready_url: str) -> Iterator[None]:
    process = launch(command, cwd, env, log)
    try:
        wait_ready(ready_url, process, log)
        yield
    finally:
        stop(process)


def _stop_all() -> None:
    for process in list(_RUNNING):
        stop(process)


def install_cleanup() -> None:
    """Stop every server this process started on exit, Ctrl-C or SIGTERM."""
    atexit.register(_stop_all)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages (/proc/loadavg)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
