"""The configuration the services run with, passed in rather than set on module globals.

The app builds one frozen `Settings` from its config (`webapp.settings_of_app`) and every session
it opens carries it in `session.info` (the Flask-SQLAlchemy session, the CLI's and the timer
worker's sessions alike), so a service that takes a session reads its settings from it
(`of(session)`). Two apps in one process thus keep their own audit keys, upload limits and
password hashers.
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from workflows.audit import chain as audit_chain

KEY = "orgflow_settings"  # where a session carries its Settings (session.info[KEY])
MIN_AUDIT_KEY = 16
DEFAULT_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """audit_key signs new audit events (ORGFLOW_AUDIT_KEY); audit_previous_keys are the keys it
    replaced (…_PREVIOUS_KEYS); attachments are stored under attachment_root, none larger than
    max_upload_bytes; argon2 = (time_cost, memory_cost, parallelism) tunes the password hasher
    (None: the library's recommended parameters)."""

    audit_key: bytes
    audit_previous_keys: tuple[bytes, ...] = ()
    attachment_root: Path = Path(tempfile.gettempdir()) / "orgflow-attachments"
    max_upload_bytes: int = DEFAULT_UPLOAD_BYTES
    argon2: tuple[int, int, int] | None = None
    audit_keyring: dict[str, bytes] = field(init=False, repr=False, compare=False)
    hasher: PasswordHasher = field(init=False, repr=False, compare=False)
    # Verified against when a username is unknown, so both paths cost the same (no user enumeration).
    dummy_hash: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for candidate in (self.audit_key, *self.audit_previous_keys):
            if len(candidate) < MIN_AUDIT_KEY:
                raise ValueError(f"an audit key must be at least {MIN_AUDIT_KEY} bytes")
        hasher = PasswordHasher(*self.argon2) if self.argon2 else PasswordHasher()
        object.__setattr__(self, "attachment_root", Path(self.attachment_root))
        object.__setattr__(self, "audit_keyring", audit_chain.keyring((self.audit_key, *self.audit_previous_keys)))
        object.__setattr__(self, "hasher", hasher)
        object.__setattr__(self, "dummy_hash", hasher.hash(secrets.token_urlsafe(16)))

    @classmethod
    def from_config(cls, config: Any) -> Settings:
        """From the app's config mapping (the ORGFLOW_* keys of webapp/config.py)."""
        argon2 = config.get("ORGFLOW_ARGON2")
        return cls(audit_key=str(config["ORGFLOW_AUDIT_KEY"]).encode("utf-8"),
                   audit_previous_keys=tuple(k.encode("utf-8") for k in config.get("ORGFLOW_AUDIT_PREVIOUS_KEYS", ())),
                   attachment_root=Path(config["ORGFLOW_ATTACHMENT_DIR"]),
                   max_upload_bytes=int(config["ORGFLOW_MAX_UPLOAD_MB"]) * 1024 * 1024,
                   argon2=(int(argon2[0]), int(argon2[1]), int(argon2[2])) if argon2 else None)


def session_info(settings: Settings) -> dict[str, Any]:
    """The `info` a session factory gives its sessions (sessionmaker(info=…))."""
    return {KEY: settings}


def attach(session: Session, settings: Settings) -> None:
    """Let an already open session carry these settings."""
    session.info[KEY] = settings


def of(session: Session) -> Settings:
    """The settings the session was opened with."""
    settings = session.info.get(KEY)
    if settings is None:
        raise RuntimeError("this session carries no workflows.settings.Settings (open it through the app's factory)")
    assert isinstance(settings, Settings)
    return settings
