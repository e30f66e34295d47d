"""年度综合考核 over HTML: the group 组织部 previews the route (who gets each step: the group 组织部)
and starts S1's assessment from 发起; another subsidiary's 组织部 is refused."""

from __future__ import annotations

import re
from typing import Any

from tests.drivers import assessment as ka

FORM = {"unit": "S1", "year": "2025", "management_level": "group", "members": ka.MEMBERS,
        "plan": "指标体系含“两个确保”"}


def test_the_group_department_previews_and_starts_s1s_assessment(web: Any) -> None:
    officer = web(ka.OFFICER)
    preview = officer.post("/start/annual_assessment", data={**FORM, "intent": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "表单校验通过" in html
    steps = dict(re.findall(r'data-step="(\w+)">\s*<span class="route-name">[^<]+</span>.*?'
                            r'<span class="route-who">([^<]+)</span>', html, re.S))
    assert "赵敏" in steps["report"] and "赵敏" in steps["committee_decision"]
    started = officer.post("/start/annual_assessment", data={**FORM, "intent": "submit"})
    assert started.status_code == 302, started.get_data(as_text=True)[:2000]
    page = officer.get(started.headers["Location"]).get_data(as_text=True)
    assert "钢铁股份公司党委2025年度综合考核" in page and "马立新" in page


def test_a_department_of_another_subsidiary_is_refused(web: Any) -> None:
    refused = web("s2_03").post("/start/annual_assessment", data={**FORM, "intent": "submit"})
    assert refused.status_code == 403
