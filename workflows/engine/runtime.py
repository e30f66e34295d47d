"""The process-wide engine, built once with the helpers diagrams may call."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from workflows.calendar import add_months
from workflows.engine import WorkflowEngine


def add_months_iso(day: str, months: int) -> str:
    """`add_months` for the ISO date strings that case data holds."""
    return add_months(date.fromisoformat(day), months).isoformat()


# Diagrams may call these (and only these) besides a few safe builtins. Anything touching the
# database or the calendar runs as a rule check in Python, never from a diagram script.
HELPERS: dict[str, Any] = {"add_months_iso": add_months_iso}


@lru_cache(maxsize=1)
def engine() -> WorkflowEngine:
    return WorkflowEngine(helpers=HELPERS)
