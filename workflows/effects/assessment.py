"""Effect of `annual_assessment`: the decided 等次 written to the cadre records' 年度考核 results.

Each 班子成员's final 等次 becomes that year's `annual_rating` row (source `assessment`), the row
the 干部信息 page, the 任免表, A-C9 (promotion negative list) and the 后备干部库 (A-R1) read. A
forced 不称职 (B-C9) stays locked; one the group 党委会 changed is written with its reason. The
班子's 等次 stays on the case (`team_final_rating`). What a row held before is kept on the case.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import AnnualRating
from workflows import accounts
from workflows.effects.base import EffectContext
from workflows.effects.base import effect


def _reason(ctx: EffectContext, row: dict[str, Any]) -> str:
    base = f"{ctx.instance.number}：{ctx.data.get('deciding_unit_name', '')}党委会（{ctx.data.get('decided_on', '')}）确定"
    if row.get("override_reason"):
        return f"{base}，改变“不称职”认定（B-C9）。理由：{row['override_reason']}"
    if row.get("forced"):
        return f"{base}：未完成“两个确保”考核指标或疫情防控不力，直接评定为“{row['rating']}”（B-C9）"
    return base


@effect("assessment_results")
def assessment_results(ctx: EffectContext) -> None:
    """Write each member's decided 等次 for the case's year."""
    year = int(ctx.data["year"])
    before: dict[str, Any] = {}
    for row in ctx.data.get("final_ratings") or []:
        user = accounts.find_user(ctx.session, row["member"])
        kept = ctx.session.scalars(select(AnnualRating).where(
            AnnualRating.user_id == user.id, AnnualRating.year == year)).first()
        before[row["member"]] = {"rating": kept.rating, "source": kept.source} if kept else None
        if kept is None:
            kept = AnnualRating(user_id=user.id, year=year)
            ctx.session.add(kept)
        kept.rating, kept.source, kept.source_instance_id = row["rating"], "assessment", ctx.instance.id
        kept.locked, kept.reason = bool(row.get("forced")), _reason(ctx, row)
    ctx.update_data({"ratings_before": before})
