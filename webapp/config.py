"""Configuration from the environment with safe defaults (DESIGN §11)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def _secret_file(instance: Path, name: str) -> str:
    """Read instance/<name>, creating it with a random value (mode 0600) on first run."""
    path = instance / name
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _smtp(env: Mapping[str, str]) -> dict[str, Any]:
    """E-mail copies of notifications: off unless ORGFLOW_SMTP_HOST is set."""
    return {
        "ORGFLOW_SMTP_HOST": env.get("ORGFLOW_SMTP_HOST") or None,
        "ORGFLOW_SMTP_PORT": int(env.get("ORGFLOW_SMTP_PORT") or 25),
        "ORGFLOW_SMTP_USER": env.get("ORGFLOW_SMTP_USER") or None,
        "ORGFLOW_SMTP_PASSWORD": env.get("ORGFLOW_SMTP_PASSWORD") or None,
        "ORGFLOW_SMTP_FROM": env.get("ORGFLOW_SMTP_FROM") or "orgflow@localhost",
        "ORGFLOW_SMTP_STARTTLS": _flag(env.get("ORGFLOW_SMTP_STARTTLS")),
        "ORGFLOW_SMTP_SSL": _flag(env.get("ORGFLOW_SMTP_SSL")),
        "ORGFLOW_BASE_URL": env.get("ORGFLOW_BASE_URL") or None,
    }


# Production serves over HTTPS only: cookies are Secure and host-locked (`__Host-`), HSTS is sent.
PRODUCTION = {
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_NAME": "__Host-session",
    "REMEMBER_COOKIE_SECURE": True,
    "PREFERRED_URL_SCHEME": "https",
    "ORGFLOW_HSTS": "max-age=31536000; includeSubDomains",
}


def _production(config: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    """Refuse default secrets and debug mode; make cookies Secure unless a test overrides it."""
    missing = [k for k in ("SECRET_KEY", "ORGFLOW_AUDIT_KEY") if not config.get(k)]
    if missing:
        raise RuntimeError(f"production mode needs {', '.join(missing)} from the environment, not defaults")
    if config.get("DEBUG") or _flag(os.environ.get("FLASK_DEBUG")):
        raise RuntimeError("production mode must not run with debug on")
    for key, value in PRODUCTION.items():
        if key not in overrides:
            config[key] = value


def load(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The app config: environment first, then generated secrets in instance/, then overrides."""
    instance = Path(instance_path)
    env = os.environ
    config: dict[str, Any] = {
        "ORGFLOW_ENV": env.get("ORGFLOW_ENV", "development"),
        "SQLALCHEMY_DATABASE_URI": env.get("ORGFLOW_DATABASE_URL") or f"sqlite:///{instance / 'orgflow.sqlite3'}",
        "SECRET_KEY": env.get("ORGFLOW_SECRET_KEY"),
        "ORGFLOW_AUDIT_KEY": env.get("ORGFLOW_AUDIT_KEY"),
        # Keys replaced by a rotation, comma separated: needed to verify (and, until the
        # rotation event is written, to sign) the older part of the chain.
        "ORGFLOW_AUDIT_PREVIOUS_KEYS": [k for k in env.get("ORGFLOW_AUDIT_PREVIOUS_KEYS", "").split(",") if k],
        "ORGFLOW_REDIS_URL": env.get("ORGFLOW_REDIS_URL"),
        "ORGFLOW_REDIS_PREFIX": env.get("ORGFLOW_REDIS_PREFIX", "orgflow:"),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted
        # (0: none, the socket's address is the client's; 1: one nginx).
        "ORGFLOW_PROXY_HOPS": int(env.get("ORGFLOW_PROXY_HOPS", "0")),
        # Failed logins allowed per username and per client address within the window.
        "ORGFLOW_LOGIN_MAX_FAILURES": int(env.get("ORGFLOW_LOGIN_MAX_FAILURES", "10")),
        "ORGFLOW_LOGIN_MAX_FAILURES_PER_ADDRESS": int(env.get("ORGFLOW_LOGIN_MAX_FAILURES_PER_ADDRESS", "50")),
        "ORGFLOW_LOGIN_WINDOW_MINUTES": int(env.get("ORGFLOW_LOGIN_WINDOW_MINUTES", "15")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        # A long approval form must not lose its CSRF token while the approver writes.
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "ORGFLOW_ARGON2": None,  # (time_cost, memory_cost, parallelism) to tune the hasher
        # Attachments live outside static/ and are served only through a permission check.
        "ORGFLOW_ATTACHMENT_DIR": env.get("ORGFLOW_ATTACHMENT_DIR") or str(instance / "attachments"),
        "ORGFLOW_MAX_UPLOAD_MB": int(env.get("ORGFLOW_MAX_UPLOAD_MB", "20")),
        # Seconds a PDF may take to draw (in a child process) before it is refused with 503.
        "ORGFLOW_PDF_TIMEOUT": float(env.get("ORGFLOW_PDF_TIMEOUT", "20")),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        **_smtp(env),
    }
    config.update(overrides or {})
    # A pooled PostgreSQL connection may have died with its server since it was last used: check
    # it at checkout. A SQLite connection is a file handle that cannot: no `SELECT 1` a request.
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {
        "pool_pre_ping": not str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")})
    if config["ORGFLOW_ENV"] == "production":
        _production(config, overrides or {})
    config["SECRET_KEY"] = config["SECRET_KEY"] or _secret_file(instance, "secret.key")
    config["ORGFLOW_AUDIT_KEY"] = config["ORGFLOW_AUDIT_KEY"] or _secret_file(instance, "audit.key")
    # A whole request: up to ten attachments of the largest size, plus the form itself.
    config.setdefault("MAX_CONTENT_LENGTH", (config["ORGFLOW_MAX_UPLOAD_MB"] * 10 + 1) * 1024 * 1024)
    return config
