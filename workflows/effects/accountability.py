"""Effects of `accountability`: the records other processes read (B-C8, B-C9).

A decision writes the subject's 影响期, the forced 不称职 rating and the removal from the reserve
pool in the decision's own transaction, so `cadre_promotion` sees them at once (an appeal does
not suspend them, B-C7). A changed or revoked decision on appeal corrects the 影响期 and the pool.

B-C9 (pack `assessment-2020`) belongs to the 年度综合考核 (`annual_assessment`), which reads these
cases and proposes 不称职 for their subject and year. The locked 不称职 written here on every end of
a "两个确保" case is kept as the interim record of that rating: A-C9 and the 后备干部库 (A-R1) must
see it as soon as the 问责 case ends, not months later when the year's assessment is decided; the
assessment then overwrites it with the year's decided 等次. A group 党委会 that changed it here
(`rating_override`) is respected by the assessment; an appeal against the 问责 decision does not
change it.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from models import AnnualRating
from models import InfluencePeriod
from models import ReservePoolEntry
from workflows.effects.base import EffectContext
from workflows.effects.base import effect
from workflows.engine import clock
from workflows.labels import form_title
from workflows.records.conduct import EventInput
from workflows.records.conduct import record_event
from workflows.records.conduct import remove_case_events
from workflows.rules.accountability import settings
from workflows.rules.packs import rule


def _write_periods(ctx: EffectContext, user_id: int, periods: list[dict[str, Any]], note: str) -> None:
    for p in periods:
        ctx.session.add(InfluencePeriod(
            user_id=user_id, kind=p["form"], restriction=p["restriction"],
            starts_on=date.fromisoformat(p["starts_on"]), ends_on=date.fromisoformat(p["ends_on"]),
            source_instance_id=ctx.instance.id, note=note,
        ))


def _close_periods(ctx: EffectContext, user_id: int, day: date, note: str) -> None:
    """End this case's periods that still run on `day` (they last until the day before)."""
    rows = ctx.session.scalars(select(InfluencePeriod).where(
        InfluencePeriod.user_id == user_id, InfluencePeriod.source_instance_id == ctx.instance.id,
        InfluencePeriod.ends_on >= day)).all()
    for row in rows:
        row.ends_on = day - timedelta(days=1)
        row.note = f"{row.note or ''}；{note}".strip("；")


def _force_rating(ctx: EffectContext, user_id: int, forced: dict[str, Any]) -> dict[str, Any] | None:
    """Write the forced rating for the year; return what it replaced (to restore on revocation)."""
    row = ctx.session.scalars(select(AnnualRating).where(
        AnnualRating.user_id == user_id, AnnualRating.year == forced["year"])).first()
    before = {"rating": row.rating, "source": row.source} if row else None
    if row is None:
        row = AnnualRating(user_id=user_id, year=forced["year"])
        ctx.session.add(row)
    row.rating, row.source, row.locked = forced["rating"], "accountability", True
    row.source_instance_id = ctx.instance.id
    row.reason = f"{ctx.instance.number}：未完成“两个确保”考核指标，直接评定为“{forced['rating']}”（B-C9）"
    return before


def _leave_reserve_pool(ctx: EffectContext, user_id: int, day: date, reason: str) -> int:
    entries = ctx.session.scalars(select(ReservePoolEntry).where(
        ReservePoolEntry.user_id == user_id, ReservePoolEntry.removed_on.is_(None))).all()
    for entry in entries:
        entry.removed_on, entry.removed_reason, entry.removed_by_instance_id = day, reason, ctx.instance.id
    return len(entries)


def _return_to_reserve_pool(ctx: EffectContext) -> None:
    entries = ctx.session.scalars(select(ReservePoolEntry).where(
        ReservePoolEntry.removed_by_instance_id == ctx.instance.id)).all()
    for entry in entries:
        entry.removed_on, entry.removed_reason, entry.removed_by_instance_id = None, None, None


def _removes_from_pool(forms: list[str], forced: bool) -> bool:
    return forced or bool(set(forms) & set(settings()["forms"]["reserve_pool_removal"]))


def _taken(ctx: EffectContext) -> bool:
    if ctx.arg == "secretary":
        return ctx.data.get("decision") == "approve"
    return ctx.arg == "committee" and ctx.data.get("meeting_outcome") == "adopted"


@effect("accountability_decision")
def record_decision(ctx: EffectContext) -> None:
    """On 书记批准 (`:secretary`) or a 党委会 adoption (`:committee`): write the subject's records."""
    user_id = ctx.instance.subject_user_id
    if not _taken(ctx) or user_id is None:
        return
    decided = date.fromisoformat(ctx.data["decided_on"])
    _write_periods(ctx, user_id, ctx.data.get("influence_periods") or [], f"{ctx.instance.number} 问责决定")
    forced = ctx.data.get("forced_rating")
    before = _force_rating(ctx, user_id, forced) if forced else None
    removed = 0
    if _removes_from_pool(ctx.data.get("forms") or [], bool(forced)):
        removed = _leave_reserve_pool(ctx, user_id, decided, f"{ctx.instance.number} 问责决定（B-C8）")
    _conduct_event(ctx, user_id, decided)
    ctx.update_data({"rating_before": before, "reserve_pool_removed": removed})


def _conduct_event(ctx: EffectContext, user_id: int, decided: date) -> None:
    """The decision in the subject's 现实表现纪实: a 问题 of source 问责, linked to the case."""
    forms = "、".join(form_title(f) for f in ctx.data.get("forms") or []) or "问责"
    text = f"{ctx.instance.number} 问责决定（{forms}）：{ctx.instance.title}"
    day = min(decided, clock.today_local().date())
    record_event(ctx.session, user_id, EventInput(day, text, "accountability", "issue"), instance=ctx.instance)


@effect("defence_lapsed")
def defence_lapsed(ctx: EffectContext) -> None:
    """B-C3: the 申辩 period ended without a statement; the refusal is on record."""
    ctx.update_data({"defence_refused": True, "defence_on": clock.today_local().date().isoformat()})


@effect("two_ensures_rating")
def two_ensures_rating(ctx: EffectContext) -> None:
    """B-C9 on a case that ends without a 问责 decision (不予问责, 转纪律审查, 免予问责, or only a
    纪律处分 for the 纪委): failing the "两个确保" still rates the year 不称职 ([S§4]: 直接评定), whatever
    the 问责 outcome; the group 党委会 may change it at the rating step that follows."""
    user_id = ctx.instance.subject_user_id
    if not ctx.data.get("forces_rating") or user_id is None or ctx.data.get("closing") in (None, "decided"):
        return
    forced = {"year": ctx.data["year"], "rating": rule("B-C9")["rating"]}
    before = _force_rating(ctx, user_id, forced)
    removed = _leave_reserve_pool(ctx, user_id, clock.today_local().date(), f"{ctx.instance.number} 不称职认定（B-C9）")
    ctx.update_data({"forced_rating": forced, "rating_before": before, "reserve_pool_removed": removed})


@effect("rating_override")
def rating_override(ctx: EffectContext) -> None:
    """B-C9: the group 党委会 changed the forced rating; the new one is kept with its reason."""
    forced = ctx.data.get("forced_rating")
    if not ctx.data.get("override_adopted") or not forced or ctx.instance.subject_user_id is None:
        return
    row = ctx.session.scalars(select(AnnualRating).where(
        AnnualRating.user_id == ctx.instance.subject_user_id, AnnualRating.year == forced["year"])).one()
    row.rating, row.locked = ctx.data["rating"], False
    meeting = ctx.data.get("meeting") or {}
    row.reason = (f"{ctx.instance.number}：集团党委会（{meeting.get('date', '')}）改变“不称职”认定。"
                  f"理由：{ctx.data['reason']}")


@effect("appeal_outcome")
def appeal_outcome(ctx: EffectContext) -> None:
    """B-C7: a revoked decision lifts its records; a changed one replaces its 影响期 (`:committee`:
    only once the 党委会 adopted the handling)."""
    user_id = ctx.instance.subject_user_id
    decision = ctx.data.get("decision")
    if user_id is None or decision not in ("change", "revoke"):
        return
    if ctx.arg == "committee" and ctx.data.get("meeting_outcome") != "adopted":
        return
    today = clock.today_local().date()
    _close_periods(ctx, user_id, today, f"申诉处理：{'撤销' if decision == 'revoke' else '改变'}问责决定")
    still_unfit = bool(ctx.data.get("forced_rating")) and not ctx.data.get("override_adopted")
    if decision == "revoke":  # the 不称职 of a failed "两个确保" stays: an assessment result (B-C9)
        remove_case_events(ctx.session, ctx.instance, f"{ctx.instance.number} 申诉处理：撤销问责决定")
        if not still_unfit:
            _return_to_reserve_pool(ctx)
        return
    changed = [p for p in ctx.data.get("influence_periods") or [] if date.fromisoformat(p["ends_on"]) >= today]
    _write_periods(ctx, user_id, [{**p, "starts_on": max(p["starts_on"], today.isoformat())} for p in changed],
                   f"{ctx.instance.number} 申诉处理改变后的问责方式")
    if not _removes_from_pool(ctx.data.get("changed_forms") or [], still_unfit):
        _return_to_reserve_pool(ctx)
