"""The 审计 pages on a seeded set of cases: every search filter, the event log and a case's
流转记录, CSV exports (Chinese headers, BOM, right rows) that are recorded, and a fixed
number of queries per page."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.integration.audit.conftest import events_of
from tests.integration.audit.conftest import read_csv
from tests.integration.webapp.test_queue_performance import counted
from webapp.pages.audit.export import CASE_HEADER
from webapp.pages.audit.export import EVENT_HEADER

ALL = {"TB-2026-0001", "TB-2026-0002", "WZ-2026-0001", "WZ-2026-0002", "FZ-2026-0001", "FZ-2026-0002",
       "DF-2026-0001", "ZJ-2026-0001"}


def found(web: Any, query: str) -> set[str]:
    html = web("zhengyun").page(f"/audit/?{query}")
    return set(re.findall(r'<tr data-instance="\d+"><td class="nowrap"><a href="/cases/\d+">([A-Z]{2}-\d{4}-\d{4})</a>', html))


def test_the_auditor_searches_by_every_filter(web: Any, seeded: dict[str, int]) -> None:
    assert found(web, "") == ALL
    assert found(web, "process=party_admission") == {"FZ-2026-0001", "FZ-2026-0002"}
    assert found(web, "unit=S1") == {"TB-2026-0001", "TB-2026-0002", "WZ-2026-0002", "FZ-2026-0002", "ZJ-2026-0001"}
    assert found(web, "unit=S3") == {"FZ-2026-0001"}  # owned by the branch S3B1, below S3
    assert found(web, "status=rejected") == {"TB-2026-0001"}
    assert found(web, "until=2026-02-01") == {"TB-2026-0001"}
    assert found(web, "since=2026-03-02&until=2026-03-02") == ALL - {"TB-2026-0001"}
    assert found(web, "q=WZ-2026") == {"WZ-2026-0001", "WZ-2026-0002"}
    assert found(web, "person=梁晨") == {"TB-2026-0001", "WZ-2026-0002"}  # the person concerned
    assert found(web, "person=s1_01") == {"TB-2026-0001", "WZ-2026-0002"}  # acted: 酝酿, 启动审批
    assert found(web, "person=s3b1_01") == {"FZ-2026-0001"}  # the initiator
    assert found(web, "person=s3_03&process=party_admission") == {"FZ-2026-0001"}  # acted: 培训, 预审
    assert found(web, "person=nobody") == set()
    assert web("zhengyun").get("/audit/?unit=NOPE").status_code == 400


def test_only_auditors_reach_the_pages_and_exports(web: Any, app: Flask, seeded: dict[str, int]) -> None:
    for path in ("/audit/", "/audit/events", "/audit/cases.csv", "/audit/events.csv", "/audit/checkpoint.json"):
        assert web("s1_01").get(path).status_code == 403, path
    assert events_of(app, "audit.export") == [] and events_of(app, "audit.checkpoint") == []


def test_the_case_export_has_chinese_headers_a_bom_the_right_rows_and_is_recorded(
        web: Any, app: Flask, seeded: dict[str, int]) -> None:
    response = web("zhengyun").get("/audit/cases.csv?unit=S1&status=running")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv" and response.headers["Content-Disposition"].startswith("attachment;")
    header, rows = read_csv(response)
    assert header == CASE_HEADER == ["编号", "标题", "流程", "状态", "发起人", "所属组织", "当事人", "发起时间", "结束时间"]
    assert {r[0] for r in rows} == {"TB-2026-0002", "WZ-2026-0002", "FZ-2026-0002", "ZJ-2026-0001"}
    row = next(r for r in rows if r[0] == "WZ-2026-0002")
    assert row[1:7] == ["梁晨：问责线索", "问责与组织调整", "审批中", "郭勇", "钢铁股份公司党委", "梁晨"]
    assert row[7].startswith("2026-03-02 09:00") and row[8] == ""
    [event] = events_of(app, "audit.export")
    assert event.payload == {"export": "cases", "filters": {"unit": "S1", "status": "running"}, "rows": 4}
    assert event.actor_id is not None and event.instance_id is None
    _, everything = read_csv(web("zhengyun").get("/audit/cases.csv"))
    assert len(everything) == len(ALL)


def test_the_event_log_filters_and_its_export(web: Any, app: Flask, seeded: dict[str, int]) -> None:
    auditor = web("zhengyun")
    html = auditor.page("/audit/events?action=instance.start")
    assert len(re.findall(r'<tr data-seq="\d+">', html)) == len(ALL)
    case_log = auditor.page("/audit/events?instance=WZ-2026-0002")
    assert 'id="case-log"' in case_log and "梁晨：问责线索" in case_log
    assert "启动审批" in case_log and "<td>调查</td>" in case_log  # step names, not BPMN ids
    by_s1_01 = auditor.page("/audit/events?actor=马立新")
    assert {"TB-2026-0001", "WZ-2026-0002"} == set(re.findall(r'instance=([A-Z]{2}-2026-\d{4})">', by_s1_01))
    assert 'data-seq' not in auditor.page("/audit/events?since=2026-02-01&until=2026-02-28")
    early = auditor.page("/audit/events?until=2026-01-31&action=task.complete")
    assert re.findall(r"instance=([A-Z]{2}-2026-\d{4})\">", early) == ["TB-2026-0001"]  # the 酝酿 that ended it
    # read in words: the action's name, the actor with their unit, the decision's title from its
    # form, the opinion; the codes only inside the 技术详情 fold; the filter without codes
    row = early[early.index('<tr data-seq='):early.index("</tr>", early.index('<tr data-seq='))]
    assert "<td>办理</td>" in row and "决定：终止；意见：暂不动议" in row
    assert re.search(r"马立新（[^）]+）", row), row
    visible = re.sub(r"<details.*?</details>", "", row, flags=re.S)
    assert "terminate" not in visible and "task.complete" not in visible
    assert "技术详情" in row and "&#34;terminate&#34;" in row or '"terminate"' in row
    assert "(task.complete)" not in early and ">办理</option>" in early

    header, rows = read_csv(auditor.get("/audit/events.csv?instance=WZ-2026-0002"))
    assert header == EVENT_HEADER == ["序号", "时间（北京时间）", "操作人", "代理对象", "操作", "流程编号", "步骤", "内容",
                                      "技术详情", "哈希"]
    page_rows = re.findall(r'<tr data-seq="(\d+)">', case_log)
    assert [r[0] for r in rows] == sorted(page_rows, key=int)  # chain order, the same events
    assert all(r[5] == "WZ-2026-0002" and len(r[9]) == 64 for r in rows)
    assert rows[0][4] == "发起" and rows[0][2].startswith("郭勇（")
    [event] = events_of(app, "audit.export")
    assert event.payload["export"] == "events" and event.payload["rows"] == len(rows)
    assert event.payload["filters"] == {"instance": "WZ-2026-0002"}


def test_search_and_log_pages_run_the_same_queries_for_few_or_many_rows(
        web: Any, app: Flask, api: Any, seeded: dict[str, int]) -> None:
    from tests.helpers import start

    auditor = web("zhengyun")
    auditor.page("/audit/events")  # the auditor is read on their first page, then kept (`accounts.user_for_session`)
    with counted(app) as few:
        auditor.page("/audit/?status=running")
        auditor.page("/audit/events")
    for _ in range(6):
        start(api)
    with counted(app) as many:
        auditor.page("/audit/?status=running")
        auditor.page("/audit/events")
    assert len(many) == len(few), [s.split("FROM")[-1][:60] for s in many]
