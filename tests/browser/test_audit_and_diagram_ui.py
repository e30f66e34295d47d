"""Issue 13 items 4 and 6 in a real browser, at a desktop's width and a phone's (390 px): the
auditor's 事件日志 reads as words (names, Chinese actions, Beijing time, the raw record only
in a closed 技术详情 fold), and the case's 流程图 stays inside its own box; neither page
scrolls sideways as a whole."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.conftest import PHONE
from tests.helpers import complete
from tests.helpers import start

pytestmark = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"])


def page_fits(page: Page) -> None:
    """The page as a whole does not scroll sideways (a wide table or diagram scrolls in its box)."""
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1] + 1, widths


def test_the_event_log_reads_as_words_at_both_widths(people: Any, api: Any) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"}, comment="同意酝酿")
    page = people("zhengyun").go(f"/audit/events?instance={case['number']}")
    rows = page.locator("#events tbody tr")
    expect(rows.first).to_be_visible()
    text = page.locator("#events").inner_text()
    assert "发起" in text and "马立新" in text, text  # the action in words, the 书记 by name
    assert not re.search(r"\b(s1_0\d|task\.complete|instance\.start)\b", text), text
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", text)  # 北京时间, no ISO "T…+00:00"
    assert "+00:00" not in text and "T0" not in text
    fold = page.locator("#events details.tech").first
    expect(fold.locator("code")).not_to_be_visible()  # the raw record stays folded away
    fold.locator("summary").click()
    expect(fold.locator("code")).to_be_visible()
    page_fits(page)


def test_the_diagram_scrolls_in_its_own_box_at_both_widths(people: Any, api: Any) -> None:
    case = start(api)
    page = people("s1_03").go(f"/cases/{case['id']}/diagram")
    box = page.locator(".diagram-box")
    expect(box).to_be_visible()
    expect(box.locator("svg")).to_be_visible()
    page_fits(page)
    inner, outer = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    if page.viewport_size == PHONE:
        assert inner > outer  # the diagram is wider than a phone: it scrolls inside its box …
        assert box.get_attribute("tabindex") == "0"  # … which the keyboard can reach (WCAG 2.1.1)
