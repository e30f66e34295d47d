"""表彰 on the real server: a 七一 表彰 started on `flask serve` and nominated by two 子分公司,
restarted onto gunicorn for the 资格审核 (a nominee rated 基本称职 refused, H-C2) and a 公示 that
began 19 days ago (its timer already past), back to `flask serve` for the 党委会 (roster quorum,
H-C8) and the 表彰决定; after the last restart the PDF names every honoured person and
organization, the 奖惩 entries are on the records, and the audit chain and the stall check agree."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests.drivers import commendation as hon
from tests.e2e.support import GUNICORN
from tests.e2e.support import SERVE
from tests.e2e.support import Live
from tests.e2e.support import LiveFlow
from tests.e2e.support import day
from tests.helpers import COMMITTEES

FIRST_SERVER = SERVE


def test_a_qiyi_commendation_reaches_its_decision_across_restarts(live: Live, flow: LiveFlow) -> None:
    quotas = [*hon.quotas(), {"unit": "S2", "honour": "excellent_member", "quota": 1}]
    case = hon.start(flow, quotas=quotas, deadline=day(14))["id"]
    hon.nominate_all(flow, case)
    hon.nominate(flow, case, "S2", {"nominees": [hon.person("s2_07")]}, by="s2_03")

    live.restart(GUNICORN)
    body = flow.refused(hon.OFFICER, case, "review", {"decision": "proceed"}, "H-C2")  # 邓超: 基本称职 (2025)
    assert "邓超" in body["message"]
    flow.step(hon.OFFICER, case, "review", {"decision": "proceed", "excluded": [
        {"nominee": "person:s2_07", "reason": "上一年度考核基本称职"}]})
    body = flow.step(hon.OFFICER, case, "publicity", {"start_date": day(-19)})
    assert body["instance"]["timers"] == [] and flow.tasks(hon.OFFICER, case) == ["publicity_review"]

    live.restart(SERVE)
    flow.step(hon.OFFICER, case, "publicity_review", {"objections": False, "decision": "continue"})
    away = {m: "出差" for m in COMMITTEES["G"][4:]}
    flow.refused(hon.OFFICER, case, "committee_decision", hon.committee(day(0), absent=away), "H-C8")
    flow.step(hon.OFFICER, case, "committee_decision", hon.committee(day(0)))
    body = flow.step(hon.OFFICER, case, "decision", {"decision_no": hon.DECISION_NO, "issued_on": day(0)})
    assert body["instance"]["status"] == "completed"

    live.restart(GUNICORN)
    pdf = flow.api(hon.OFFICER).get(f"/instances/{case}/pdf?doc=commendation_decision").response.content
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    for name in ("罗兰", "张伟", "炼钢厂党支部", "何医生", hon.DECISION_NO):
        assert name in text, name
    assert "邓超" not in text
    awards = flow.api("s1_03").get("/cadres/s1_05").get_json()["awards"]
    assert any("优秀共产党员" in a["text"] and hon.DECISION_NO in a["text"] for a in awards), awards
    assert "停滞的流程：0 个" in live.check()
    assert live.verify().startswith("OK ")
