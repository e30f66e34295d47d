"""Login rate limit shared by every worker process (DESIGN §12, ASVS 6.3.1 / 2.4.1).

Failed logins are counted per username and per client address over a sliding window, in Redis
when the deployment has one, otherwise in the database (`login_failure`). A per-process counter
would let N gunicorn workers allow N times the limit; both backends are shared by all of them.

The web layer calls `check` before it verifies a password, `failed` after a wrong one and
`succeeded` after a right one (which clears the username's count, not the address's).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import Protocol

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import LoginFailure
from workflows.engine import clock
from workflows.errors import TooSoon


class TooManyFailures(TooSoon):
    """Too many failed logins for this username or address; the caller answers 429."""

    code = "too_many_login_failures"


class Backend(Protocol):
    def count(self, key: str, since: datetime) -> int: ...

    def add(self, key: str, at: datetime, window: timedelta) -> None: ...

    def clear(self, key: str) -> None: ...


class DatabaseBackend:
    """Failures as `login_failure` rows in the caller's transaction (the caller commits)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def count(self, key: str, since: datetime) -> int:
        return self.session.scalar(select(func.count()).select_from(LoginFailure)
                                   .where(LoginFailure.key == key, LoginFailure.at > since)) or 0

    def add(self, key: str, at: datetime, window: timedelta) -> None:
        # Forget this key's expired failures while adding one, so the table never grows unbounded.
        self.session.execute(delete(LoginFailure).where(LoginFailure.key == key, LoginFailure.at <= at - window))
        self.session.add(LoginFailure(key=key, at=at))
        self.session.flush()

    def clear(self, key: str) -> None:
        self.session.execute(delete(LoginFailure).where(LoginFailure.key == key))


class RedisBackend:
    """Failures as members of one sorted set per key (score: the time), expiring with the window."""

    def __init__(self, client: Any, prefix: str = "orgflow:login:") -> None:
        self.client = client
        self.prefix = prefix

    def count(self, key: str, since: datetime) -> int:
        return int(self.client.zcount(self.prefix + key, f"({since.timestamp()}", "+inf"))

    def add(self, key: str, at: datetime, window: timedelta) -> None:
        name = self.prefix + key
        pipe = self.client.pipeline(transaction=True)
        pipe.zremrangebyscore(name, "-inf", (at - window).timestamp())
        pipe.zadd(name, {secrets.token_hex(8): at.timestamp()})
        pipe.expire(name, int(window.total_seconds()) + 1)
        pipe.execute()

    def clear(self, key: str) -> None:
        self.client.delete(self.prefix + key)


@dataclass
class Limits:
    """How many failures a username and an address may have within `window`."""

    per_user: int = 10
    per_address: int = 50
    window: timedelta = timedelta(minutes=15)


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    keys = [("user", "user:" + username.strip().lower()[:64])]
    if address:
        keys.append(("address", "ip:" + address[:100]))
    return keys


def check(backend: Backend, limits: Limits, username: str, address: str | None) -> None:
    """Raise TooManyFailures if the username or the address reached its limit within the window."""
    since = clock.now() - limits.window
    for kind, key in _keys(username, address):
        limit = limits.per_user if kind == "user" else limits.per_address
        if backend.count(key, since) >= limit:
            minutes = int(limits.window.total_seconds() // 60)
            raise TooManyFailures(f"登录失败次数过多，请 {minutes} 分钟后再试",
                                  retry_after=int(limits.window.total_seconds()))


def failed(backend: Backend, limits: Limits, username: str, address: str | None) -> None:
    """Count one failed login against the username and the address."""
    now = clock.now()
    for _, key in _keys(username, address):
        backend.add(key, now, limits.window)


def succeeded(backend: Backend, username: str) -> None:
    """A right password: the username starts again from zero (the address keeps its count)."""
    backend.clear(_keys(username, None)[0][1])
