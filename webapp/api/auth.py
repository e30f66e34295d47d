"""Bearer-token authentication for /api/v1 (DESIGN §10)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from typing import TypeVar

from flask import g
from flask import jsonify
from flask import request

from models import User
from webapp.extensions import db
from workflows import accounts

F = TypeVar("F", bound=Callable[..., Any])


def token_required(view: F) -> F:
    """Resolve `Authorization: Bearer <token>` to `g.api_user`, else answer 401 JSON."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        user = accounts.user_for_token(db.session, token.strip()) if scheme.lower() == "bearer" and token else None
        if user is None:
            response = jsonify({"error": "unauthorized", "message": "需要有效的访问令牌（Authorization: Bearer …）"})
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="orgflow"'
            return response
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def api_user() -> User:
    user: User = g.api_user
    return user
