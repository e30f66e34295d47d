"""Reading request input for the API routes: the JSON body and bounded integer query args."""

from __future__ import annotations

from typing import Any

from flask import request

from workflows.errors import InvalidRequest


def json_value() -> Any:
    """The request's JSON value, or None if the body is not JSON (or nested beyond the parser)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:  # `[[[[…]]]]` thousands deep: json.loads recurses, `silent` does not cover it
        return None


def json_body() -> dict[str, Any]:
    """The request's JSON object, else InvalidRequest (400)."""
    body = json_value()
    if not isinstance(body, dict):
        raise InvalidRequest("请求体须为 JSON 对象")
    return body


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """A query argument that must be an integer in [low, high] (400 otherwise)."""
    raw = request.args.get(name, str(default))
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidRequest(f"参数 {name} 须为 {low}–{high} 的整数")
    return int(raw)
