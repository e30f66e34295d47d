"""Rule packs: the values and citations in `bpmn/rules/*.toml`, loaded once and cached."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

from workflows.errors import DiagramInvalid

RULES_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "rules"


@dataclass(frozen=True)
class RuleDef:
    """One hard rule: its id (A-C1 …), text, citation and parameter values."""

    id: str
    text: str
    source: str
    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


@dataclass(frozen=True)
class Body:
    """A collective decision body (党委会, 支部大会 …) and how its meetings are counted."""

    key: str
    name: str
    quorum_rule: str
    quorum: Fraction
    quorum_strict: bool
    adoption_rule: str
    adoption: Fraction
    adoption_base: str
    count_written_opinions: bool
    defer_rule: str | None
    # Whose members are due (应到), from OrgFlow's own records, never typed: "unit_committee" (the
    # holders of `committee` at the deciding unit: its 党委委员) or "unit_full_members" (the full
    # members of the deciding unit: a 支部大会; probationary members have no vote).
    roster: str = "unit_committee"
    # The vote options of this body (for, against, abstain, defer); others must stay 0.
    vote_options: tuple[str, ...] = ("for", "against", "abstain")


@dataclass(frozen=True)
class RulePack:
    id: str
    title: str
    version: str
    valid_from: date | None
    valid_to: date | None
    rules: dict[str, RuleDef]
    bodies: dict[str, Body]
    settings: dict[str, Any]
    # Per process: the order its business dates must keep (workflows/rules/dates.py).
    dates: dict[str, Any] = field(default_factory=dict)


def _body(key: str, raw: dict[str, Any]) -> Body:
    return Body(
        key=key,
        name=raw["name"],
        quorum_rule=raw["quorum_rule"],
        quorum=Fraction(raw["quorum"]),
        quorum_strict=bool(raw.get("quorum_strict", False)),
        adoption_rule=raw["adoption_rule"],
        adoption=Fraction(raw["adoption"]),
        adoption_base=raw.get("adoption_base", "members_due"),
        count_written_opinions=bool(raw.get("count_written_opinions", False)),
        defer_rule=raw.get("defer_rule"),
        roster=raw.get("roster", "unit_committee"),
        vote_options=tuple(raw.get("vote_options", ("for", "against", "abstain"))),
    )


def parse_pack(path: Path) -> RulePack:
    """Read one TOML rule pack; raises DiagramInvalid when a rule lacks its text or source."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    rules = {}
    for rule_id, spec in raw.get("rules", {}).items():
        if not spec.get("text") or not spec.get("source"):
            raise DiagramInvalid(f"{path.name}: rule {rule_id} needs text and source")
        values = {k: v for k, v in spec.items() if k not in ("text", "source")}
        rules[rule_id] = RuleDef(rule_id, spec["text"], spec["source"], values)
    bodies = {key: _body(key, spec) for key, spec in raw.get("bodies", {}).items()}
    return RulePack(
        id=raw["id"],
        title=raw["title"],
        version=str(raw.get("version", "1")),
        valid_from=raw.get("valid_from"),
        valid_to=raw.get("valid_to"),
        rules=rules,
        bodies=bodies,
        settings=raw.get("settings", {}),
        dates=raw.get("dates", {}),
    )


@lru_cache(maxsize=4)
def load_packs(directory: Path = RULES_DIR) -> dict[str, RulePack]:
    """Every pack in the directory, by id. Cached: packs change only with a deployment."""
    packs = [parse_pack(path) for path in sorted(directory.glob("*.toml"))]
    return {pack.id: pack for pack in packs}


def rule(rule_id: str, directory: Path = RULES_DIR) -> RuleDef:
    """Find a rule by id in any pack (rule ids are unique across packs)."""
    for pack in load_packs(directory).values():
        if rule_id in pack.rules:
            return pack.rules[rule_id]
    raise KeyError(f"unknown rule {rule_id}")


def body(key: str, directory: Path = RULES_DIR) -> Body:
    """Find a decision body definition by key in any pack."""
    for pack in load_packs(directory).values():
        if key in pack.bodies:
            return pack.bodies[key]
    raise KeyError(f"unknown decision body {key}")
