"""docs/rules.md lists every rule of the packs with its source and every process's date order
(generated: `flask rules table`)."""

from __future__ import annotations

from tests.conftest import ROOT
from workflows.rules import table
from workflows.rules.dates import date_order
from workflows.rules.packs import load_packs


def test_the_rules_table_in_the_docs_is_the_packs_own() -> None:
    assert (ROOT / "docs/rules.md").read_text(encoding="utf-8") == table.markdown(), "run: flask rules table > docs/rules.md"


def test_each_rule_is_listed_with_its_article() -> None:
    text = table.markdown()
    for pack in load_packs().values():
        for rule in pack.rules.values():
            assert f"| {rule.id} | {rule.text} | {rule.source}" in text
    assert "| R-C1 |" in text and "第十章 交流、回避" in text and "| `cadre_committee` | 党委会 | `unit_committee` |" in text


def test_every_date_order_names_known_rules_and_is_listed() -> None:
    text = table.markdown()
    known = {rid for pack in load_packs().values() for rid in pack.rules}
    for pack in load_packs().values():
        for process in pack.dates:
            order = date_order(process)
            assert f"### `{process}`" in text
            assert order.future_rule in known
            assert {r.rule for r in order.relations} <= known
            assert {p.age_rule or p.rule for p in order.points.values()} <= known
    assert "| 公示开始日期 | `publicity` · `start_date` | 党委会决定日期 ≤ 公示开始日期 (T-A2); up to 7 days ahead;" in text


def test_the_later_processes_have_their_case_data_tables() -> None:
    text = table.markdown()
    assert "### `party_probation` (task ids)" in text and "### `reserve_nomination` (task ids)" in text
    assert "### `special_report` (task ids)" in text and "| `acknowledge` |" in text
    assert "| `application` | 转正申请 | `subject` | `applied_on`, `application_text`" in text
    assert "`decision`: `confirm` / `extend` / `cancel`" in text
    assert "| `department_review` | 部务会研究 | `org_head@decider` | `decision`: `agree` / `reject`" in text
