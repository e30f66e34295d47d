"""docs/rules.md lists every rule of the packs with its source (generated: `flask rules table`)."""

from __future__ import annotations

from tests.conftest import ROOT
from workflows.rules import table
from workflows.rules.packs import load_packs


def test_the_rules_table_in_the_docs_is_the_packs_own() -> None:
    assert (ROOT / "docs/rules.md").read_text(encoding="utf-8") == table.markdown(), "run: flask rules table > docs/rules.md"


def test_each_rule_is_listed_with_its_article() -> None:
    text = table.markdown()
    for pack in load_packs().values():
        for rule in pack.rules.values():
            assert f"| {rule.id} | {rule.text} | {rule.source}" in text
    assert "| R-C1 |" in text and "第十章 交流、回避" in text and "| `cadre_committee` | 党委会 | `unit_committee` |" in text
