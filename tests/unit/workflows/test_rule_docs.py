"""docs/rules.md lists every rule of every pack with its source, and every process's date order."""

from __future__ import annotations

from pathlib import Path

from workflows.rules.dates import date_order
from workflows.rules.packs import load_packs

DOC = (Path(__file__).parents[3] / "docs" / "rules.md").read_text(encoding="utf-8")


def test_every_rule_is_listed_with_its_text_and_source() -> None:
    for pack in load_packs().values():
        for rule in pack.rules.values():
            assert f"| {rule.id} | {rule.text} | {rule.source} |" in DOC, rule.id


def test_every_date_order_names_known_rules_and_is_listed() -> None:
    known = {rid for pack in load_packs().values() for rid in pack.rules}
    for pack in load_packs().values():
        for process in pack.dates:
            order = date_order(process)
            assert f"### `{process}`" in DOC
            assert order.future_rule in known
            assert {r.rule for r in order.relations} <= known
            assert {p.age_rule or p.rule for p in order.points.values()} <= known
