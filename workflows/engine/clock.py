"""The one clock of the service layer, injectable so tests (and the worker) can travel in time.

SpiffWorkflow reads the time only in its timer module; `install_spiff_clock` points that module
at this clock, so timers, deadlines and records all agree on "now".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC
from datetime import datetime
from datetime import tzinfo
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_frozen: ContextVar[datetime | None] = ContextVar("orgflow_frozen_now", default=None)


def now() -> datetime:
    """The current time, timezone-aware in UTC (or the frozen test time)."""
    frozen = _frozen.get()
    return frozen if frozen is not None else datetime.now(UTC)


def today_local() -> datetime:
    """Now in Asia/Shanghai, the zone all business dates are in."""
    return now().astimezone(SHANGHAI)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Make `now()` return `moment` (must be timezone-aware) inside the block."""
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs a timezone-aware datetime")
    token = _frozen.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _frozen.reset(token)


class _SpiffClock(datetime):
    """Drop-in for `datetime` inside SpiffWorkflow's timer module."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        current = now()
        return current.astimezone(tz) if tz else current.replace(tzinfo=None)


def install_spiff_clock() -> None:
    """Route SpiffWorkflow's timer clock through `now()` (idempotent)."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _SpiffClock
