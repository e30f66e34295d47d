"""Bounded work for a PDF (issue 12 §6): an unbroken 2,000-letter opinion is printed whole and
wraps inside the page, the 流程节点 table prints the newest rows and says how many it left out,
and a drawing that overruns ORGFLOW_PDF_TIMEOUT is refused with 503 (its process killed)
rather than holding the worker. The times themselves are in bench/pdf_worst.py."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.helpers import complete
from tests.helpers import start
from tests.integration.documents.conftest import download
from tests.integration.documents.conftest import flat
from tests.integration.documents.conftest import pdf_text
from webapp.pages.documents import approval
from webapp.pages.documents.common import ZWSP
from webapp.pages.documents.common import breakable


def test_breakable_cuts_only_long_unbroken_runs() -> None:
    assert breakable("同意" * 500) == "同意" * 500  # CJK breaks anywhere already
    assert breakable("short words stay as they are") == "short words stay as they are"
    long = breakable("x" * 50)
    assert long.replace(ZWSP, "") == "x" * 50 and long.count(ZWSP) == 2
    assert breakable(None) == ""


def test_an_unbroken_opinion_of_2000_letters_is_printed_whole_within_the_page(api: Any, web: Any) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"}, comment="a" * 2000)
    pdf = download(web("s1_03"), f"/cases/{case['id']}/documents/approval.pdf")
    lines = [line.replace(ZWSP, "") for line in pdf_text(pdf).splitlines()]
    opinion = [line for line in lines if line and set(line) == {"a"}]
    # All 2,000 letters are there, wrapped into lines that fit the page's width (across pages).
    assert sum(len(line) for line in opinion) == 2000
    assert len(opinion) > 10 and max(len(line) for line in opinion) <= 120


def test_the_approval_sheet_prints_the_newest_rows_and_says_how_many_it_left_out(
        api: Any, web: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"}, comment="第一轮意见")
    complete(api, "s1_03", case["id"], "recommendation",
             {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]}, comment="最新意见")
    monkeypatch.setattr(approval, "MAX_PRINTED_NODES", 2)
    text = flat(pdf_text(download(web("s1_03"), f"/cases/{case['id']}/documents/approval.pdf")))
    # 发起, 酝酿, 民主推荐 and the open 确定考察对象: the two newest are printed.
    assert flat("此前另有 2 条审批记录") in text and flat("以下为最近 2 条") in text
    assert "第一轮意见" not in text and "最新意见" in text


def test_a_drawing_over_its_time_is_refused_with_503_and_the_worker_goes_on(
        api: Any, web: Any, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    case = start(api)
    monkeypatch.setitem(app.config, "ORGFLOW_PDF_TIMEOUT", 0.001)  # no process draws a PDF this fast
    page = web("s1_03").get(f"/cases/{case['id']}/documents/approval.pdf")
    assert page.status_code == 503 and "生成超时" in page.get_data(as_text=True)
    answer = api("s1_03").get(f"/instances/{case['id']}/pdf")
    assert answer.status_code == 503 and answer.get_json()["error"] == "document_timeout"
    monkeypatch.setitem(app.config, "ORGFLOW_PDF_TIMEOUT", 20)
    download(web("s1_03"), f"/cases/{case['id']}/documents/approval.pdf")
