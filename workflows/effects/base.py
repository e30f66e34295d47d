"""The effect registry: side effects on OrgFlow's own records, named by the diagrams.

A user task, an end event or a timer event lists its effects in the diagram
(`spiffworkflow:property name="effects" value="accountability_decision:committee"`); the
part after a colon is the effect's argument. They run in the same transaction as the step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from models import ProcessInstance
from workflows.sql import autoflushing


@dataclass
class EffectContext:
    """What an effect may touch: the session, the case and its flat data, and its argument."""

    session: Session
    instance: ProcessInstance
    data: dict[str, Any]
    arg: str | None = None

    def update_data(self, values: dict[str, Any]) -> None:
        """Record server values on the case (shown in the API's `data`)."""
        self.instance.data = {**self.instance.data, **values}
        self.data = {**self.data, **values}


Effect = Callable[[EffectContext], None]
EFFECTS: dict[str, Effect] = {}


def effect(name: str) -> Callable[[Effect], Effect]:
    def register(func: Effect) -> Effect:
        if name in EFFECTS:
            raise ValueError(f"effect {name} registered twice")
        EFFECTS[name] = func
        return func

    return register


def parse(spec: str | None) -> list[tuple[str, str | None]]:
    """`"accountability_decision:committee defence_lapsed"` →
    [("accountability_decision", "committee"), ("defence_lapsed", None)]."""
    found = []
    for token in (spec or "").split():
        name, _, arg = token.partition(":")
        found.append((name, arg or None))
    return found


def unknown_effects(spec: str | None) -> list[str]:
    """Effect names in `spec` that nothing registered (deploy refuses such diagrams)."""
    return [name for name, _ in parse(spec) if name not in EFFECTS]


def run_effects(spec: str | None, ctx: EffectContext) -> None:
    """Run a step's effects. They query and write the case's records, so they autoflush as
    usual, also inside a caller's `no_autoflush` (a completion's)."""
    effects = parse(spec)
    if not effects:
        return
    with autoflushing(ctx.session):
        for name, arg in effects:
            ctx.arg = arg
            EFFECTS[name](ctx)
