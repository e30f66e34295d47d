"""The rules and their sources as a Markdown table (`docs/rules.md`, `flask rules table`): which
rule comes from which article, and how each collective body is counted — read from the packs,
so the docs say what the checks enforce."""

from __future__ import annotations

from workflows.rules import case_tables
from workflows.rules.dates import DateOrder
from workflows.rules.dates import Point
from workflows.rules.dates import date_order
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
DATES = """
## Dates in order, per process

Each process's order is declared in its pack (`[dates.<process>]`) and checked by one helper,
`workflows/rules/dates.py` (`dates:<process>`, first among a step's rules): a date may not lie ahead
of today beyond its allowance, nor further back than its bound, and keeps its relations (≤, or < when
strict) with every date already on record. The rule cited is the one named on the relation.
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


def _bounds(order: DateOrder, point: Point) -> str:
    if point.derived:
        return "derived by the server"
    parts = [f"{order.points[r.earlier].label} {'<' if r.strict else '≤'} {order.points[r.later].label} ({r.rule})"
             for r in order.relations if r.owner == point.key]
    if point.ahead_days:
        parts.append(f"up to {point.ahead_days} days ahead")
    if point.max_age_days is not None:
        parts.append(f"at most {point.max_age_days} days back ({point.age_rule or point.rule})")
    return "; ".join(parts) or "not ahead of today"


def _date_section(process: str) -> str:
    order = date_order(process)
    rows = [f"| {p.label} | `{p.task}` · `{p.field}`{' (server)' if p.derived else ''} | {_bounds(order, p)} | {p.rule} |"
            for p in order.points.values()]
    return (f"\n### `{process}` (ahead of today: {order.future_rule})\n\n| date | entered at | order and bounds | rule |\n"
            "|---|---|---|---|\n" + "\n".join(rows) + "\n")


def markdown() -> str:
    """The whole `docs/rules.md`."""
    packs = list(load_packs().values())
    bodies = [_body_row(body, pack.id) for pack in packs for body in pack.bodies.values()]
    dates = [_date_section(process) for pack in packs for process in pack.dates]
    return (HEADER + "\n".join(_rule_rows(packs)) + "\n" + BODIES + "\n".join(bodies) + "\n" + DATES
            + "".join(dates) + case_tables.markdown())
