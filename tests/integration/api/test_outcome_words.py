"""Status words follow the case's real outcome, and no raw code (`admonish`, `proceed` …) reaches
the Chinese text of the 审批单 or the case page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.drivers import accountability as acc
from tests.flows import Flow
from tests.integration.documents.conftest import download
from tests.integration.documents.conftest import flat
from tests.integration.documents.conftest import pdf_text

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.clock("2026-03-02 09:00")]

# Codes of the forms and server fields that once leaked into the text.
CODES = re.compile(r"(?<![A-Za-z_])(admonish|proceed|circular|dismiss|discipline|no_promotion|secretary|committee|decided|"
                   r"no_accountability|transfer_discipline|dropped|discipline_only|rejected|completed|adopted)(?![A-Za-z_])")


def _visible(html: str) -> str:
    """The page's text: tags, attributes and scripts removed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_an_accountability_decision_reads_as_its_outcome_in_words(flow: Flow, web: Any) -> None:
    case = acc.start(flow, two_ensures_failed=True, year=2025)
    acc.to_proposal(flow, case["id"])
    acc.decide(flow, case["id"], ["admonish", "circular"])
    flow.step(acc.GROUP_OFFICER, case["id"], "rating_override", {"override": False})
    acc.announce(flow, case["id"], "2026-03-02")
    flow.step("s1_06", case["id"], "appeal", {"grounds": "不服"})
    flow.step("s1_01", case["id"], "appeal_decision", {"decision": "maintain"}, comment="维持")
    assert flow.case("s1_03", case["id"])["status"] == "completed"
    client = web("s1_03")
    pdf = flat(pdf_text(download(client, f"/cases/{case['id']}/documents/approval.pdf")))
    assert "流程状态已办结：作出问责决定并执行" in pdf and "已通过" not in pdf
    assert "诫勉" in pdf and not CODES.findall(pdf), CODES.findall(pdf)
    page = _visible(client.page(f"/cases/{case['id']}"))
    assert "作出问责决定并执行" in page and "已通过" not in page
    assert not CODES.findall(page), CODES.findall(page)


def test_a_lead_transferred_to_discipline_review_is_not_approved(flow: Flow, web: Any) -> None:
    case = acc.start(flow)
    flow.step("s1_01", case["id"], "start_approval", {"decision": "transfer_discipline"}, comment="已立案审查")
    client = web("s1_03")
    pdf = flat(pdf_text(download(client, f"/cases/{case['id']}/documents/approval.pdf")))
    assert "流程状态已办结：转纪律审查" in pdf and "已通过" not in pdf
    assert not CODES.findall(pdf), CODES.findall(pdf)


def test_a_promotion_in_progress_shows_its_decisions_in_words(flow: Flow, web: Any) -> None:
    from tests.helpers import MEETING_OK
    from tests.helpers import start
    from tests.helpers import to_committee

    case = start(flow.api)
    to_committee(flow.api, case["id"])
    flow.step("s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})
    client = web("s1_03")
    pdf = flat(pdf_text(download(client, f"/cases/{case['id']}/documents/approval.pdf")))
    assert "流程状态审批中" in pdf and "列为考察对象" in pdf
    assert not CODES.findall(pdf), CODES.findall(pdf)
    page = _visible(client.page(f"/cases/{case['id']}?tab=log"))
    assert not CODES.findall(page), CODES.findall(page)
