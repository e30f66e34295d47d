"""The rules and their sources as a Markdown table (`docs/rules.md`, `flask rules table`): which
rule comes from which article, and how each collective body is counted — read from the packs,
so the docs say what the checks enforce."""

from __future__ import annotations

from workflows.rules.packs import Body
from workflows.rules.packs import RulePack
from workflows.rules.packs import load_packs

HEADER = """# Rules and their sources

Every hard rule OrgFlow enforces, with the article it comes from. Generated from
`bpmn/rules/*.toml` by `flask rules table > docs/rules.md` (a test keeps the two equal); every
refusal names the rule and this source. How sure each source is:
`../shared/reference/domain-research.md` (A.5, B.5, C.3, D.3) and, where a pack says so, the
rule's `confidence` (quoted in brackets).

| ID | 规则 | 依据 | 规则集 |
|---|---|---|---|
"""
BODIES = """
## Collective bodies

Who is due (应到) comes from OrgFlow's own records, never from the form: `unit_committee` = the
holders of the `committee` role (党委委员) at the unit the step is routed to; `unit_full_members` =
the full members of that unit (a 党支部; probationary members have no vote). Members who recuse
(R-C1, or of their own accord with a reason) are not due.

| body | 会议 | 应到 | 到会 | 通过 | 表决选项 | 规则集 |
|---|---|---|---|---|---|---|
"""
VOTES = {"for": "同意", "against": "不同意", "abstain": "弃权", "defer": "缓议"}


def _order(rule_id: str) -> tuple[str, int]:
    head, _, number = rule_id.partition("-C")
    return head, int(number) if number.isdigit() else 0


def _rule_rows(packs: list[RulePack]) -> list[str]:
    rows = [(rule, pack.id) for pack in packs for rule in pack.rules.values()]
    rows.sort(key=lambda row: _order(row[0].id))
    lines = []
    for rule, pack_id in rows:
        sure = f"（把握：{rule.values['confidence']}）" if rule.values.get("confidence") else ""
        lines.append(f"| {rule.id} | {rule.text} | {rule.source}{sure} | `{pack_id}` |")
    return lines


def _body_row(body: Body, pack_id: str) -> str:
    quorum = f"> {body.quorum} × 应到" if body.quorum_strict else f"≥ ⌈{body.quorum} × 应到⌉"
    written = "（含书面意见）" if body.count_written_opinions else ""
    options = "、".join(VOTES[o] for o in body.vote_options)
    return (f"| `{body.key}` | {body.name} | `{body.roster}` | {quorum}（{body.quorum_rule}） | "
            f"同意{written} > {body.adoption} × 应到（{body.adoption_rule}） | {options} | `{pack_id}` |")


def markdown() -> str:
    """The whole `docs/rules.md`."""
    packs = list(load_packs().values())
    bodies = [_body_row(body, pack.id) for pack in packs for body in pack.bodies.values()]
    return HEADER + "\n".join(_rule_rows(packs)) + "\n" + BODIES + "\n".join(bodies) + "\n"
