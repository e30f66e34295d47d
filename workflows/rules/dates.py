"""Business dates in order, per process: one check reading the order declared in the rule pack.

Each process declares, in its pack, the dates its forms carry and where they may fall
(`[dates.<process>]` with `[[dates.<process>.points]]`):

    key = "decided_on"               # the point's name in this list
    label = "党委会决定日期"           # shown in messages
    task = "committee_decision"      # the step that enters it ("start" for the start form)
    field = "meeting.date"           # its path in that step's submission ("lines.*.date" for lists)
    scope = "case" | "data"          # where later steps read it: the step's latest submission
                                     # (default) or the flow's own data (inside a per-recipient sub-flow)
    recorded_as = "sub_decision_on"  # optional: the path later steps read instead of `field`
    derived = true                   # the server derives it (e.g. `publicity_end`): only read, once on record
    rule = "T-A2"                    # the rule its order cites ("key:RULE" in a list cites another)
    after = ["…"]                    # points it may not precede (same day allowed)
    strictly_after = ["…"]           # points it must follow by at least a day
    before = ["…"]                   # points it may not follow
    ahead_days = 0                   # how far past today it may lie (the pack's `future_rule`)
    max_age_days = 30                # optional: how far before today it may lie
    age_rule = "C-C3"                # the rule that bound cites (default: `rule`)

A step's `rules` name the check as `dates:<process>`; it looks at the points the step enters and
every relation they take part in whose other side is already on record. A point not yet on
record (a step the case skipped) is not compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from functools import lru_cache
from typing import Any

from workflows.rules.base import RuleContext
from workflows.rules.base import check
from workflows.rules.base import violation
from workflows.rules.packs import load_packs


@dataclass(frozen=True)
class Point:
    key: str
    label: str
    task: str
    field: str
    rule: str
    scope: str = "case"
    recorded_as: str | None = None
    derived: bool = False
    ahead_days: int = 0
    max_age_days: int | None = None
    age_rule: str | None = None
    after: tuple[str, ...] = ()
    strictly_after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()


@dataclass(frozen=True)
class Relation:
    """`earlier` ≤ `later` (or < when strict), cited as `rule`; `owner` declared it (its field is blamed)."""

    earlier: str
    later: str
    strict: bool
    rule: str
    owner: str


@dataclass(frozen=True)
class DateOrder:
    process: str
    future_rule: str
    points: dict[str, Point]
    relations: tuple[Relation, ...] = field(default_factory=tuple)


def _point(raw: dict[str, Any]) -> Point:
    return Point(
        key=raw["key"], label=raw["label"], task=raw["task"], field=raw["field"], rule=raw["rule"],
        scope=raw.get("scope", "case"), recorded_as=raw.get("recorded_as"), derived=bool(raw.get("derived")),
        ahead_days=int(raw.get("ahead_days", 0)),
        max_age_days=raw.get("max_age_days"), age_rule=raw.get("age_rule"), after=tuple(raw.get("after", ())),
        strictly_after=tuple(raw.get("strictly_after", ())), before=tuple(raw.get("before", ())),
    )


def _ref(token: str, default_rule: str) -> tuple[str, str]:
    """`"talk_on"` → ("talk_on", default_rule); `"branch_meeting_on:C-C8"` → ("branch_meeting_on", "C-C8")."""
    key, _, rule_id = token.partition(":")
    return key, rule_id or default_rule


def _relations(points: dict[str, Point]) -> tuple[Relation, ...]:
    found = []
    for p in points.values():
        found += [Relation(k, p.key, False, r, p.key) for k, r in (_ref(t, p.rule) for t in p.after)]
        found += [Relation(k, p.key, True, r, p.key) for k, r in (_ref(t, p.rule) for t in p.strictly_after)]
        found += [Relation(p.key, k, False, r, p.key) for k, r in (_ref(t, p.rule) for t in p.before)]
    unknown = ({r.earlier for r in found} | {r.later for r in found}) - set(points)
    if unknown:
        raise ValueError(f"date order names unknown points: {sorted(unknown)}")
    return tuple(found)


@lru_cache(maxsize=16)
def date_order(process: str) -> DateOrder:
    """The declared order of `process`'s dates, from whichever pack declares it."""
    for pack in load_packs().values():
        raw = pack.dates.get(process)
        if raw is not None:
            points = {p["key"]: _point(p) for p in raw["points"]}
            return DateOrder(process, raw["future_rule"], points, _relations(points))
    raise KeyError(f"no rule pack declares the dates of {process}")


def _values(data: dict[str, Any], path: str) -> list[tuple[str, date]]:
    """(field path, date) for each value at `path`; `*` walks a list. Missing or empty: []."""
    found: list[tuple[str, Any]] = [("", data)]
    for part in path.split("."):
        step: list[tuple[str, Any]] = []
        for prefix, value in found:
            if part == "*" and isinstance(value, list):
                step += [(f"{prefix}{i}.", item) for i, item in enumerate(value)]
            elif isinstance(value, dict) and value.get(part) not in (None, ""):
                step.append((f"{prefix}{part}.", value[part]))
        found = step
    return [(prefix.rstrip("."), _day(value)) for prefix, value in found if isinstance(value, str)]


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def _recorded(ctx: RuleContext, point: Point) -> list[tuple[str, date]]:
    """The values of a point entered by an earlier step, as the case holds them."""
    path = point.recorded_as or point.field
    if point.task == "start" or point.scope == "data":
        return _values(ctx.data, path)
    return _values(ctx.submission(point.task), path)


def _bounds(ctx: RuleContext, order: DateOrder, point: Point, values: list[tuple[str, date]]) -> None:
    for path, day in values:
        latest = ctx.today + timedelta(days=point.ahead_days)
        if day > latest:
            allowance = f"，最多可提前 {point.ahead_days} 天" if point.ahead_days else ""
            raise violation(order.future_rule, f"{point.label}（{day}）不能晚于今天（{ctx.today}）{allowance}", path)
        if point.max_age_days is not None and day < ctx.today - timedelta(days=point.max_age_days):
            raise violation(point.age_rule or point.rule,
                            f"{point.label}（{day}）早于今天 {point.max_age_days} 天以上，不能据此办理", path)


def _compare(relation: Relation, order: DateOrder, early: list[tuple[str, date]], late: list[tuple[str, date]],
             blame_late: bool) -> None:
    first, last = order.points[relation.earlier], order.points[relation.later]
    for early_path, early_day in early:
        for late_path, late_day in late:
            if late_day > early_day or (late_day == early_day and not relation.strict):
                continue
            how = "须晚于" if relation.strict else "不能早于"
            raise violation(relation.rule, f"{last.label}（{late_day}）{how}{first.label}（{early_day}）",
                            late_path if blame_late else early_path)


@check("dates")
def check_dates(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """The dates this step enters: not in the future beyond the pack's allowance, and in the
    declared order with every date already on record."""
    if arg is None:
        raise ValueError("the dates check needs a process, e.g. dates:cadre_promotion")
    order = date_order(arg)
    # Points this step enters; a server-derived point (e.g. `publicity_end`) is compared once on record.
    here = {key: found for key, p in order.points.items() if p.task == ctx.task_name and not p.derived
            for found in [_values(form, p.field)] if found}
    for key, values in here.items():
        _bounds(ctx, order, order.points[key], values)
    for relation in order.relations:
        if relation.earlier not in here and relation.later not in here:
            continue
        early = here.get(relation.earlier) or _recorded(ctx, order.points[relation.earlier])
        late = here.get(relation.later) or _recorded(ctx, order.points[relation.later])
        both = relation.earlier in here and relation.later in here
        blame_late = relation.owner == relation.later if both else relation.later in here
        _compare(relation, order, early, late, blame_late)
