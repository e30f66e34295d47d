"""The demo's 表彰: this year's “七一”表彰, started by the group 组织部 (赵敏) with quotas for
钢铁股份公司 (S1), 矿业公司 (S2) and the 医院党委 (S3). S1 and S2 have nominated; the 医院党委's
组织部 (`s3_03`) still owes its 推荐. Then 赵敏 does the 资格审核, where 邓超 (`s2_07`, rated
基本称职 last year) must be left out (H-C2), the 公示, the 党委会 and the 表彰决定."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflows.demo.cases import Seeder


def commendation(s: Seeder) -> None:
    """A 七一 表彰 waiting for the 医院党委's 推荐."""
    case = s.start("commendation", "zhaomin", {
        "kind": "qiyi", "title": f"{s.today.year}年“七一”表彰", "issuer": "集团党委",
        "basis": "对在疫情防控工作中充分发挥战斗堡垒作用和先锋模范作用的基层党组织和党员进行表彰（集团组织〔2020〕2号 第10条）",
        "deadline": (s.today + timedelta(days=14)).isoformat(),
        "quotas": [{"unit": "S1", "honour": "excellent_member", "quota": 2},
                   {"unit": "S1", "honour": "advanced_org", "quota": 1},
                   {"unit": "S2", "honour": "excellent_member", "quota": 1},
                   {"unit": "S3", "honour": "party_worker", "quota": 1},
                   {"unit": "S3", "honour": "advanced_org", "quota": 1}]})
    s.step(case, "s1_03", "nomination", {"nominees": [
        {"honour": "excellent_member", "person": "s1_05", "deeds": "疫情防控期间在一线卡口连续值守，负责复工复产防疫物资调配"},
        {"honour": "excellent_member", "person": "s1b1_01", "deeds": "带领炼钢厂党员突击队坚守生产一线，实现零感染、生产不停"},
        {"honour": "advanced_org", "organization": "S1B1", "deeds": "设立党员先锋岗 12 个，组织厂区卡口 24 小时值守"}]})
    s.step(case, "s2_03", "nomination", {"nominees": [
        {"honour": "excellent_member", "person": "s2_07", "deeds": "组织运输部防疫物资转运"}]})
