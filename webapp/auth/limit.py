"""The login rate limit's wiring: which backend (Redis if configured, else the database), the
limits from the config, the client address. The counting itself is `workflows.accounts.login_limit`."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import current_app
from flask import request

from models import User
from webapp.extensions import db
from workflows import accounts
from workflows import settings as app_settings
from workflows.accounts import login_limit

log = logging.getLogger(__name__)


def _redis() -> Any | None:
    url = current_app.config.get("ORGFLOW_REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("orgflow_redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        current_app.extensions["orgflow_redis"] = client
    return client


def backend() -> login_limit.Backend:
    """Redis when ORGFLOW_REDIS_URL is set and answers, else the database (shared either way)."""
    client = _redis()
    if client is not None:
        import redis

        try:
            client.ping()
            return login_limit.RedisBackend(client, current_app.config["ORGFLOW_REDIS_PREFIX"] + "login:")
        except redis.RedisError:
            log.warning("Redis unreachable: counting failed logins in the database")
    return login_limit.DatabaseBackend(db.session)


def limits() -> login_limit.Limits:
    config = current_app.config
    return login_limit.Limits(per_user=config["ORGFLOW_LOGIN_MAX_FAILURES"],
                              per_address=config["ORGFLOW_LOGIN_MAX_FAILURES_PER_ADDRESS"],
                              window=timedelta(minutes=config["ORGFLOW_LOGIN_WINDOW_MINUTES"]))


def attempt(username: str, password: str) -> User | None:
    """Authenticate under the rate limit: raises TooManyFailures (429) before any password is
    checked once the username or the client address has too many recent failures."""
    store, rules, address = backend(), limits(), request.remote_addr
    login_limit.check(store, rules, username, address)
    user = accounts.authenticate(db.session, username, password)
    if user is None:
        login_limit.failed(store, rules, username, address)
    else:
        login_limit.succeeded(store, username)
    return user


def verify_current_password(user: User, password: str) -> bool:
    """Re-authentication for a sensitive change, counted like a login (a stolen session cannot
    be used to guess the password without limit)."""
    store, rules, address = backend(), limits(), request.remote_addr
    login_limit.check(store, rules, user.username, address)
    ok = accounts.check_password(app_settings.of(db.session), user, password)
    if not ok:
        login_limit.failed(store, rules, user.username, address)
    return ok
